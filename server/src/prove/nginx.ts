/**
 * The nginx binary the proof runs: found from `nginxWs.nginxPath` (a path,
 * or a name on PATH), described by `nginx -V` (version, compiled-in paths the
 * copy must override), run as `nginx -t` and as a foreground process in its
 * own process group, so stopping it stops its workers too, whatever happens.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';

export interface NginxInfo {
  binary: string;
  version: string | null;
  /** `--prefix` (relative `load_module` paths), `--conf-path`'s folder (nginx's own mime.types...). */
  prefix: string | null;
  confDir: string | null;
  defaults: { pid: string | null; errorLog: string | null; accessLog: string | null; temp: Record<string, string> };
  /** `-e` (start-up error log) exists since 1.19.5. */
  hasDashE: boolean;
}

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin', '/opt/homebrew/bin', '/usr/local/bin'];

/** A regular file this process may access with `mode` (constants.R_OK, X_OK). */
export function fileWith(p: string, mode: number): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, mode);
    return true;
  } catch {
    return false;
  }
}

const executable = (p: string): boolean => fileWith(p, constants.X_OK);

/** The absolute path of the binary `setting` names (a path, or a name looked up on PATH and the usual sbin folders), or null. */
export function findNginx(setting: string, envPath = process.env.PATH ?? ''): string | null {
  const s = setting.trim() || 'nginx';
  if (s.includes('/')) return executable(nodePath.resolve(s)) ? nodePath.resolve(s) : null;
  for (const dir of [...envPath.split(nodePath.delimiter).filter(Boolean), ...EXTRA_DIRS]) {
    const p = nodePath.join(dir, s);
    if (executable(p)) return p;
  }
  return null;
}

const infoCache = new Map<string, Promise<NginxInfo>>();

export function nginxInfo(binary: string): Promise<NginxInfo> {
  let p = infoCache.get(binary);
  if (!p) {
    p = new Promise((resolve) => {
      execFile(binary, ['-V'], { timeout: 10_000, maxBuffer: 256 * 1024 }, (err, stdout, stderr) => {
        resolve(parseDashV(binary, `${stdout}${stderr}`));
        if (err) infoCache.delete(binary);
      });
    });
    infoCache.set(binary, p);
  }
  return p;
}

export function parseDashV(binary: string, text: string): NginxInfo {
  const version = /nginx\/(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? null;
  const arg = (name: string): string | null => new RegExp(`--${name}=(\\S+)`).exec(text)?.[1] ?? null;
  const prefix = arg('prefix') ?? '/usr/local/nginx';
  const inPrefix = (v: string | null, dflt: string): string => {
    const x = v ?? dflt;
    return nodePath.isAbsolute(x) || x === 'stderr' ? x : nodePath.join(prefix, x);
  };
  const confPath = inPrefix(arg('conf-path'), 'conf/nginx.conf');
  const temp: Record<string, string> = {};
  for (const [name, flag] of [
    ['client_body_temp_path', 'http-client-body-temp-path'],
    ['proxy_temp_path', 'http-proxy-temp-path'],
    ['fastcgi_temp_path', 'http-fastcgi-temp-path'],
    ['uwsgi_temp_path', 'http-uwsgi-temp-path'],
    ['scgi_temp_path', 'http-scgi-temp-path'],
  ] as const) {
    temp[name] = inPrefix(arg(flag), `${name.replace('_temp_path', '')}_temp`);
  }
  const [maj, min, pat] = (version ?? '0.0.0').split('.').map(Number) as [number, number, number];
  return {
    binary,
    version,
    prefix,
    confDir: nodePath.dirname(confPath),
    defaults: { pid: inPrefix(arg('pid-path'), 'logs/nginx.pid'), errorLog: inPrefix(arg('error-log-path'), 'logs/error.log'), accessLog: inPrefix(arg('http-log-path'), 'logs/access.log'), temp },
    hasDashE: maj > 1 || (maj === 1 && (min > 19 || (min === 19 && pat >= 5))),
  };
}

export interface NginxArgs {
  binary: string;
  prefix: string;
  confPath: string;
  globals: string[];
  startupLog: string | null;
}

function baseArgs(a: NginxArgs): string[] {
  const args = ['-p', `${a.prefix}/`, '-c', a.confPath];
  if (a.startupLog) args.push('-e', a.startupLog);
  if (a.globals.length) args.push('-g', a.globals.join(' '));
  return args;
}

/** `nginx -t` on the copy: never throws; a cancel or a timeout is a failed test with a reason. */
export function nginxTestCopy(a: NginxArgs, timeoutMs: number, signal?: AbortSignal): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(a.binary, [...baseArgs(a), '-t'], { timeout: timeoutMs, signal, maxBuffer: 256 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (err && (err as NodeJS.ErrnoException).code === 'ABORT_ERR') resolve({ ok: false, output: 'cancelled' });
      else if (err && err.killed) resolve({ ok: false, output: `${output}\nnginx -t did not finish within ${timeoutMs} ms`.trim() });
      else if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve({ ok: false, output: `cannot run ${a.binary}: not found` });
      else resolve({ ok: !err, output: output || (err ? err.message : 'ok') });
    });
  });
}

/** Process groups of nginx instances still running: killed if this process exits before their `stop()`. */
const live = new Set<number>();
let exitHook = false;
function track(pid: number): void {
  live.add(pid);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const g of live) killGroup(g, 'SIGKILL');
    });
  }
}

function killGroup(pgid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group is left. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RunningNginx {
  pid: number;
  /** stderr so far (bounded). */
  stderr(): string;
  /** Stops master and workers (TERM, then KILL of the whole group); resolves once none is left. */
  stop(): Promise<boolean>;
}

const MAX_STDERR = 64 * 1024;

/**
 * Starts nginx in the foreground and resolves once it has bound its sockets (it writes the pid file after
 * that) — or rejects with its output when it exits, the deadline passes or the signal aborts (it is stopped then).
 */
export async function startNginx(a: NginxArgs, pidFile: string, timeoutMs: number, signal?: AbortSignal): Promise<RunningNginx> {
  const child: ChildProcess = spawn(a.binary, baseArgs(a), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    if (stderr.length < MAX_STDERR) stderr += b.toString('utf8');
  });
  const pid = child.pid;
  if (pid === undefined) {
    const err = await new Promise<Error>((r) => child.once('error', r));
    throw new Error(`cannot run ${a.binary}: ${err.message}`);
  }
  track(pid);
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
  let stopping: Promise<boolean> | undefined;
  const stop = (): Promise<boolean> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // TERM is nginx's fast shutdown: the master stops its workers and exits.
        child.kill('SIGTERM');
        const t = setTimeout(() => killGroup(pid, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      // Workers of a master that died hard keep the group: take them too, and wait until none is left.
      for (let i = 0; i < 100 && groupAlive(pid); i++) {
        killGroup(pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 20));
      }
      const gone = !groupAlive(pid);
      if (gone) live.delete(pid);
      return gone;
    })());
  const handle: RunningNginx = { pid, stderr: () => stderr, stop };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new StartError(`nginx exited (${child.exitCode ?? child.signalCode}) while starting`, stderr);
    }
    if (signal?.aborted) {
      await stop();
      throw new StartError('cancelled', stderr);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new StartError(`nginx did not start within ${timeoutMs} ms`, stderr);
    }
    if (pidWritten(pidFile, pid)) return handle;
    // The pid file appears once the sockets are bound; poll it briefly, or wake at once on exit/abort.
    await new Promise<void>((r) => {
      const t = setTimeout(done, 25);
      const onExit = (): void => done();
      child.once('exit', onExit);
      signal?.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(t);
        child.off('exit', onExit);
        signal?.removeEventListener('abort', done);
        r();
      }
    });
  }
}

export class StartError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

function pidWritten(path: string, pid: number): boolean {
  try {
    return Number(readFileSync(path, 'utf8').trim()) === pid;
  } catch {
    return false;
  }
}

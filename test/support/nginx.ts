/**
 * Real nginx for tests: Debian's binary run as a plain foreground process on
 * 127.0.0.1, with everything (conf, pid, logs, temp dirs) inside a fresh temp
 * prefix that `stop()` removes.
 *
 * API (stable; other suites import it):
 *
 *   const ng = await startNginx({ http: `server { listen 127.0.0.1:__PORT__; location / { proxy_pass http://127.0.0.1:__BACKEND__; } }`,
 *                                 backendPort: 4567 });
 *   ng.port           // the port substituted for __PORT__ (ng.ports[i] for __PORT2__, __PORT3__, ...)
 *   ng.prefix         // temp prefix (also substituted for __PREFIX__)
 *   ng.confPath       // the nginx.conf that runs
 *   ng.errorLogPath   // error_log file (level `info` by default, so "upstream prematurely closed" shows up)
 *   ng.errorLog()     // its current text
 *   await ng.stop()   // kills nginx (master and workers), waits for exit, removes the prefix
 *
 *   const r = await nginxTest(textOrConfig); // `nginx -t`: { ok, output }
 *
 * Config text: `http` is the content of `http {}`; `main` adds main-context
 * directives; `conf` replaces everything with a complete nginx.conf (used as
 * is, started with `-p prefix -e errorLogPath`). `files` are written relative
 * to the prefix before start (for includes, certificates, ...). Every text goes
 * through the same substitution: `__PORT__`, `__PORT2__`.. (free ports chosen
 * now), `__BACKEND__` (`backendPort`), `__PREFIX__`, and any `vars` you pass
 * (`{ NAME: 'x' }` replaces `__NAME__`).
 *
 * `nginxTest(text)`: a string with its own top-level `http {` block is taken as
 * a complete nginx.conf; any other string is the content of `http {}`. Ports
 * default to free ones and `__BACKEND__` to a closed port, since `nginx -t`
 * connects to nothing.
 *
 * Startup is awaited on an event, not a sleep: nginx also logs to stderr at
 * `notice`, and the master writes "start worker process" once its sockets are
 * bound. A port stolen between choosing and binding is retried with new ports.
 *
 * `selfSignedCert(dir, cn)` makes a key and certificate with the openssl CLI.
 */
import { spawn, spawnSync, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findNginx } from '../../server/src/nginx/binary';

/** The nginx every test runs: `NGINX_BINARY`, else found as the extension finds it (server/src/nginx/binary.ts). */
export const NGINX_BINARY = process.env.NGINX_BINARY || findNginx('nginx') || '/usr/sbin/nginx';

/** Children still running when the test process exits (a test timed out or crashed) are killed, never orphaned. */
const live = new Set<import('node:child_process').ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function nginxAvailable(): boolean {
  return existsSync(NGINX_BINARY);
}

/** The binary's own version (`nginx -v` prints `nginx version: nginx/1.22.1` on stderr), or '' without one. */
export function nginxBinaryVersion(binary = NGINX_BINARY): string {
  if (!existsSync(binary)) return '';
  return /nginx\/(\d+\.\d+\.\d+)/.exec(spawnSync(binary, ['-v'], { encoding: 'utf8', timeout: 10_000 }).stderr ?? '')?.[1] ?? '';
}

export interface NginxConfig {
  /** Content of `http {}`. */
  http?: string;
  /** Extra main-context directives (outside `http {}`). */
  main?: string;
  /** A complete nginx.conf instead of `http`/`main`. */
  conf?: string;
  /** Files written relative to the prefix before start (templated like the config). */
  files?: Record<string, string>;
  /** Substituted for `__BACKEND__`. */
  backendPort?: number;
  /** How many listen ports to allocate (`__PORT__`, `__PORT2__`, ...). Default: as many as the text uses, at least 1. */
  ports?: number;
  /** Extra tokens: `{ NAME: 'v' }` replaces `__NAME__`. */
  vars?: Record<string, string>;
  /** error_log level for the log file. Default `info`. */
  errorLogLevel?: string;
}

export interface StartOptions extends NginxConfig {
  /** Startup deadline. Default 10 s. */
  startTimeoutMs?: number;
  binary?: string;
}

export interface RunningNginx {
  port: number;
  ports: number[];
  prefix: string;
  confPath: string;
  errorLogPath: string;
  accessLogPath: string;
  pid: number;
  errorLog(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1 (listen on 0, read it back, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A port with nothing listening (allocated and released), for "connection refused" cases. */
export const closedPort = freePort;

function countPortTokens(texts: string[]): number {
  let n = 1;
  for (const t of texts) {
    for (const m of t.matchAll(/__PORT(\d*)__/g)) n = Math.max(n, m[1] ? Number(m[1]) : 1);
  }
  return n;
}

export function substitute(text: string, tokens: Record<string, string>): string {
  return text.replace(/__([A-Z][A-Z0-9_]*?)__/g, (all, name: string) => (name in tokens ? tokens[name]! : all));
}

function isFullConfig(text: string): boolean {
  // A top-level `http {` (not inside another block) marks a complete nginx.conf.
  let depth = 0;
  const stripped = text.replace(/#[^\n]*/g, '');
  const re = /[{}]|\bhttp\s*\{/g;
  for (const m of stripped.matchAll(re)) {
    if (m[0] === '}') depth--;
    else if (m[0] === '{') depth++;
    else {
      if (depth === 0) return true;
      depth++;
    }
  }
  return false;
}

interface Prepared {
  prefix: string;
  confPath: string;
  errorLogPath: string;
  accessLogPath: string;
  ports: number[];
  fullConf: boolean;
}

async function prepare(cfg: NginxConfig, prefix: string): Promise<Prepared> {
  const texts = [cfg.http ?? '', cfg.main ?? '', cfg.conf ?? '', ...Object.values(cfg.files ?? {})];
  const nPorts = Math.max(cfg.ports ?? 0, countPortTokens(texts));
  const ports: number[] = [];
  while (ports.length < nPorts) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const tokens: Record<string, string> = {
    ...(cfg.vars ?? {}),
    PREFIX: prefix,
    BACKEND: String(cfg.backendPort ?? (await freePort())),
  };
  ports.forEach((p, i) => (tokens[i === 0 ? 'PORT' : `PORT${i + 1}`] = String(p)));
  for (const [rel, body] of Object.entries(cfg.files ?? {})) {
    const abs = join(prefix, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, substitute(body, tokens));
  }
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  mkdirSync(join(prefix, 'temp'), { recursive: true });
  const errorLogPath = join(prefix, 'logs', 'error.log');
  const accessLogPath = join(prefix, 'logs', 'access.log');
  const confPath = join(prefix, 'nginx.conf');
  let text: string;
  if (cfg.conf !== undefined) {
    text = substitute(cfg.conf, tokens);
  } else {
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((k) => `    ${k}_temp_path ${join(prefix, 'temp', k)};`)
      .join('\n');
    text = `# generated by test/support/nginx.ts
pid ${join(prefix, 'nginx.pid')};
error_log ${errorLogPath} ${cfg.errorLogLevel ?? 'info'};
error_log stderr notice;
worker_processes 1;
${substitute(cfg.main ?? '', tokens)}
events { worker_connections 256; }
http {
    access_log ${accessLogPath};
${temp}
${substitute(cfg.http ?? '', tokens)}
}
`;
  }
  writeFileSync(confPath, text);
  return { prefix, confPath, errorLogPath, accessLogPath, ports, fullConf: cfg.conf !== undefined };
}

function nginxArgs(p: Prepared): string[] {
  const args = ['-p', p.prefix + '/', '-c', p.confPath];
  if (p.fullConf) args.push('-e', p.errorLogPath);
  return args;
}

/** Runs `nginx -t`. A string is a complete nginx.conf when it has a top-level `http {`, else the content of `http {}`. */
export async function nginxTest(input: string | NginxConfig, binary = NGINX_BINARY): Promise<{ ok: boolean; output: string }> {
  const cfg: NginxConfig = typeof input === 'string' ? (isFullConfig(input) ? { conf: input } : { http: input }) : input;
  const prefix = mkdtempSync(join(tmpdir(), 'nginx-t-'));
  try {
    const p = await prepare(cfg, prefix);
    return await new Promise((resolve) => {
      execFile(binary, [...nginxArgs(p), '-t', '-q'], { timeout: 15_000 }, (err, stdout, stderr) => {
        const output = (stdout + stderr).replaceAll(prefix + '/', '').trim();
        resolve({ ok: !err, output });
      });
    });
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

export async function startNginx(opts: StartOptions): Promise<RunningNginx> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const prefix = mkdtempSync(join(tmpdir(), 'nginx-run-'));
    try {
      return await startOnce(opts, prefix);
    } catch (e) {
      rmSync(prefix, { recursive: true, force: true });
      lastError = e as Error;
      // Only a lost race for a port is worth another try; a config error is final.
      if (!/Address already in use/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

async function startOnce(opts: StartOptions, prefix: string): Promise<RunningNginx> {
  const p = await prepare(opts, prefix);
  const binary = opts.binary ?? NGINX_BINARY;
  // error_log may repeat, so `-g` adds the stderr logger even to a complete config of the caller's.
  const child = spawn(binary, [...nginxArgs(p), '-g', p.fullConf ? 'daemon off; error_log stderr notice;' : 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`nginx did not start within ${opts.startTimeoutMs ?? 10_000} ms:\n${stderr}`)),
      opts.startTimeoutMs ?? 10_000,
    );
    const done = (): void => {
      clearTimeout(timer);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const fail = (e: Error): void => {
      done();
      child.kill('SIGKILL');
      reject(e);
    };
    const onData = (b: Buffer): void => {
      stderr += b.toString();
      if (/start worker process \d+/.test(stderr)) {
        done();
        resolve();
      }
    };
    const onExit = (code: number | null): void =>
      fail(new Error(`nginx exited (${code}) during startup:\n${stderr}${readSafe(p.errorLogPath)}`));
    const onError = (e: Error): void => fail(new Error(`cannot run ${binary}: ${e.message}`));
    child.stderr.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  // Keep draining stderr so nginx never blocks on a full pipe.
  child.stderr.on('data', () => {});
  child.stdout.on('data', () => {});
  let stopped: Promise<void> | undefined;
  return {
    port: p.ports[0]!,
    ports: p.ports,
    prefix,
    confPath: p.confPath,
    errorLogPath: p.errorLogPath,
    accessLogPath: p.accessLogPath,
    pid: child.pid!,
    errorLog: () => readSafe(p.errorLogPath),
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          // SIGTERM is nginx's fast shutdown: the master kills its workers and exits.
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        }
        rmSync(prefix, { recursive: true, force: true, maxRetries: 3 });
      })()),
  };
}

function readSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Self-signed key + certificate (openssl CLI) in `dir`; returns their paths. */
export function selfSignedCert(dir: string, cn = 'localhost'): Promise<{ key: string; cert: string }> {
  const key = join(dir, `${cn}.key`);
  const cert = join(dir, `${cn}.crt`);
  return new Promise((resolve, reject) => {
    execFile(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        `subjectAltName=DNS:${cn},IP:127.0.0.1`,
      ],
      { timeout: 20_000 },
      (err, _out, stderr) => (err ? reject(new Error(`openssl failed: ${stderr || err.message}`)) : resolve({ key, cert })),
    );
  });
}

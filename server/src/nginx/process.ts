/**
 * nginx as a process: `nginx -t` on a prepared copy and a foreground nginx in
 * its own process group, so stopping it stops its workers too, whatever
 * happens (the local proof's runs). Finding the binary is in binary.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { testConfig } from './config-test';

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
  return testConfig(a.binary, [...baseArgs(a), '-t'], timeoutMs, signal);
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

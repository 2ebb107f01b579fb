/**
 * `nginxWs.endpoint.reloadCommand`: after a fix is applied from the report,
 * the test runs again against the server, which only sees the fix once nginx
 * has reloaded its config. This runs the user's own reload command (e.g.
 * `sudo systemctl reload nginx`, `docker compose exec nginx nginx -s reload`)
 * in a trusted workspace only, bounded in time and output.
 */
import { spawn } from 'node:child_process';

export const RELOAD_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 16 * 1024;

export interface ReloadResult {
  ok: boolean;
  /** Exit code, or null when killed. */
  code: number | null;
  output: string;
  timedOut: boolean;
}

/** Runs a shell command line in `cwd`; never throws, never outlives `timeoutMs`. */
export function runReloadCommand(command: string, cwd: string | undefined, timeoutMs = RELOAD_TIMEOUT_MS): Promise<ReloadResult> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const add = (b: Buffer): void => {
      if (output.length < MAX_OUTPUT) output += b.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    let child;
    try {
      child = spawn(command, { shell: true, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    } catch (e) {
      resolve({ ok: false, code: null, output: e instanceof Error ? e.message : String(e), timedOut: false });
      return;
    }
    const kill = (): void => {
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.stdout?.on('data', add);
    child.stderr?.on('data', add);
    child.on('error', (e) => add(Buffer.from(e.message)));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && !timedOut, code, output: output.trim(), timedOut });
    });
  });
}

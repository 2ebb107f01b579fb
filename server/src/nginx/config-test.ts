/**
 * `nginx -t`: as a diagnostics source (the language server's test on save,
 * `runNginxTest`), on a config as it is (the endpoint tester's verification
 * step, `nginxConfigTest`) and on a prepared copy (the local proof, through
 * `testConfig`). Runs a program named by settings, so the caller must only
 * ask in a trusted workspace.
 *
 * nginx stops at its first [emerg], printing `... in /file:LINE` when it
 * knows where; some messages name no place (`unknown "x" variable`,
 * `cannot load certificate`). A config written for another machine fails on
 * files and hosts that do not exist here: that is said once, as information
 * on the root's first line, instead of as an error the user cannot fix.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';

export const NGINX_TEST_SOURCE = 'nginx -t';
export const NGINX_TEST_CODE = 'nginx-t';
export const NGINX_TEST_TIMEOUT_MS = 10_000;

export type NginxLevel = 'emerg' | 'alert' | 'crit' | 'error' | 'warn' | 'notice';

export interface NginxMessage {
  level: NginxLevel;
  message: string;
  /** File and 1-based line nginx names, when it does. */
  file?: string;
  line?: number;
}

const LINE = /\[(emerg|alert|crit|error|warn|notice)\]\s+(?:\d+#\d+:\s+)?(.*)$/;
const WHERE = /^(.*) in (\/.*|[A-Za-z]:\\.*):(\d+)$/;

/** The `[level]` lines of nginx's stderr (with or without the timestamp prefix of `error_log stderr`). */
export function parseNginxOutput(output: string): NginxMessage[] {
  const out: NginxMessage[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const m = LINE.exec(raw.trim());
    if (!m) continue;
    const level = m[1] as NginxLevel;
    const text = m[2]!.trim();
    const w = WHERE.exec(text);
    if (w) out.push({ level, message: w[1]!, file: w[2]!, line: Number(w[3]) });
    else out.push({ level, message: text });
  }
  return out;
}

/**
 * Why a message means "this machine lacks what the config needs" rather than
 * "the config is wrong": a missing file (certificate, include, key), a host
 * name that does not resolve here, a path only root may open. Undefined when
 * it is a real config error.
 */
export function missingHere(m: NginxMessage): string | undefined {
  const t = m.message;
  if (/cannot load certificate|cannot load certificate key|BIO_new_file\(\) failed|PEM_read_bio/.test(t))
    return 'a certificate or key file';
  if (/failed \(2: No such file or directory\)/.test(t)) return 'a file';
  if (/host not found in (upstream|resolver)|could not be resolved/.test(t)) return 'a host name';
  if (/\(13: Permission denied\)/.test(t)) return 'a path this user may not open';
  return undefined;
}

export interface NginxTestRun {
  /** nginx exited 0. */
  ok: boolean;
  messages: NginxMessage[];
  output: string;
  /** The program could not be run at all (not found, timed out): nothing is known about the config. */
  error?: string;
  args: string[];
}

export interface NginxTestOptions {
  binary: string;
  root: string;
  prefix: string;
  /** The root's main context already sets these: adding them with -g would be a duplicate. */
  hasPid: boolean;
  hasErrorLog: boolean;
  timeoutMs?: number;
}

/** Runs `nginx -t -q` on `root` with execFile (no shell), a time limit, and a throwaway pid path. */
export function runNginxTest(o: NginxTestOptions): Promise<NginxTestRun> {
  let dir: string | undefined;
  const globals: string[] = [];
  if (!o.hasPid) {
    dir = mkdtempSync(nodePath.join(tmpdir(), 'nginx-ws-t-'));
    globals.push(`pid ${nodePath.join(dir, 'nginx.pid')};`);
  }
  if (!o.hasErrorLog) globals.push('error_log stderr;');
  const args = ['-t', '-q', '-p', o.prefix.endsWith('/') ? o.prefix : `${o.prefix}/`, '-c', o.root];
  if (globals.length) args.push('-g', globals.join(' '));
  const cleanup = () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  return new Promise<NginxTestRun>((resolve) => {
    try {
      execFile(
        o.binary,
        args,
        { timeout: o.timeoutMs ?? NGINX_TEST_TIMEOUT_MS, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 1024 * 1024 },
        (err, stdout, stderr) => {
          cleanup();
          const output = `${stderr}\n${stdout}`.trim();
          const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
          if (e && typeof e.code === 'string') {
            resolve({ ok: false, messages: [], output, args, error: e.code === 'ENOENT' ? `${o.binary} not found` : e.message });
          } else if (e?.killed) {
            resolve({ ok: false, messages: [], output, args, error: `timed out after ${(o.timeoutMs ?? NGINX_TEST_TIMEOUT_MS) / 1000} s` });
          } else {
            resolve({ ok: !e, messages: parseNginxOutput(output), output, args });
          }
        },
      );
    } catch (e) {
      cleanup();
      resolve({ ok: false, messages: [], output: '', args, error: (e as Error).message });
    }
  });
}

/** `nginx ARGS` (ARGS holding `-t`): never throws; a cancel or a timeout is a failed test with a reason. */
export function testConfig(
  binary: string,
  args: string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: timeoutMs, signal, maxBuffer: 256 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (err && (err as NodeJS.ErrnoException).code === 'ABORT_ERR') resolve({ ok: false, output: 'cancelled' });
      else if (err && err.killed) resolve({ ok: false, output: `${output}\nnginx -t did not finish within ${timeoutMs} ms`.trim() });
      else if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve({ ok: false, output: `cannot run ${binary}: not found` });
      else resolve({ ok: !err, output: output || (err ? err.message : 'ok') });
    });
  });
}

/** `nginx -t` on a config as it is, for the endpoint tester's report (the troubleshooting guide's first step). */
export function nginxConfigTest(
  o: { binary: string; configFile: string; prefix?: string },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ ok: boolean; output: string }> {
  const args = ['-t', '-c', o.configFile];
  if (o.prefix) args.unshift('-p', o.prefix.endsWith('/') ? o.prefix : `${o.prefix}/`);
  return testConfig(o.binary, args, timeoutMs, signal);
}

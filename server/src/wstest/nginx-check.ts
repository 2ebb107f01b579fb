/**
 * The troubleshooting guide's verification steps, built in: `nginx -t` on the
 * config, and the lines the config's error_log gained while the test ran.
 * Runs a binary only because the caller passed `nginx` options (the editor
 * passes them only in a trusted workspace).
 */
import { execFile } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';

export function nginxConfigTest(o: { binary: string; configFile: string; prefix?: string }, timeoutMs: number, signal?: AbortSignal): Promise<{ ok: boolean; output: string }> {
  const args = ['-t', '-c', o.configFile];
  if (o.prefix) args.unshift('-p', o.prefix.endsWith('/') ? o.prefix : `${o.prefix}/`);
  return new Promise((resolve) => {
    execFile(o.binary, args, { timeout: timeoutMs, signal, maxBuffer: 256 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve({ ok: false, output: `cannot run ${o.binary}: not found` });
      else if (err && err.killed) resolve({ ok: false, output: `${o.binary} -t did not finish within ${timeoutMs} ms` });
      else resolve({ ok: !err, output: output || (err ? err.message : 'ok') });
    });
  });
}

/**
 * Size of the file now, or null when it cannot be read (the report then says nothing about it).
 * Only a regular file: a FIFO or a device named by `error_log` would block or never end.
 */
export function logOffset(path: string): number | null {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

const MAX_TAIL = 64 * 1024;

/**
 * Lines appended since `offset` (at most the last 64 KiB, the last `maxLines` lines). Opened
 * non-blocking and checked on the descriptor, so a FIFO swapped in meanwhile cannot hang the test.
 */
export function logLinesSince(path: string, offset: number, maxLines = 30): string[] | null {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return null;
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const size = st.size;
    // A rotated or truncated log starts over.
    const from = size < offset ? 0 : Math.max(offset, size - MAX_TAIL);
    const len = Math.min(size - from, MAX_TAIL);
    if (len <= 0) return [];
    const buf = Buffer.alloc(len);
    const n = readSync(fd, buf, 0, len, from);
    return buf.subarray(0, n).toString('utf8').split('\n').filter((l) => l.trim() !== '').slice(-maxLines);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Why an error_log cannot be shown: missing, or not a regular file. */
export function errorLogNote(path: string): string {
  try {
    const st = statSync(path);
    if (st.isFile()) return `error_log ${path} could not be read`;
    const what = st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a directory' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a plain file';
    return `error_log ${path} is ${what}, not a regular file: not read (reading it could block)`;
  } catch (e) {
    return `error_log ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

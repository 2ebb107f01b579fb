/**
 * The troubleshooting guide's verification steps, built in: `nginx -t` on the
 * config, and the lines the config's error_log gained while the test ran.
 * Runs a binary only because the caller passed `nginx` options (the editor
 * passes them only in a trusted workspace).
 */
import { execFile } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

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

/** Size of the file now, or null when it cannot be read (the report then says nothing about it). */
export function logOffset(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

const MAX_TAIL = 64 * 1024;

/** Lines appended since `offset` (at most the last 64 KiB, the last `maxLines` lines). */
export function logLinesSince(path: string, offset: number, maxLines = 30): string[] | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    // A rotated or truncated log starts over.
    const from = size < offset ? 0 : Math.max(offset, size - MAX_TAIL);
    const len = size - from;
    if (len <= 0) return [];
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, from);
    return buf.toString('utf8').split('\n').filter((l) => l.trim() !== '').slice(-maxLines);
  } finally {
    closeSync(fd);
  }
}

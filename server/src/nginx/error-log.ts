/**
 * nginx's error log: which file a location logs to (`errorLogFor`), and the
 * lines it gained while an endpoint test ran (the troubleshooting guide's
 * second verification step; the editor command and the CLI both ask here).
 *
 * nginx takes `error_log` from the nearest level that sets it: location,
 * server, http, then the main context; several at one level all log, and
 * the first one that is a plain file is used. `stderr`, `syslog:` and
 * `memory:` targets and paths with variables are not files to read.
 * Relative paths are relative to the nginx prefix.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import { own, type Scope, type Analysis, type WsLocation } from '../engine/index';

export function errorLogFor(analysis: Analysis, loc: WsLocation, prefix: string): string | null {
  let scope: Scope | null = analysis.model.scopeOf.get(loc.directive) ?? null;
  for (; scope; scope = scope.parent) {
    for (const d of own(scope, 'error_log')) {
      const v = d.arg(0);
      if (!v || v === 'stderr' || v.includes('$') || (v.includes(':') && !nodePath.isAbsolute(v))) continue;
      if (nodePath.isAbsolute(v)) return v;
      return prefix ? nodePath.resolve(prefix, v) : null;
    }
  }
  return null;
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
    return buf
      .subarray(0, n)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-maxLines);
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
    const what = st.isFIFO()
      ? 'a FIFO'
      : st.isDirectory()
        ? 'a directory'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'a device'
          : st.isSocket()
            ? 'a socket'
            : 'not a plain file';
    return `error_log ${path} is ${what}, not a regular file: not read (reading it could block)`;
  } catch (e) {
    return `error_log ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

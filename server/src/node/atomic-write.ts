/**
 * Writes a file so that it is either entirely the old content or entirely
 * the new one, whatever happens meanwhile (a full disk, a crash, a kill):
 * the new bytes go to a temporary file in the same folder, are flushed to
 * the disk (fsync), given the original's mode and owner, and renamed over
 * the original; the folder is then flushed so the rename itself survives a
 * power cut. A symlink is followed: the file it points to is replaced and
 * the link stays a link (Debian's sites-enabled/x → sites-available/x).
 * On any error the temporary file is removed and the original is untouched.
 *
 * Used by `nginx-ws lint --fix` and `nginx-ws fmt`.
 */
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import * as nodePath from 'node:path';
import { randomBytes } from 'node:crypto';

export class AtomicWriteError extends Error {
  constructor(
    readonly path: string,
    /** Why, without the path (for callers that name the file their own way). */
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
  }
}

export interface AtomicWriteOptions {
  /** Test seam: called with each chunk written to the temporary file (throw to simulate a failing disk). */
  beforeWrite?(tempPath: string, written: number): void;
}

/** Replaces the file at `path` (which must exist) with `data`. Throws AtomicWriteError, the original intact. */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let target: string;
  try {
    target = realpathSync(path);
  } catch (e) {
    throw new AtomicWriteError(path, `cannot resolve it: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
  }
  const st = statSync(target);
  if (!st.isFile()) throw new AtomicWriteError(path, 'not a regular file');
  const dir = nodePath.dirname(target);
  const temp = nodePath.join(dir, `.${nodePath.basename(target)}.nginx-ws-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  let renamed = false;
  try {
    // `wx`: never follow or reuse something already at the temporary name. Mode 600 until the original's is copied.
    fd = openSync(temp, 'wx', 0o600);
    let written = 0;
    const CHUNK = 1 << 20;
    while (written < bytes.length) {
      opts.beforeWrite?.(temp, written);
      written += writeSync(fd, bytes, written, Math.min(CHUNK, bytes.length - written));
    }
    if (bytes.length === 0) opts.beforeWrite?.(temp, 0);
    fsyncSync(fd);
    fchmodSync(fd, st.mode & 0o7777);
    if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || st.gid !== process.getgid?.())) {
      try {
        fchownSync(fd, st.uid, st.gid);
      } catch (e) {
        throw new AtomicWriteError(
          path,
          `cannot keep its owner (uid ${st.uid}, gid ${st.gid}): ${(e as Error).message}; the file is unchanged`,
          (e as NodeJS.ErrnoException).code,
        );
      }
    }
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
    renamed = true;
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // it may never have been created
      }
    }
    if (e instanceof AtomicWriteError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new AtomicWriteError(
      path,
      `${code === 'ENOSPC' ? 'no space left on the device' : (e as Error).message}; the file is unchanged`,
      code,
    );
  }
  // The rename is durable once the folder's entry is on disk. Best effort: some filesystems refuse fsync on a folder.
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // the data is written and renamed; only durability across a power cut is not guaranteed here
  }
}

/**
 * The engine's window on files: open editor buffers first (what the user sees
 * is what gets linted), then the disk. Disk reads are cached by (mtime, size),
 * and anything that is not a regular file or is larger than the cap is refused
 * with a reason instead of being read, so an `include /dev/zero;` or a huge log
 * file cannot hang or exhaust the server.
 */
import { readFileSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { FileHost } from '../engine/index';
import { globFiles } from './glob';
import { isDiskPath } from './paths';

export const MAX_FILE_BYTES = 20 * 1024 * 1024;

export type DiskResult = { text: string } | { error: string };

export class DiskReader {
  private readonly cache = new Map<string, { mtimeMs: number; size: number; text: string }>();

  constructor(readonly maxBytes = MAX_FILE_BYTES) {}

  read(path: string): DiskResult {
    if (!isDiskPath(path)) return { error: 'not a file on disk' };
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      this.cache.delete(path);
      return { error: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read: ${(e as Error).message}` };
    }
    if (!st.isFile()) return { error: 'not a regular file' };
    if (st.size > this.maxBytes) {
      return { error: `file is ${formatMb(st.size)}, larger than the ${formatMb(this.maxBytes)} limit; not analysed` };
    }
    const hit = this.cache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return { text: hit.text };
    try {
      const text = readFileSync(path, 'utf8');
      this.cache.set(path, { mtimeMs: st.mtimeMs, size: st.size, text });
      return { text };
    } catch (e) {
      return { error: `cannot read: ${(e as Error).message}` };
    }
  }

  invalidate(path: string): void {
    this.cache.delete(path);
  }
}

export function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export interface OpenText {
  text: string;
  version: number;
}

/** One analysis' host: records what it read so the server knows dependencies and fix versions. */
export class LspFileHost implements FileHost {
  /** Every path read: the open document's version, or null when it came from disk. */
  readonly reads = new Map<string, number | null>();
  /** Files that exist but were refused (too large, not a regular file, unreadable). */
  readonly refused = new Map<string, string>();

  constructor(
    private readonly openText: (path: string) => OpenText | undefined,
    private readonly disk: DiskReader,
  ) {}

  readFile(path: string): string | undefined {
    const open = this.openText(path);
    if (open) {
      this.reads.set(path, open.version);
      return open.text;
    }
    const r = this.disk.read(path);
    if ('text' in r) {
      this.reads.set(path, null);
      return r.text;
    }
    if (r.error !== 'file not found' && r.error !== 'not a file on disk') this.refused.set(path, r.error);
    return undefined;
  }

  glob(pattern: string): string[] {
    return globFiles(pattern);
  }

  dirname(path: string): string {
    // URI-like keys (untitled documents) have no directory: relative includes stay unresolved.
    return isDiskPath(path) ? nodePath.dirname(path) : '';
  }

  resolve(dir: string, rel: string): string {
    if (nodePath.isAbsolute(rel) || dir === '') return rel;
    return nodePath.resolve(dir, rel);
  }
}

/**
 * The disk as a FileHost: what the CLI and tests use. `onRefused` hears about
 * files that exist but cannot be read (too large, not a regular file).
 */
export function diskHost(disk = new DiskReader(), onRefused?: (path: string, reason: string) => void): FileHost {
  return {
    readFile(path) {
      const r = disk.read(path);
      if ('text' in r) return r.text;
      onRefused?.(path, r.error);
      return undefined;
    },
    glob: globFiles,
    dirname: nodePath.dirname,
    resolve: (dir, rel) => nodePath.resolve(dir, rel),
  };
}

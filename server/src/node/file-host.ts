/**
 * The engine's window on files: open editor buffers first (what the user sees
 * is what gets linted), then the disk.
 *
 * Every disk read is bounded while it happens, not judged from `stat`: only
 * regular files are opened (a FIFO, a device or a socket is refused without
 * opening it), the open is non-blocking and checked again on the descriptor,
 * and reading stops at the byte cap, so `include /proc/self/pagemap;` (size 0
 * in `stat`, endless when read) costs 20 MB at most and `include /proc/kmsg;`
 * answers at once instead of blocking forever. A file with NUL bytes is not a
 * config and is refused after its first chunk. Each analysis carries a
 * `ReadBudget` (bytes, files, glob entries) that reads spend; what would exceed
 * it is refused with a reason that names the limit and how to raise it.
 * Disk reads are cached by (inode, mtime, ctime, size), at most 128 MB.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import * as nodePath from 'node:path';
import { DEFAULT_LIMITS, readBudget, type FileHost, type Limits, type ReadBudget } from '../engine/index';
import { GLOB_MAX_MS, globWalk } from './glob';
import { ENV_HINT, ENV_VAR, formatMb, limitsFromEnv, SETTINGS_HINT, type LimitHint } from './limits';
import { isDiskPath } from './paths';

export { formatMb } from './limits';

export const MAX_FILE_BYTES = DEFAULT_LIMITS.fileMB * 1024 * 1024;
const CHUNK = 64 * 1024;
const CACHE_BYTES = 128 * 1024 * 1024;

export type RefusalKind = 'missing' | 'policy' | 'special' | 'too-large' | 'binary' | 'would-block' | 'unreadable';

export type DiskResult = { text: string; bytes: number } | { error: string; kind: RefusalKind; bytes: number };

interface CacheEntry {
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  text: string;
  bytes: number;
  /** NUL bytes in the first chunk: served only to a caller that accepts binary files. */
  binary: boolean;
}

export interface DiskReaderOptions {
  /** A reason not to read a path at all (an untrusted workspace); undefined: allowed. */
  policy?: (path: string) => string | undefined;
}

export class DiskReader {
  private readonly cache = new Map<string, CacheEntry>();
  private cachedBytes = 0;
  policy: ((path: string) => string | undefined) | undefined;

  constructor(
    readonly maxBytes = MAX_FILE_BYTES,
    o: DiskReaderOptions = {},
  ) {
    this.policy = o.policy;
  }

  /**
   * Reads a regular file of at most `maxBytes` bytes (more is refused, having read `maxBytes + 1` at most).
   * A file with NUL bytes in its first chunk is refused unless `binaryOk` (the file the user asked for).
   */
  read(path: string, maxBytes = this.maxBytes, binaryOk = false): DiskResult {
    const refuse = (kind: RefusalKind, error: string, bytes = 0): DiskResult => ({ error, kind, bytes });
    if (!isDiskPath(path)) return refuse('missing', 'not a file on disk');
    const denied = this.policy?.(path);
    if (denied) return refuse('policy', denied);
    let st: Stats;
    try {
      st = statSync(path);
    } catch (e) {
      this.drop(path);
      return statError(e as NodeJS.ErrnoException);
    }
    if (!st.isFile()) return refuse('special', `not a regular file (${describe(st)}): nginx-ws reads regular files only`);
    const hit = this.cache.get(path);
    if (hit && hit.ino === st.ino && hit.mtimeMs === st.mtimeMs && hit.ctimeMs === st.ctimeMs && hit.size === st.size) {
      if (hit.bytes > maxBytes) return refuse('too-large', `larger than ${formatMb(maxBytes)}`);
      if (hit.binary && !binaryOk) return refuse('binary', 'a binary file (it has NUL bytes), not a config');
      this.cache.delete(path);
      this.cache.set(path, hit);
      return { text: hit.text, bytes: hit.bytes };
    }
    if (st.size > maxBytes) return refuse('too-large', `larger than ${formatMb(maxBytes)}`);
    let fd: number;
    try {
      // Non-blocking: a FIFO swapped in after the stat opens at once, and /proc/kmsg-like files do not block reads.
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (e) {
      return statError(e as NodeJS.ErrnoException);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let binary = false;
    try {
      const fst = fstatSync(fd);
      if (!fst.isFile()) return refuse('special', `not a regular file (${describe(fst)}): nginx-ws reads regular files only`);
      // The size the stat gave, plus one byte to see that the file grew since: a typical config is read into one
      // buffer, decoded where it lies (a large file in 64 KB chunks cost a copy of all of it, and the chunks).
      let first = st.size > 0 ? Math.min(st.size + 1, maxBytes + 1) : 0;
      for (;;) {
        const want = first || Math.min(CHUNK, maxBytes + 1 - total);
        first = 0;
        const buf = Buffer.allocUnsafe(want);
        let n: number;
        try {
          n = readSync(fd, buf, 0, want, null);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN' || code === 'EWOULDBLOCK')
            return refuse('would-block', 'a special file whose read would block (it is not a config file)', total);
          return refuse('unreadable', `cannot read it (${code ?? (e as Error).message})`, total);
        }
        if (n === 0) break;
        if (chunks.length === 0 && buf.subarray(0, Math.min(n, CHUNK)).includes(0)) {
          if (!binaryOk) return refuse('binary', 'a binary file (it has NUL bytes), not a config', n);
          binary = true;
        }
        chunks.push(n === want ? buf : buf.subarray(0, n));
        total += n;
        if (total > maxBytes) return refuse('too-large', `larger than ${formatMb(maxBytes)}`, total);
      }
    } finally {
      closeSync(fd);
    }
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)).toString('utf8');
    // Files whose size stat does not tell (/proc) change under the same stat: never cached.
    if (st.size === total && total > 0)
      this.remember(path, { ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, text, bytes: total, binary });
    return { text, bytes: total };
  }

  invalidate(path: string): void {
    this.drop(path);
  }

  private remember(path: string, e: CacheEntry): void {
    this.drop(path);
    if (e.bytes > CACHE_BYTES / 4) return;
    this.cache.set(path, e);
    this.cachedBytes += e.bytes;
    for (const [p, old] of this.cache) {
      if (this.cachedBytes <= CACHE_BYTES) break;
      this.cache.delete(p);
      this.cachedBytes -= old.bytes;
    }
  }

  private drop(path: string): void {
    const e = this.cache.get(path);
    if (!e) return;
    this.cache.delete(path);
    this.cachedBytes -= e.bytes;
  }
}

function statError(e: NodeJS.ErrnoException): DiskResult {
  switch (e.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { error: 'file not found', kind: 'missing', bytes: 0 };
    case 'ELOOP':
      return { error: 'a loop of symbolic links (it never reaches a file)', kind: 'unreadable', bytes: 0 };
    case 'EACCES':
    case 'EPERM':
      return { error: 'permission denied', kind: 'unreadable', bytes: 0 };
    case 'ENAMETOOLONG':
      return { error: 'a path too long for the file system', kind: 'unreadable', bytes: 0 };
    default:
      return { error: `cannot read it (${e.code ?? e.message})`, kind: 'unreadable', bytes: 0 };
  }
}

function describe(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a plain file';
}

export interface OpenText {
  text: string;
  version: number;
}

/**
 * The reading both hosts share: open text first, then the disk, spending and
 * enforcing the analysis' budget, recording why something was refused.
 */
class BudgetedReader {
  readonly refused = new Map<string, string>();
  /** Glob results per budget (one analysis): the same pattern twice is walked once. */
  private readonly globs = new WeakMap<ReadBudget, Map<string, string[]>>();
  private readonly budgetsByPath = new WeakMap<ReadBudget, Set<string>>();

  constructor(
    private readonly disk: DiskReader,
    private readonly hint: LimitHint,
    private readonly openText: (path: string) => OpenText | undefined = () => undefined,
  ) {}

  read(path: string, budget?: ReadBudget): { text: string; version: number | null } | undefined {
    this.refused.delete(path);
    // The same file twice in one analysis (included twice, or a cycle) costs once.
    let seen: Set<string> | undefined;
    if (budget) {
      seen = this.budgetsByPath.get(budget);
      if (!seen) this.budgetsByPath.set(budget, (seen = new Set()));
    }
    const again = seen?.has(path) ?? false;
    if (budget && !again && budget.files <= 0) {
      return this.refuse(path, `this config already has ${budget.limits.files} files, the limit for one config (${this.hint('files')})`);
    }
    const fileCap = budget ? budget.fileBytes : this.disk.maxBytes;
    const cap = budget && !again ? Math.min(fileCap, budget.bytes) : fileCap;
    const open = this.openText(path);
    let text: string;
    let version: number | null = null;
    let bytes: number;
    if (open) {
      text = open.text;
      version = open.version;
      bytes = open.text.length;
      if (bytes > cap) {
        return this.refuse(path, this.tooLarge(cap, fileCap, budget));
      }
    } else {
      const r = this.disk.read(path, cap, budget?.root === path);
      if (budget && !again) budget.bytes = Math.max(0, budget.bytes - r.bytes);
      if ('error' in r) {
        if (r.kind === 'missing') return undefined;
        return this.refuse(path, r.kind === 'too-large' ? this.tooLarge(cap, fileCap, budget) : r.error);
      }
      text = r.text;
      bytes = 0; // spent above
    }
    if (budget && !again) {
      budget.bytes = Math.max(0, budget.bytes - bytes);
      budget.files--;
      seen!.add(path);
    }
    return { text, version };
  }

  private tooLarge(cap: number, fileCap: number, budget?: ReadBudget): string {
    if (cap < fileCap && budget) {
      return `the files of this config reached ${formatMb(readBudget(budget.limits).bytes)}, the limit for one config (${this.hint('configMB')})`;
    }
    return `larger than ${formatMb(fileCap)}, the limit for one file (${this.hint('fileMB')}); reading stopped there`;
  }

  private refuse(path: string, reason: string): undefined {
    this.refused.set(path, reason);
    return undefined;
  }

  glob(pattern: string, budget?: ReadBudget): string[] {
    this.refused.delete(pattern);
    let cache: Map<string, string[]> | undefined;
    if (budget) {
      cache = this.globs.get(budget);
      if (!cache) this.globs.set(budget, (cache = new Map<string, string[]>()));
      const hit = cache.get(pattern);
      if (hit) return hit;
    }
    const limit = budget ? budget.globEntries : DEFAULT_LIMITS.globEntries;
    const r = globWalk(pattern, {
      maxEntries: limit,
      maxMs: GLOB_MAX_MS,
      refuseDir: this.disk.policy,
    });
    if (budget) budget.globEntries = Math.max(0, budget.globEntries - r.visited);
    const s = r.stopped;
    if (s) {
      const n = r.files.length;
      const found =
        n === 0 ? 'no file was found before that' : `the ${n} file${n === 1 ? '' : 's'} found so far ${n === 1 ? 'is' : 'are'} analysed`;
      const total = budget ? budget.limits.globEntries : DEFAULT_LIMITS.globEntries;
      this.refused.set(
        pattern,
        s.why === 'refused'
          ? s.reason
          : s.why === 'entries'
            ? `the search for matching files stopped after looking at ${total} directory entries, the limit for one config (${this.hint('globEntries')}); ${found}`
            : s.why === 'time'
              ? `the search for matching files stopped after ${s.limit / 1000} s (a huge or slow file system); ${found}`
              : s.why === 'results'
                ? `more than ${s.limit} files match; only the first ${s.limit} are considered`
                : `the pattern has more than ${s.limit} path segments; it is not searched`,
      );
    }
    cache?.set(pattern, r.files);
    return r.files;
  }
}

/**
 * One analysis' host: records what it read so the server knows dependencies and fix versions.
 * The editor's names its limits by their settings; the CLI passes `{ hint: ENV_HINT, limits: cliLimits() }`.
 */
export class LspFileHost implements FileHost {
  /** Every path read: the open document's version, or null when it came from disk. */
  readonly reads = new Map<string, number | null>();
  /** Files (and glob patterns) that exist but were refused, with why. */
  readonly refused: Map<string, string>;
  private readonly reader: BudgetedReader;

  constructor(
    openText: (path: string) => OpenText | undefined,
    disk: DiskReader,
    private readonly o: DiskHostOptions = {},
  ) {
    this.reader = new BudgetedReader(disk, o.hint ?? SETTINGS_HINT, openText);
    this.refused = this.reader.refused;
  }

  /** The limits given at construction (the CLI's, from NGINX_WS_LIMITS), when the settings give none. */
  defaultLimits(): Limits {
    return this.o.limits ?? DEFAULT_LIMITS;
  }

  readFile(path: string, budget?: ReadBudget): string | undefined {
    const r = this.reader.read(path, budget);
    if (!r) return undefined;
    this.reads.set(path, r.version);
    return r.text;
  }

  refusal(pathOrPattern: string): string | undefined {
    return this.reader.refused.get(pathOrPattern);
  }

  glob(pattern: string, budget?: ReadBudget): string[] {
    return this.reader.glob(pattern, budget);
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

let envWarned = false;

/** The command line's limits: NGINX_WS_LIMITS over the defaults (a malformed entry is warned about once). */
export function cliLimits(): Limits {
  const env = limitsFromEnv();
  if (env.problems.length && !envWarned) {
    envWarned = true;
    process.emitWarning(env.problems.join('; '), { code: ENV_VAR });
  }
  return env.limits;
}

export interface DiskHostOptions {
  /** Limits when the engine settings give none (the CLI's come from NGINX_WS_LIMITS). */
  limits?: Limits;
  /** How a refusal says to raise a limit (default: the NGINX_WS_LIMITS environment variable). */
  hint?: LimitHint;
}

/**
 * The disk as a FileHost: what the CLI and tests use. `onRefused` hears about
 * files that exist but cannot be read (too large, not a regular file).
 */
export function diskHost(disk = new DiskReader(), onRefused?: (path: string, reason: string) => void, o: DiskHostOptions = {}): FileHost {
  const reader = new BudgetedReader(disk, o.hint ?? ENV_HINT);
  const limits = o.limits ?? cliLimits();
  return {
    readFile(path, budget) {
      const r = reader.read(path, budget);
      if (r) return r.text;
      const why = reader.refused.get(path);
      if (why !== undefined) onRefused?.(path, why);
      return undefined;
    },
    glob: (pattern, budget) => reader.glob(pattern, budget),
    refusal: (p) => reader.refused.get(p),
    defaultLimits: () => limits,
    dirname: (p) => nodePath.dirname(p),
    resolve: (dir, rel) => nodePath.resolve(dir, rel),
  };
}

/**
 * Config root discovery: which complete config (`nginx.conf`, or any file
 * with `http {}`/`events {}` at its top level) includes a file that is only
 * ever included (`conf.d/app.conf`, a snippet), so the file can be judged in
 * the context nginx gives it.
 *
 * Candidates come from the configured roots (the editor's `nginxWs.configRoots`,
 * the CLI's `--root`), else from the project settings file's `configRoots`,
 * else from a bounded search of the workspace folders (the editor's folders,
 * the CLI's project folder). Each candidate's include closure
 * is remembered with the versions of the files it was computed from, so it
 * is rebuilt only when one of its includers changed; a file-system event
 * drops everything (a new file may join a glob, a root may appear).
 *
 * Shared by the language server and the CLI (no LSP here), so both judge a
 * file in the same config.
 */
import { readdirSync } from 'node:fs';
import * as nodePath from 'node:path';
import { parse, type EngineSettings, type SourceFile, buildModel, type ParseCache, type FileHost } from '../engine/index';
import type { DiskReader } from './file-host';
import { isNginxFile, SKIP_DIRS } from './nginx-files';

/** How far the workspace search goes: a repo with a vendored tree must not stall the first analysis. */
export const SEARCH_LIMITS = { maxDepth: 6, maxDirs: 2000, maxEntries: 50_000, maxOtherCandidates: 200, maxCandidateBytes: 512 * 1024 };
const ROOT_BLOCKS = new Set(['http', 'events']);

/** True when the file is a whole config (nginx could be started with it), not a piece of one. */
export function isCompleteConfig(file: SourceFile): boolean {
  return file.children.some((s) => s.type === 'directive' && ROOT_BLOCKS.has(s.name));
}

/** A FileHost that records what it read (with the open version, null: disk) and what it refused to read (why). */
export interface RecordingHost extends FileHost {
  readonly reads: Map<string, number | null>;
  readonly refused: Map<string, string>;
}

interface Closure {
  files: Set<string>;
  /** Files read while building it, with the open version used (null: disk). */
  reads: Map<string, number | null>;
}

export interface RootFinderOptions {
  disk: DiskReader;
  parseCache: ParseCache;
  /** A file host over open buffers and disk, recording what it reads. */
  host(): RecordingHost;
  /** Open version of a path, undefined when not open (the CLI: a buffer given on stdin). */
  openVersion(path: string): number | undefined;
  /** The file a path names once symlinks are followed (sites-enabled/x → sites-available/x). */
  realPath(path: string): string;
  log: (message: string) => void;
}

export class RootFinder {
  private folders: string[] = [];
  private configured: string[] = [];
  private candidates: string[] | null = null;
  private readonly closures = new Map<string, Closure>();

  constructor(private readonly o: RootFinderOptions) {}

  setFolders(paths: string[]): void {
    this.folders = [...new Set(paths)];
    this.invalidate();
  }

  setConfigured(roots: string[]): void {
    if (roots.join('\0') === this.configured.join('\0')) return;
    this.configured = [...roots];
    this.invalidate();
  }

  /** Forget the candidates and closures (files were created, deleted or changed on disk). */
  invalidate(): void {
    this.candidates = null;
    this.closures.clear();
  }

  /** True when `path` is one of the current candidate roots. */
  isCandidate(path: string): boolean {
    return this.candidateRoots().includes(path);
  }

  /** The candidate roots, in the order they are tried. */
  candidateRoots(): string[] {
    if (!this.candidates) {
      const started = performance.now();
      this.candidates = this.configured.length > 0 ? this.resolveConfigured() : this.search();
      const ms = Math.round(performance.now() - started);
      this.o.log(
        `nginx-ws: ${this.candidates.length} config root candidate(s) ${this.configured.length ? 'configured' : `found in ${this.folders.length} folder(s)`} in ${ms} ms`,
      );
    }
    return this.candidates;
  }

  /** True when roots are configured (setConfigured), so a project file's `configRoots` do not apply. */
  get hasConfigured(): boolean {
    return this.configured.length > 0;
  }

  /**
   * The first candidate root whose include closure contains `path` (never
   * `path` itself). `projectRoots` (absolute: the project settings file's
   * `configRoots`) replace the workspace search when no roots are
   * configured. Without either, an `nginx.conf` in one of the file's nearest
   * parent folders is tried last: the /etc/nginx layout (conf.d/,
   * sites-enabled/, snippets/) of a file outside any workspace folder.
   */
  rootFor(path: string, settings: EngineSettings, projectRoots: readonly string[] = []): string | undefined {
    const useProject = !this.configured.length && projectRoots.length > 0;
    const candidates = useProject ? projectRoots.filter((p) => this.readable(p)) : this.candidateRoots();
    const nearby = this.configured.length || useProject ? [] : this.nearbyRoots(path).filter((p) => !candidates.includes(p));
    const real = this.o.realPath(path);
    for (const root of [...candidates, ...nearby]) {
      if (root === path) continue;
      const { files } = this.closureOf(root, path, settings);
      // A file included through a symlink (Debian's sites-enabled) and opened at its real path is still included.
      if (files.has(path) || [...files].some((f) => this.o.realPath(f) === real)) return root;
    }
    return undefined;
  }

  private nearbyRoots(path: string): string[] {
    const out: string[] = [];
    let dir = nodePath.dirname(path);
    for (let i = 0; i < 3; i++) {
      const candidate = nodePath.join(dir, 'nginx.conf');
      if (candidate !== path && 'text' in this.o.disk.read(candidate)) out.push(candidate);
      const up = nodePath.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    return out;
  }

  /** Records a closure computed by a full analysis of `root`, so the next lookup need not rebuild it. */
  remember(root: string, files: Iterable<string>, reads: Map<string, number | null>): void {
    this.closures.set(root, { files: new Set(files), reads: new Map(reads) });
  }

  private closureOf(root: string, asking: string, settings: EngineSettings): Closure {
    const known = this.closures.get(root);
    // The asking file's own text cannot change whether its includers include it; ignore its version.
    if (known && [...known.reads].every(([p, v]) => p === asking || (this.o.openVersion(p) ?? null) === v)) return known;
    const host = this.o.host();
    let files: Set<string>;
    try {
      files = new Set(buildModel(root, host, settings, this.o.parseCache).files.keys());
    } catch (e) {
      this.o.log(`nginx-ws: reading config root ${root} failed: ${(e as Error).message}`);
      files = new Set();
    }
    const c = { files, reads: host.reads };
    this.closures.set(root, c);
    return c;
  }

  private resolveConfigured(): string[] {
    const out: string[] = [];
    for (const p of this.configured) {
      if (nodePath.isAbsolute(p)) out.push(nodePath.normalize(p));
      else if (this.folders.length === 0)
        this.o.log(`nginx-ws: nginxWs.configRoots entry "${p}" is relative but there is no workspace folder; ignored`);
      else for (const f of this.folders) out.push(nodePath.resolve(f, p));
    }
    return [...new Set(out)].filter((p) => {
      const ok = this.readable(p);
      if (!ok) this.o.log(`nginx-ws: configured root ${p} cannot be read; ignored`);
      return ok;
    });
  }

  private readable(p: string): boolean {
    return this.o.openVersion(p) !== undefined || 'text' in this.o.disk.read(p);
  }

  /**
   * `nginx.conf` files first (shallowest first: the repo's main config before
   * a vendored example), then other files that are complete configs.
   */
  private search(): string[] {
    const main: { path: string; depth: number }[] = [];
    const others: { path: string; depth: number }[] = [];
    let dirs = 0;
    let entries = 0;
    for (const folder of this.folders) {
      const queue: { dir: string; depth: number }[] = [{ dir: folder, depth: 0 }];
      while (queue.length > 0 && dirs < SEARCH_LIMITS.maxDirs && entries < SEARCH_LIMITS.maxEntries) {
        const { dir, depth } = queue.shift()!;
        dirs++;
        let list;
        try {
          list = readdirSync(dir, { withFileTypes: true });
        } catch {
          continue;
        }
        list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const e of list) {
          if (++entries > SEARCH_LIMITS.maxEntries) break;
          const p = nodePath.join(dir, e.name);
          if (e.isDirectory()) {
            if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.') && depth < SEARCH_LIMITS.maxDepth)
              queue.push({ dir: p, depth: depth + 1 });
          } else if (e.isFile() || e.isSymbolicLink()) {
            if (e.name === 'nginx.conf') main.push({ path: p, depth });
            else if (isNginxFile(p) && others.length < SEARCH_LIMITS.maxOtherCandidates) others.push({ path: p, depth });
          }
        }
      }
    }
    if (dirs >= SEARCH_LIMITS.maxDirs || entries >= SEARCH_LIMITS.maxEntries) {
      this.o.log(
        `nginx-ws: config root search stopped after ${dirs} folders / ${entries} entries; name the root(s) with configRoots (.nginx-ws.json or nginxWs.configRoots) or --root`,
      );
    }
    const byDepth = (a: { path: string; depth: number }, b: { path: string; depth: number }) =>
      a.depth - b.depth || (a.path < b.path ? -1 : 1);
    const complete = others.filter((o) => this.looksComplete(o.path));
    return [...main.sort(byDepth), ...complete.sort(byDepth)].map((x) => x.path);
  }

  private looksComplete(path: string): boolean {
    const r = this.o.disk.read(path);
    if (!('text' in r) || r.text.length > SEARCH_LIMITS.maxCandidateBytes) return false;
    // Cheap screen before parsing: a complete config has `http`/`events` at the start of some line.
    if (!/^[ \t]*(?:http|events)\s*\{/m.test(r.text)) return false;
    return isCompleteConfig(parse(r.text, path));
  }
}

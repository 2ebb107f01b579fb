/**
 * The CLI's side of the workspace layer: which files a command names (folders
 * walked with the one nginx-file predicate, symlinks followed, each file once
 * under the name the user gave), and each file judged in the config that
 * includes it, exactly as the editor judges it (node/context.ts, node/roots.ts),
 * with the nearest `.nginx-ws.json` under the command's flags.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import { DEFAULT_SETTINGS, type EngineSettings, type Finding, type ParseCache } from '../engine/index';
import { analyzeInContext, type InContext } from '../node/context';
import { cliLimits, DiskReader, LspFileHost } from '../node/file-host';
import { ENV_HINT } from '../node/limits';
import { DumpHost, type Dump } from '../node/nginx-dump';
import { isNginxFile, SKIP_DIRS } from '../node/nginx-files';
import { isDiskPath } from '../node/paths';
import { RootFinder, type RecordingHost } from '../node/roots';
import { layerSettings, parseSettingsFile, SettingsFiles, type SettingsFile } from '../node/settings-file';
import { UsageError } from './command';

/** How far a folder walk goes (a PATH of `/` must not walk the disk). */
export const WALK_LIMITS = { maxDepth: 12, maxDirs: 5000, maxFiles: 20_000 };

export interface Target {
  /** Absolute path as the user named it (or as the walk reached it). */
  path: string;
  /** How it is printed: relative to the current folder when inside it. */
  display: string;
}

export function displayPath(p: string, cwd = process.cwd()): string {
  if (!isDiskPath(p)) return p;
  const rel = nodePath.relative(cwd, p);
  return rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel) ? rel : p;
}

/**
 * The nginx files `paths` name: a file as given (whatever its name), a folder
 * walked for nginx files (symlinks to files and folders followed, hidden
 * entries and SKIP_DIRS skipped). A file reached twice (sites-enabled/x and
 * the sites-available/x it links to) is listed once, under the first name.
 * A path that does not exist is a UsageError.
 */
export function collectTargets(paths: string[], notes: string[]): Target[] {
  const out: Target[] = [];
  const seenReal = new Set<string>();
  const add = (p: string) => {
    const real = realOf(p);
    if (seenReal.has(real)) return;
    seenReal.add(real);
    out.push({ path: p, display: displayPath(p) });
  };
  const budget = { dirs: 0, files: 0, stopped: false };
  for (const raw of paths) {
    const abs = nodePath.resolve(raw);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new UsageError(`${raw}: no such file or directory`);
    }
    if (st.isDirectory()) walk(abs, 0, new Set([realOf(abs)]), budget, (p) => add(p));
    else add(abs);
  }
  if (budget.stopped) notes.push(`stopped walking after ${budget.dirs} folders / ${budget.files} files; name fewer or deeper folders`);
  return out;
}

function walk(
  dir: string,
  depth: number,
  ancestors: Set<string>,
  budget: { dirs: number; files: number; stopped: boolean },
  add: (p: string) => void,
): void {
  if (budget.dirs >= WALK_LIMITS.maxDirs || depth > WALK_LIMITS.maxDepth) {
    budget.stopped = true;
    return;
  }
  budget.dirs++;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = nodePath.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const st = statSync(p);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue; // a dangling link
      }
    }
    if (isDir) {
      if (SKIP_DIRS.has(e.name)) continue;
      const real = realOf(p);
      if (ancestors.has(real)) continue; // a link back up: a cycle
      walk(p, depth + 1, new Set([...ancestors, real]), budget, add);
    } else if (isFile && isNginxFile(p)) {
      if (++budget.files > WALK_LIMITS.maxFiles) {
        budget.stopped = true;
        return;
      }
      add(p);
    }
  }
}

const reals = new Map<string, string>();
export function realOf(p: string): string {
  if (!isDiskPath(p)) return p;
  let r = reals.get(p);
  if (r === undefined) {
    try {
      r = realpathSync.native(p);
    } catch {
      r = p;
    }
    reals.set(p, r);
  }
  return r;
}

export interface ProjectOptions {
  /** Setting values from flags (layered over the settings file; DEFAULT_SETTINGS where not given). */
  flags: EngineSettings;
  /** `--threshold`, when given (it wins even when it equals the default). */
  threshold?: number;
  /** `--root`: whole configs that include the linted files (absolute). */
  roots: string[];
  /** `--project`: where whole configs are searched. */
  project?: string;
  /** `--settings FILE` (a path), `false` for `--no-settings`, undefined: the nearest .nginx-ws.json. */
  settingsFile?: string | false;
  /** Texts that replace the disk's (stdin with --stdin-filename, fixes not written yet). */
  overlay?: Map<string, string>;
  /** An `nginx -T` dump: the only files there are. */
  dump?: Dump;
  log: (message: string) => void;
}

/** A file judged in its config. */
export interface Judged {
  target: Target;
  context: InContext;
  /** This file's findings. */
  findings: Finding[];
  /** The settings file that applied, if any. */
  settingsFile: string | null;
}

/** The linted files' project: settings files, root finders and analyses, shared by lint, fix and endpoints. */
export class Project {
  readonly disk = new DiskReader();
  private readonly settingsFiles = new SettingsFiles(this.disk);
  private readonly finders = new Map<string, RootFinder>();
  private readonly parseCache: ParseCache = new Map();
  private readonly explicitSettings: SettingsFile | null = null;
  private readonly overlayVersions = new Map<string, number>();
  private readonly reported = new Set<string>();
  readonly problems: string[] = [];
  readonly overlay: Map<string, string>;

  constructor(private readonly o: ProjectOptions) {
    this.overlay = o.overlay ?? new Map<string, string>();
    if (o.dump) for (const [p, t] of o.dump.files) this.overlay.set(p, t);
    for (const p of this.overlay.keys()) this.overlayVersions.set(p, 1);
    if (typeof o.settingsFile === 'string') {
      const r = this.disk.read(o.settingsFile);
      if (!('text' in r)) throw new UsageError(`--settings ${o.settingsFile}: ${r.error}`);
      this.explicitSettings = parseSettingsFile(o.settingsFile, r.text);
    }
  }

  /** Replaces a file's text for the next analyses (a fix applied in memory). */
  setText(path: string, text: string): void {
    this.overlay.set(path, text);
    this.overlayVersions.set(path, (this.overlayVersions.get(path) ?? 0) + 1);
  }

  /** The text a file is analysed from now: the overlay's, else the disk's; undefined when unreadable. */
  textOf(path: string): string | undefined {
    const t = this.overlay.get(path);
    if (t !== undefined) return t;
    if (this.o.dump) return undefined;
    // A file the user named is read even if it looks binary (an include that does is refused).
    const r = this.disk.read(path, undefined, true);
    return 'text' in r ? r.text : undefined;
  }

  /** Why a file cannot be read, or null. */
  unreadable(path: string): string | null {
    if (this.overlay.has(path)) return null;
    const r = this.disk.read(path, undefined, true);
    return 'text' in r ? null : r.error;
  }

  settingsFileFor(path: string): SettingsFile | null {
    if (this.o.settingsFile === false) return null;
    const f = this.explicitSettings ?? (this.o.dump ? this.settingsFiles.forDir(process.cwd()) : this.settingsFiles.forFile(path));
    for (const p of f?.problems ?? []) {
      if (this.reported.has(p)) continue;
      this.reported.add(p);
      this.problems.push(p);
    }
    return f;
  }

  settingsFor(path: string): EngineSettings {
    const s = layerSettings(this.settingsFileFor(path)?.settings, this.o.flags);
    if (this.o.threshold !== undefined) s.idleTimeoutThresholdSeconds = this.o.threshold;
    return s;
  }

  /** The folder whole configs are searched in for `path`: --project, the settings file's folder, the current folder when `path` is inside it, else `path`'s folder. */
  projectFolderOf(path: string): string {
    if (this.o.project) return this.o.project;
    const sf = this.settingsFileFor(path);
    if (sf) return nodePath.dirname(sf.path);
    const cwd = process.cwd();
    const rel = nodePath.relative(cwd, path);
    if (!rel.startsWith('..') && !nodePath.isAbsolute(rel)) return cwd;
    return nodePath.dirname(path);
  }

  private finderFor(path: string): RootFinder {
    const folder = this.o.dump ? '' : this.projectFolderOf(path);
    let f = this.finders.get(folder);
    if (!f) {
      f = new RootFinder({
        disk: this.disk,
        parseCache: this.parseCache,
        host: () => this.host(),
        openVersion: (p) => this.overlayVersions.get(p),
        realPath: realOf,
        log: this.o.log,
      });
      if (this.o.dump) f.setConfigured([this.o.dump.main]);
      else {
        f.setFolders([folder]);
        if (this.o.roots.length) f.setConfigured(this.o.roots);
      }
      this.finders.set(folder, f);
    }
    return f;
  }

  host(): RecordingHost {
    if (this.o.dump) return new DumpHost(this.overlay);
    return new LspFileHost(
      (p) => {
        const text = this.overlay.get(p);
        return text === undefined ? undefined : { text, version: this.overlayVersions.get(p) ?? 1 };
      },
      this.disk,
      // Limits from NGINX_WS_LIMITS, and refusals that say so.
      { hint: ENV_HINT, limits: cliLimits() },
    );
  }

  /** Each target judged in its config; analyses of a shared root are computed once. Unreadable targets are left out (see `unreadable`). */
  judge(targets: Target[]): Judged[] {
    const byReal = new Map<string, string>();
    for (const t of targets) if (!byReal.has(realOf(t.path))) byReal.set(realOf(t.path), t.path);
    const canonical = (p: string) => (this.o.dump ? p : (byReal.get(realOf(p)) ?? p));
    const memo = new Map();
    const out: Judged[] = [];
    for (const target of targets) {
      const text = this.textOf(target.path);
      if (text === undefined) continue;
      const settings = this.settingsFor(target.path);
      const settingsFile = this.settingsFileFor(target.path);
      const context = analyzeInContext(target.path, text, {
        host: this.host(),
        roots: this.finderFor(target.path),
        settings,
        projectRoots: this.o.roots.length ? [] : (settingsFile?.settings.configRoots ?? []),
        parseCache: this.parseCache,
        canonical,
        memo,
        oneShot: true,
        log: this.o.log,
      });
      out.push({ target, context, findings: context.findingsByPath.get(target.path) ?? [], settingsFile: settingsFile?.path ?? null });
    }
    return out;
  }
}

/** Flag values as settings: DEFAULT_SETTINGS where a flag was not given, so the settings file's values show through. */
export function flagSettings(o: {
  nginxVersion?: string;
  threshold?: number;
  prefix?: string;
  rules?: Record<string, EngineSettings['rules'][string]>;
}): EngineSettings {
  return {
    ...DEFAULT_SETTINGS,
    nginxVersion: o.nginxVersion ?? '',
    idleTimeoutThresholdSeconds: o.threshold ?? DEFAULT_SETTINGS.idleTimeoutThresholdSeconds,
    prefix: o.prefix ?? '',
    rules: o.rules ?? {},
  };
}

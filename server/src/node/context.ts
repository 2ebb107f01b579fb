/**
 * A file judged in the config nginx gives it, the same way in the editor and
 * on the command line: the file itself when it is a whole config, else the
 * root that includes it (root discovery, `roots.ts`), reached through a
 * symlink when the root includes it that way (Debian's sites-enabled). The
 * includes the host refused are the engine's findings, on the `include` line
 * that pulls them in. No LSP here: the language server turns the result into
 * diagnostics, the CLI prints it.
 */
import { analyze, updateText, type Analysis, type EngineSettings, type Finding, type SourceFile, type ParseCache } from '../engine/index';
import { isDiskPath } from './paths';
import { isCompleteConfig, type RecordingHost, type RootFinder } from './roots';

export interface ContextOptions {
  /** Reads files and records what it read and refused (a fresh one per analysis). */
  host: RecordingHost;
  roots: RootFinder;
  settings: EngineSettings;
  /** Absolute config roots from the project settings file (used when none are configured). */
  projectRoots?: readonly string[];
  parseCache?: ParseCache;
  /** The previous analysis of `rootPath`, to update in place when the edit allows (it is used up either way). */
  previousFor?(rootPath: string): Analysis | undefined;
  /**
   * Analyses already made in this run, by root and settings: files judged in
   * the same root share one analysis (the CLI; the editor keeps one per document).
   */
  memo?: Map<string, { analysis: Analysis; refused: Map<string, string> }>;
  /** No incremental update will follow (the CLI): the engine skips what an update needs (see `AnalyzeInternals.oneShot`). */
  oneShot?: boolean;
  /** The name a path is reported under (an open document's, the one the user named); itself by default. */
  canonical?: (path: string) => string;
  log: (message: string) => void;
}

export interface InContext {
  /** The file asked about. */
  path: string;
  /** The config analysed: `path`, or the root that includes it. */
  rootPath: string;
  /** Where `path` is in the analysis: itself, or the symlink the root includes it through. */
  docKey: string;
  analysis: Analysis;
  /** The analysed root is a whole config (has `http`/`events`), not a piece judged without its includer. */
  complete: boolean;
  /**
   * Findings per reported file (`path` first, then by `canonical` name): the
   * engine's, an include the host refused among them (with its reason, on the
   * include line of the file that holds it).
   */
  findingsByPath: Map<string, Finding[]>;
}

/** The root `path` is judged in: itself when it is a whole config (or not on disk), else the root that includes it, if any. */
export function rootOf(
  path: string,
  text: string,
  o: Pick<ContextOptions, 'roots' | 'settings' | 'projectRoots' | 'parseCache' | 'log'>,
): string {
  if (!isDiskPath(path)) return path;
  let file: SourceFile | undefined = o.parseCache?.get(path);
  if (!file || file.text !== text) {
    file = updateText(file, text, path);
    o.parseCache?.set(path, file);
  }
  if (isCompleteConfig(file)) return path;
  try {
    return o.roots.rootFor(path, o.settings, o.projectRoots) ?? path;
  } catch (e) {
    o.log(`nginx-ws: config root discovery for ${path} failed: ${(e as Error).message}`);
    return path;
  }
}

/** Analyses `path` (whose current text is `text`) in its config. Throws only what the engine throws. */
export function analyzeInContext(path: string, text: string, o: ContextOptions): InContext {
  const canonical = o.canonical ?? ((p: string) => p);
  const { host, settings } = o;
  const rootPath = rootOf(path, text, o);
  const key = `${rootPath}\0${JSON.stringify(settings)}`;
  const hit = o.memo?.get(key);
  let analysis = hit?.analysis ?? analyze(rootPath, host, settings, o.parseCache, o.previousFor?.(rootPath), { oneShot: o.oneShot });
  if (!hit) {
    o.memo?.set(key, { analysis, refused: new Map(host.refused) });
    if (rootPath !== path) o.roots.remember(rootPath, analysis.files.keys(), host.reads);
  }
  let effectiveRoot = rootPath;
  let docKey = analysis.files.has(path) ? path : [...analysis.files.keys()].find((p) => canonical(p) === path);
  if (!docKey) {
    // The root stopped including this file between discovery and now: judge it alone.
    o.log(`nginx-ws: ${rootPath} no longer includes ${path}; analysing it on its own`);
    host.reads.clear();
    host.refused.clear();
    analysis = analyze(path, host, settings, o.parseCache, undefined, { oneShot: o.oneShot });
    effectiveRoot = path;
    docKey = path;
  }
  // An include the host refused (a limit, not a regular file, outside an untrusted workspace) is the engine's own
  // finding on the include line, with the reason, in the file that holds the include.
  const findingsByPath = new Map<string, Finding[]>([[path, []]]);
  for (const f of analysis.findings) {
    const key = f.path === docKey ? path : canonical(f.path);
    let list = findingsByPath.get(key);
    if (!list) findingsByPath.set(key, (list = []));
    list.push(f);
  }
  const rootFile = analysis.files.get(effectiveRoot);
  return { path, rootPath: effectiveRoot, docKey, analysis, complete: !!rootFile && isCompleteConfig(rootFile), findingsByPath };
}

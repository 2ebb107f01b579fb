/**
 * Keeps one analysis per open document, current with its text.
 *
 * - Debounced: a burst of edits costs one analysis, run on the newest text.
 * - Latest version wins: results are published with the document version they
 *   were computed for, and never after a newer version has been published.
 * - Dependencies: each analysis records which files it read (its includes);
 *   when one of them changes in an editor or on disk, its dependents re-run.
 * - Isolation: an exception while analysing one document becomes one
 *   diagnostic on that document and a log line; the others carry on.
 */
import { realpathSync } from 'node:fs';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, TextDocuments } from 'vscode-languageserver/node';
import { settle, type Analysis, type EngineSettings, type Finding, type SourceFile } from '../engine/index';
import { failureDiagnostic, toDiagnostic } from './diagnostics';
import { DiskReader, formatMb, LspFileHost, MAX_FILE_BYTES } from '../node/file-host';
import { DiagnosticsPublisher, type Contribution } from './publisher';
import { isDiskPath, pathToUri, uriToPath } from '../node/paths';
import { RootFinder } from '../node/roots';
import { analyzeInContext } from '../node/context';
import { AnalysisScheduler } from './scheduler';

export interface DocAnalysis {
  uri: string;
  path: string;
  /**
   * The config analysed: the document's own path, or the root that includes it
   * (found by root discovery) when the document is only a piece of a config.
   */
  rootPath: string;
  /** Where the document is in the analysis: `path`, or the symlink the root includes it through. */
  analysedPath: string;
  /** The analysed root is a whole config (has `http`/`events`), not a piece judged without its includer. */
  complete: boolean;
  /** The document version this analysis was computed for. */
  version: number;
  /** Null when the document could not be analysed (too large, internal error). */
  analysis: Analysis | null;
  /** This document's findings (`findingsByPath` of its own path). */
  findings: Finding[];
  /** Findings per file of the config; a diagnostic's `data.index` points into its file's list. */
  findingsByPath: Map<string, Finding[]>;
  diagnosticsByPath: Map<string, Diagnostic[]>;
  /** Files read, with the open-document version used (null: read from disk). */
  reads: Map<string, number | null>;
  diagnostics: Diagnostic[];
}

export interface AnalyzerOptions {
  documents: TextDocuments<TextDocument>;
  /** `version` is undefined for files that are not open. */
  publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void;
  log: (message: string) => void;
  info: (message: string) => void;
  /** The settings a file is analysed with (the editor's, over the project settings file that applies to it). */
  settings(path: string): EngineSettings;
  /** Config roots named by the project settings file that applies to a file (absolute), if any. */
  projectRoots?(path: string): readonly string[];
  /** Analysis waits for this (settings loaded, nginx version known) so the first diagnostics are already right. */
  ready: Promise<unknown>;
  debounceMs: number;
  disk?: DiskReader;
  /** Called after a document's analysis is replaced. */
  onAnalyzed?(state: DocAnalysis): void;
  /**
   * False in the front's replica thread (front/front.ts): nothing is analysed until a request asks
   * (`current`), and then only what it needs. Default true: every open document, as it changes.
   */
  eager?: boolean;
  /** Told when an analysis starts (the document and version) and ends (null): the front's watchdog and busy flag. */
  analysing?(doc: { uri: string; version: number } | null): void;
}

export class Analyzer {
  private readonly states = new Map<string, DocAnalysis>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Runs due analyses one per event-loop turn, and spaces out those of slow documents (see scheduler.ts). */
  private readonly scheduler: AnalysisScheduler;
  private readonly publisher: DiagnosticsPublisher;
  private readonly justOpened = new Map<string, number>();
  /** Open documents by engine path, so a path found in an analysis maps back to the client's exact URI. */
  private readonly openByPath = new Map<string, string>();
  /**
   * Open documents by real path (symlinks followed), so a file a config includes through a symlink
   * (Debian's sites-enabled/x → sites-available/x) is read from, and reported to, the document open at its real path.
   */
  private readonly openByRealPath = new Map<string, string>();
  private readonly realPaths = new Map<string, string>();
  private readonly disk: DiskReader;
  /** Parsed files shared by all analyses (the engine reuses an entry while its text is unchanged), so an edit re-parses only the edited file. */
  private readonly parseCache = new Map<string, SourceFile>();
  /** Documents whose next analysis must start from scratch (the files around them changed in ways an update cannot see). */
  private readonly noReuse = new Set<string>();
  /** Finds the config that includes a document which is not a whole config itself. */
  readonly roots: RootFinder;
  private isReady = false;
  private gate: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private firstLogged = false;
  /** Document versions that went over the server's time or memory budget (told by the front): not analysed again until they change. */
  private readonly overBudget = new Map<string, { version: number; message: string }>();
  /** Not eager (the replica): documents whose kept analysis is out of date, analysed again when a request asks. */
  private readonly stale = new Set<string>();

  constructor(private readonly o: AnalyzerOptions) {
    this.disk = o.disk ?? new DiskReader();
    this.scheduler = new AnalysisScheduler({ log: o.info });
    this.publisher = new DiagnosticsPublisher({
      send: (uri, version, diagnostics) => o.publish(uri, version, diagnostics),
      uriOf: (p) => this.uriOf(p),
      openVersion: (p) => this.openText(p)?.version,
    });
    this.roots = new RootFinder({
      disk: this.disk,
      parseCache: this.parseCache,
      host: () => this.fileHost(),
      openVersion: (p) => this.openText(p)?.version,
      realPath: (p) => this.realPath(p),
      log: o.info,
    });
    this.holdUntil(o.ready);
  }

  /** Analyses wait for `p` (settings being reloaded), so nothing is published with settings about to be replaced. */
  holdUntil(p: Promise<unknown>): void {
    const gate = Promise.all([this.gate, p.catch(() => undefined)]).then(() => undefined);
    this.gate = gate;
    this.isReady = false;
    void gate.then(() => {
      if (this.gate === gate) this.isReady = true;
    });
  }

  /** The open document's version for a path, undefined when the file is not open. */
  openVersion(path: string): number | undefined {
    return this.openText(path)?.version;
  }

  uriOf(path: string): string {
    return this.openUri(path) ?? pathToUri(path);
  }

  /** The open document a path names, directly or through a symlink. */
  private openUri(path: string): string | undefined {
    return this.openByPath.get(path) ?? (isDiskPath(path) ? this.openByRealPath.get(this.realPath(path)) : undefined);
  }

  /** The path of the open document a path names (itself when none is open under another name). */
  private canonical(path: string): string {
    const uri = this.openUri(path);
    return uri ? uriToPath(uri) : path;
  }

  /** `path` with symlinks followed (cached until files change on disk); itself when it cannot be resolved. */
  realPath(path: string): string {
    if (!isDiskPath(path)) return path;
    let r = this.realPaths.get(path);
    if (r === undefined) {
      try {
        r = realpathSync.native(path);
      } catch {
        r = path;
      }
      this.realPaths.set(path, r);
    }
    return r;
  }

  /** A host over open buffers and disk, for features that read files themselves (include targets). */
  fileHost(): LspFileHost {
    return new LspFileHost((p) => this.openText(p), this.disk);
  }

  get(uri: string): DocAnalysis | undefined {
    return this.states.get(uri);
  }

  /**
   * Every analysis that reports on `path` from the text the file has now: its
   * own, and those of open configs that include it. Pending analyses of them
   * are run first, so the answer reflects the current text.
   */
  async reportersOf(uri: string): Promise<DocAnalysis[]> {
    const path = uriToPath(uri);
    await this.current(uri);
    const out: DocAnalysis[] = [];
    for (const rootUri of [...this.states.keys()]) {
      const before = this.states.get(rootUri);
      const st =
        rootUri === uri ? before : before && this.readVersion(before, path) !== undefined ? await this.current(rootUri) : undefined;
      const read = st ? this.readVersion(st, path) : undefined;
      if (!st || read === undefined) continue;
      if ((read ?? null) !== (this.openText(path)?.version ?? null)) continue;
      out.push(st);
    }
    // As in the published diagnostics: includers' context replaces the file's own lenient analysis.
    return out.some((st) => st.uri !== uri) ? out.filter((st) => st.uri !== uri) : out;
  }

  opened(doc: TextDocument): void {
    this.openByPath.set(uriToPath(doc.uri), doc.uri);
    if (isDiskPath(uriToPath(doc.uri))) this.openByRealPath.set(this.realPath(uriToPath(doc.uri)), doc.uri);
    this.justOpened.set(doc.uri, doc.version);
    this.schedule(doc.uri, 0);
    this.scheduleDependents(uriToPath(doc.uri));
  }

  changed(doc: TextDocument): void {
    // TextDocuments reports an open as a content change too; the open is already scheduled.
    const opened = this.justOpened.get(doc.uri);
    this.justOpened.delete(doc.uri);
    if (opened === doc.version) return;
    this.schedule(doc.uri);
    const path = uriToPath(doc.uri);
    this.scheduleDependents(path);
    // An edited root may now include a document that so far had no includer.
    if (this.roots.isCandidate(path)) this.scheduleWithoutRoot();
  }

  closed(uri: string): void {
    const path = uriToPath(uri);
    this.cancel(uri);
    this.scheduler.forget(uri);
    this.justOpened.delete(uri);
    this.noReuse.delete(uri);
    this.stale.delete(uri);
    this.states.delete(uri);
    if (this.openByPath.get(path) === uri) this.openByPath.delete(path);
    for (const [real, u] of this.openByRealPath) if (u === uri) this.openByRealPath.delete(real);
    for (const p of this.parseCache.keys()) {
      if (![...this.states.values()].some((st) => st.reads.has(p))) this.parseCache.delete(p);
    }
    this.publisher.removeRoot(uri, path);
    // Dependents now read this file from disk, which may differ from the closed buffer.
    this.scheduleDependents(path);
  }

  /** Files changed on disk (file watcher): re-read them, and look for config roots again. */
  diskChanged(paths: string[]): void {
    // A file appearing or going away changes what a glob include finds, which an in-place update cannot see.
    for (const uri of this.states.keys()) this.noReuse.add(uri);
    // Symlinks may have changed too.
    this.realPaths.clear();
    this.openByRealPath.clear();
    for (const [p, uri] of this.openByPath) if (isDiskPath(p)) this.openByRealPath.set(this.realPath(p), uri);
    for (const p of paths) this.disk.invalidate(p);
    this.roots.invalidate();
    for (const p of paths) this.scheduleDependents(p);
    // A new or changed file may be the root that includes a document analysed on its own so far.
    this.scheduleWithoutRoot();
  }

  /** Where config roots are looked for changed (workspace folders, nginxWs.configRoots). */
  rootsChanged(): void {
    for (const uri of this.states.keys()) this.noReuse.add(uri);
    this.roots.invalidate();
    this.reanalyzeAll();
  }

  /**
   * The front stopped a thread while it analysed this version of the document (too slow, or out of memory):
   * until the document changes, its analysis is one diagnostic saying so.
   */
  markOverBudget(uri: string, version: number, message: string): void {
    this.overBudget.set(uri, { version, message });
  }

  /** Published contributions that are not the engine's (nginx -t), keyed by their source. */
  setExternal(key: string, byPath: Map<string, Contribution>): void {
    this.publisher.setExternal(key, byPath);
  }

  private scheduleWithoutRoot(): void {
    for (const [uri, state] of this.states) {
      if (!state.complete) this.schedule(uri);
    }
  }

  reanalyzeAll(): void {
    for (const doc of this.o.documents.all()) this.schedule(doc.uri, 0);
  }

  /** The analysis of the document's current version, computed now if an edit is pending. */
  async current(uri: string): Promise<DocAnalysis | undefined> {
    const doc = this.o.documents.get(uri);
    if (!doc) return undefined;
    const state = this.states.get(uri);
    if (state && state.version === doc.version && !this.timers.has(uri) && !this.scheduler.pending(uri) && !this.stale.has(uri))
      return state;
    await this.whenReady();
    this.cancel(uri);
    return this.run(uri);
  }

  /** Publishes the document's diagnostics for its current text now, analysing it first if needed (the front's replica thread, when the primary is busy). */
  async publishNow(uri: string): Promise<void> {
    const kept = this.states.get(uri);
    const state = await this.current(uri);
    // A kept analysis that is current was published when it was made: publish it again.
    if (state && state === kept) this.publisher.refresh(state.path);
  }

  /** The engine settings analyses of `path` use now (after `whenReady`): the editor's over the project settings file above it. */
  engineSettings(path: string): EngineSettings {
    return this.o.settings(path);
  }

  /** Resolves once settings are loaded (and the nginx version detected): what analyses wait for. */
  async whenReady(): Promise<void> {
    while (!this.isReady) await this.gate;
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.scheduler.dispose();
  }

  private scheduleDependents(path: string): void {
    for (const [uri, state] of this.states) {
      if (state.path !== path && this.readVersion(state, path) !== undefined) this.schedule(uri);
    }
  }

  /** The version of `path` an analysis read (null: from disk), also when it read it through a symlink; undefined when it did not. */
  private readVersion(state: DocAnalysis, path: string): number | null | undefined {
    if (state.reads.has(path)) return state.reads.get(path);
    for (const [read, v] of state.reads) if (this.canonical(read) === path) return v;
    return undefined;
  }

  private schedule(uri: string, delay = this.o.debounceMs): void {
    if (this.disposed) return;
    if (this.o.eager === false) {
      // Lazy: the next request about this document analyses it again (its text, a file it reads or the settings changed).
      this.cancel(uri);
      this.stale.add(uri);
      return;
    }
    this.cancel(uri);
    const due = () => this.scheduler.enqueue(uri, () => this.run(uri));
    const timer = setTimeout(
      () => {
        this.timers.delete(uri);
        if (this.isReady) due();
        else void this.whenReady().then(() => !this.timers.has(uri) && due());
      },
      this.scheduler.delay(uri, delay),
    );
    this.timers.set(uri, timer);
  }

  private cancel(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
    this.scheduler.cancel(uri);
  }

  private run(uri: string): DocAnalysis | undefined {
    const doc = this.o.documents.get(uri);
    if (!doc || this.disposed) return undefined;
    this.stale.delete(uri);
    this.o.analysing?.({ uri, version: doc.version });
    let state: DocAnalysis;
    try {
      state = this.compute(doc);
    } finally {
      this.o.analysing?.(null);
    }
    const before = this.states.get(uri);
    if (state.rootPath !== (before?.rootPath ?? state.path)) {
      this.o.info(
        state.rootPath === state.path
          ? `nginx-ws: ${uri} is analysed on its own (no config includes it)`
          : `nginx-ws: ${uri} is analysed as part of ${state.rootPath}`,
      );
    }
    this.states.set(uri, state);
    // Every file read gets an entry, empty or not: "this includer sees no problem here" is an answer too.
    const byPath = new Map<string, Contribution>();
    if (state.rootPath === state.path) {
      for (const [read, v] of state.reads) {
        const p = this.canonical(read);
        byPath.set(p, { diagnostics: state.diagnosticsByPath.get(p) ?? [], targetVersion: v });
      }
      for (const [p, diagnostics] of state.diagnosticsByPath) if (!byPath.has(p)) byPath.set(p, { diagnostics, targetVersion: null });
    } else {
      // Judged in a root that is not open: speak for this document only. The root and its other
      // files are not the user's focus; each of them that is open gets its own analysis.
      byPath.set(state.path, { diagnostics: state.diagnostics, targetVersion: state.version });
    }
    this.publisher.setRoot(uri, state.path, byPath);
    // The diagnostics are out: now what an edit's update and the lenses need, before anything can change the files.
    if (state.analysis) settle(state.analysis);
    try {
      this.o.onAnalyzed?.(state);
    } catch (e) {
      this.o.log(`nginx-ws: after-analysis hook failed for ${uri}: ${errorText(e)}`);
    }
    return state;
  }

  private compute(doc: TextDocument): DocAnalysis {
    const uri = doc.uri;
    const path = uriToPath(uri);
    const version = doc.version;
    const failed = (reads: Map<string, number | null>, d: Diagnostic): DocAnalysis => ({
      uri,
      path,
      analysedPath: path,
      rootPath: path,
      complete: false,
      version,
      analysis: null,
      findings: [],
      findingsByPath: new Map(),
      diagnosticsByPath: new Map([[path, [d]]]),
      reads,
      diagnostics: [d],
    });
    const over = this.overBudget.get(uri);
    if (over && over.version === version) return failed(new Map([[path, version]]), failureDiagnostic(over.message));
    this.overBudget.delete(uri);
    const text = doc.getText();
    const maxBytes = (this.o.settings(path).limits?.fileMB ?? MAX_FILE_BYTES / 1048576) * 1048576;
    if (text.length > maxBytes) {
      return failed(
        new Map([[path, version]]),
        failureDiagnostic(
          `nginx-ws: this file is ${formatMb(text.length)}, larger than the ${formatMb(maxBytes)} limit; it is not analysed (raise nginxWs.limits.fileMB).`,
        ),
      );
    }
    const host = new LspFileHost((p) => this.openText(p), this.disk);
    try {
      const started = performance.now();
      const settings = this.o.settings(path);
      const before = this.states.get(uri);
      const reuse = !this.noReuse.has(uri);
      this.noReuse.delete(uri);
      const judged = analyzeInContext(path, text, {
        host,
        roots: this.roots,
        settings,
        projectRoots: this.o.projectRoots?.(path),
        parseCache: this.parseCache,
        // The previous analysis of the same root is updated in place when the edit allows (it is used up either way).
        previousFor: (root) => (reuse && before?.rootPath === root ? (before.analysis ?? undefined) : undefined),
        canonical: (p) => this.canonical(p),
        log: this.o.info,
      });
      const { analysis, findingsByPath, docKey, rootPath: effectiveRoot } = judged;
      const uriOf = (p: string) => this.uriOf(p);
      const diagnosticsByPath = new Map<string, Diagnostic[]>();
      for (const [p, list] of findingsByPath) {
        diagnosticsByPath.set(
          p,
          list.map((f, i) => toDiagnostic(f, i, version, uriOf, p === path ? undefined : uri)),
        );
      }
      const ms = performance.now() - started;
      if (ms > 1000 || !this.firstLogged) this.o.info(`nginx-ws: analysed ${uri} in ${Math.round(ms)} ms`);
      this.firstLogged = true;
      return {
        uri,
        path,
        analysedPath: docKey,
        rootPath: effectiveRoot,
        complete: judged.complete,
        version,
        analysis,
        findings: findingsByPath.get(path)!,
        findingsByPath,
        diagnosticsByPath,
        reads: host.reads,
        diagnostics: diagnosticsByPath.get(path)!,
      };
    } catch (e) {
      this.o.log(`nginx-ws: analysis of ${uri} (version ${version}) failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return failed(
        host.reads,
        failureDiagnostic(
          `nginx-ws could not analyse this file (${errorText(e)}). Other files are unaffected; details in the "nginx WebSocket Language Server" output.`,
        ),
      );
    }
  }

  private openText(path: string): { text: string; version: number } | undefined {
    const uri = this.openUri(path);
    const doc = uri ? this.o.documents.get(uri) : undefined;
    return doc ? { text: doc.getText(), version: doc.version } : undefined;
  }
}

function errorText(e: unknown): string {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

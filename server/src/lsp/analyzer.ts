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
import * as nodePath from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity, type Diagnostic, type TextDocuments } from 'vscode-languageserver/node';
import { analyze, type Analysis, type EngineSettings, type Finding } from '../engine/index';
import { failureDiagnostic, toDiagnostic } from './diagnostics';
import { DiskReader, formatMb, LspFileHost, MAX_FILE_BYTES } from './file-host';
import { globMatches } from './glob';
import { isDiskPath, pathToUri, uriToPath } from './paths';

export interface DocAnalysis {
  uri: string;
  path: string;
  /** The document version this analysis was computed for. */
  version: number;
  /** Null when the document could not be analysed (too large, internal error). */
  analysis: Analysis | null;
  /** This document's findings; a diagnostic's `data.index` points into this list. */
  findings: Finding[];
  /** Files read, with the open-document version used (null: read from disk). */
  reads: Map<string, number | null>;
  diagnostics: Diagnostic[];
}

export interface AnalyzerOptions {
  documents: TextDocuments<TextDocument>;
  /** `version` is undefined when clearing a closed document. */
  publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void;
  log(message: string): void;
  settings(): EngineSettings;
  /** Analysis waits for this (settings loaded, nginx version known) so the first diagnostics are already right. */
  ready: Promise<unknown>;
  debounceMs: number;
  disk?: DiskReader;
  /** Called after a document's analysis is replaced. */
  onAnalyzed?(state: DocAnalysis): void;
}

export class Analyzer {
  private readonly states = new Map<string, DocAnalysis>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly published = new Map<string, number>();
  private readonly justOpened = new Map<string, number>();
  /** Open documents by engine path, so a path found in an analysis maps back to the client's exact URI. */
  private readonly openByPath = new Map<string, string>();
  private readonly disk: DiskReader;
  private isReady = false;
  private gate: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly o: AnalyzerOptions) {
    this.disk = o.disk ?? new DiskReader();
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

  uriOf(path: string): string {
    return this.openByPath.get(path) ?? pathToUri(path);
  }

  get(uri: string): DocAnalysis | undefined {
    return this.states.get(uri);
  }

  opened(doc: TextDocument): void {
    this.openByPath.set(uriToPath(doc.uri), doc.uri);
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
    this.scheduleDependents(uriToPath(doc.uri));
  }

  closed(uri: string): void {
    const path = uriToPath(uri);
    this.cancel(uri);
    this.justOpened.delete(uri);
    this.states.delete(uri);
    this.published.delete(uri);
    if (this.openByPath.get(path) === uri) this.openByPath.delete(path);
    this.o.publish(uri, undefined, []);
    // Dependents now read this file from disk, which may differ from the closed buffer.
    this.scheduleDependents(path);
  }

  /** A file changed on disk (file watcher). */
  diskChanged(path: string): void {
    this.disk.invalidate(path);
    this.scheduleDependents(path);
  }

  reanalyzeAll(): void {
    for (const doc of this.o.documents.all()) this.schedule(doc.uri, 0);
  }

  /** The analysis of the document's current version, computed now if an edit is pending. */
  async current(uri: string): Promise<DocAnalysis | undefined> {
    const doc = this.o.documents.get(uri);
    if (!doc) return undefined;
    const state = this.states.get(uri);
    if (state && state.version === doc.version && !this.timers.has(uri)) return state;
    await this.whenReady();
    this.cancel(uri);
    return this.run(uri);
  }

  private async whenReady(): Promise<void> {
    while (!this.isReady) await this.gate;
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private scheduleDependents(path: string): void {
    for (const [uri, state] of this.states) {
      if (state.path !== path && state.reads.has(path)) this.schedule(uri);
    }
  }

  private schedule(uri: string, delay = this.o.debounceMs): void {
    if (this.disposed) return;
    this.cancel(uri);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      if (this.isReady) this.run(uri);
      else void this.whenReady().then(() => !this.timers.has(uri) && this.run(uri));
    }, delay);
    this.timers.set(uri, timer);
  }

  private cancel(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
  }

  private run(uri: string): DocAnalysis | undefined {
    const doc = this.o.documents.get(uri);
    if (!doc || this.disposed) return undefined;
    const state = this.compute(doc);
    this.states.set(uri, state);
    const last = this.published.get(uri);
    if (last === undefined || state.version >= last) {
      this.published.set(uri, state.version);
      this.o.publish(uri, state.version, state.diagnostics);
    }
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
    const base = { uri, path, version, analysis: null, findings: [], reads: new Map<string, number | null>([[path, version]]) };
    const text = doc.getText();
    if (text.length > MAX_FILE_BYTES) {
      return {
        ...base,
        diagnostics: [failureDiagnostic(`nginx-ws: this file is ${formatMb(text.length)}, larger than the ${formatMb(MAX_FILE_BYTES)} limit; it is not analysed.`)],
      };
    }
    const host = new LspFileHost((p) => this.openText(p), this.disk);
    try {
      const started = performance.now();
      const analysis = analyze(path, host, this.o.settings());
      const findings = analysis.findings.filter((f) => f.path === path);
      const diagnostics = findings.map((f, i) => toDiagnostic(f, i, version, (p) => this.uriOf(p)));
      diagnostics.push(...refusedIncludeDiagnostics(analysis, path, this.o.settings().prefix, host.refused));
      const ms = performance.now() - started;
      if (ms > 1000) this.o.log(`nginx-ws: analysing ${uri} took ${Math.round(ms)} ms`);
      return { uri, path, version, analysis, findings, reads: host.reads, diagnostics };
    } catch (e) {
      this.o.log(`nginx-ws: analysis of ${uri} (version ${version}) failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return {
        ...base,
        reads: host.reads,
        diagnostics: [failureDiagnostic(`nginx-ws could not analyse this file (${errorText(e)}). Other files are unaffected; see the "nginx WebSocket" log.`)],
      };
    }
  }

  private openText(path: string): { text: string; version: number } | undefined {
    const uri = this.openByPath.get(path);
    const doc = uri ? this.o.documents.get(uri) : undefined;
    return doc ? { text: doc.getText(), version: doc.version } : undefined;
  }
}

function errorText(e: unknown): string {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/** Included files the host refused to read (too large, not a regular file), reported on the `include` line that pulls them in. */
function refusedIncludeDiagnostics(analysis: Analysis, path: string, prefix: string, refused: Map<string, string>): Diagnostic[] {
  if (refused.size === 0) return [];
  const out: Diagnostic[] = [];
  const file = analysis.files.get(path);
  const includes = file ? [...file.walk()].filter((d) => d.name === 'include' && d.args.length > 0) : [];
  for (const [target, reason] of refused) {
    const at = includes.find((d) => {
      const pattern = d.arg(0)!;
      if (isDiskPath(pattern)) return globMatches(pattern, target);
      const bases = [prefix, isDiskPath(path) ? nodePath.dirname(path) : ''].filter((b) => b !== '');
      return bases.some((b) => globMatches(nodePath.resolve(b, pattern), target));
    });
    const d = failureDiagnostic(`include ${target}: ${reason}.`, at?.range);
    d.severity = DiagnosticSeverity.Warning; // the rest of the config is still checked
    d.code = 'include';
    out.push(d);
  }
  return out;
}

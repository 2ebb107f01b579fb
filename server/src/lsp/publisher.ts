/**
 * Merges what every open config's analysis says about each file and publishes
 * it under that file's URI. A finding belongs to the file where its fix goes,
 * which may be an included file (`proxy_set_header Connection close;` in a
 * snippet), so an included file shows the problems its includers see.
 *
 * A contribution counts only while it was computed from the text the file has
 * now (the open version, or disk when not open). While an includer's
 * contribution is stale, the file is not published at all: the analyzer has
 * already scheduled that includer, and its re-run publishes the file.
 *
 * External contributions (`nginx -t`) are added on top: shown only while the
 * file still has the text they were computed from, never holding the engine's
 * diagnostics back, and dropped on a line where the engine already reports an
 * error or warning (the same problem, said once).
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { FINDING_LIMITS } from '../engine/index';

/** At most this many diagnostics per file in one message (the engine caps its own findings; several includers and nginx -t add up). */
export const MAX_DIAGNOSTICS_PER_FILE = FINDING_LIMITS.perFile + 100;

/** Cuts a file's diagnostics to MAX_DIAGNOSTICS_PER_FILE (one summary for the rest) and every message to a sane length, in place. */
export function capDiagnostics(diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) {
    if (typeof d.message === 'string' && d.message.length > FINDING_LIMITS.messageChars)
      d.message = `${d.message.slice(0, FINDING_LIMITS.messageChars - 1)}…`;
  }
  if (diagnostics.length <= MAX_DIAGNOSTICS_PER_FILE) return;
  const extra = diagnostics.length - MAX_DIAGNOSTICS_PER_FILE;
  const first = diagnostics[MAX_DIAGNOSTICS_PER_FILE]!;
  diagnostics.length = MAX_DIAGNOSTICS_PER_FILE;
  diagnostics.push({
    range: first.range,
    severity: DiagnosticSeverity.Information,
    source: 'nginx-ws',
    code: 'limit',
    message: `${extra} more diagnostics in this file are not shown (at most ${MAX_DIAGNOSTICS_PER_FILE} per file); the first is here`,
  });
}

export interface Contribution {
  diagnostics: Diagnostic[];
  /** Version of the target's text this was computed from; null: its disk content. */
  targetVersion: number | null;
}

export interface PublisherOptions {
  send(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void;
  uriOf(path: string): string;
  /** The open version of a file, undefined when it is not open. */
  openVersion(path: string): number | undefined;
}

export class DiagnosticsPublisher {
  /** target path → root URI → contribution. */
  private readonly byTarget = new Map<string, Map<string, Contribution>>();
  private readonly lastVersion = new Map<string, number>();
  /** source key → target path → contribution. */
  private readonly external = new Map<string, Map<string, Contribution>>();

  constructor(private readonly o: PublisherOptions) {}

  /** Replaces everything `rootUri`'s analysis says; `own` is the root's own path, always published. */
  setRoot(rootUri: string, own: string, byPath: Map<string, Contribution>): void {
    const touched = this.dropRoot(rootUri);
    for (const [target, c] of byPath) {
      let m = this.byTarget.get(target);
      if (!m) this.byTarget.set(target, (m = new Map<string, Contribution>()));
      m.set(rootUri, c);
      touched.add(target);
    }
    touched.add(own);
    for (const t of touched) this.flush(t);
  }

  removeRoot(rootUri: string, own: string): void {
    const touched = this.dropRoot(rootUri);
    touched.add(own);
    this.lastVersion.delete(this.o.uriOf(own));
    for (const t of touched) this.flush(t);
  }

  /** Replaces what an external source (one `nginx -t` root) says, per file. */
  setExternal(key: string, byPath: Map<string, Contribution>): void {
    const touched = new Set(this.external.get(key)?.keys() ?? []);
    if (byPath.size > 0) this.external.set(key, byPath);
    else this.external.delete(key);
    for (const t of byPath.keys()) touched.add(t);
    for (const t of touched) this.flush(t);
  }

  /** Re-publishes a file whose open/closed state changed. */
  refresh(path: string): void {
    this.flush(path);
  }

  private dropRoot(rootUri: string): Set<string> {
    const touched = new Set<string>();
    for (const [target, m] of this.byTarget) {
      if (m.delete(rootUri)) touched.add(target);
      if (m.size === 0) this.byTarget.delete(target);
    }
    return touched;
  }

  private flush(target: string): void {
    const uri = this.o.uriOf(target);
    const open = this.o.openVersion(target);
    const m = this.byTarget.get(target);
    const all = m ? [...m.entries()] : [];
    // An includer still holds an analysis of older text: it is already scheduled to re-run and will
    // publish this file then. Publishing now would flash the file's context-free findings.
    if (all.some(([root, c]) => root !== uri && c.targetVersion !== (open ?? null))) return;
    let current = all.filter(([, c]) => c.targetVersion === (open ?? null));
    // A file that an open config includes is judged in that context: analysed alone, a snippet
    // lacks what its includer defines (a `map`, inherited headers) and would report false problems.
    if (current.some(([root]) => root !== uri)) current = current.filter(([root]) => root !== uri);
    const seen = new Set<string>();
    const diagnostics: Diagnostic[] = [];
    for (const [, c] of current) {
      for (const d of c.diagnostics) {
        const key = `${d.code}|${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}|${typeof d.message === 'string' ? d.message : d.message.value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        diagnostics.push(d);
      }
    }
    const engineLines = new Set(
      diagnostics.filter((d) => (d.severity ?? DiagnosticSeverity.Error) <= DiagnosticSeverity.Warning).map((d) => d.range.start.line),
    );
    for (const m of this.external.values()) {
      const c = m.get(target);
      if (!c || c.targetVersion !== (open ?? null)) continue;
      for (const d of c.diagnostics) {
        if (engineLines.has(d.range.start.line) && d.severity !== DiagnosticSeverity.Information) continue;
        const key = `${d.code}|${d.range.start.line}|${typeof d.message === 'string' ? d.message : d.message.value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        diagnostics.push(d);
      }
    }
    capDiagnostics(diagnostics);
    if (open !== undefined) {
      const last = this.lastVersion.get(uri);
      if (last !== undefined && open < last) return; // never publish an older version after a newer one
      this.lastVersion.set(uri, open);
    }
    this.o.send(uri, open, diagnostics);
  }
}

/** Engine findings → LSP diagnostics. */
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver/node';
import type { Finding, Severity } from '../engine/index';

export const SOURCE = 'nginx-ws';

/** What a diagnostic carries so a code action can find its fixes: the finding's index in the analysis of `version`. */
export interface DiagnosticData {
  version: number;
  index: number;
  /** The open config whose analysis produced it, when that is not the diagnostic's own document (an includer). */
  root?: string;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding, index: number, version: number, uriOf: (path: string) => string, root?: string): Diagnostic {
  const d: Diagnostic = {
    range: f.range,
    severity: SEVERITY[f.severity] ?? DiagnosticSeverity.Error,
    code: f.code,
    source: SOURCE,
    message: f.message,
  };
  if (f.href) d.codeDescription = { href: f.href };
  if (f.related?.length) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: uriOf(r.path), range: r.range }, message: r.message }));
  }
  if (f.fixes.length) d.data = (root ? { version, index, root } : { version, index }) satisfies DiagnosticData;
  return d;
}

export function isDiagnosticData(v: unknown): v is DiagnosticData {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as DiagnosticData;
  return Number.isInteger(d.version) && Number.isInteger(d.index) && (d.root === undefined || typeof d.root === 'string');
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The single diagnostic a document gets when it could not be analysed at all. */
export function failureDiagnostic(message: string, range: Range = START): Diagnostic {
  return { range, severity: DiagnosticSeverity.Error, code: 'internal', source: SOURCE, message };
}

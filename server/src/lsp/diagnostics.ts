/** Engine findings → LSP diagnostics. */
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver/node';
import type { Finding, Severity } from '../engine/index';

export const SOURCE = 'nginx-ws';

/** What a diagnostic carries so a code action can find its fixes: the finding's index in the analysis of `version`. */
export interface DiagnosticData {
  version: number;
  index: number;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding, index: number, version: number, uriOf: (path: string) => string): Diagnostic {
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
  if (f.fixes.length) d.data = { version, index } satisfies DiagnosticData;
  return d;
}

export function isDiagnosticData(v: unknown): v is DiagnosticData {
  return typeof v === 'object' && v !== null && Number.isInteger((v as DiagnosticData).version) && Number.isInteger((v as DiagnosticData).index);
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The single diagnostic a document gets when it could not be analysed at all. */
export function failureDiagnostic(message: string, range: Range = START): Diagnostic {
  return { range, severity: DiagnosticSeverity.Error, code: 'internal', source: SOURCE, message };
}

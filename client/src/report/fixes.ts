/**
 * Quick fixes for the report's diagnosis rows: a row that comes from an engine
 * finding (it has a rule id and a config line) gets the language server's own
 * quick fix for that diagnostic, the one the lightbulb offers there.
 */
import * as vscode from 'vscode';
import type { DiagnosisRow, ReportModel } from './model';
import { fileUri } from './panel';
import type { FixTitles } from './html';

/** How long to wait for the language server's diagnostics of a file it has just been given. */
const DIAGNOSTICS_WAIT_MS = 3000;

function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}

/** Resolves once the file has diagnostics from the server (or after a bound: it may have none). */
async function diagnosticsOf(uri: vscode.Uri): Promise<void> {
  if (vscode.languages.getDiagnostics(uri).length > 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, DIAGNOSTICS_WAIT_MS);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) done();
    });
    function done(): void {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
  });
}

/** The language server's quick fix for a diagnosis row, or undefined when it has none. */
export async function quickFixFor(row: DiagnosisRow): Promise<{ action: vscode.CodeAction; doc: vscode.TextDocument } | undefined> {
  if (!row.code || !row.at) return undefined;
  const uri = fileUri(row.at.file);
  const doc = await vscode.workspace.openTextDocument(uri);
  await diagnosticsOf(uri);
  const line = row.at.line - 1;
  if (line < 0 || line >= doc.lineCount) return undefined;
  // The diagnostic itself: its exact range asks the server for its fixes only (the actions VS Code returns
  // here do not say which diagnostic they fix).
  const diag = vscode.languages.getDiagnostics(uri).find((d) => codeOf(d) === row.code && d.range.start.line === line);
  if (!diag) return undefined;
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diag.range,
      vscode.CodeActionKind.QuickFix.value,
    )) ?? [];
  const fixes = actions.filter((a) => a.edit && (!a.diagnostics?.length || a.diagnostics.some((d) => codeOf(d) === row.code)));
  const action = fixes.find((a) => a.isPreferred) ?? fixes[0];
  return action ? { action, doc } : undefined;
}

export async function fixTitles(model: ReportModel, log?: (m: string) => void): Promise<FixTitles> {
  const out: FixTitles = {};
  for (const [i, row] of model.diagnosis.entries()) {
    try {
      const f = await quickFixFor(row);
      if (f) out[i] = f.action.title;
    } catch (e) {
      // No button for a row whose fix cannot be looked up.
      log?.(`nginx-ws: looking up the quick fix for "${row.message}" failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}

/** Applies the row's quick fix and saves the file (the server under test reads it from disk). Returns what was done. */
export async function applyQuickFix(row: DiagnosisRow): Promise<{ title: string; doc: vscode.TextDocument }> {
  const found = await quickFixFor(row);
  if (!found) throw new Error('No quick fix is available for this line any more (the file changed?).');
  const { action, doc } = found;
  if (!(await vscode.workspace.applyEdit(action.edit!))) throw new Error('The file changed while the fix was computed; try again.');
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...((action.command.arguments ?? []) as unknown[]));
  if (doc.isDirty && !(await doc.save()))
    throw new Error(`The fix was applied but ${vscode.workspace.asRelativePath(doc.uri)} could not be saved.`);
  return { title: action.title, doc };
}

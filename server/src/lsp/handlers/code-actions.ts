/**
 * Quick fixes (one per engine fix, linked to its diagnostic) and the
 * "fix all" source action. Edits name the document version the fix was
 * computed for, so the client refuses them if the text has moved on.
 */
import {
  CodeActionKind,
  TextDocumentEdit,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { FileEdit, Finding } from '../../engine/index';
import type { DocAnalysis } from '../analyzer';
import { guard, type Feature, type ServerContext } from '../context';
import { isDiagnosticData, SOURCE } from '../diagnostics';
import { combineFixes } from '../fix-all';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.nginxWs`;
export const FIX_ALL_TITLE = 'Fix all WebSocket problems in this file';

export const codeActionsFeature: Feature = {
  name: 'codeActions',
  capabilities: () => ({
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, FIX_ALL_KIND], resolveProvider: false },
  }),
  register(ctx) {
    ctx.connection.onCodeAction(guard(ctx, 'codeAction', [], (p: CodeActionParams) => codeActions(ctx, p)));
  },
};

function wants(only: string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

async function codeActions(ctx: ServerContext, p: CodeActionParams): Promise<CodeAction[]> {
  const uri = p.textDocument.uri;
  const actions: CodeAction[] = [];
  const only = p.context.only;
  if (wants(only, CodeActionKind.QuickFix)) {
    const state = ctx.analyzer.get(uri);
    if (state) {
      for (const diag of p.context.diagnostics) {
        if (diag.source !== SOURCE) continue;
        const finding = findingFor(state, diag);
        if (!finding) continue;
        finding.fixes.forEach((fix, i) => {
          actions.push({
            title: fix.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diag],
            isPreferred: fix.isPreferred ?? i === 0,
            edit: workspaceEdit(ctx, state, fix.changes),
          });
        });
      }
    }
  }
  if (wants(only, FIX_ALL_KIND)) {
    const fixAll = await fixAllAction(ctx, uri);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

/** The finding a diagnostic came from, only if it belongs to the analysis still held (a stale diagnostic gets no fix). */
function findingFor(state: DocAnalysis, diag: Diagnostic): Finding | undefined {
  if (isDiagnosticData(diag.data)) {
    if (diag.data.version !== state.version) return undefined;
    const f = state.findings[diag.data.index];
    return f && f.code === diag.code ? f : undefined;
  }
  // Clients that drop `data`: match on what the diagnostic shows.
  return state.findings.find(
    (f) =>
      f.code === diag.code &&
      f.message === diag.message &&
      f.range.start.line === diag.range.start.line &&
      f.range.start.character === diag.range.start.character &&
      f.range.end.line === diag.range.end.line &&
      f.range.end.character === diag.range.end.character,
  );
}

export async function fixAllAction(ctx: ServerContext, uri: string): Promise<CodeAction | undefined> {
  const state = await ctx.analyzer.current(uri);
  if (!state) return undefined;
  const fixes = state.findings.filter((f) => f.fixes.length > 0).map((f) => f.fixes.find((x) => x.isPreferred) ?? f.fixes[0]!);
  if (fixes.length === 0) return undefined;
  const combined = combineFixes(fixes);
  if (combined.changes.length === 0) return undefined;
  return { title: FIX_ALL_TITLE, kind: FIX_ALL_KIND, edit: workspaceEdit(ctx, state, combined.changes) };
}

function workspaceEdit(ctx: ServerContext, state: DocAnalysis, changes: FileEdit[]): WorkspaceEdit {
  const edits = changes.map((c) => ({ uri: ctx.analyzer.uriOf(c.path), version: state.reads.get(c.path) ?? null, edits: c.edits as TextEdit[] }));
  if (ctx.clientCapabilities.workspace?.workspaceEdit?.documentChanges) {
    return { documentChanges: edits.map((e) => TextDocumentEdit.create({ uri: e.uri, version: e.version }, e.edits)) };
  }
  const out: Record<string, TextEdit[]> = {};
  for (const e of edits) out[e.uri] = [...(out[e.uri] ?? []), ...e.edits];
  return { changes: out };
}

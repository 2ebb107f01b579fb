/**
 * Quick fixes (one per engine fix, linked to its diagnostic) and the
 * "fix all" source action. Edits name the document version the fix was
 * computed for, so the client refuses them if the text has moved on.
 */
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type WorkspaceEdit } from 'vscode-languageserver/node';
import { type FileEdit, type Finding, type Fix, combineFixes } from '../../engine/index';
import type { DocAnalysis } from '../analyzer';
import { guard, type Feature, type ServerContext } from '../context';
import { isDiagnosticData, SOURCE } from '../diagnostics';
import { toWorkspaceEdit } from '../edits';
import { uriToPath } from '../../node/paths';

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
    for (const diag of p.context.diagnostics) {
      if (diag.source !== SOURCE) continue;
      const hit = await findingFor(ctx, uri, diag);
      if (!hit) continue;
      hit.finding.fixes.forEach((fix, i) => {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diag],
          isPreferred: fix.isPreferred ?? i === 0,
          edit: workspaceEdit(ctx, (path) => hit.state.reads.get(path) ?? null, fix.changes),
        });
      });
    }
  }
  if (wants(only, FIX_ALL_KIND)) {
    const fixAll = await fixAllAction(ctx, uri);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

/**
 * The finding a diagnostic came from, only while the analysis that produced it
 * is still the current one (a stale diagnostic gets no fix; the client asks
 * again once the new diagnostics are in). The finding must show what the
 * diagnostic shows (code and range): the front's replica thread, which
 * answers when the primary is busy, made its own analysis of the same text.
 */
async function findingFor(
  ctx: ServerContext,
  uri: string,
  diag: Diagnostic,
): Promise<{ state: DocAnalysis; finding: Finding } | undefined> {
  const path = uriToPath(uri);
  if (isDiagnosticData(diag.data)) {
    const state = await stateOf(ctx, diag.data.root ?? uri, diag.data.version);
    if (!state || diag.data.version !== state.version) return undefined;
    const finding = state.findingsByPath.get(path)?.[diag.data.index];
    return finding && finding.code === diag.code && sameRange(finding, diag) ? { state, finding } : undefined;
  }
  // Clients that drop `data`: match on what the diagnostic shows, in the document's own analysis.
  const state = await stateOf(ctx, uri);
  const finding = state?.findings.find((f) => f.code === diag.code && f.message === diag.message && sameRange(f, diag));
  return state && finding ? { state, finding } : undefined;
}

/** The analysis kept for `uri`, or (when it has none of that version: the replica thread) one made now. */
async function stateOf(ctx: ServerContext, uri: string, version?: number): Promise<DocAnalysis | undefined> {
  const kept = ctx.analyzer.get(uri);
  if (kept && (version === undefined || kept.version === version)) return kept;
  return (await ctx.analyzer.current(uri)) ?? kept;
}

function sameRange(f: Finding, d: Diagnostic): boolean {
  return (
    f.range.start.line === d.range.start.line &&
    f.range.start.character === d.range.start.character &&
    f.range.end.line === d.range.end.line &&
    f.range.end.character === d.range.end.character
  );
}

/** One action applying the preferred fix of every finding in the document, from every analysis that reports on it. */
export async function fixAllAction(ctx: ServerContext, uri: string): Promise<CodeAction | undefined> {
  const path = uriToPath(uri);
  const reporters = await ctx.analyzer.reportersOf(uri);
  const fixes: Fix[] = [];
  const versions = new Map<string, number | null>();
  for (const state of reporters) {
    for (const f of state.findingsByPath.get(path) ?? []) {
      if (f.fixes.length) fixes.push(f.fixes.find((x) => x.isPreferred) ?? f.fixes[0]!);
    }
    for (const [p, v] of state.reads) if (!versions.has(p)) versions.set(p, v);
  }
  if (fixes.length === 0) return undefined;
  const combined = combineFixes(fixes);
  if (combined.changes.length === 0) return undefined;
  return { title: FIX_ALL_TITLE, kind: FIX_ALL_KIND, edit: workspaceEdit(ctx, (p) => versions.get(p) ?? null, combined.changes) };
}

function workspaceEdit(ctx: ServerContext, versionOf: (path: string) => number | null, changes: FileEdit[]): WorkspaceEdit {
  return toWorkspaceEdit(ctx.clientCapabilities, (p) => ctx.analyzer.uriOf(p), versionOf, changes);
}

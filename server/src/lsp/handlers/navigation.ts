/**
 * Go to definition, find references, rename (upstreams) and document links
 * (includes), across the files of the config (engine/features/navigation).
 * Paths from the engine become the client's URIs for open files.
 */
import {
  ResponseError,
  ErrorCodes,
  type DefinitionParams,
  type DocumentLink,
  type DocumentLinkParams,
  type Location,
  type PrepareRenameParams,
  type Range,
  type ReferenceParams,
  type RenameParams,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { definition, documentLinks, prepareRename, references, rename } from '../../engine/index';
import { guard, openAnalysis, type Feature, type ServerContext } from '../context';
import { toWorkspaceEdit } from '../edits';

export const navigationFeature: Feature = {
  name: 'navigation',
  capabilities: () => ({
    definitionProvider: true,
    referencesProvider: true,
    renameProvider: { prepareProvider: true },
    documentLinkProvider: { resolveProvider: false },
  }),
  register(ctx) {
    const loc = (l: { path: string; range: Range }): Location => ({ uri: ctx.analyzer.uriOf(l.path), range: l.range });
    const opts = () => ({ host: ctx.analyzer.fileHost(), prefix: ctx.settings().prefix });

    ctx.connection.onDefinition(
      guard(ctx, 'definition', [], async (p: DefinitionParams): Promise<Location[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? definition(a.analysis, a.state.analysedPath, p.position, opts()).map(loc) : [];
      }),
    );
    ctx.connection.onReferences(
      guard(ctx, 'references', [], async (p: ReferenceParams): Promise<Location[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? references(a.analysis, a.state.analysedPath, p.position, p.context.includeDeclaration).map(loc) : [];
      }),
    );
    ctx.connection.onPrepareRename(
      guard(ctx, 'prepareRename', null, async (p: PrepareRenameParams) => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? prepareRename(a.analysis, a.state.analysedPath, p.position) : null;
      }),
    );
    // Not guarded: an invalid name must reach the user as an error, not as "nothing to rename".
    ctx.connection.onRenameRequest(async (p: RenameParams): Promise<WorkspaceEdit | null> => renameRequest(ctx, p));
    ctx.connection.onDocumentLinks(
      guard(ctx, 'documentLink', [], async (p: DocumentLinkParams): Promise<DocumentLink[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        if (!a) return [];
        return documentLinks(a.analysis, a.state.analysedPath, opts()).map((l) => ({
          range: l.range,
          target: ctx.analyzer.uriOf(l.target),
          tooltip: l.tooltip,
        }));
      }),
    );
  },
};

async function renameRequest(ctx: ServerContext, p: RenameParams): Promise<WorkspaceEdit | null> {
  try {
    const a = await openAnalysis(ctx, p.textDocument.uri);
    if (!a) return null;
    const edit = rename(a.analysis, a.state.analysedPath, p.position, p.newName);
    return edit
      ? toWorkspaceEdit(
          ctx.clientCapabilities,
          (x) => ctx.analyzer.uriOf(x),
          (x) => a.state.reads.get(x) ?? null,
          edit.changes,
        )
      : null;
  } catch (e) {
    throw new ResponseError(ErrorCodes.InvalidParams, e instanceof Error ? e.message : String(e));
  }
}

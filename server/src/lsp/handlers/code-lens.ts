/** "▶ Test WebSocket endpoint" above every WebSocket location of the document. */
import type { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import { guard, type Feature, type ServerContext } from '../context';
import { CODE_LENS_TITLE, TEST_ENDPOINT_COMMAND, type TestEndpointArgs } from '../protocol';

export const codeLensFeature: Feature = {
  name: 'codeLens',
  capabilities: () => ({ codeLensProvider: { resolveProvider: false } }),
  register(ctx) {
    ctx.connection.onCodeLens(guard(ctx, 'codeLens', [], (p: CodeLensParams) => codeLenses(ctx, p.textDocument.uri)));
  },
};

async function codeLenses(ctx: ServerContext, uri: string): Promise<CodeLens[]> {
  const state = await ctx.analyzer.current(uri);
  if (!state?.analysis) return [];
  return state.analysis.wsLocations
    .filter((loc) => loc.path === state.analysedPath)
    .map((loc) => {
      const args: TestEndpointArgs = { uri, range: loc.range, locationPath: loc.locationPath, modifier: loc.modifier };
      return { range: loc.range, command: { title: CODE_LENS_TITLE, command: TEST_ENDPOINT_COMMAND, arguments: [args] } };
    });
}

/** A fingerprint of the lenses, so the client is only asked to refresh when they moved. */
export function lensSignature(locations: { path: string; range: { start: { line: number } } }[], path: string): string {
  return locations
    .filter((l) => l.path === path)
    .map((l) => l.range.start.line)
    .join(',');
}

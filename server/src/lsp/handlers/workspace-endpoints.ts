/**
 * `nginxWs/workspaceEndpoints`: every WebSocket location of the workspace's
 * configs, for the client's "WebSocket endpoints" view. The configs are the
 * config roots the server already finds (`nginxWs.configRoots`, else the
 * workspace search) plus open documents that no root includes; each is
 * analysed over open buffers and disk, and listed by `listEndpoints`, the
 * function `nginx-ws endpoints` prints too.
 */
import { analyze, type Analysis, listEndpoints } from '../../engine/index';
import { guard, type Feature, type ServerContext } from '../context';
import {
  WORKSPACE_ENDPOINTS_REQUEST,
  type WorkspaceConfigEndpoints,
  type WorkspaceEndpointsParams,
  type WorkspaceEndpointsResult,
} from '../protocol';

/** A workspace with more configs than this lists the first ones and says so. */
export const MAX_CONFIGS = 50;

export const workspaceEndpointsFeature: Feature = {
  name: 'workspaceEndpoints',
  capabilities: () => ({}),
  register(ctx) {
    ctx.connection.onRequest(
      WORKSPACE_ENDPOINTS_REQUEST,
      guard(
        ctx,
        WORKSPACE_ENDPOINTS_REQUEST,
        { configs: [], notes: ['the endpoint list failed; see the language server log'] },
        (p: WorkspaceEndpointsParams) => workspaceEndpoints(ctx, p ?? {}),
      ),
    );
  },
};

async function workspaceEndpoints(ctx: ServerContext, p: WorkspaceEndpointsParams): Promise<WorkspaceEndpointsResult> {
  const baseUrl = typeof p.baseUrl === 'string' && p.baseUrl.trim() ? p.baseUrl.trim() : undefined;
  await ctx.analyzer.whenReady();
  const notes: string[] = [];
  const analyses = new Map<string, Analysis>();
  // Open documents first: their analysis is current with unsaved edits, and one analysed on its own is a config too.
  for (const doc of ctx.documents.all()) {
    const state = await ctx.analyzer.current(doc.uri);
    if (state?.analysis && state.rootPath === state.path && !analyses.has(state.rootPath)) analyses.set(state.rootPath, state.analysis);
  }
  const roots = ctx.analyzer.roots.candidateRoots();
  for (const root of roots) {
    if (analyses.has(root)) continue;
    if (analyses.size >= MAX_CONFIGS) {
      notes.push(`only the first ${MAX_CONFIGS} configs are listed; set nginxWs.configRoots to choose them`);
      break;
    }
    try {
      analyses.set(root, analyze(root, ctx.analyzer.fileHost(), ctx.analyzer.engineSettings(root)));
    } catch (e) {
      notes.push(`${root}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const order = (path: string): number => {
    const i = roots.indexOf(path);
    return i < 0 ? roots.length : i;
  };
  const configs: WorkspaceConfigEndpoints[] = [];
  for (const [root, analysis] of [...analyses].sort((a, b) => order(a[0]) - order(b[0]) || (a[0] < b[0] ? -1 : 1))) {
    const endpoints = listEndpoints(analysis, { baseUrl }).map((e) => ({ ...e, uri: ctx.analyzer.uriOf(e.file) }));
    if (endpoints.length === 0) continue;
    configs.push({ configPath: root, configUri: ctx.analyzer.uriOf(root), endpoints });
  }
  return { configs, notes };
}

/**
 * `nginxWs/endpointContext`: everything the client's "Test WebSocket
 * endpoint" command needs for a location — the derived URL, the proxy target,
 * the engine's findings there, the config file for `nginx -t`.
 */
import * as nodePath from 'node:path';
import { errorLogFor } from '../../nginx/error-log';
import type { Position, Range } from 'vscode-languageserver/node';
import {
  deriveEndpoint,
  findingsWithin,
  locationContext,
  type WsLocation,
  traceLocationDirective,
  traceUrl,
  type TraceReport,
} from '../../engine/index';
import type { DocAnalysis } from '../analyzer';
import { guard, type Feature, type ServerContext } from '../context';
import { isDiskPath } from '../../node/paths';
import { ENDPOINT_CONTEXT_REQUEST, type EndpointContext, type EndpointContextParams, type EndpointContextResult } from '../protocol';

export const endpointContextFeature: Feature = {
  name: 'endpointContext',
  capabilities: () => ({}),
  register(ctx) {
    ctx.connection.onRequest(
      ENDPOINT_CONTEXT_REQUEST,
      guard(ctx, ENDPOINT_CONTEXT_REQUEST, { endpoints: [] }, (p: EndpointContextParams) => endpointContext(ctx, p)),
    );
  },
};

async function endpointContext(ctx: ServerContext, p: EndpointContextParams): Promise<EndpointContextResult> {
  if (!p || typeof p.uri !== 'string') return { endpoints: [] };
  const state = await ctx.analyzer.current(p.uri);
  if (!state?.analysis) return { endpoints: [] };
  let locations = state.analysis.wsLocations.filter((l) => l.path === state.analysedPath);
  if (p.position) {
    const containing = locations.filter((l) => contains(l.directive.range, p.position!));
    // Nested locations: the innermost one is meant.
    locations = containing.sort((a, b) => b.directive.start - a.directive.start).slice(0, 1);
  }
  return { endpoints: locations.map((l) => describe(ctx, state, l, p)) };
}

function describe(ctx: ServerContext, state: DocAnalysis, loc: WsLocation, p: EndpointContextParams): EndpointContext {
  const analysis = state.analysis!;
  const path = typeof p.path === 'string' && p.path.startsWith('/') ? p.path : undefined;
  const baseUrl = typeof p.baseUrl === 'string' && p.baseUrl ? p.baseUrl : undefined;
  const derived = deriveEndpoint(loc, analysis.upstreams, { path, baseUrl });
  return {
    uri: state.uri,
    configPath: state.rootPath,
    configOnDisk: isDiskPath(state.rootPath),
    location: {
      path: loc.locationPath,
      modifier: loc.modifier,
      isRegex: loc.modifier === '~' || loc.modifier === '~*',
      needsPath: derived.needsPath,
      range: loc.range,
      file: loc.path,
    },
    origin: derived.origin,
    url: derived.url,
    serverName: derived.serverName,
    proxyPass: loc.proxyPass?.arg(0) ?? null,
    backendUrl: derived.backendUrl,
    notes: derived.notes,
    placeholders: derived.placeholders,
    errorLogPath: errorLogPath(ctx, state, loc),
    findings: findingsWithin(loc, state.findings).map((f) => ({
      path: f.path,
      code: f.code,
      severity: f.severity,
      message: f.message,
      range: f.range,
    })),
    context: locationContext(loc),
    prediction: predict(ctx, state, loc, path, baseUrl),
  };
}

function errorLogPath(ctx: ServerContext, state: DocAnalysis, loc: WsLocation): string | null {
  const prefix = ctx.settings().prefix || (isDiskPath(state.rootPath) ? nodePath.dirname(state.rootPath) : '');
  return errorLogFor(state.analysis!, loc, prefix);
}

function contains(r: Range, p: Position): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

/**
 * The request model's prediction for the handshake the test will send: a
 * client's handshake to the location's URL through the config in the
 * editor. With a base URL (deployed elsewhere), the handshake as it arrives
 * in the location; a regex location needs the path the user typed.
 */
function predict(
  ctx: ServerContext,
  state: DocAnalysis,
  loc: WsLocation,
  path: string | undefined,
  baseUrl: string | undefined,
): TraceReport | null {
  const analysis = state.analysis!;
  const nginxVersion = ctx.analyzer.engineSettings(state.analysedPath).nginxVersion;
  if (path && !baseUrl) {
    const derived = deriveEndpoint(loc, analysis.upstreams, { path });
    if (derived.url) {
      const r = traceUrl(analysis, derived.url, { nginxVersion });
      return typeof r === 'string' ? null : r;
    }
  }
  const t = traceLocationDirective(analysis, loc.directive, nginxVersion);
  if (!t) return null;
  return baseUrl ? t.at : (t.routed ?? t.at);
}

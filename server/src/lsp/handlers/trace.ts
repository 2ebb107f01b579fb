/**
 * `nginxWs/trace`: the request model for the "Trace a request…" command —
 * the URL a location serves (to prefill the box), and the trace of any URL
 * through the config the document belongs to, each step with its line.
 */
import { traceLocationDirective, traceUrl, type Directive } from '../../engine/index';
import { guard, type Feature, type ServerContext } from '../context';
import { TRACE_REQUEST, type TraceParams, type TraceResult } from '../protocol';

export const traceFeature: Feature = {
  name: 'trace',
  capabilities: () => ({}),
  register(ctx) {
    ctx.connection.onRequest(
      TRACE_REQUEST,
      guard(ctx, TRACE_REQUEST, { url: null, report: null, configPath: null }, (p: TraceParams) => traceRequest(ctx, p)),
    );
  },
};

const MAX_URL = 8192;

async function traceRequest(ctx: ServerContext, p: TraceParams): Promise<TraceResult> {
  if (!p || typeof p.uri !== 'string') return { url: null, report: null, configPath: null, error: 'no document' };
  const state = await ctx.analyzer.current(p.uri);
  const analysis = state?.analysis;
  if (!state || !analysis) return { url: null, report: null, configPath: null, error: 'the document has no analysis yet' };
  const nginxVersion = ctx.analyzer.engineSettings(state.analysedPath).nginxVersion;
  if (typeof p.url !== 'string' || !p.url) {
    const file = analysis.files.get(state.analysedPath);
    let url: string | null = null;
    if (file && p.position) {
      // The innermost location around the cursor.
      let d: Directive | null = file.directiveAt(file.lines.offsetAt(p.position));
      while (d && d.name !== 'location') d = d.parent;
      if (d) url = traceLocationDirective(analysis, d, nginxVersion)?.url ?? null;
    }
    return { url, report: null, configPath: state.rootPath };
  }
  if (p.url.length > MAX_URL)
    return { url: null, report: null, configPath: state.rootPath, error: `the URL is longer than ${MAX_URL} characters` };
  const headers = Array.isArray(p.headers)
    ? p.headers
        .filter((h) => h && typeof h.name === 'string' && typeof h.value === 'string' && !/[\r\n\0]/.test(h.name + h.value))
        .slice(0, 64)
    : undefined;
  const report = traceUrl(analysis, p.url, {
    headers,
    method: typeof p.method === 'string' ? p.method : undefined,
    plain: !!p.plain,
    nginxVersion,
  });
  if (typeof report === 'string') return { url: p.url, report: null, configPath: state.rootPath, error: report };
  return { url: p.url, report, configPath: state.rootPath };
}

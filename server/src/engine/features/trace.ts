/**
 * The request model in the editor: what a WebSocket handshake to a location
 * becomes (hover on `location` / `proxy_pass`), the URL a location serves
 * (to prefill "Trace a request…"), and the trace of any URL through the
 * config. Pure functions over an Analysis.
 */
import type { Directive } from '../syntax/ast';
import type { Analysis } from '../analyze';
import type { Scope } from '../model/config';
import { handshakeFor, serverTarget } from '../request/handshake';
import { requestFor, type Header } from '../request/http';
import { traceReport, traceMarkdown, type TraceReport } from '../request/report';
import { trace, traceLocation } from '../request/trace';

export interface LocationTraces {
  url: string;
  /** The handshake traced from inside the location. */
  at: TraceReport;
  /** The same handshake from a client (null when the location has no concrete path). */
  routed: TraceReport | null;
}

/** The location scope a `location` or `proxy_pass` directive belongs to. */
function locationScope(analysis: Analysis, d: Directive): Scope | null {
  for (let x: Directive | null = d; x; x = x.parent) {
    if (x.name === 'location' && x.block) return analysis.model.scopeOf.get(x) ?? null;
  }
  return null;
}

function serverOf(scope: Scope): Scope | null {
  for (let s: Scope | null = scope.parent; s; s = s.parent) if (s.kind === 'server') return s;
  return null;
}

export function traceLocationDirective(analysis: Analysis, d: Directive, nginxVersion = ''): LocationTraces | null {
  const scope = locationScope(analysis, d);
  if (!scope) return null;
  const node = analysis.requests.locations.nodeOf(scope);
  if (!node) return null;
  const server = serverOf(scope);
  const hs = handshakeFor(node, serverTarget(server?.items ?? []));
  const opts = { nginxVersion };
  const at = traceReport(traceLocation(analysis.requests, scope, hs.request, opts), hs.url);
  const routed = hs.concretePath && server ? traceReport(trace(analysis.requests, hs.request, opts), hs.url) : null;
  return { url: hs.url, at, routed };
}

/** Whether hovering this directive shows a handshake trace: a `location` that proxies, or its `proxy_pass`. */
export function tracesOnHover(analysis: Analysis, d: Directive): boolean {
  if (d.name === 'proxy_pass') return true;
  if (d.name !== 'location' || !d.block) return false;
  const scope = analysis.model.scopeOf.get(d);
  if (!scope) return false;
  const proxies = (s: Scope) => s.items.some((x) => x.name === 'proxy_pass');
  return proxies(scope) || scope.children.some((c) => c.kind === 'if' && proxies(c));
}

/** Hover Markdown for a `location` or `proxy_pass`; null for other directives. */
export function traceHover(analysis: Analysis, d: Directive, nginxVersion = ''): string | null {
  if (!tracesOnHover(analysis, d)) return null;
  const t = traceLocationDirective(analysis, d, nginxVersion);
  return t ? traceMarkdown(t.at, t.routed) : null;
}

/** The trace of a request for `url` through the whole config (the "Trace a request…" command and `nginx-ws trace`). */
export function traceUrl(
  analysis: Analysis,
  url: string,
  opts: { headers?: Header[]; method?: string; plain?: boolean; nginxVersion?: string } = {},
): TraceReport | string {
  const req = requestFor(url, { headers: opts.headers, method: opts.method, plain: opts.plain });
  if (typeof req === 'string') return req;
  return traceReport(trace(analysis.requests, req, { nginxVersion: opts.nginxVersion ?? '' }), url);
}

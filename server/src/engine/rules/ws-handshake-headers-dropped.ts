import { head, type Directive } from '../syntax/ast';
import type { FileEdit } from '../types';
import { fix, removeDirective } from '../fixes/edits';
import { nearestLast } from '../model/config';
import { addToLocation, locationAsWritten, type Rule } from './rule';

const HANDSHAKE = ['sec-websocket-key', 'sec-websocket-version'];

/** A header name of HANDSHAKE in any case; lower-cased only when its length fits (a config sets other headers 100,000 times). */
function isHandshakeHeader(name: string): boolean {
  return HANDSHAKE.some((h) => name.length === h.length && name.toLowerCase() === h);
}

export const wsHandshakeHeadersDropped: Rule = {
  id: 'ws-handshake-headers-dropped',
  defaultSeverity: 'error',
  title: "The client's Sec-WebSocket-* headers never reach the backend",
  why:
    'The backend needs the Sec-WebSocket-Key (it computes Sec-WebSocket-Accept from it) and Sec-WebSocket-Version 13. nginx passes them ' +
    'as ordinary request headers, unless `proxy_pass_request_headers off` drops every client header or a `proxy_set_header` replaces or ' +
    'blanks them: the backend then answers 400 or 426 (measured with nginx 1.22).',
  href: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass_request_headers',
  versions: 'all',
  check(ctx) {
    if (
      !ctx.anywhere('proxy_pass_request_headers', (d) => d.arg(0) === 'off') &&
      !ctx.anywhere('proxy_set_header', (d) => isHandshakeHeader(d.arg(0) ?? ''))
    )
      return;
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue;
      // Only `proxy_pass_request_headers off` or a proxy_set_header of these names keeps them from the backend.
      if (
        !ctx.forceTraces &&
        nearestLast(loc.scope, 'proxy_pass_request_headers')?.directive.arg(0) !== 'off' &&
        !loc.headers.some((h) => HANDSHAKE.includes(h.name))
      )
        continue;
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      const at = ctx.traceAt(loc);
      const t = at?.trace;
      const req = t?.backendRequest;
      if (!at || !t || !req) continue;
      const reported = new Set<Directive | null>();
      for (const name of HANDSHAKE) {
        const sent = req.headers.find((h) => h.name.toLowerCase() === name);
        const client = at.handshake.request.headers.find((h) => h.name.toLowerCase() === name)!;
        if (sent && sent.from === 'client') continue;
        if (sent && typeof sent.value === 'string' && sent.value === client.value) continue;
        const culprit: Directive | null =
          sent && typeof sent.from !== 'string' ? sent.from : (req.dropped.find((d) => d.name.toLowerCase() === name)?.directive ?? null);
        if (reported.has(culprit)) continue;
        reported.add(culprit);
        const inLocation =
          !!culprit && culprit.file === loc.directive.file && culprit.start > loc.directive.start && culprit.end < loc.directive.end;
        const edits: FileEdit[] = [];
        let title = '';
        if (culprit && inLocation) {
          edits.push(removeDirective(culprit));
          title = `Remove "${culprit.text.replace(/\s+/g, ' ')}"`;
        } else if (culprit?.name === 'proxy_pass_request_headers') {
          title = 'Add "proxy_pass_request_headers on;"';
        }
        const what = sent
          ? `gets ${client.name}: ${typeof sent.value === 'string' ? sent.value : `(unknown: ${sent.value.why})`} instead of the client's`
          : `gets no ${client.name}`;
        ctx.report({
          at: culprit && inLocation ? culprit : head(loc.directive),
          message: `The backend of ${locationAsWritten(loc.directive)} ${what}${culprit ? ` (${culprit.text.replace(/\s+/g, ' ')})` : ''}: it cannot complete the WebSocket handshake and answers ${t.outcome.kind === 'status' ? t.outcome.status : '400'}`,
          related: culprit && !inLocation ? [{ at: culprit, message: 'set here' }] : [],
          fixes: edits.length
            ? [fix(title, edits)]
            : culprit?.name === 'proxy_pass_request_headers'
              ? [addToLocation(loc, ['proxy_pass_request_headers on;'], title)]
              : [],
        });
      }
    }
  },
};

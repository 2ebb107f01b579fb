import { fix, removeDirective } from '../fixes/edits';
import { nearest } from '../model/config';
import { head } from '../syntax/ast';
import { addToLocation, locationAsWritten, type Rule } from './rule';

const NEEDED = ['upgrade', 'sec-websocket-accept'];

export const ws101HeaderHidden: Rule = {
  id: 'ws-101-header-hidden',
  defaultSeverity: 'error',
  title: 'proxy_hide_header removes a header the client needs from the 101',
  why:
    'A WebSocket client accepts the 101 only with "Upgrade: websocket" and the Sec-WebSocket-Accept the backend computed. ' +
    '`proxy_hide_header Upgrade` or `proxy_hide_header Sec-WebSocket-Accept` strips it from the response nginx passes on: the backend ' +
    'switched protocols, but the client fails the handshake (measured: the `ws` client reports an invalid Upgrade header).',
  href: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_hide_header',
  versions: 'all',
  check(ctx) {
    if (!ctx.anywhere('proxy_hide_header', (d) => NEEDED.includes(d.arg(0)?.toLowerCase() ?? ''))) return;
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue;
      // Only a proxy_hide_header of these names hides them.
      if (
        !ctx.forceTraces &&
        !(nearest(loc.scope, 'proxy_hide_header')?.directives ?? []).some((d) => NEEDED.includes(d.arg(0)?.toLowerCase() ?? ''))
      )
        continue;
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      const at = ctx.traceAt(loc);
      const hidden = at?.trace.proxy?.hidden ?? [];
      for (const h of hidden) {
        if (!h.directive || !NEEDED.includes(h.name.toLowerCase())) continue;
        const d = h.directive;
        const own = d.file === loc.directive.file && d.start > loc.directive.start && d.end < loc.directive.end;
        ctx.report({
          at: own ? d : head(loc.directive),
          message: `${own ? '' : `${locationAsWritten(loc.directive)} inherits `}proxy_hide_header ${h.name}: the 101 reaches the client without ${h.name}, and the client refuses the WebSocket`,
          related: own ? [] : [{ at: d, message: 'hidden here' }],
          fixes: [
            own
              ? fix(`Remove "proxy_hide_header ${h.name};"`, [removeDirective(d)])
              : addToLocation(loc, [`proxy_pass_header ${h.name};`], `Add "proxy_pass_header ${h.name};"`),
          ],
        });
      }
    }
  },
};

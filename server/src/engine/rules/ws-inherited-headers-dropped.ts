import { insertLines, fix } from '../fixes/edits';
import { locationAsWritten, type Rule } from './rule';

export const wsInheritedHeadersDropped: Rule = {
  id: 'ws-inherited-headers-dropped',
  defaultSeverity: 'error',
  title: 'A proxy_set_header list hides the inherited Upgrade/Connection headers',
  why:
    'nginx does not merge proxy_set_header lists: a level that sets any proxy_set_header replaces the whole inherited list. ' +
    'Headers set in server {} or http {} vanish as soon as the location sets, say, Host, and WebSocket requests get 426 (measured).',
  href: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header',
  versions: 'all',
  check(ctx) {
    for (const loc of ctx.webSocketLocations) {
      if (!loc.hidden.length || !loc.headersFrom) continue;
      const level = loc.headersFrom;
      const first = loc.headers[0]!.directive;
      const names = loc.hidden.map((h) => (h.name === 'upgrade' ? 'Upgrade' : 'Connection')).join(' and ');
      const where = level.directive
        ? level.kind === 'location'
          ? locationAsWritten(level.directive)
          : `this ${level.kind} block`
        : 'this block';
      const lines = loc.hiddenAll.map((h) => h.directive.text.replace(/\s+/g, ' ').replace(/\s*;$/, ';'));
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      ctx.report({
        at: first,
        message: `${where} sets its own proxy_set_header, which replaces the inherited list: the ${names} header${loc.hidden.length > 1 ? 's' : ''} set above ${loc.hidden.length > 1 ? 'are' : 'is'} no longer sent and WebSocket requests get 426`,
        related: loc.hidden.map((h) => ({ at: h.directive, message: 'inherited header hidden by the nearer proxy_set_header list' })),
        fixes: [
          fix('Copy the inherited proxy_set_header lines into this block', [
            insertLines(level.directive!.block!, lines, (d) => d.name === 'proxy_set_header'),
          ]),
        ],
      });
    }
  },
};

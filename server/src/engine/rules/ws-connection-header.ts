import { lastHeader, connectionValueUpgrades } from '../model/websocket';
import { proxyUpstream } from '../model/websocket';
import { hasOwn } from '../model/config';
import { replaceArgs, fix } from '../fixes/edits';
import { head } from '../syntax/ast';
import { addToLocation, connectionValue, locationAsWritten, type Rule } from './rule';

export const wsConnectionHeader: Rule = {
  id: 'ws-connection-header',
  defaultSeverity: 'error',
  title: 'WebSocket location does not send "Connection: upgrade"',
  why:
    'Connection is hop-by-hop: without `proxy_set_header Connection "upgrade"` (any case) or a `$connection_upgrade` map, ' +
    'or with `close`, `""` or `keep-alive`, nginx sends no upgrade request and the backend answers 426 (measured).',
  href: 'https://nginx.org/en/docs/http/websocket.html',
  versions: 'all',
  check(ctx) {
    const locations = ctx.webSocketLocations;
    for (let i = 0; i < locations.length; i++) {
      const loc = locations[i]!;
      if (loc.intent === 'path') continue;
      const conn = lastHeader(loc, 'connection');
      if (!conn) {
        if (loc.hidden.some((h) => h.name === 'connection')) continue; // ws-inherited-headers-dropped
        const value = connectionValue(ctx);
        if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
        ctx.report({
          at: head(loc.directive),
          message: `${locationAsWritten(loc.directive)} proxies WebSocket traffic but never sets "proxy_set_header Connection": nginx sends no upgrade request and the backend answers 426`,
          fixes: [addToLocation(loc, [`proxy_set_header Connection ${value};`], `Add "proxy_set_header Connection ${value};"`)],
        });
        continue;
      }
      if (connectionValueUpgrades(conn.value)) continue;
      // A variable is evaluated for a real handshake by ws-upgrade-value.
      if (conn.value.includes('$')) continue;
      // `Connection ""` next to upstream keepalive is the keep-alive recipe clash, reported by its own rule.
      const upstream = proxyUpstream(ctx.model, loc.proxyPass);
      if (conn.value.trim() === '' && upstream && hasOwn(upstream, 'keepalive')) continue;
      const value = connectionValue(ctx);
      const shown = conn.directive.args[1]?.raw ?? '(nothing)';
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      ctx.report({
        at: conn.directive,
        message: `"proxy_set_header Connection ${shown}" in a WebSocket location: the backend gets no "Connection: upgrade" and answers 426; use "upgrade" or $connection_upgrade`,
        fixes: [fix(`Set Connection to ${value}`, [replaceArgs(conn.directive, `Connection ${value}`)])],
      });
    }
  },
};

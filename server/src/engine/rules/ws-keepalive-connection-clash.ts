import { own } from '../model/config';
import { lastHeader, proxyUpstream } from '../model/websocket';
import { replaceArgs, fix } from '../fixes/edits';
import type { FileEdit } from '../types';
import { connectionUpgradeMap, upgradeMapVariable, type Rule } from './rule';

export const wsKeepaliveConnectionClash: Rule = {
  id: 'ws-keepalive-connection-clash',
  defaultSeverity: 'error',
  title: 'The upstream keep-alive recipe clashes with the WebSocket recipe',
  why:
    'Upstream keepalive needs `proxy_set_header Connection ""`; WebSocket needs "Connection: upgrade". In one location the keep-alive ' +
    'recipe wins and WebSocket requests get 426 (measured). A map that yields "upgrade" for upgrades and "" otherwise serves both.',
  href: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive',
  versions: 'all',
  check(ctx) {
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue;
      const conn = lastHeader(loc, 'connection');
      if (!conn || conn.value.trim() !== '') continue;
      const upstream = proxyUpstream(ctx.model, loc.proxyPass);
      const keepalive = upstream ? own(upstream, 'keepalive')[0] : undefined;
      if (!upstream || !keepalive) continue;
      // An upgrade map that exists under another name is reused, not doubled.
      const existing = upgradeMapVariable(ctx);
      const parts: FileEdit[] = [replaceArgs(conn.directive, `Connection $${existing ?? 'connection_upgrade'}`)];
      const map = existing ? null : connectionUpgradeMap(ctx, loc.scope);
      if (map) parts.push(map);
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      ctx.report({
        at: conn.directive,
        message: `Connection "" is the upstream keep-alive recipe (upstream ${upstream.directive!.arg(0)!} has keepalive); in this WebSocket location it strips the upgrade and WebSocket requests get 426`,
        related: [{ at: keepalive, message: 'upstream keepalive is enabled here' }],
        fixes: [fix("Use $connection_upgrade (map: upgrade for WebSocket, '' keeps keep-alive)", parts)],
      });
    }
  },
};

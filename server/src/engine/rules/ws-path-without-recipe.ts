import { nearest } from '../model/config';
import { head } from '../syntax/ast';
import { connectionValue, addToLocation, locationAsWritten, type Rule } from './rule';

export const wsPathWithoutRecipe: Rule = {
  id: 'ws-path-without-recipe',
  defaultSeverity: 'warning',
  title: 'Location looks like a WebSocket endpoint but has no WebSocket recipe',
  why:
    'The path (ws, socket.io, sockjs, cable, signalr, graphql-ws, subscriptions...) suggests WebSocket traffic, but the location passes ' +
    'neither Upgrade nor Connection: WebSocket handshakes through it get 426 (measured). A guess from the name only, hence a warning.',
  href: 'https://nginx.org/en/docs/http/websocket.html',
  versions: 'all',
  check(ctx) {
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent !== 'path') continue;
      const lines: string[] = [];
      const v = nearest(loc.scope, 'proxy_http_version');
      if (!v || v.directives[v.directives.length - 1]!.arg(0) !== '1.1') lines.push('proxy_http_version 1.1;');
      lines.push('proxy_set_header Upgrade $http_upgrade;', `proxy_set_header Connection ${connectionValue(ctx)};`);
      // Once it is a WebSocket location, the 60 s idle default applies to it: the complete recipe sets the timeout too.
      if (!nearest(loc.scope, 'proxy_read_timeout')) lines.push('proxy_read_timeout 3600s;');
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      ctx.report({
        at: head(loc.directive),
        message: `${locationAsWritten(loc.directive)} looks like a WebSocket endpoint but passes no Upgrade/Connection headers: WebSocket handshakes through it get 426`,
        fixes: [addToLocation(loc, lines, 'Add the WebSocket proxy headers')],
      });
    }
  },
};

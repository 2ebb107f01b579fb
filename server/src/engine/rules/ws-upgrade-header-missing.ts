import { head } from '../syntax/ast';
import { addToLocation, locationAsWritten, type Rule } from './rule';

export const wsUpgradeHeaderMissing: Rule = {
  id: 'ws-upgrade-header-missing',
  defaultSeverity: 'error',
  title: 'WebSocket location does not pass the Upgrade header',
  why:
    'Upgrade is a hop-by-hop header: nginx drops the one the client sent, so the backend never sees the upgrade request ' +
    'and answers 426 (measured with nginx 1.22). `proxy_set_header Upgrade $http_upgrade;` passes it on.',
  href: 'https://nginx.org/en/docs/http/websocket.html',
  versions: 'all',
  check(ctx) {
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue; // ws-path-without-recipe speaks for path-only guesses
      if (loc.headers.some((h) => h.name === 'upgrade')) continue;
      if (loc.hidden.some((h) => h.name === 'upgrade')) continue; // ws-inherited-headers-dropped explains it
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      ctx.report({
        at: head(loc.directive),
        message: `${locationAsWritten(loc.directive)} proxies WebSocket traffic but never sets "proxy_set_header Upgrade": nginx drops the client's Upgrade header and the backend answers 426`,
        fixes: [addToLocation(loc, ['proxy_set_header Upgrade $http_upgrade;'], 'Add "proxy_set_header Upgrade $http_upgrade;"')],
      });
    }
  },
};

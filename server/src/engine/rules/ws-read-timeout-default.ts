import { nearest } from '../model/config';
import { head } from '../syntax/ast';
import { addToLocation, locationAsWritten, type Rule } from './rule';

export const wsReadTimeoutDefault: Rule = {
  id: 'ws-read-timeout-default',
  defaultSeverity: 'information',
  title: "Idle WebSockets close after nginx's 60 s default",
  why:
    'Nothing sets proxy_read_timeout, so the 60s default applies: an idle WebSocket with no pings from the backend is closed after a minute. ' +
    'Either the backend pings more often than that, or the location raises the timeout.',
  href: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout',
  versions: 'all',
  check(ctx) {
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue;
      if (nearest(loc.scope, 'proxy_read_timeout')) continue;
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      ctx.report({
        at: head(loc.directive),
        message: `${locationAsWritten(loc.directive)}: idle connections close after 60 s (nginx's default proxy_read_timeout) unless the backend sends pings more often`,
        fixes: [addToLocation(loc, ['proxy_read_timeout 3600s;'], 'Add "proxy_read_timeout 3600s;"')],
      });
    }
  },
};

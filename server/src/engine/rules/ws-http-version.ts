import { nearest } from '../model/config';
import { versionAtLeast } from '../model/websocket';
import { replaceArgs, fix } from '../fixes/edits';
import { head } from '../syntax/ast';
import { addToLocation, locationAsWritten, type Rule } from './rule';

/** Since nginx 1.29.7 proxy_http_version defaults to 1.1. */
const DEFAULT_11_SINCE: [number, number, number] = [1, 29, 7];

export const wsHttpVersion: Rule = {
  id: 'ws-http-version',
  defaultSeverity: 'error',
  title: 'WebSocket location proxies with HTTP/1.0',
  why:
    'An upgrade needs HTTP/1.1 to the backend. nginx before 1.29.7 speaks HTTP/1.0 upstream unless `proxy_http_version 1.1` is set: ' +
    'lenient backends (Node ws) still upgrade, strict ones (Python websockets) answer 400 (measured). An explicit 1.0 is wrong on every version.',
  href: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_http_version',
  versions: 'explicit 1.0: all; missing: < 1.29.7',
  check(ctx) {
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue;
      const eff = nearest(loc.scope, 'proxy_http_version');
      const d = eff ? eff.directives[eff.directives.length - 1]! : null;
      if (d) {
        if (d.arg(0) !== '1.0') continue;
        const inherited = eff!.scope !== loc.scope;
        if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
        ctx.report({
          at: inherited ? head(loc.directive) : d,
          message: `"proxy_http_version 1.0"${inherited ? ' (inherited)' : ''} in a WebSocket location: the upgrade needs HTTP/1.1 upstream; strict backends answer 400`,
          related: inherited ? [{ at: d, message: 'proxy_http_version 1.0 is set here' }] : [],
          fixes: [
            inherited
              ? addToLocation(loc, ['proxy_http_version 1.1;'], 'Add "proxy_http_version 1.1;"')
              : fix('Set proxy_http_version to 1.1', [replaceArgs(d, '1.1')]),
          ],
        });
        continue;
      }
      if (versionAtLeast(ctx.settings.nginxVersion, DEFAULT_11_SINCE)) continue;
      const target = ctx.settings.nginxVersion
        ? `nginx ${ctx.settings.nginxVersion}`
        : 'nginx before 1.29.7 (set nginxWs.nginxVersion if yours is newer)';
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      ctx.report({
        at: head(loc.directive),
        message: `${locationAsWritten(loc.directive)} sets no proxy_http_version: ${target} proxies with HTTP/1.0, which cannot upgrade; strict backends answer 400`,
        fixes: [addToLocation(loc, ['proxy_http_version 1.1;'], 'Add "proxy_http_version 1.1;"')],
      });
    }
  },
};

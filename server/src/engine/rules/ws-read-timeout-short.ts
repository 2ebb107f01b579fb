import { nearest } from '../model/config';
import { parseNginxTime, formatSeconds } from '../model/time';
import { replaceArgs, fix } from '../fixes/edits';
import { head } from '../syntax/ast';
import { addToLocation, locationAsWritten, type Rule } from './rule';

export const wsReadTimeoutShort: Rule = {
  id: 'ws-read-timeout-short',
  defaultSeverity: 'warning',
  title: 'proxy_read_timeout closes idle WebSockets early',
  why:
    'proxy_read_timeout is how long nginx waits for the backend to send something; on an upgraded connection it is the idle ' +
    'timeout. With 2s, a connection idle for 3 s was closed by nginx; backend pings more often than the timeout keep it alive (measured).',
  href: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout',
  versions: 'all',
  check(ctx) {
    const thresholdMs = ctx.settings.idleTimeoutThresholdSeconds * 1000;
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue;
      const eff = nearest(loc.scope, 'proxy_read_timeout');
      if (!eff) continue;
      const d = eff.directives[eff.directives.length - 1]!;
      const value = d.arg(0) ?? '';
      if (value.includes('$')) continue;
      const ms = parseNginxTime(value);
      if (ms === null || ms >= thresholdMs) continue;
      if (ms === 0) continue; // not short: it fails every handshake (ws-timeout-fails-handshake)
      const own = eff.scope === loc.scope;
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      ctx.report({
        at: own ? d : head(loc.directive),
        message: `${own ? '' : `${locationAsWritten(loc.directive)} inherits `}proxy_read_timeout ${value}: nginx closes a WebSocket after ${formatSeconds(ms)} without data from the backend, unless the backend pings more often`,
        related: own ? [] : [{ at: d, message: `proxy_read_timeout ${value} is set here` }],
        fixes: [
          own
            ? fix('Set proxy_read_timeout to 3600s', [replaceArgs(d, '3600s')])
            : addToLocation(loc, ['proxy_read_timeout 3600s;'], 'Add "proxy_read_timeout 3600s;"'),
        ],
      });
    }
  },
};

import { head, type Directive } from '../syntax/ast';
import { fix, replaceArgs } from '../fixes/edits';
import { nearestLast } from '../model/config';
import { parseNginxTime } from '../model/time';
import { addToLocation, locationAsWritten, type Rule } from './rule';

export const wsTimeoutFailsHandshake: Rule = {
  id: 'ws-timeout-fails-handshake',
  defaultSeverity: 'error',
  title: 'A zero proxy timeout fails every handshake with 504',
  why:
    'A timeout of 0 is no "no timeout": nginx arms a timer that fires at once. With `proxy_connect_timeout 0` nginx gives up while ' +
    'connecting, with `proxy_read_timeout 0` while waiting for the 101: every handshake gets 504 Gateway Time-out (measured with ' +
    'nginx 1.22, three handshakes of three). `proxy_send_timeout 0` did not break the handshake.',
  href: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout',
  versions: 'all',
  check(ctx) {
    const zeroArg = (d: Directive) => parseNginxTime(d.arg(0) ?? '') === 0;
    if (!ctx.anywhere('proxy_connect_timeout', zeroArg) && !ctx.anywhere('proxy_read_timeout', zeroArg)) return;
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue;
      // Only an explicit 0 fails every handshake.
      const zero = (name: string) => parseNginxTime(nearestLast(loc.scope, name)?.directive.arg(0) ?? '') === 0;
      if (!ctx.forceTraces && !zero('proxy_connect_timeout') && !zero('proxy_read_timeout')) continue;
      if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
      const p = ctx.traceAt(loc)?.trace.proxy;
      if (!p) continue;
      for (const [name, to, good] of [
        ['proxy_connect_timeout', p.connectTimeout, '60s'],
        ['proxy_read_timeout', p.readTimeout, '3600s'],
      ] as const) {
        if (to.ms !== 0 || !to.directive) continue;
        const d = to.directive;
        const own = d.file === loc.directive.file && d.start > loc.directive.start && d.end < loc.directive.end;
        ctx.report({
          at: own ? d : head(loc.directive),
          message: `${own ? '' : `${locationAsWritten(loc.directive)} inherits `}${name} ${to.raw}: nginx times out at once, and every WebSocket handshake gets 504`,
          related: own ? [] : [{ at: d, message: `${name} ${to.raw} is set here` }],
          fixes: [
            own
              ? fix(`Set ${name} to ${good}`, [replaceArgs(d, good)])
              : addToLocation(loc, [`${name} ${good};`], `Add "${name} ${good};"`),
          ],
        });
      }
    }
  },
};

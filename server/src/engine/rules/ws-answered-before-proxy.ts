import { fix, replaceArgs } from '../fixes/edits';
import { head } from '../syntax/ast';
import { locationAsWritten, type Rule } from './rule';

export const wsAnsweredBeforeProxy: Rule = {
  id: 'ws-answered-before-proxy',
  defaultSeverity: 'error',
  title: 'nginx answers the WebSocket handshake itself before proxying it',
  why:
    'A `return`, a redirecting `rewrite`, `deny`, `internal` or a `limit_except` that leaves out GET ends the handshake in nginx: ' +
    'the client gets 403, 404, a redirect or a closed connection, never the 101 (measured with nginx 1.22). ' +
    'The request model traces the handshake through the location to find the directive that answers it; conditions the handshake ' +
    'decides (`if ($http_upgrade ...)`) are evaluated, others are left alone. `auth_basic` answers 401 unless the browser already ' +
    'holds credentials for the site, so it is reported as information.',
  href: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#location',
  versions: 'all',
  check(ctx) {
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path' || ctx.plainFlow(loc)) continue;
      const at = ctx.traceAt(loc);
      if (!at) continue;
      const t = at.trace;
      const o = t.outcome;
      if (t.location && t.location.scope !== loc.scope) continue; // moved elsewhere: ws-handshake-elsewhere
      if (t.proxy) continue;
      if (o.kind !== 'status' && o.kind !== 'closed') continue;
      if (o.kind === 'status' && o.by !== 'nginx') continue;
      const d = o.directive;
      const what = o.kind === 'closed' ? 'closes the connection' : `answers ${o.status}`;
      const limited = d?.parent?.name === 'limit_except' ? d.parent : null;
      const why = limited
        ? `limit_except ${limited.args.map((a) => a.raw).join(' ')} leaves out GET, the handshake's method, and its ${d!.text.replace(/\s+/g, ' ').replace(/;$/, '')} applies`
        : o.why;
      const auth = o.kind === 'status' && o.status === 401;
      const fixes = [];
      // A `deny` inside `limit_except` refuses the methods the block leaves out: allowing GET is the fix.
      const le = d?.name === 'limit_except' ? d : d?.parent?.name === 'limit_except' ? d.parent : null;
      if (le && !le.args.some((a) => a.value.toUpperCase() === 'GET')) {
        fixes.push(
          fix('Allow GET (the handshake method) in limit_except', [replaceArgs(le, ['GET', ...le.args.map((a) => a.raw)].join(' '))]),
        );
      }
      ctx.report({
        at: d && d.file === loc.directive.file && d.start >= loc.directive.start && d.end <= loc.directive.end ? d : head(loc.directive),
        message: `A WebSocket handshake to ${at.handshake.url} never reaches proxy_pass: nginx ${what} in ${locationAsWritten(loc.directive)} (${why})${auth ? '; browsers send credentials on a WebSocket only when they already hold them for the site' : ''}`,
        ...(auth ? { severity: 'information' as const } : {}),
        related:
          d && !(d.file === loc.directive.file && d.start >= loc.directive.start && d.end <= loc.directive.end)
            ? [{ at: d, message: `nginx ${what} here` }]
            : [],
        fixes,
      });
    }
  },
};

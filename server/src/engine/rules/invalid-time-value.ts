import { parseNginxTime } from '../model/time';
import type { Rule } from './rule';

/** Directives whose first argument is an nginx time. */
export const TIME_DIRECTIVES = new Set([
  'proxy_read_timeout',
  'proxy_send_timeout',
  'proxy_connect_timeout',
  'proxy_next_upstream_timeout',
  'grpc_read_timeout',
  'grpc_send_timeout',
  'grpc_connect_timeout',
  'fastcgi_read_timeout',
  'fastcgi_send_timeout',
  'fastcgi_connect_timeout',
  'uwsgi_read_timeout',
  'uwsgi_send_timeout',
  'uwsgi_connect_timeout',
  'scgi_read_timeout',
  'scgi_send_timeout',
  'scgi_connect_timeout',
  'client_body_timeout',
  'client_header_timeout',
  'send_timeout',
  'keepalive_timeout',
  'lingering_timeout',
  'lingering_time',
  'resolver_timeout',
  'ssl_session_timeout',
  'proxy_timeout',
  'proxy_cache_lock_timeout',
  'proxy_cache_lock_age',
  'auth_delay',
  'limit_rate_after_timeout',
]);

export const invalidTimeValue: Rule = {
  id: 'invalid-time-value',
  defaultSeverity: 'error',
  title: 'A time value nginx cannot parse',
  why:
    'nginx times are numbers with units ms s m h d w M y, largest first and combinable (1h30m); a bare number means seconds. ' +
    'Anything else makes `nginx -t` fail with "invalid value".',
  href: 'https://nginx.org/en/docs/syntax.html',
  versions: 'all',
  noFix: 'the intended duration needs a human decision',
  check(ctx) {
    for (const name of TIME_DIRECTIVES) {
      const named = ctx.directivesNamed(name).directives;
      // keepalive_timeout takes an optional second time (the header timeout).
      const times = name === 'keepalive_timeout' ? 2 : 1;
      for (let k = 0; k < named.length; k++) {
        const d = named[k]!;
        for (let i = 0; i < Math.min(times, d.argCount); i++) {
          const v = d.arg(i)!;
          if (v.includes('$') || parseNginxTime(v) !== null) continue;
          const a = d.args[i]!;
          ctx.report({
            at: a,
            message: `"${a.value}" is not a valid nginx time for ${name} (use e.g. 60s, 5m, 1h30m): nginx -t fails with "invalid value"`,
          });
        }
      }
    }
  },
};

import { parseNginxTime } from '../model/time';
import { replaceArgs, fix } from '../fixes/edits';
import type { Rule } from './rule';

export const proxyConnectTimeoutTooLong: Rule = {
  id: 'proxy-connect-timeout-too-long',
  defaultSeverity: 'warning',
  title: 'proxy_connect_timeout above 75 s',
  why:
    'proxy_connect_timeout only bounds establishing the TCP connection to the backend and "usually cannot exceed 75 seconds" (nginx docs). ' +
    'The guides that set it to 3600s for WebSockets fix nothing: idle WebSockets are governed by proxy_read_timeout.',
  href: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_connect_timeout',
  versions: 'all',
  check(ctx) {
    for (const d of ctx.directivesNamed('proxy_connect_timeout').directives) {
      const ms = parseNginxTime(d.arg(0) ?? '');
      if (ms === null || ms <= 75_000) continue;
      ctx.report({
        at: d,
        message: `proxy_connect_timeout ${d.arg(0)!} cannot usually exceed 75 s and does not keep WebSockets open; proxy_read_timeout is the idle timeout`,
        fixes: [fix('Set proxy_connect_timeout to 75s', [replaceArgs(d, '75s')])],
      });
    }
  },
};

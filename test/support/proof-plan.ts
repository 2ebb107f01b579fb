/**
 * The proof's planner run on its own (no nginx, no ports taken): the copy of
 * a config the proof would write, for tests that check what changes in it.
 * The environment is this machine's file system, as in a real proof.
 */
import { analyze, DEFAULT_SETTINGS, type FileHost } from '../../server/src/engine/index';
import { diskHost } from '../../server/src/node/file-host';
import { parseDashV } from '../../server/src/nginx/binary';
import { plan, type Plan } from '../../server/src/prove/plan';
import { localEnv, pickLocation } from '../../server/src/prove/run';
import type { ProofOptions } from '../../server/src/prove/types';

/** Debian's nginx-light 1.22.1, as `nginx -V` describes it. */
export const DEBIAN_DASH_V = `nginx version: nginx/1.22.1
built with OpenSSL 3.0.13 30 Jan 2024
TLS SNI support enabled
configure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --http-log-path=/var/log/nginx/access.log --error-log-path=stderr --lock-path=/var/lock/nginx.lock --pid-path=/run/nginx.pid --modules-path=/usr/lib/nginx/modules --http-client-body-temp-path=/var/lib/nginx/body --http-fastcgi-temp-path=/var/lib/nginx/fastcgi --http-proxy-temp-path=/var/lib/nginx/proxy --http-scgi-temp-path=/var/lib/nginx/scgi --http-uwsgi-temp-path=/var/lib/nginx/uwsgi --with-http_ssl_module`;

export interface PlanCopyOptions {
  location: ProofOptions['location'];
  prefix?: string;
  host?: FileHost;
  requestPath?: string;
  isRoot?: boolean;
  disabled?: Set<string>;
}

/** The plan for one location of the config at `root`; null when the location is not found. */
export function planCopy(root: string, o: PlanCopyOptions): Plan | null {
  const host = o.host ?? diskHost();
  const analysis = analyze(root, host, DEFAULT_SETTINGS);
  const loc = pickLocation(analysis, o.location);
  if (!loc) return null;
  let next = 40000;
  return plan({
    analysis,
    root,
    settings: DEFAULT_SETTINGS,
    loc,
    requestPath: o.requestPath ?? (loc.modifier && loc.modifier !== '=' && loc.modifier !== '^~' ? '/probe' : undefined),
    prefix: o.prefix ?? '/tmp/nginx-ws-proof-TEST',
    echo: { port: 39999, tls: /^https:/.test(loc.proxyPass?.arg(0) ?? '') },
    ports: () => next++,
    parkPort: 39998,
    nginx: parseDashV('/usr/sbin/nginx', DEBIAN_DASH_V),
    env: localEnv(o.isRoot ?? true, true),
    disabled: o.disabled,
  });
}

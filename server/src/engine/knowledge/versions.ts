/**
 * nginx versions: comparison, and the directive parameters that appeared or
 * were deprecated in the versions people run (1.18 on). Directives
 * themselves carry their history in `data/nginx.ts` (read from nginx's
 * sources at every release); parameters are parsed inside each directive's
 * handler, so they are listed here by hand, each with its source: the
 * nginx.org page's "(1.25.0)"-style note or the CHANGES entry.
 */

/** -1, 0 or 1 (missing parts count as 0: `1.25` = `1.25.0`). */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < 3; i++) {
    const d = (Number(x[i]) || 0) - (Number(y[i]) || 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** `1.24.0` from a setting or `nginx -v` output (`nginx version: nginx/1.24.0`); '' when none. */
export function normalizeVersion(v: string): string {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  return m ? `${m[1]}.${m[2]}.${m[3] ?? 0}` : '';
}

export type Subsystem = 'http' | 'stream' | 'mail';

export interface ParameterNote {
  directive: string;
  /** The subsystems whose directive of that name this is about. */
  in: readonly Subsystem[];
  /** One argument (not the first, unless `value`): the whole word (`quic`), or a prefix (`fastopen=`, `store:`). */
  param: string;
  /** The argument is the directive's value itself (`proxy_http_version 2`): matched whole, at any position. */
  value?: boolean;
  since?: string;
  /** nginx still accepts it, with a warning, from `since` on; `fix` says what to write instead. */
  deprecated?: { since: string; replacement: string; fix: 'listen-http2' };
  source: string;
}

const CORE = 'xml/en/docs/http/ngx_http_core_module.xml';
const STREAM_CORE = 'xml/en/docs/stream/ngx_stream_core_module.xml';
const MAIL_CORE = 'xml/en/docs/mail/ngx_mail_core_module.xml';

export const PARAMETERS: readonly ParameterNote[] = [
  { directive: 'listen', in: ['http'], param: 'quic', since: '1.25.0', source: `${CORE}: "The quic parameter (1.25.0)"` },
  {
    directive: 'listen',
    in: ['http'],
    param: 'http2',
    deprecated: { since: '1.25.1', replacement: 'http2 on;', fix: 'listen-http2' },
    source:
      'CHANGES 1.25.1: feature: the "http2" directive, which enables HTTP/2 on a per-server basis; the "http2" parameter of the "listen" directive is now deprecated.',
  },
  {
    directive: 'listen',
    in: ['http', 'stream', 'mail'],
    param: 'multipath',
    since: '1.29.7',
    source: `${CORE}, ${STREAM_CORE}, ${MAIL_CORE}: "this parameter (1.29.7)"`,
  },
  {
    directive: 'listen',
    in: ['stream'],
    param: 'fastopen=',
    since: '1.21.0',
    source: `${STREAM_CORE}: "for the listening socket (1.21.0)"`,
  },
  {
    directive: 'listen',
    in: ['stream'],
    param: 'default_server',
    since: '1.25.5',
    source: `${STREAM_CORE}: "the default server for the specified address:port pair (1.25.5)"`,
  },
  {
    directive: 'listen',
    in: ['stream'],
    param: 'setfib=',
    since: '1.25.5',
    source: `${STREAM_CORE}: "this parameter (1.25.5) sets the associated routing table"`,
  },
  { directive: 'listen', in: ['stream'], param: 'accept_filter=', since: '1.25.5', source: `${STREAM_CORE}: "accept (1.25.5)"` },
  { directive: 'listen', in: ['stream'], param: 'deferred', since: '1.25.5', source: `${STREAM_CORE}: "on Linux (1.25.5)"` },
  {
    directive: 'listen',
    in: ['mail'],
    param: 'proxy_protocol',
    since: '1.19.8',
    source: `${MAIL_CORE}: "The proxy_protocol parameter (1.19.8)"`,
  },
  {
    directive: 'resolver',
    in: ['http', 'stream', 'mail'],
    param: 'ipv4=',
    since: '1.23.1',
    source: `${CORE}: "the ipv4=off (1.23.1)"; CHANGES 1.23.1`,
  },
  ...['proxy', 'fastcgi', 'scgi', 'uwsgi'].map((p): ParameterNote => ({
    directive: `${p}_cache_path`,
    in: ['http'],
    param: 'min_free=',
    since: '1.19.1',
    source: `xml/en/docs/http/ngx_http_${p}_module.xml: "the min_free (1.19.1) parameter"`,
  })),
  {
    directive: 'proxy_http_version',
    in: ['http'],
    param: '2',
    value: true,
    since: '1.29.4',
    source: 'xml/en/docs/http/ngx_http_proxy_module.xml: "Version 1.1 or 2 (1.29.4)"',
  },
  {
    directive: 'server',
    in: ['http', 'stream'],
    param: 'resolve',
    since: '1.27.3',
    source:
      'CHANGES 1.27.3: feature: the "server" directive in the "upstream" block supports the "resolve" parameter (before: NGINX Plus only)',
  },
  {
    directive: 'server',
    in: ['http', 'stream'],
    param: 'service=',
    since: '1.27.3',
    source:
      'xml/en/docs/http/ngx_http_upstream_module.xml: "Prior to version 1.27.3, this parameter was available only as part of our commercial subscription"',
  },
  {
    directive: 'server',
    in: ['http'],
    param: 'route=',
    since: '1.29.6',
    source: 'CHANGES 1.29.6: the "server" directive supports the "route" and "drain" parameters',
  },
  {
    directive: 'server',
    in: ['http'],
    param: 'drain',
    since: '1.29.6',
    source: 'CHANGES 1.29.6: the "server" directive supports the "route" and "drain" parameters',
  },
  {
    directive: 'keepalive',
    in: ['http'],
    param: 'local',
    since: '1.29.7',
    source: 'xml/en/docs/http/ngx_http_upstream_module.xml: "The local parameter (1.29.7)"',
  },
  {
    directive: 'error_log',
    in: ['http', 'stream', 'mail'],
    param: 'json',
    since: '1.29.8',
    source: 'xml/en/docs/ngx_core_module.xml: "The json parameter (1.29.8)"',
  },
  ...['ssl_certificate_key', 'proxy_ssl_certificate_key', 'grpc_ssl_certificate_key', 'uwsgi_ssl_certificate_key'].map(
    (d): ParameterNote => ({
      directive: d,
      in: ['http', 'stream', 'mail'],
      param: 'store:',
      since: '1.29.0',
      source: 'xml/en/docs/http/ngx_http_ssl_module.xml: "store:scheme:id can be specified instead of the file (1.29.0)"',
    }),
  ),
];

/** Of a directive's notes, those about one argument in a subsystem (`main`-level directives count as every subsystem). */
export function parameterNotes(
  notes: readonly ParameterNote[],
  subsystem: Subsystem | 'core',
  arg: string,
  index: number,
  argc: number,
): ParameterNote[] {
  const out: ParameterNote[] = [];
  for (const p of notes) {
    if (subsystem !== 'core' && !p.in.includes(subsystem)) continue;
    if (p.value) {
      if (arg === p.param && argc === 1) out.push(p);
      continue;
    }
    if (index === 0 && !p.param.endsWith(':')) continue;
    if (p.param.endsWith('=') || p.param.endsWith(':') ? arg.startsWith(p.param) : arg === p.param) out.push(p);
  }
  return out;
}

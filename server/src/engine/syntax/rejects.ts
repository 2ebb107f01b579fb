/**
 * Would nginx reject this statement as it reads it? The parser asks only
 * when a statement holds a known directive name at the start of a line
 * (a forgotten `;` may lie before it); it splits the statement there only
 * when nginx would fail on it as written, so no config nginx accepts is
 * ever reported as missing a `;`.
 *
 * nginx fails when no entry of the directive table takes the statement's
 * argument count with (or without) a block as written, and, for the
 * directives whose handlers check their parameters word by word, when a
 * word is none of them ("invalid parameter", "invalid log level"): `listen
 * 80` followed by `server_name a;` on the next line is `listen 80
 * server_name a;` to nginx, which it refuses. The parameter words are those
 * of nginx's sources (ngx_http_core_listen, ngx_stream_core_listen,
 * ngx_mail_core_listen, ngx_http_log_set_log, ngx_stream_log_set_log,
 * ngx_log_set_levels), across the versions people run (1.18-1.29), so a
 * word any of them accepts is accepted.
 */
import { argCountOk, lookupDirective } from '../knowledge/directives';

const LISTEN_WORDS = new Set([
  'default_server',
  'default',
  'bind',
  'deferred',
  'reuseport',
  'multipath',
  'ssl',
  'http2',
  'quic',
  'spdy',
  'proxy_protocol',
  'udp',
]);
const LISTEN_PREFIXES = ['setfib=', 'fastopen=', 'backlog=', 'rcvbuf=', 'sndbuf=', 'accept_filter=', 'ipv6only=', 'so_keepalive='];
const LOG_LEVELS = new Set([
  'emerg',
  'alert',
  'crit',
  'error',
  'warn',
  'notice',
  'info',
  'debug',
  'debug_core',
  'debug_alloc',
  'debug_mutex',
  'debug_event',
  'debug_http',
  'debug_mail',
  'debug_stream',
]);

/** Directives whose words from `from` on must each be one of their parameters. */
const PARAMETERS: Record<string, { from: number; ok: (word: string) => boolean }> = {
  listen: { from: 1, ok: (w) => LISTEN_WORDS.has(w) || LISTEN_PREFIXES.some((p) => w.startsWith(p)) },
  // path, format name, then buffer= flush= gzip[=level] if= (`access_log off` takes nothing more).
  access_log: {
    from: 2,
    ok: (w) => w.startsWith('buffer=') || w.startsWith('flush=') || w.startsWith('if=') || w === 'gzip' || w.startsWith('gzip='),
  },
  error_log: { from: 1, ok: (w) => LOG_LEVELS.has(w) },
};

/**
 * nginx fails on the statement `name` with `argc` arguments (`arg(i)`, as
 * nginx sees them) ending in a block (`opensBlock`) or a `;`. An unknown
 * name (a third-party module) is never judged.
 */
export function nginxRejects(name: string, argc: number, opensBlock: boolean, arg: (i: number) => string): boolean {
  const entries = lookupDirective(name);
  if (entries.length === 0) return false;
  if (!entries.some((e) => e.block === opensBlock && argCountOk(e.args, argc))) return true;
  if (name === 'access_log' && argc > 1 && arg(0) === 'off') return true;
  const p = PARAMETERS[name];
  if (p) for (let i = p.from; i < argc; i++) if (!p.ok(arg(i))) return true;
  return false;
}

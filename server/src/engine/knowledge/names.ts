/**
 * Directive names the parser needs before the full knowledge table exists:
 * used only by the missing-semicolon recovery ("a known directive name at the
 * start of a new line ends the previous directive").
 *
 * `directives.ts` holds the full table; this list is kept tiny on purpose and
 * is extended from that table at load time.
 */
const CORE_NAMES = [
  'access_log', 'add_header', 'alias', 'allow', 'auth_basic', 'break', 'charset', 'client_max_body_size',
  'default_type', 'deny', 'error_log', 'error_page', 'events', 'expires', 'geo', 'grpc_pass', 'gzip', 'http',
  'if', 'include', 'index', 'ip_hash', 'keepalive', 'keepalive_timeout', 'limit_conn', 'limit_req', 'listen',
  'location', 'log_format', 'map', 'proxy_buffering', 'proxy_buffers', 'proxy_buffer_size',
  'proxy_connect_timeout', 'proxy_http_version', 'proxy_pass', 'proxy_read_timeout', 'proxy_redirect',
  'proxy_send_timeout', 'proxy_set_header', 'return', 'rewrite', 'root', 'sendfile', 'server', 'server_name',
  'server_tokens', 'set', 'ssl_certificate', 'ssl_certificate_key', 'ssl_protocols', 'stream', 'try_files',
  'types', 'upstream', 'user', 'worker_connections', 'worker_processes', 'pid', 'hash', 'least_conn', 'sticky',
  'zone', 'resolver', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'accept_extended_connect',
];

const known = new Set<string>(CORE_NAMES);

export function isKnownDirectiveName(name: string): boolean {
  return known.has(name);
}

/** Called by the knowledge table so the parser's recovery knows every documented directive. */
export function registerDirectiveNames(names: Iterable<string>): void {
  for (const n of names) known.add(n);
}

/** Blocks whose bodies are data (`key value;` pairs), not directives. */
export const DATA_BLOCKS = new Set(['map', 'types', 'geo', 'split_clients', 'match', 'charset_map']);

/**
 * What nginx itself knows about its directives: where each may appear, how
 * many arguments it takes, its default, its module, a one-line doc and the
 * nginx.org link. Contexts and argument counts mirror the `ngx_command_t`
 * tables of the nginx sources (NGX_HTTP_LOC_CONF, NGX_CONF_TAKE12, ...);
 * `test/unit/knowledge-nginx.test.ts` checks them against a real nginx binary.
 *
 * A name may have several entries (`server` in http, upstream, stream and
 * mail; `proxy_pass` in http and stream): `lookupDirective` returns them all,
 * `directiveFor` picks the one for a context.
 *
 * Defaults are left empty where the docs give none or where they depend on
 * the build; the table is data for hover and completion, never for lint logic
 * that decides what nginx does.
 */

export type Context =
  | 'main'
  | 'events'
  | 'http'
  | 'server'
  | 'location'
  | 'server-if'
  | 'location-if'
  | 'limit_except'
  | 'upstream'
  | 'stream'
  | 'stream-server'
  | 'stream-upstream'
  | 'mail'
  | 'mail-server';

export const ALL_CONTEXTS: readonly Context[] = [
  'main', 'events', 'http', 'server', 'location', 'server-if', 'location-if', 'limit_except', 'upstream',
  'stream', 'stream-server', 'stream-upstream', 'mail', 'mail-server',
];

/** How nginx labels a context in its docs ("Context: http, server, location"). */
export const CONTEXT_LABELS: Record<Context, string> = {
  main: 'main',
  events: 'events',
  http: 'http',
  server: 'server',
  location: 'location',
  'server-if': 'if in server',
  'location-if': 'if in location',
  limit_except: 'limit_except',
  upstream: 'upstream',
  stream: 'stream',
  'stream-server': 'server (stream)',
  'stream-upstream': 'upstream (stream)',
  mail: 'mail',
  'mail-server': 'server (mail)',
};

/**
 * Argument count in nginx's terms: NGX_CONF_NOARGS, TAKE1..TAKE7 and their
 * unions (TAKE12, TAKE123 ...), FLAG (exactly one: on|off), 1MORE, 2MORE.
 */
export interface ArgSpec {
  /** Allowed counts for TAKEn unions; empty for FLAG/1MORE/2MORE. */
  counts: number[];
  flag: boolean;
  /** At least this many, no upper bound (1MORE: 1, 2MORE: 2). */
  atLeast?: number;
}

export interface DirectiveInfo {
  name: string;
  contexts: Context[];
  /** True for `include`, allowed anywhere. */
  anyContext: boolean;
  args: ArgSpec;
  /** Takes a `{ ... }` block (NGX_CONF_BLOCK). */
  block: boolean;
  /** Argument part of the syntax line, e.g. `time` or `on | off`. */
  syntax: string;
  /** Default as the docs write it; empty when there is none or it is not known here. */
  default: string;
  module: string;
  doc: string;
  url: string;
}

const CTX: Record<string, Context> = {
  M: 'main', E: 'events', H: 'http', S: 'server', L: 'location', SIF: 'server-if', LIF: 'location-if',
  LMT: 'limit_except', U: 'upstream', ST: 'stream', STS: 'stream-server', STU: 'stream-upstream', ML: 'mail',
  MLS: 'mail-server',
};

/** [name, contexts (codes, space separated, or `*`), args (`0`,`1`,`12`,`flag`,`1+`,`2+`; `B` suffix: block), syntax, default, doc] */
type Row = [string, string, string, string, string, string];

interface ModuleRows {
  module: string;
  /** Page under https://nginx.org/en/docs/ */
  page: string;
  rows: Row[];
}

const HSL = 'H S L';
const HSL_IF = 'H S L LIF';

const MODULES: ModuleRows[] = [
  {
    module: 'ngx_core_module',
    page: 'ngx_core_module.html',
    rows: [
      ['daemon', 'M', 'flag', 'on | off', 'on', 'Whether nginx becomes a daemon; mainly for development.'],
      ['master_process', 'M', 'flag', 'on | off', 'on', 'Whether worker processes are started; for development only.'],
      ['worker_processes', 'M', '1', 'number | auto', '1', 'Number of worker processes (`auto` = number of CPU cores).'],
      ['worker_connections', 'E', '1', 'number', '512', 'Maximum number of simultaneous connections per worker process (clients and upstreams together).'],
      ['worker_rlimit_nofile', 'M', '1', 'number', '', 'Limit on open files (RLIMIT_NOFILE) for worker processes.'],
      ['worker_rlimit_core', 'M', '1', 'size', '', 'Limit on core file size (RLIMIT_CORE) for worker processes.'],
      ['worker_priority', 'M', '1', 'number', '0', 'Scheduling priority (nice value) of worker processes.'],
      ['worker_cpu_affinity', 'M', '1+', 'cpumask ... | auto [cpumask]', '', 'Binds worker processes to sets of CPUs.'],
      ['worker_shutdown_timeout', 'M', '1', 'time', '', 'Timeout for a graceful shutdown of worker processes.'],
      ['working_directory', 'M', '1', 'directory', '', 'Working directory of worker processes (where core files go).'],
      ['user', 'M', '12', 'user [group]', 'nobody nobody', 'User and group credentials used by worker processes.'],
      ['pid', 'M', '1', 'file', 'logs/nginx.pid', 'File that stores the process ID of the main process.'],
      ['lock_file', 'M', '1', 'file', 'logs/nginx.lock', 'Prefix of the lock file names used for accept_mutex and shared memory.'],
      ['timer_resolution', 'M', '1', 'interval', '', 'Reduces timer resolution in workers, reducing gettimeofday() calls.'],
      ['pcre_jit', 'M', 'flag', 'on | off', 'off', 'Enables just-in-time compilation of regular expressions known at configuration parse time.'],
      ['env', 'M', '1', 'variable[=value]', 'TZ', 'Preserves or sets an environment variable for worker processes.'],
      ['load_module', 'M', '1', 'file', '', 'Loads a dynamic module.'],
      ['thread_pool', 'M', '23', 'name threads=number [max_queue=number]', 'default threads=32 max_queue=65536', 'Defines a named thread pool used for multi-threaded reading and sending of files.'],
      ['debug_points', 'M', '1', 'abort | stop', '', 'What to do when an internal error is detected (debugging).'],
      ['ssl_engine', 'M', '1', 'device', '', 'Name of the hardware SSL accelerator (OpenSSL engine).'],
      ['events', 'M', '0B', '{ ... }', '', 'Context for directives that affect connection processing.'],
      ['use', 'E', '1', 'method', '', 'Connection processing method (epoll, kqueue, ...); normally chosen automatically.'],
      ['multi_accept', 'E', 'flag', 'on | off', 'off', 'Whether a worker accepts all new connections at once instead of one at a time.'],
      ['accept_mutex', 'E', 'flag', 'on | off', 'off', 'Whether workers accept new connections by turn.'],
      ['accept_mutex_delay', 'E', '1', 'time', '500ms', 'How long a worker waits before trying to accept again when accept_mutex is on.'],
      ['debug_connection', 'E', '1', 'address | CIDR | unix:', '', 'Enables debug logging for selected client connections.'],
      ['worker_aio_requests', 'E', '1', 'number', '32', 'Maximum number of outstanding asynchronous I/O operations per worker (aio with epoll).'],
      ['error_log', 'M H S L ST STS ML MLS', '1+', 'file [level]', 'logs/error.log error', 'Configures logging: file (or stderr, syslog:, memory:) and minimum level.'],
      ['include', '*', '1', 'file | mask', '', 'Includes another file, or files matching the mask, into the configuration.'],
    ],
  },
  {
    module: 'ngx_http_core_module',
    page: 'http/ngx_http_core_module.html',
    rows: [
      ['http', 'M', '0B', '{ ... }', '', 'Context for HTTP server directives.'],
      ['server', 'H', '0B', '{ ... }', '', 'Configuration of a virtual server.'],
      ['listen', 'S', '1+', 'address[:port] [default_server] [ssl] [http2 | quic] [proxy_protocol] ... ', '*:80 | *:8000', 'Address and port (or UNIX socket) on which the server accepts requests.'],
      ['server_name', 'S', '1+', 'name ...', '""', 'Names of a virtual server (exact, wildcard or regular expression).'],
      ['location', 'S L', '12B', '[ = | ~ | ~* | ^~ ] uri { ... } | @name { ... }', '', 'Configuration depending on the request URI.'],
      ['limit_except', 'L', '1+B', 'method ... { ... }', '', 'Limits allowed HTTP methods inside a location; the block applies to the other methods.'],
      ['internal', 'L', '0', '', '', 'The location can be used for internal requests only.'],
      ['types', HSL, '0B', '{ ... }', 'text/html html; image/gif gif; image/jpeg jpg;', 'Maps file name extensions to MIME types of responses.'],
      ['default_type', HSL, '1', 'mime-type', 'text/plain', 'Default MIME type of a response.'],
      ['root', HSL_IF, '1', 'path', 'html', 'Root directory for requests.'],
      ['alias', 'L', '1', 'path', '', 'Replacement for the matched location part of the path.'],
      ['try_files', 'S L', '2+', 'file ... uri | file ... =code', '', 'Checks files in order and serves the first found; otherwise redirects internally to the last parameter.'],
      ['error_page', HSL_IF, '2+', 'code ... [=[response]] uri', '', 'URI shown for the given error codes.'],
      ['recursive_error_pages', HSL, 'flag', 'on | off', 'off', 'Allows several redirects with error_page.'],
      ['client_max_body_size', HSL, '1', 'size', '1m', 'Maximum allowed size of the client request body (413 when exceeded).'],
      ['client_body_buffer_size', HSL, '1', 'size', '8k|16k', 'Buffer size for reading the client request body.'],
      ['client_body_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive reads of the client request body.'],
      ['client_body_temp_path', HSL, '1234', 'path [level1 [level2 [level3]]]', 'client_body_temp', 'Directory for temporary files holding client request bodies.'],
      ['client_body_in_file_only', HSL, '1', 'on | clean | off', 'off', 'Whether to save the whole request body into a file.'],
      ['client_body_in_single_buffer', HSL, 'flag', 'on | off', 'off', 'Whether to keep the whole request body in a single buffer.'],
      ['client_header_buffer_size', 'H S', '1', 'size', '1k', 'Buffer size for reading the client request header.'],
      ['client_header_timeout', 'H S', '1', 'time', '60s', 'Timeout for reading the client request header.'],
      ['large_client_header_buffers', 'H S', '2', 'number size', '4 8k', 'Maximum number and size of buffers for large client request headers.'],
      ['ignore_invalid_headers', 'H S', 'flag', 'on | off', 'on', 'Whether header fields with invalid names are ignored.'],
      ['underscores_in_headers', 'H S', 'flag', 'on | off', 'off', 'Allows underscores in client request header field names.'],
      ['merge_slashes', 'H S', 'flag', 'on | off', 'on', 'Compresses adjacent slashes in a URI into one.'],
      ['connection_pool_size', 'H S', '1', 'size', '256|512', 'Per-connection memory allocation granularity.'],
      ['request_pool_size', 'H S', '1', 'size', '4k', 'Per-request memory allocation granularity.'],
      ['server_names_hash_max_size', 'H', '1', 'size', '512', 'Maximum size of the server names hash table.'],
      ['server_names_hash_bucket_size', 'H', '1', 'size', '32|64|128', 'Bucket size of the server names hash table.'],
      ['variables_hash_max_size', 'H', '1', 'size', '1024', 'Maximum size of the variables hash table.'],
      ['variables_hash_bucket_size', 'H', '1', 'size', '64', 'Bucket size of the variables hash table.'],
      ['types_hash_max_size', HSL, '1', 'size', '1024', 'Maximum size of the types hash table.'],
      ['types_hash_bucket_size', HSL, '1', 'size', '64', 'Bucket size of the types hash table.'],
      ['sendfile', HSL_IF, 'flag', 'on | off', 'off', 'Enables the use of sendfile().'],
      ['sendfile_max_chunk', HSL, '1', 'size', '2m', 'Limits the amount of data transferred in a single sendfile() call.'],
      ['tcp_nopush', HSL, 'flag', 'on | off', 'off', 'Enables TCP_NOPUSH / TCP_CORK when sendfile is used.'],
      ['tcp_nodelay', HSL, 'flag', 'on | off', 'on', 'Enables TCP_NODELAY on keep-alive connections (and upgraded ones such as WebSocket).'],
      ['aio', HSL, '1', 'on | off | threads[=pool]', 'off', 'Enables asynchronous file I/O.'],
      ['aio_write', HSL, 'flag', 'on | off', 'off', 'Uses aio for writing files (temporary files with threads).'],
      ['directio', HSL, '1', 'size | off', 'off', 'Uses O_DIRECT for files larger than the given size.'],
      ['directio_alignment', HSL, '1', 'size', '512', 'Alignment for directio.'],
      ['read_ahead', HSL, '1', 'size', '0', 'Amount of pre-reading for files.'],
      ['output_buffers', HSL, '2', 'number size', '2 32k', 'Number and size of buffers for reading a response from disk.'],
      ['postpone_output', HSL, '1', 'size', '1460', 'Postpones sending client data until at least this much is ready.'],
      ['send_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive write operations to the client.'],
      ['send_lowat', HSL, '1', 'size', '0', 'Minimum amount of data in the socket send buffer (SO_SNDLOWAT).'],
      ['keepalive_timeout', HSL, '12', 'timeout [header_timeout]', '75s', 'How long an idle client keep-alive connection stays open (0 disables keep-alive).'],
      ['keepalive_requests', HSL, '1', 'number', '1000', 'Maximum number of requests served through one client keep-alive connection.'],
      ['keepalive_time', HSL, '1', 'time', '1h', 'Maximum time during which requests can be processed through one keep-alive connection.'],
      ['keepalive_disable', HSL, '12', 'none | browser ...', 'msie6', 'Disables keep-alive with misbehaving browsers.'],
      ['lingering_close', HSL, '1', 'off | on | always', 'on', 'How nginx closes client connections (waits for and discards extra data).'],
      ['lingering_time', HSL, '1', 'time', '30s', 'Maximum time for processing and discarding extra client data when lingering_close is active.'],
      ['lingering_timeout', HSL, '1', 'time', '5s', 'Maximum waiting time for more client data when lingering_close is active.'],
      ['reset_timedout_connection', HSL, 'flag', 'on | off', 'off', 'Resets timed out connections and connections closed with the non-standard code 444.'],
      ['satisfy', HSL, '1', 'all | any', 'all', 'Whether all or any of the access modules (allow/deny, auth_basic, auth_request) must grant access.'],
      ['absolute_redirect', HSL, 'flag', 'on | off', 'on', 'Whether redirects issued by nginx are absolute.'],
      ['server_name_in_redirect', HSL, 'flag', 'on | off', 'off', 'Whether the primary server name is used in absolute redirects.'],
      ['port_in_redirect', HSL, 'flag', 'on | off', 'on', 'Whether the port is specified in absolute redirects.'],
      ['msie_padding', HSL, 'flag', 'on | off', 'on', 'Adds padding to error responses for MSIE clients.'],
      ['msie_refresh', HSL, 'flag', 'on | off', 'off', 'Uses refresh instead of redirect for MSIE clients.'],
      ['log_not_found', HSL, 'flag', 'on | off', 'on', 'Logs errors about files not found.'],
      ['log_subrequest', HSL, 'flag', 'on | off', 'off', 'Logs subrequests into access_log.'],
      ['server_tokens', HSL, '1', 'on | off | build | string', 'on', 'Whether the nginx version is shown in error pages and the Server response header.'],
      ['if_modified_since', HSL, '1', 'off | exact | before', 'exact', 'How the modification time of a response is compared with If-Modified-Since.'],
      ['max_ranges', HSL, '1', 'number', '', 'Maximum number of ranges allowed in byte-range requests.'],
      ['chunked_transfer_encoding', HSL, 'flag', 'on | off', 'on', 'Allows chunked transfer encoding in HTTP/1.1 responses.'],
      ['etag', HSL, 'flag', 'on | off', 'on', 'Enables the ETag response header for static resources.'],
      ['subrequest_output_buffer_size', HSL, '1', 'size', '4k|8k', 'Buffer size for storing the response body of a subrequest.'],
      ['open_file_cache', HSL, '12', 'off | max=N [inactive=time]', 'off', 'Caches open file descriptors, sizes and modification times.'],
      ['open_file_cache_valid', HSL, '1', 'time', '60s', 'When open_file_cache elements are validated.'],
      ['open_file_cache_min_uses', HSL, '1', 'number', '1', 'Minimum number of uses for a descriptor to stay in open_file_cache.'],
      ['open_file_cache_errors', HSL, 'flag', 'on | off', 'off', 'Caches file lookup errors in open_file_cache.'],
      ['disable_symlinks', HSL, '12', 'off | on | if_not_owner [from=part]', 'off', 'How symbolic links are treated when opening files.'],
      ['resolver', HSL, '1+', 'address ... [valid=time] [ipv6=on|off]', '', 'Name servers used to resolve upstream server names at run time.'],
      ['resolver_timeout', HSL, '1', 'time', '30s', 'Timeout for name resolution.'],
      ['limit_rate', HSL_IF, '1', 'rate', '0', 'Limits the rate of response transmission to a client (bytes per second).'],
      ['limit_rate_after', HSL_IF, '1', 'size', '0', 'Amount sent at full speed before limit_rate applies.'],
      ['auth_delay', HSL, '1', 'time', '0s', 'Delays processing of unauthorized requests with 401 (timing attacks).'],
    ],
  },
  {
    module: 'ngx_http_proxy_module',
    page: 'http/ngx_http_proxy_module.html',
    rows: [
      ['proxy_pass', 'L LIF LMT', '1', 'URL', '', 'Protocol and address of the proxied server, with an optional URI that replaces the matched location prefix.'],
      ['proxy_http_version', HSL, '1', '1.0 | 1.1', '1.0 (1.1 since 1.29.7)', 'HTTP protocol version for proxying; WebSocket and keepalive need 1.1.'],
      ['proxy_set_header', HSL, '2', 'field value', 'Host $proxy_host; Connection close', 'Sets a request header passed to the proxied server; a level with its own proxy_set_header inherits none from the level above.'],
      ['proxy_pass_header', HSL, '1', 'field', '', 'Passes a response header that is otherwise hidden.'],
      ['proxy_hide_header', HSL, '1', 'field', '', 'Hides a header of the proxied server\'s response from the client.'],
      ['proxy_ignore_headers', HSL, '1+', 'field ...', '', 'Disables processing of certain response header fields (X-Accel-*, Expires, Cache-Control, ...).'],
      ['proxy_pass_request_headers', HSL, 'flag', 'on | off', 'on', 'Whether the original request headers are passed to the proxied server.'],
      ['proxy_pass_request_body', HSL, 'flag', 'on | off', 'on', 'Whether the original request body is passed to the proxied server.'],
      ['proxy_set_body', HSL, '1', 'value', '', 'Replaces the request body passed to the proxied server.'],
      ['proxy_method', HSL, '1', 'method', '', 'HTTP method used in requests to the proxied server.'],
      ['proxy_redirect', HSL, '12', 'default | off | redirect replacement', 'default', 'Rewrites Location and Refresh headers of the proxied server\'s response.'],
      ['proxy_connect_timeout', HSL, '1', 'time', '60s', 'Timeout for establishing a connection with the proxied server (usually cannot exceed 75s).'],
      ['proxy_send_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive writes to the proxied server; for WebSocket, how long the client may stay silent.'],
      ['proxy_read_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive reads from the proxied server; an idle WebSocket is closed after it.'],
      ['proxy_buffering', HSL, 'flag', 'on | off', 'on', 'Buffers responses from the proxied server (irrelevant once a connection is upgraded).'],
      ['proxy_request_buffering', HSL, 'flag', 'on | off', 'on', 'Reads the whole client request body before sending it to the proxied server.'],
      ['proxy_buffer_size', HSL, '1', 'size', '4k|8k', 'Buffer size for the first part of the response (headers).'],
      ['proxy_buffers', HSL, '2', 'number size', '8 4k|8k', 'Number and size of buffers for a response from the proxied server.'],
      ['proxy_busy_buffers_size', HSL, '1', 'size', '8k|16k', 'Limit on buffers busy sending to the client while the response is not yet fully read.'],
      ['proxy_max_temp_file_size', HSL, '1', 'size', '1024m', 'Maximum size of a temporary file for buffering responses.'],
      ['proxy_temp_file_write_size', HSL, '1', 'size', '8k|16k', 'Size of data written to a temporary file at a time.'],
      ['proxy_temp_path', HSL, '1234', 'path [level1 [level2 [level3]]]', 'proxy_temp', 'Directory for temporary files with data from proxied servers.'],
      ['proxy_next_upstream', HSL, '1+', 'error | timeout | invalid_header | http_500 | ... | off ...', 'error timeout', 'In which cases a request is passed to the next upstream server.'],
      ['proxy_next_upstream_tries', HSL, '1', 'number', '0', 'Limits the number of tries for passing a request to the next server.'],
      ['proxy_next_upstream_timeout', HSL, '1', 'time', '0', 'Limits the time during which a request can be passed to the next server.'],
      ['proxy_intercept_errors', HSL, 'flag', 'on | off', 'off', 'Whether responses with codes >= 300 go to error_page instead of the client.'],
      ['proxy_ignore_client_abort', HSL, 'flag', 'on | off', 'off', 'Whether the proxied connection is kept when the client closes its connection.'],
      ['proxy_bind', HSL, '12', 'address [transparent] | off', '', 'Local IP address (and port) for outgoing connections to the proxied server.'],
      ['proxy_socket_keepalive', HSL, 'flag', 'on | off', 'off', 'Enables TCP keepalive (SO_KEEPALIVE) on connections to the proxied server.'],
      ['proxy_headers_hash_max_size', HSL, '1', 'size', '512', 'Maximum size of the proxy_hide_header / proxy_set_header hash tables.'],
      ['proxy_headers_hash_bucket_size', HSL, '1', 'size', '64', 'Bucket size of the proxy headers hash tables.'],
      ['proxy_limit_rate', HSL, '1', 'rate', '0', 'Limits the speed of reading the response from the proxied server.'],
      ['proxy_force_ranges', HSL, 'flag', 'on | off', 'off', 'Enables byte-range support for responses regardless of Accept-Ranges.'],
      ['proxy_store', HSL, '1', 'on | off | string', 'off', 'Saves files received from the proxied server to disk.'],
      ['proxy_cache', HSL, '1', 'zone | off', 'off', 'Shared memory zone used for caching.'],
      ['proxy_cache_path', 'H', '2+', 'path [levels=levels] keys_zone=name:size [inactive=time] [max_size=size] ...', '', 'Path and parameters of a cache.'],
      ['proxy_cache_key', HSL, '1', 'string', '$scheme$proxy_host$request_uri', 'Key for caching.'],
      ['proxy_cache_valid', HSL, '1+', '[code ...] time', '', 'Caching time for response codes.'],
      ['proxy_cache_bypass', HSL, '1+', 'string ...', '', 'Conditions under which the response is not taken from the cache.'],
      ['proxy_no_cache', HSL, '1+', 'string ...', '', 'Conditions under which the response is not saved to the cache.'],
      ['proxy_cache_methods', HSL, '1+', 'GET | HEAD | POST ...', 'GET HEAD', 'Request methods whose responses are cached.'],
      ['proxy_cache_min_uses', HSL, '1', 'number', '1', 'Number of requests after which the response is cached.'],
      ['proxy_cache_use_stale', HSL, '1+', 'error | timeout | updating | http_500 | ... | off ...', 'off', 'When a stale cached response may be used.'],
      ['proxy_cache_lock', HSL, 'flag', 'on | off', 'off', 'Only one request at a time populates a new cache element.'],
      ['proxy_cache_lock_timeout', HSL, '1', 'time', '5s', 'Timeout for proxy_cache_lock.'],
      ['proxy_cache_revalidate', HSL, 'flag', 'on | off', 'off', 'Revalidates expired cache items with conditional requests.'],
      ['proxy_cache_background_update', HSL, 'flag', 'on | off', 'off', 'Updates expired cache items in a background subrequest.'],
      ['proxy_cache_convert_head', HSL, 'flag', 'on | off', 'on', 'Converts HEAD to GET for caching.'],
      ['proxy_cookie_domain', HSL, '12', 'off | domain replacement', 'off', 'Rewrites the domain attribute of Set-Cookie headers.'],
      ['proxy_cookie_path', HSL, '12', 'off | path replacement', 'off', 'Rewrites the path attribute of Set-Cookie headers.'],
      ['proxy_ssl_server_name', HSL, 'flag', 'on | off', 'off', 'Passes the server name through SNI when connecting to an HTTPS upstream.'],
      ['proxy_ssl_name', HSL, '1', 'name', '$proxy_host', 'Server name used to verify the certificate of the HTTPS upstream and for SNI.'],
      ['proxy_ssl_verify', HSL, 'flag', 'on | off', 'off', 'Verifies the certificate of the HTTPS upstream.'],
      ['proxy_ssl_verify_depth', HSL, '1', 'number', '1', 'Verification depth of the upstream certificate chain.'],
      ['proxy_ssl_trusted_certificate', HSL, '1', 'file', '', 'Trusted CA certificates for verifying the upstream certificate.'],
      ['proxy_ssl_certificate', HSL, '1', 'file', '', 'Client certificate for authenticating to the HTTPS upstream.'],
      ['proxy_ssl_certificate_key', HSL, '1', 'file', '', 'Secret key of the client certificate for the HTTPS upstream.'],
      ['proxy_ssl_protocols', HSL, '1+', '[TLSv1.2] [TLSv1.3] ...', '', 'Protocols for connections to the HTTPS upstream.'],
      ['proxy_ssl_ciphers', HSL, '1', 'ciphers', 'DEFAULT', 'Ciphers for connections to the HTTPS upstream.'],
      ['proxy_ssl_session_reuse', HSL, 'flag', 'on | off', 'on', 'Reuses SSL sessions with the upstream.'],
    ],
  },
  {
    module: 'ngx_http_upstream_module',
    page: 'http/ngx_http_upstream_module.html',
    rows: [
      ['upstream', 'H', '1B', 'name { ... }', '', 'Defines a group of servers referenced by proxy_pass, fastcgi_pass, grpc_pass ...'],
      ['server', 'U', '1+', 'address [weight=n] [max_fails=n] [fail_timeout=time] [backup] [down] ...', '', 'Address and parameters of a server in the group.'],
      ['zone', 'U', '12', 'name [size]', '', 'Shared memory zone keeping the group\'s configuration and run-time state between workers.'],
      ['hash', 'U', '12', 'key [consistent]', '', 'Load balancing by a hashed key (e.g. `$remote_addr consistent` for sticky clients).'],
      ['ip_hash', 'U', '0', '', '', 'Load balancing by client IP address: a client always reaches the same server.'],
      ['least_conn', 'U', '0', '', '', 'Passes a request to the server with the least number of active connections.'],
      ['random', 'U', '012', '[two [method]]', '', 'Passes a request to a randomly selected server.'],
      ['keepalive', 'U', '1', 'connections', '', 'Number of idle keepalive connections to upstream servers cached per worker (needs HTTP/1.1 and an empty Connection header).'],
      ['keepalive_requests', 'U', '1', 'number', '1000', 'Maximum number of requests through one upstream keepalive connection.'],
      ['keepalive_time', 'U', '1', 'time', '1h', 'Maximum time requests can be processed through one upstream keepalive connection.'],
      ['keepalive_timeout', 'U', '1', 'timeout', '60s', 'How long an idle upstream keepalive connection stays open.'],
      ['sticky', 'U', '1+', 'cookie name ... | route $variable ... | learn ...', '', 'Session affinity: requests from the same client go to the same server (commercial subscription before it was open-sourced).'],
    ],
  },
  {
    module: 'ngx_http_map_module',
    page: 'http/ngx_http_map_module.html',
    rows: [
      ['map', 'H', '2B', 'string $variable { ... }', '', 'Creates a variable whose value depends on the value of another (e.g. $connection_upgrade from $http_upgrade).'],
      ['map_hash_max_size', 'H', '1', 'size', '2048', 'Maximum size of the map variables hash tables.'],
      ['map_hash_bucket_size', 'H', '1', 'size', '32|64|128', 'Bucket size of the map variables hash tables.'],
    ],
  },
  {
    module: 'ngx_http_ssl_module',
    page: 'http/ngx_http_ssl_module.html',
    rows: [
      ['ssl', 'H S', 'flag', 'on | off', 'off', 'Enables HTTPS for the server (obsolete: use the `ssl` parameter of listen).'],
      ['ssl_certificate', 'H S', '1', 'file', '', 'Certificate in PEM format (with intermediates) for the virtual server.'],
      ['ssl_certificate_key', 'H S', '1', 'file', '', 'Secret key in PEM format for the virtual server.'],
      ['ssl_password_file', 'H S', '1', 'file', '', 'File with passphrases for secret keys.'],
      ['ssl_dhparam', 'H S', '1', 'file', '', 'DH parameters for DHE ciphers.'],
      ['ssl_ecdh_curve', 'H S', '1', 'curve', 'auto', 'Curves for ECDHE ciphers.'],
      ['ssl_protocols', 'H S', '1+', '[SSLv2] [SSLv3] [TLSv1] [TLSv1.1] [TLSv1.2] [TLSv1.3]', 'TLSv1.2 TLSv1.3', 'Enabled TLS protocols.'],
      ['ssl_ciphers', 'H S', '1', 'ciphers', 'HIGH:!aNULL:!MD5', 'Enabled ciphers (OpenSSL format).'],
      ['ssl_prefer_server_ciphers', 'H S', 'flag', 'on | off', 'off', 'Prefers server ciphers over client ciphers (SSLv3 and TLS).'],
      ['ssl_session_cache', 'H S', '12', 'off | none | [builtin[:size]] [shared:name:size]', 'none', 'Types and sizes of caches storing session parameters.'],
      ['ssl_session_timeout', 'H S', '1', 'time', '5m', 'How long a client may reuse session parameters.'],
      ['ssl_session_tickets', 'H S', 'flag', 'on | off', 'on', 'Enables session resumption through TLS session tickets.'],
      ['ssl_session_ticket_key', 'H S', '1', 'file', '', 'File with the secret key used to encrypt and decrypt session tickets.'],
      ['ssl_buffer_size', 'H S', '1', 'size', '16k', 'Size of the buffer used for sending data.'],
      ['ssl_verify_client', 'H S', '1', 'on | off | optional | optional_no_ca', 'off', 'Enables verification of client certificates.'],
      ['ssl_verify_depth', 'H S', '1', 'number', '1', 'Verification depth of the client certificate chain.'],
      ['ssl_client_certificate', 'H S', '1', 'file', '', 'Trusted CA certificates used to verify client certificates.'],
      ['ssl_trusted_certificate', 'H S', '1', 'file', '', 'Trusted CA certificates used to verify client certificates and OCSP responses.'],
      ['ssl_crl', 'H S', '1', 'file', '', 'Revoked certificates (CRL) used to verify client certificates.'],
      ['ssl_stapling', 'H S', 'flag', 'on | off', 'off', 'Enables OCSP stapling.'],
      ['ssl_stapling_verify', 'H S', 'flag', 'on | off', 'off', 'Verifies OCSP responses.'],
      ['ssl_stapling_file', 'H S', '1', 'file', '', 'File with a DER OCSP response used for stapling.'],
      ['ssl_stapling_responder', 'H S', '1', 'url', '', 'URL of the OCSP responder, overriding the certificate\'s.'],
      ['ssl_early_data', 'H S', 'flag', 'on | off', 'off', 'Enables TLS 1.3 early data (0-RTT).'],
      ['ssl_conf_command', 'H S', '2', 'name value', '', 'Sets arbitrary OpenSSL configuration commands.'],
      ['ssl_reject_handshake', 'H S', 'flag', 'on | off', 'off', 'Rejects SSL handshakes in the server block.'],
      ['ssl_ocsp', 'H S', '1', 'on | off | leaf', 'off', 'Enables OCSP validation of the client certificate chain.'],
    ],
  },
  {
    module: 'ngx_http_limit_conn_module',
    page: 'http/ngx_http_limit_conn_module.html',
    rows: [
      ['limit_conn_zone', 'H', '2', 'key zone=name:size', '', 'Shared memory zone keeping connection counts per key.'],
      ['limit_conn', HSL, '2', 'zone number', '', 'Maximum number of simultaneous connections per key (a WebSocket holds its connection for its whole life).'],
      ['limit_conn_log_level', HSL, '1', 'info | notice | warn | error', 'error', 'Log level for connections refused by limit_conn.'],
      ['limit_conn_status', HSL, '1', 'code', '503', 'Status code returned to rejected requests.'],
      ['limit_conn_dry_run', HSL, 'flag', 'on | off', 'off', 'Counts but does not limit connections.'],
    ],
  },
  {
    module: 'ngx_http_limit_req_module',
    page: 'http/ngx_http_limit_req_module.html',
    rows: [
      ['limit_req_zone', 'H', '3', 'key zone=name:size rate=rate', '', 'Shared memory zone keeping request rate state per key.'],
      ['limit_req', HSL, '123', 'zone=name [burst=number] [nodelay | delay=number]', '', 'Limits the request processing rate per key.'],
      ['limit_req_log_level', HSL, '1', 'info | notice | warn | error', 'error', 'Log level for requests refused or delayed by limit_req.'],
      ['limit_req_status', HSL, '1', 'code', '503', 'Status code returned to rejected requests.'],
      ['limit_req_dry_run', HSL, 'flag', 'on | off', 'off', 'Counts but does not limit requests.'],
    ],
  },
  {
    module: 'ngx_http_rewrite_module',
    page: 'http/ngx_http_rewrite_module.html',
    rows: [
      ['rewrite', 'S SIF L LIF', '23', 'regex replacement [last | break | redirect | permanent]', '', 'Changes the request URI when it matches the regular expression.'],
      ['return', 'S SIF L LIF', '12', 'code [text] | code URL | URL', '', 'Stops processing and returns the code (and text or redirect URL) to the client.'],
      ['break', 'S SIF L LIF', '0', '', '', 'Stops processing the current set of rewrite-module directives.'],
      ['if', 'S L', '1+B', '(condition) { ... }', '', 'Evaluates a condition; the block applies when it is true ("if is evil" in locations: only rewrite-module directives are safe).'],
      ['set', 'S SIF L LIF', '2', '$variable value', '', 'Sets a value for a variable.'],
      ['rewrite_log', 'H S SIF L LIF', 'flag', 'on | off', 'off', 'Logs the processing of rewrite directives at notice level.'],
      ['uninitialized_variable_warn', 'H S SIF L LIF', 'flag', 'on | off', 'on', 'Logs warnings about uninitialized variables.'],
    ],
  },
  {
    module: 'ngx_http_log_module',
    page: 'http/ngx_http_log_module.html',
    rows: [
      ['access_log', 'H S L LIF LMT', '1+', 'path [format [buffer=size] [gzip[=level]] [flush=time] [if=condition]] | off', 'logs/access.log combined', 'Path, format and buffering of the request log.'],
      ['log_format', 'H', '2+', 'name [escape=default|json|none] string ...', '', 'Defines a log format.'],
      ['open_log_file_cache', HSL, '1234', 'max=N [inactive=time] [min_uses=N] [valid=time] | off', 'off', 'Cache of descriptors of log files whose names contain variables.'],
    ],
  },
  {
    module: 'ngx_http_headers_module',
    page: 'http/ngx_http_headers_module.html',
    rows: [
      ['add_header', HSL_IF, '23', 'name value [always]', '', 'Adds a response header (for 2xx/3xx codes unless `always`); a level with its own add_header inherits none from above.'],
      ['add_trailer', HSL_IF, '23', 'name value [always]', '', 'Adds a field at the end of a response.'],
      ['expires', HSL_IF, '12', '[modified] time | epoch | max | off', 'off', 'Sets the Expires and Cache-Control response headers.'],
    ],
  },
  {
    module: 'ngx_http_gzip_module',
    page: 'http/ngx_http_gzip_module.html',
    rows: [
      ['gzip', HSL_IF, 'flag', 'on | off', 'off', 'Enables gzip compression of responses.'],
      ['gzip_buffers', HSL, '2', 'number size', '32 4k|16 8k', 'Number and size of buffers used to compress a response.'],
      ['gzip_comp_level', HSL, '1', 'level', '1', 'Compression level, 1 to 9.'],
      ['gzip_disable', HSL, '1+', 'regex ...', '', 'Disables compression for User-Agents matching the regular expressions.'],
      ['gzip_http_version', HSL, '1', '1.0 | 1.1', '1.1', 'Minimum HTTP version of a request for compression.'],
      ['gzip_min_length', HSL, '1', 'length', '20', 'Minimum response length (from Content-Length) to compress.'],
      ['gzip_proxied', HSL, '1+', 'off | expired | no-cache | no-store | private | no_last_modified | no_etag | auth | any ...', 'off', 'Compression of responses to proxied requests, by request/response headers.'],
      ['gzip_types', HSL, '1+', 'mime-type ...', 'text/html', 'MIME types compressed in addition to text/html (`*` for any).'],
      ['gzip_vary', HSL, 'flag', 'on | off', 'off', 'Adds "Vary: Accept-Encoding" when gzip is active.'],
    ],
  },
  {
    module: 'ngx_http_gzip_static_module',
    page: 'http/ngx_http_gzip_static_module.html',
    rows: [['gzip_static', HSL, '1', 'on | off | always', 'off', 'Serves precompressed .gz files instead of regular ones.']],
  },
  {
    module: 'ngx_http_index_module',
    page: 'http/ngx_http_index_module.html',
    rows: [['index', HSL, '1+', 'file ...', 'index.html', 'Files used as an index for requests ending with a slash.']],
  },
  {
    module: 'ngx_http_autoindex_module',
    page: 'http/ngx_http_autoindex_module.html',
    rows: [
      ['autoindex', HSL, 'flag', 'on | off', 'off', 'Enables directory listings.'],
      ['autoindex_exact_size', HSL, 'flag', 'on | off', 'on', 'Exact file sizes (or rounded) in HTML listings.'],
      ['autoindex_format', HSL, '1', 'html | xml | json | jsonp', 'html', 'Format of a directory listing.'],
      ['autoindex_localtime', HSL, 'flag', 'on | off', 'off', 'Local time (or UTC) in listings.'],
    ],
  },
  {
    module: 'ngx_http_access_module',
    page: 'http/ngx_http_access_module.html',
    rows: [
      ['allow', 'H S L LMT', '1', 'address | CIDR | unix: | all', '', 'Allows access for the network or address.'],
      ['deny', 'H S L LMT', '1', 'address | CIDR | unix: | all', '', 'Denies access for the network or address.'],
    ],
  },
  {
    module: 'ngx_http_auth_basic_module',
    page: 'http/ngx_http_auth_basic_module.html',
    rows: [
      ['auth_basic', 'H S L LMT', '1', 'string | off', 'off', 'Enables HTTP Basic authentication with the given realm.'],
      ['auth_basic_user_file', 'H S L LMT', '1', 'file', '', 'File with user names and password hashes.'],
    ],
  },
  {
    module: 'ngx_http_auth_request_module',
    page: 'http/ngx_http_auth_request_module.html',
    rows: [
      ['auth_request', HSL, '1', 'uri | off', 'off', 'Authorizes requests with a subrequest to the URI (2xx allows, 401/403 deny).'],
      ['auth_request_set', HSL, '2', '$variable value', '', 'Sets a variable from the authorization subrequest (e.g. $upstream_http_*).'],
    ],
  },
  {
    module: 'ngx_http_realip_module',
    page: 'http/ngx_http_realip_module.html',
    rows: [
      ['set_real_ip_from', HSL, '1', 'address | CIDR | unix:', '', 'Trusted addresses that send the correct replacement address.'],
      ['real_ip_header', HSL, '1', 'field | X-Real-IP | X-Forwarded-For | proxy_protocol', 'X-Real-IP', 'Request header whose value replaces the client address.'],
      ['real_ip_recursive', HSL, 'flag', 'on | off', 'off', 'Uses the last non-trusted address in the header instead of the last one.'],
    ],
  },
  {
    module: 'ngx_http_geo_module',
    page: 'http/ngx_http_geo_module.html',
    rows: [['geo', 'H', '12B', '[$address] $variable { ... }', '', 'Creates a variable whose value depends on the client IP address.']],
  },
  {
    module: 'ngx_http_split_clients_module',
    page: 'http/ngx_http_split_clients_module.html',
    rows: [['split_clients', 'H', '2B', 'string $variable { ... }', '', 'Creates a variable for A/B testing from a hash of the string.']],
  },
  {
    module: 'ngx_http_fastcgi_module',
    page: 'http/ngx_http_fastcgi_module.html',
    rows: [
      ['fastcgi_pass', 'L LIF', '1', 'address', '', 'Address of a FastCGI server.'],
      ['fastcgi_temp_path', HSL, '1234', 'path [level1 [level2 [level3]]]', 'fastcgi_temp', 'Directory for temporary files with data from FastCGI servers.'],
      ['fastcgi_param', HSL, '23', 'parameter value [if_not_empty]', '', 'Parameter passed to the FastCGI server; a level with its own fastcgi_param inherits none from above.'],
      ['fastcgi_index', HSL, '1', 'name', '', 'File name appended to URIs ending with a slash, in $fastcgi_script_name.'],
      ['fastcgi_split_path_info', HSL, '1', 'regex', '', 'Regex capturing $fastcgi_script_name and $fastcgi_path_info.'],
      ['fastcgi_connect_timeout', HSL, '1', 'time', '60s', 'Timeout for establishing a connection with a FastCGI server.'],
      ['fastcgi_send_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive writes to the FastCGI server.'],
      ['fastcgi_read_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive reads from the FastCGI server.'],
      ['fastcgi_buffering', HSL, 'flag', 'on | off', 'on', 'Buffers responses from the FastCGI server.'],
      ['fastcgi_buffer_size', HSL, '1', 'size', '4k|8k', 'Buffer size for the first part of the response.'],
      ['fastcgi_buffers', HSL, '2', 'number size', '8 4k|8k', 'Number and size of buffers for a response.'],
      ['fastcgi_busy_buffers_size', HSL, '1', 'size', '8k|16k', 'Limit on buffers busy sending to the client.'],
      ['fastcgi_intercept_errors', HSL, 'flag', 'on | off', 'off', 'Whether responses with codes >= 300 go to error_page.'],
      ['fastcgi_keep_conn', HSL, 'flag', 'on | off', 'off', 'Keeps FastCGI connections open (for upstream keepalive).'],
      ['fastcgi_hide_header', HSL, '1', 'field', '', 'Hides a response header from the client.'],
      ['fastcgi_pass_header', HSL, '1', 'field', '', 'Passes an otherwise hidden response header.'],
      ['fastcgi_ignore_client_abort', HSL, 'flag', 'on | off', 'off', 'Keeps the FastCGI request when the client aborts.'],
      ['fastcgi_next_upstream', HSL, '1+', 'error | timeout | invalid_header | http_500 | ... | off ...', 'error timeout', 'In which cases a request is passed to the next server.'],
      ['fastcgi_cache', HSL, '1', 'zone | off', 'off', 'Shared memory zone used for caching.'],
      ['fastcgi_cache_path', 'H', '2+', 'path [levels=levels] keys_zone=name:size ...', '', 'Path and parameters of a cache.'],
      ['fastcgi_cache_key', HSL, '1', 'string', '', 'Key for caching.'],
      ['fastcgi_cache_valid', HSL, '1+', '[code ...] time', '', 'Caching time for response codes.'],
    ],
  },
  {
    module: 'ngx_http_uwsgi_module',
    page: 'http/ngx_http_uwsgi_module.html',
    rows: [
      ['uwsgi_pass', 'L LIF', '1', '[protocol://]address', '', 'Protocol and address of a uwsgi server.'],
      ['uwsgi_temp_path', HSL, '1234', 'path [level1 [level2 [level3]]]', 'uwsgi_temp', 'Directory for temporary files with data from uwsgi servers.'],
      ['uwsgi_param', HSL, '23', 'parameter value [if_not_empty]', '', 'Parameter passed to the uwsgi server.'],
      ['uwsgi_connect_timeout', HSL, '1', 'time', '60s', 'Timeout for establishing a connection with a uwsgi server.'],
      ['uwsgi_send_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive writes to the uwsgi server.'],
      ['uwsgi_read_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive reads from the uwsgi server.'],
      ['uwsgi_buffering', HSL, 'flag', 'on | off', 'on', 'Buffers responses from the uwsgi server.'],
      ['uwsgi_buffer_size', HSL, '1', 'size', '4k|8k', 'Buffer size for the first part of the response.'],
      ['uwsgi_buffers', HSL, '2', 'number size', '8 4k|8k', 'Number and size of buffers for a response.'],
      ['uwsgi_intercept_errors', HSL, 'flag', 'on | off', 'off', 'Whether responses with codes >= 300 go to error_page.'],
    ],
  },
  {
    module: 'ngx_http_scgi_module',
    page: 'http/ngx_http_scgi_module.html',
    rows: [
      ['scgi_pass', 'L LIF', '1', 'address', '', 'Address of an SCGI server.'],
      ['scgi_temp_path', HSL, '1234', 'path [level1 [level2 [level3]]]', 'scgi_temp', 'Directory for temporary files with data from SCGI servers.'],
      ['scgi_param', HSL, '23', 'parameter value [if_not_empty]', '', 'Parameter passed to the SCGI server.'],
      ['scgi_read_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive reads from the SCGI server.'],
    ],
  },
  {
    module: 'ngx_http_grpc_module',
    page: 'http/ngx_http_grpc_module.html',
    rows: [
      ['grpc_pass', 'L LIF', '1', 'address', '', 'Address of a gRPC server (grpc:// or grpcs://).'],
      ['grpc_set_header', HSL, '2', 'field value', '', 'Sets a request header passed to the gRPC server.'],
      ['grpc_hide_header', HSL, '1', 'field', '', 'Hides a response header from the client.'],
      ['grpc_pass_header', HSL, '1', 'field', '', 'Passes an otherwise hidden response header.'],
      ['grpc_connect_timeout', HSL, '1', 'time', '60s', 'Timeout for establishing a connection with a gRPC server.'],
      ['grpc_send_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive writes to the gRPC server.'],
      ['grpc_read_timeout', HSL, '1', 'time', '60s', 'Timeout between two successive reads from the gRPC server (long-lived streams need more).'],
      ['grpc_buffer_size', HSL, '1', 'size', '4k|8k', 'Buffer size for reading the response.'],
      ['grpc_intercept_errors', HSL, 'flag', 'on | off', 'off', 'Whether responses with codes >= 300 go to error_page.'],
      ['grpc_next_upstream', HSL, '1+', 'error | timeout | invalid_header | http_500 | ... | off ...', 'error timeout', 'In which cases a request is passed to the next server.'],
      ['grpc_socket_keepalive', HSL, 'flag', 'on | off', 'off', 'Enables TCP keepalive on connections to the gRPC server.'],
      ['grpc_ssl_server_name', HSL, 'flag', 'on | off', 'off', 'Passes the server name through SNI to the gRPC server.'],
      ['grpc_ssl_verify', HSL, 'flag', 'on | off', 'off', 'Verifies the gRPC server certificate.'],
    ],
  },
  {
    module: 'ngx_http_v2_module',
    page: 'http/ngx_http_v2_module.html',
    rows: [
      ['http2', 'H S', 'flag', 'on | off', 'off', 'Enables HTTP/2 (since 1.25.1; before, the `http2` parameter of listen).'],
      ['http2_max_concurrent_streams', 'H S', '1', 'number', '128', 'Maximum number of concurrent HTTP/2 streams in a connection.'],
      ['http2_chunk_size', HSL, '1', 'size', '8k', 'Maximum size of chunks the response body is sliced into.'],
      ['http2_body_preread_size', 'H S', '1', 'size', '64k', 'Buffer size per request for saving a body before processing starts.'],
      ['http2_recv_buffer_size', 'H', '1', 'size', '256k', 'Size of the per-worker input buffer.'],
      ['http2_extended_connect', 'H S', 'flag', 'on | off', '', 'Advertises the HTTP/2 extended CONNECT protocol (RFC 8441) so clients can open WebSockets over HTTP/2 (nginx 1.29+).'],
    ],
  },
  {
    module: 'ngx_http_core_module',
    page: 'http/ngx_http_core_module.html',
    rows: [
      ['accept_extended_connect', HSL, 'flag', 'on | off', '', 'Accepts extended CONNECT requests (WebSocket over HTTP/2, RFC 8441) in this location and proxies them as HTTP/1.1 Upgrade requests (nginx 1.29+).'],
    ],
  },
  {
    module: 'ngx_http_v3_module',
    page: 'http/ngx_http_v3_module.html',
    rows: [
      ['http3', 'H S', 'flag', 'on | off', 'on', 'Enables HTTP/3 negotiation (with `listen ... quic`).'],
      ['http3_hq', 'H S', 'flag', 'on | off', 'off', 'Enables the HTTP/0.9 over QUIC protocol used in interoperability tests.'],
      ['http3_max_concurrent_streams', 'H S', '1', 'number', '128', 'Maximum number of concurrent HTTP/3 request streams in a connection.'],
      ['http3_stream_buffer_size', 'H S', '1', 'size', '64k', 'Size of the buffer used for reading and writing QUIC streams.'],
      ['quic_retry', 'H S', 'flag', 'on | off', 'off', 'Enables QUIC address validation (Retry).'],
      ['quic_gso', 'H S', 'flag', 'on | off', 'off', 'Enables sending in optimized batch mode (segmentation offloading).'],
      ['quic_host_key', 'H S', '1', 'file', '', 'File with the secret key used to encrypt stateless reset and address validation tokens.'],
      ['quic_active_connection_id_limit', 'H S', '1', 'number', '2', 'Value of the QUIC active_connection_id_limit transport parameter.'],
      ['quic_bpf', 'M', 'flag', 'on | off', 'off', 'Enables routing of QUIC packets with eBPF (Linux).'],
    ],
  },
  {
    module: 'ngx_http_stub_status_module',
    page: 'http/ngx_http_stub_status_module.html',
    rows: [['stub_status', 'S L', '01', '', '', 'Exposes basic status information (active connections, requests) at this location.']],
  },
  {
    module: 'ngx_http_charset_module',
    page: 'http/ngx_http_charset_module.html',
    rows: [
      ['charset', HSL_IF, '1', 'charset | off', 'off', 'Adds the charset to the Content-Type response header (and converts from source_charset).'],
      ['source_charset', HSL_IF, '1', 'charset', '', 'Source charset of a response.'],
      ['charset_types', HSL, '1+', 'mime-type ...', 'text/html text/xml text/plain text/vnd.wap.wml application/javascript application/rss+xml', 'MIME types the charset module processes.'],
    ],
  },
  {
    module: 'ngx_http_sub_module',
    page: 'http/ngx_http_sub_module.html',
    rows: [
      ['sub_filter', HSL, '2', 'string replacement', '', 'Replaces a string in responses.'],
      ['sub_filter_once', HSL, 'flag', 'on | off', 'on', 'Replaces only the first occurrence.'],
      ['sub_filter_types', HSL, '1+', 'mime-type ...', 'text/html', 'MIME types where sub_filter replaces strings.'],
    ],
  },
  {
    module: 'ngx_http_mirror_module',
    page: 'http/ngx_http_mirror_module.html',
    rows: [
      ['mirror', HSL, '1', 'uri | off', 'off', 'Mirrors the original request to the URI with a background subrequest.'],
      ['mirror_request_body', HSL, 'flag', 'on | off', 'on', 'Whether the client request body is mirrored.'],
    ],
  },
  {
    module: 'ngx_http_referer_module',
    page: 'http/ngx_http_referer_module.html',
    rows: [['valid_referers', 'S L', '1+', 'none | blocked | server_names | string ...', '', 'Referer values that set $invalid_referer to an empty string.']],
  },
  {
    module: 'ngx_http_empty_gif_module',
    page: 'http/ngx_http_empty_gif_module.html',
    rows: [['empty_gif', 'L', '0', '', '', 'Returns a single-pixel transparent GIF.']],
  },
  {
    module: 'ngx_http_slice_module',
    page: 'http/ngx_http_slice_module.html',
    rows: [['slice', HSL, '1', 'size', '0', 'Splits requests into subrequests each returning a range of this size.']],
  },
  {
    module: 'ngx_http_ssi_module',
    page: 'http/ngx_http_ssi_module.html',
    rows: [['ssi', HSL_IF, 'flag', 'on | off', 'off', 'Enables processing of SSI commands in responses.']],
  },
  {
    module: 'ngx_stream_core_module',
    page: 'stream/ngx_stream_core_module.html',
    rows: [
      ['stream', 'M', '0B', '{ ... }', '', 'Context for stream (TCP/UDP) server directives.'],
      ['server', 'ST', '0B', '{ ... }', '', 'Configuration of a stream server.'],
      ['listen', 'STS', '1+', 'address:port [ssl] [udp] [proxy_protocol] ...', '', 'Address and port on which the stream server accepts connections.'],
      ['preread_buffer_size', 'ST STS', '1', 'size', '16k', 'Size of the preread buffer.'],
      ['preread_timeout', 'ST STS', '1', 'timeout', '30s', 'Timeout of the preread phase.'],
      ['proxy_protocol_timeout', 'ST STS', '1', 'timeout', '30s', 'Timeout for reading the PROXY protocol header.'],
      ['resolver', 'ST STS', '1+', 'address ... [valid=time] [ipv6=on|off]', '', 'Name servers used to resolve upstream server names.'],
      ['resolver_timeout', 'ST STS', '1', 'time', '30s', 'Timeout for name resolution.'],
      ['tcp_nodelay', 'ST STS', 'flag', 'on | off', 'on', 'Enables TCP_NODELAY for client and proxied connections.'],
      ['variables_hash_max_size', 'ST', '1', 'size', '1024', 'Maximum size of the variables hash table.'],
      ['variables_hash_bucket_size', 'ST', '1', 'size', '64', 'Bucket size of the variables hash table.'],
    ],
  },
  {
    module: 'ngx_stream_proxy_module',
    page: 'stream/ngx_stream_proxy_module.html',
    rows: [
      ['proxy_pass', 'STS', '1', 'address', '', 'Address of the proxied server (host:port, unix:path or upstream name).'],
      ['proxy_connect_timeout', 'ST STS', '1', 'time', '60s', 'Timeout for establishing a connection with the proxied server.'],
      ['proxy_timeout', 'ST STS', '1', 'timeout', '10m', 'Timeout between two successive reads or writes on the client or proxied connection.'],
      ['proxy_buffer_size', 'ST STS', '1', 'size', '16k', 'Size of the buffers used for reading from the proxied server and the client.'],
      ['proxy_protocol', 'ST STS', 'flag', 'on | off', 'off', 'Sends the PROXY protocol header to the proxied server.'],
      ['proxy_next_upstream', 'ST STS', 'flag', 'on | off', 'on', 'Passes the connection to the next server when one cannot be reached.'],
      ['proxy_next_upstream_tries', 'ST STS', '1', 'number', '0', 'Limits the number of tries for passing a connection to the next server.'],
      ['proxy_next_upstream_timeout', 'ST STS', '1', 'time', '0', 'Limits the time allowed for passing a connection to the next server.'],
      ['proxy_bind', 'ST STS', '12', 'address [transparent] | off', '', 'Local IP address for outgoing connections to the proxied server.'],
      ['proxy_socket_keepalive', 'ST STS', 'flag', 'on | off', 'off', 'Enables TCP keepalive on connections to the proxied server.'],
      ['proxy_download_rate', 'ST STS', '1', 'rate', '0', 'Limits the speed of reading data from the proxied server.'],
      ['proxy_upload_rate', 'ST STS', '1', 'rate', '0', 'Limits the speed of reading data from the client.'],
      ['proxy_ssl', 'ST STS', 'flag', 'on | off', 'off', 'Enables SSL for connections to the proxied server.'],
    ],
  },
  {
    module: 'ngx_stream_upstream_module',
    page: 'stream/ngx_stream_upstream_module.html',
    rows: [
      ['upstream', 'ST', '1B', 'name { ... }', '', 'Defines a group of servers for stream proxy_pass.'],
      ['server', 'STU', '1+', 'address [weight=n] [max_fails=n] [fail_timeout=time] [backup] [down]', '', 'Address and parameters of a server in the group.'],
      ['zone', 'STU', '12', 'name [size]', '', 'Shared memory zone for the group\'s configuration and state.'],
      ['hash', 'STU', '12', 'key [consistent]', '', 'Load balancing by a hashed key.'],
      ['least_conn', 'STU', '0', '', '', 'Passes a connection to the server with the least number of active connections.'],
      ['random', 'STU', '012', '[two [method]]', '', 'Passes a connection to a randomly selected server.'],
    ],
  },
  {
    module: 'ngx_stream_map_module',
    page: 'stream/ngx_stream_map_module.html',
    rows: [
      ['map', 'ST', '2B', 'string $variable { ... }', '', 'Creates a variable whose value depends on the value of another.'],
      ['map_hash_max_size', 'ST', '1', 'size', '2048', 'Maximum size of the map variables hash tables.'],
      ['map_hash_bucket_size', 'ST', '1', 'size', '32|64|128', 'Bucket size of the map variables hash tables.'],
    ],
  },
  {
    module: 'ngx_stream_geo_module',
    page: 'stream/ngx_stream_geo_module.html',
    rows: [['geo', 'ST', '12B', '[$address] $variable { ... }', '', 'Creates a variable whose value depends on the client IP address.']],
  },
  {
    module: 'ngx_stream_split_clients_module',
    page: 'stream/ngx_stream_split_clients_module.html',
    rows: [['split_clients', 'ST', '2B', 'string $variable { ... }', '', 'Creates a variable for A/B testing from a hash of the string.']],
  },
  {
    module: 'ngx_stream_access_module',
    page: 'stream/ngx_stream_access_module.html',
    rows: [
      ['allow', 'ST STS', '1', 'address | CIDR | unix: | all', '', 'Allows access for the network or address.'],
      ['deny', 'ST STS', '1', 'address | CIDR | unix: | all', '', 'Denies access for the network or address.'],
    ],
  },
  {
    module: 'ngx_stream_limit_conn_module',
    page: 'stream/ngx_stream_limit_conn_module.html',
    rows: [
      ['limit_conn_zone', 'ST', '2', 'key zone=name:size', '', 'Shared memory zone keeping connection counts per key.'],
      ['limit_conn', 'ST STS', '2', 'zone number', '', 'Maximum number of simultaneous connections per key.'],
      ['limit_conn_log_level', 'ST STS', '1', 'info | notice | warn | error', 'error', 'Log level for refused connections.'],
      ['limit_conn_dry_run', 'ST STS', 'flag', 'on | off', 'off', 'Counts but does not limit connections.'],
    ],
  },
  {
    module: 'ngx_stream_log_module',
    page: 'stream/ngx_stream_log_module.html',
    rows: [
      ['access_log', 'ST STS', '1+', 'path format [buffer=size] [gzip[=level]] [flush=time] [if=condition] | off', 'off', 'Path, format and buffering of the session log.'],
      ['log_format', 'ST', '2+', 'name [escape=default|json|none] string ...', '', 'Defines a log format.'],
      ['open_log_file_cache', 'ST STS', '1234', 'max=N [inactive=time] [min_uses=N] [valid=time] | off', 'off', 'Cache of descriptors of log files whose names contain variables.'],
    ],
  },
  {
    module: 'ngx_stream_return_module',
    page: 'stream/ngx_stream_return_module.html',
    rows: [['return', 'STS', '1', 'value', '', 'Sends the value to the client and closes the connection.']],
  },
  {
    module: 'ngx_stream_realip_module',
    page: 'stream/ngx_stream_realip_module.html',
    rows: [['set_real_ip_from', 'ST STS', '1', 'address | CIDR | unix:', '', 'Trusted addresses that send the correct client address in the PROXY protocol header.']],
  },
  {
    module: 'ngx_stream_ssl_module',
    page: 'stream/ngx_stream_ssl_module.html',
    rows: [
      ['ssl_certificate', 'ST STS', '1', 'file', '', 'Certificate in PEM format for the stream server.'],
      ['ssl_certificate_key', 'ST STS', '1', 'file', '', 'Secret key in PEM format for the stream server.'],
      ['ssl_protocols', 'ST STS', '1+', '[TLSv1.2] [TLSv1.3] ...', 'TLSv1.2 TLSv1.3', 'Enabled TLS protocols.'],
      ['ssl_ciphers', 'ST STS', '1', 'ciphers', 'HIGH:!aNULL:!MD5', 'Enabled ciphers.'],
      ['ssl_handshake_timeout', 'ST STS', '1', 'time', '60s', 'Timeout for the SSL handshake.'],
    ],
  },
  {
    module: 'ngx_stream_ssl_preread_module',
    page: 'stream/ngx_stream_ssl_preread_module.html',
    rows: [['ssl_preread', 'ST STS', 'flag', 'on | off', 'off', 'Extracts SNI and ALPN from the ClientHello during preread ($ssl_preread_server_name).']],
  },
  {
    module: 'ngx_stream_set_module',
    page: 'stream/ngx_stream_set_module.html',
    rows: [['set', 'STS', '2', '$variable value', '', 'Sets a value for a variable.']],
  },
  {
    module: 'ngx_mail_core_module',
    page: 'mail/ngx_mail_core_module.html',
    rows: [
      ['mail', 'M', '0B', '{ ... }', '', 'Context for mail proxy server directives.'],
      ['server', 'ML', '0B', '{ ... }', '', 'Configuration of a mail server.'],
      ['listen', 'MLS', '1+', 'address:port [ssl] [proxy_protocol] ...', '', 'Address and port on which the mail server accepts connections.'],
      ['protocol', 'MLS', '1', 'imap | pop3 | smtp', '', 'Protocol of the proxied server.'],
      ['server_name', 'ML MLS', '1', 'name', 'hostname', 'Server name used in greetings and SASL authentication.'],
      ['timeout', 'ML MLS', '1', 'time', '60s', 'Timeout used before proxying to the backend starts.'],
      ['resolver', 'ML MLS', '1+', 'address ... [valid=time] [ipv6=on|off] | off', 'off', 'Name servers used to find the client hostname.'],
      ['resolver_timeout', 'ML MLS', '1', 'time', '30s', 'Timeout for DNS operations.'],
    ],
  },
  {
    module: 'ngx_mail_proxy_module',
    page: 'mail/ngx_mail_proxy_module.html',
    rows: [
      ['proxy_timeout', 'ML MLS', '1', 'timeout', '24h', 'Timeout between two successive reads or writes on the client or proxied connection.'],
      ['proxy_protocol', 'ML MLS', 'flag', 'on | off', 'off', 'Sends the PROXY protocol header to the mail backend.'],
    ],
  },
  {
    module: 'ngx_mail_realip_module',
    page: 'mail/ngx_mail_realip_module.html',
    rows: [
      ['set_real_ip_from', 'ML MLS', '1', 'address | CIDR | unix:', '', 'Trusted addresses that send the correct client address in the PROXY protocol header.'],
    ],
  },
  {
    module: 'ngx_mail_auth_http_module',
    page: 'mail/ngx_mail_auth_http_module.html',
    rows: [['auth_http', 'ML MLS', '1', 'URL', '', 'URL of the HTTP authentication server.']],
  },
];

/** Copies rows of another module under new contexts (the stream and mail SSL modules mirror the http one). */
function derived(module: string, page: string, from: string, ctx: string, names: string[]): ModuleRows {
  const src = MODULES.find((m) => m.module === from)!;
  const rows = names.map((n): Row => {
    const r = src.rows.find((x) => x[0] === n);
    if (!r) throw new Error(`directives.ts: ${n} is not in ${from}`);
    return [r[0], ctx, r[2], r[3], r[4], r[5]];
  });
  return { module, page, rows };
}

const SSL_SHARED = [
  'ssl_password_file', 'ssl_dhparam', 'ssl_ecdh_curve', 'ssl_prefer_server_ciphers', 'ssl_session_cache',
  'ssl_session_timeout', 'ssl_session_tickets', 'ssl_session_ticket_key', 'ssl_verify_client', 'ssl_verify_depth',
  'ssl_client_certificate', 'ssl_trusted_certificate', 'ssl_crl', 'ssl_conf_command',
];
MODULES.push(
  derived('ngx_stream_ssl_module', 'stream/ngx_stream_ssl_module.html', 'ngx_http_ssl_module', 'ST STS', SSL_SHARED),
  derived('ngx_mail_ssl_module', 'mail/ngx_mail_ssl_module.html', 'ngx_http_ssl_module', 'ML MLS', [
    'ssl', 'ssl_certificate', 'ssl_certificate_key', 'ssl_protocols', 'ssl_ciphers', ...SSL_SHARED,
  ]),
  derived('ngx_stream_proxy_module', 'stream/ngx_stream_proxy_module.html', 'ngx_http_proxy_module', 'ST STS', [
    'proxy_ssl_server_name', 'proxy_ssl_name', 'proxy_ssl_verify', 'proxy_ssl_verify_depth', 'proxy_ssl_trusted_certificate',
    'proxy_ssl_certificate', 'proxy_ssl_certificate_key', 'proxy_ssl_protocols', 'proxy_ssl_ciphers', 'proxy_ssl_session_reuse',
  ]),
);

function parseArgs(code: string): { args: ArgSpec; block: boolean } {
  const block = code.endsWith('B');
  const c = block ? code.slice(0, -1) : code;
  if (c === 'flag') return { args: { counts: [], flag: true }, block };
  if (c === '1+') return { args: { counts: [], flag: false, atLeast: 1 }, block };
  if (c === '2+') return { args: { counts: [], flag: false, atLeast: 2 }, block };
  return { args: { counts: [...c].map(Number), flag: false }, block };
}

function build(): Map<string, DirectiveInfo[]> {
  const out = new Map<string, DirectiveInfo[]>();
  for (const m of MODULES) {
    for (const [name, ctx, argCode, syntax, def, doc] of m.rows) {
      const { args, block } = parseArgs(argCode);
      const anyContext = ctx === '*';
      const contexts = anyContext ? [...ALL_CONTEXTS] : ctx.split(' ').map((c) => {
        const v = CTX[c];
        if (!v) throw new Error(`directives.ts: unknown context code ${c} for ${name}`);
        return v;
      });
      const info: DirectiveInfo = {
        name,
        contexts,
        anyContext,
        args,
        block,
        syntax,
        default: def,
        module: m.module,
        doc,
        url: `https://nginx.org/en/docs/${m.page}#${name}`,
      };
      const list = out.get(name);
      if (list) list.push(info);
      else out.set(name, [info]);
    }
  }
  return out;
}

const TABLE = build();

/** Every directive name in the table. */
export function directiveNames(): IterableIterator<string> {
  return TABLE.keys();
}

/** All entries for a name (several for `server`, `listen`, `proxy_pass` ...); empty when unknown. */
export function lookupDirective(name: string): readonly DirectiveInfo[] {
  return TABLE.get(name) ?? [];
}

/** The entry valid in `ctx`, else the first entry for the name. */
export function directiveFor(name: string, ctx: Context | null): DirectiveInfo | undefined {
  const list = TABLE.get(name);
  if (!list) return undefined;
  if (ctx) for (const d of list) if (d.contexts.includes(ctx)) return d;
  return list[0];
}

export function isAllowedIn(name: string, ctx: Context): boolean {
  const list = TABLE.get(name);
  return !!list && list.some((d) => d.contexts.includes(ctx));
}

/** Entries allowed in a context, one per name. */
export function directivesIn(ctx: Context): DirectiveInfo[] {
  const out: DirectiveInfo[] = [];
  for (const list of TABLE.values()) {
    const d = list.find((x) => x.contexts.includes(ctx));
    if (d) out.push(d);
  }
  return out;
}

export function argCountOk(spec: ArgSpec, n: number): boolean {
  if (spec.flag) return n === 1;
  if (spec.atLeast !== undefined) return n >= spec.atLeast;
  return spec.counts.includes(n);
}

/** Human form of the argument count ("1 or 2 arguments"). */
export function describeArgCount(spec: ArgSpec): string {
  if (spec.flag) return 'on | off';
  if (spec.atLeast !== undefined) return `${spec.atLeast} or more arguments`;
  const c = spec.counts;
  if (c.length === 1) return c[0] === 0 ? 'no arguments' : `${c[0]} argument${c[0] === 1 ? '' : 's'}`;
  return `${c.slice(0, -1).join(', ')} or ${c[c.length - 1]} arguments`;
}

/** The syntax line as nginx.org shows it: `proxy_read_timeout time;` / `location ... { ... }`. */
export function syntaxLine(d: DirectiveInfo): string {
  const body = d.syntax ? `${d.name} ${d.syntax}` : d.name;
  return d.block ? body : `${body};`;
}

/**
 * Values a completion can offer for an argument, from the syntax line:
 * `on | off`, `1.0 | 1.1`, `all | any`. Only for single-word alternatives.
 */
export function enumValues(d: DirectiveInfo): string[] {
  if (d.args.flag) return ['on', 'off'];
  if (!d.syntax.includes('|')) return [];
  const parts = d.syntax.split('|').map((s) => s.trim());
  if (!parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p))) return [];
  return parts;
}

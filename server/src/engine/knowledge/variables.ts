/**
 * nginx's built-in variables, the dynamic prefixes ($http_*, $cookie_* ...)
 * and the regex captures $1..$9. Names are without `$`; nginx looks variable
 * names up case-insensitively, so lookups lowercase first.
 */

export interface VariableInfo {
  /** Name without `$`; for a prefix entry, the prefix itself (`http_`). */
  name: string;
  /** True for a prefix entry: `http_` matches `http_upgrade`. */
  prefix: boolean;
  module: string;
  doc: string;
  url: string;
}

/** [name, doc] per module page. */
type VarRow = [string, string];

interface VarModule {
  module: string;
  page: string;
  vars: VarRow[];
  prefixes?: VarRow[];
}

const MODULES: VarModule[] = [
  {
    module: 'ngx_http_core_module',
    page: 'http/ngx_http_core_module.html',
    vars: [
      ['args', 'Arguments in the request line (the query string).'],
      ['binary_remote_addr', 'Client address in binary form (4 bytes for IPv4, 16 for IPv6); compact key for limit zones.'],
      ['body_bytes_sent', 'Number of bytes sent to the client, not counting the response header.'],
      ['bytes_sent', 'Number of bytes sent to the client.'],
      ['connection', 'Connection serial number.'],
      ['connection_requests', 'Current number of requests made through the connection.'],
      ['connection_time', 'Connection time in seconds with millisecond resolution.'],
      ['content_length', 'The Content-Length request header field.'],
      ['content_type', 'The Content-Type request header field.'],
      ['document_root', 'root or alias value for the current request.'],
      ['document_uri', 'Same as $uri.'],
      ['host', 'Host name from the request line, else the Host header, else the server name matching the request (lowercase, no port).'],
      ['hostname', 'Host name of the machine.'],
      ['https', '"on" if the connection operates in SSL mode, or an empty string.'],
      ['is_args', '"?" if the request line has arguments, or an empty string.'],
      ['limit_rate', 'Setting this variable enables response rate limiting (see limit_rate).'],
      ['msec', 'Current time in seconds with millisecond resolution.'],
      ['nginx_version', 'nginx version.'],
      ['pid', 'PID of the worker process.'],
      ['pipe', '"p" if the request was pipelined, "." otherwise.'],
      ['proxy_protocol_addr', 'Client address from the PROXY protocol header.'],
      ['proxy_protocol_port', 'Client port from the PROXY protocol header.'],
      ['proxy_protocol_server_addr', 'Server address from the PROXY protocol header.'],
      ['proxy_protocol_server_port', 'Server port from the PROXY protocol header.'],
      ['query_string', 'Same as $args.'],
      ['realpath_root', 'Absolute path of the root or alias value with symbolic links resolved.'],
      ['remote_addr', 'Client address.'],
      ['remote_port', 'Client port.'],
      ['remote_user', 'User name supplied with Basic authentication.'],
      ['request', 'Full original request line.'],
      ['request_body', 'Request body (available in locations processed by proxy_pass, fastcgi_pass ... when read into a buffer).'],
      ['request_body_file', 'Name of the temporary file holding the request body.'],
      ['request_completion', '"OK" if the request has completed, or an empty string.'],
      ['request_filename', 'File path for the current request, from root or alias and the URI.'],
      ['request_id', 'Unique request identifier of 16 random bytes, in hexadecimal.'],
      ['request_length', 'Request length (request line, header and body).'],
      ['request_method', 'Request method, usually GET or POST.'],
      ['request_time', 'Request processing time in seconds with millisecond resolution.'],
      ['request_uri', 'Full original request URI, with arguments.'],
      ['scheme', 'Request scheme, http or https.'],
      ['server_addr', 'Address of the server which accepted the request.'],
      ['server_name', 'Name of the server which accepted the request.'],
      ['server_port', 'Port of the server which accepted the request.'],
      ['server_protocol', 'Request protocol, usually HTTP/1.0, HTTP/1.1, HTTP/2.0 or HTTP/3.0.'],
      ['status', 'Response status.'],
      ['tcpinfo_rtt', 'TCP_INFO round-trip time of the client connection.'],
      ['tcpinfo_rttvar', 'TCP_INFO round-trip time variance of the client connection.'],
      ['tcpinfo_snd_cwnd', 'TCP_INFO send congestion window of the client connection.'],
      ['tcpinfo_rcv_space', 'TCP_INFO receive space of the client connection.'],
      ['time_iso8601', 'Local time in ISO 8601 format.'],
      ['time_local', 'Local time in the Common Log Format.'],
      ['uri', 'Current URI in the request, normalized (changes during processing, e.g. with rewrite or index).'],
    ],
    prefixes: [
      ['arg_', 'Argument `name` in the request line ($arg_name).'],
      ['cookie_', 'The named cookie ($cookie_name).'],
      ['http_', 'Arbitrary request header field, lowercased with dashes as underscores ($http_upgrade is the Upgrade header).'],
      ['sent_http_', 'Arbitrary response header field ($sent_http_content_type).'],
      ['sent_trailer_', 'Arbitrary field sent at the end of the response ($sent_trailer_name).'],
    ],
  },
  {
    module: 'ngx_http_proxy_module',
    page: 'http/ngx_http_proxy_module.html',
    vars: [
      ['proxy_host', 'Name and port of the proxied server as specified in proxy_pass.'],
      ['proxy_port', 'Port of the proxied server as specified in proxy_pass, or the protocol default.'],
      ['proxy_add_x_forwarded_for', 'The X-Forwarded-For client request header with $remote_addr appended.'],
    ],
  },
  {
    module: 'ngx_http_upstream_module',
    page: 'http/ngx_http_upstream_module.html',
    vars: [
      ['upstream_addr', 'IP address and port (or socket path) of the upstream server; several separated by commas and colons.'],
      ['upstream_bytes_received', 'Number of bytes received from the upstream server.'],
      ['upstream_bytes_sent', 'Number of bytes sent to the upstream server.'],
      ['upstream_cache_status', 'Status of accessing a response cache (MISS, BYPASS, EXPIRED, STALE, UPDATING, REVALIDATED, HIT).'],
      ['upstream_connect_time', 'Time spent on establishing a connection with the upstream server.'],
      ['upstream_header_time', 'Time spent on receiving the response header from the upstream server.'],
      ['upstream_response_length', 'Length of the response obtained from the upstream server.'],
      ['upstream_response_time', 'Time spent on receiving the response from the upstream server.'],
      ['upstream_status', 'Status code of the response obtained from the upstream server.'],
    ],
    prefixes: [
      ['upstream_http_', 'Arbitrary response header field of the upstream server ($upstream_http_server).'],
      ['upstream_cookie_', 'Cookie set by the upstream server in Set-Cookie ($upstream_cookie_name).'],
      ['upstream_trailer_', 'Arbitrary trailer field of the upstream response.'],
    ],
  },
  {
    module: 'ngx_http_ssl_module',
    page: 'http/ngx_http_ssl_module.html',
    vars: [
      ['ssl_alpn_protocol', 'Protocol selected by ALPN during the SSL handshake.'],
      ['ssl_cipher', 'Name of the cipher used for the SSL connection.'],
      ['ssl_ciphers', 'List of ciphers supported by the client.'],
      ['ssl_client_cert', 'Client certificate in PEM format, with lines prepended by tab (deprecated).'],
      ['ssl_client_escaped_cert', 'Client certificate in urlencoded PEM format.'],
      ['ssl_client_fingerprint', 'SHA1 fingerprint of the client certificate.'],
      ['ssl_client_i_dn', 'Issuer DN of the client certificate (RFC 2253).'],
      ['ssl_client_raw_cert', 'Client certificate in PEM format.'],
      ['ssl_client_s_dn', 'Subject DN of the client certificate (RFC 2253).'],
      ['ssl_client_serial', 'Serial number of the client certificate.'],
      ['ssl_client_v_end', 'End date of the client certificate.'],
      ['ssl_client_v_remain', 'Number of days until the client certificate expires.'],
      ['ssl_client_v_start', 'Start date of the client certificate.'],
      ['ssl_client_verify', 'Result of client certificate verification: SUCCESS, FAILED:reason, or NONE.'],
      ['ssl_curve', 'Negotiated curve used for the SSL handshake key exchange.'],
      ['ssl_curves', 'List of curves supported by the client.'],
      ['ssl_early_data', '"1" if TLS 1.3 early data is used and the handshake is not complete.'],
      ['ssl_protocol', 'Protocol of the established SSL connection.'],
      ['ssl_server_name', 'Server name requested through SNI.'],
      ['ssl_session_id', 'Session identifier of the established SSL connection.'],
      ['ssl_session_reused', '"r" if the SSL session was reused, "." otherwise.'],
    ],
  },
  {
    module: 'ngx_http_realip_module',
    page: 'http/ngx_http_realip_module.html',
    vars: [
      ['realip_remote_addr', 'Original client address (before realip replaced it).'],
      ['realip_remote_port', 'Original client port.'],
    ],
  },
  {
    module: 'ngx_http_geoip_module',
    page: 'http/ngx_http_geoip_module.html',
    vars: [
      ['geoip_country_code', 'Two-letter country code, e.g. "RU", "US".'],
      ['geoip_country_code3', 'Three-letter country code.'],
      ['geoip_country_name', 'Country name.'],
      ['geoip_area_code', 'Telephone area code (US only).'],
      ['geoip_city', 'City name.'],
      ['geoip_city_continent_code', 'Two-letter continent code.'],
      ['geoip_city_country_code', 'Two-letter country code from the city database.'],
      ['geoip_city_country_code3', 'Three-letter country code from the city database.'],
      ['geoip_city_country_name', 'Country name from the city database.'],
      ['geoip_dma_code', 'DMA region code in the US.'],
      ['geoip_latitude', 'Latitude.'],
      ['geoip_longitude', 'Longitude.'],
      ['geoip_region', 'Country region code.'],
      ['geoip_region_name', 'Country region name.'],
      ['geoip_postal_code', 'Postal code.'],
      ['geoip_org', 'Organization name.'],
    ],
  },
  {
    module: 'ngx_http_fastcgi_module',
    page: 'http/ngx_http_fastcgi_module.html',
    vars: [
      ['fastcgi_script_name', 'Request URI, or the first capture of fastcgi_split_path_info, with fastcgi_index appended for URIs ending in a slash.'],
      ['fastcgi_path_info', 'Second capture of fastcgi_split_path_info.'],
    ],
  },
  { module: 'ngx_http_gzip_module', page: 'http/ngx_http_gzip_module.html', vars: [['gzip_ratio', 'Achieved compression ratio.']] },
  { module: 'ngx_http_limit_conn_module', page: 'http/ngx_http_limit_conn_module.html', vars: [['limit_conn_status', 'Result of limiting: PASSED, REJECTED or REJECTED_DRY_RUN.']] },
  { module: 'ngx_http_limit_req_module', page: 'http/ngx_http_limit_req_module.html', vars: [['limit_req_status', 'Result of limiting: PASSED, DELAYED, REJECTED, DELAYED_DRY_RUN or REJECTED_DRY_RUN.']] },
  { module: 'ngx_http_referer_module', page: 'http/ngx_http_referer_module.html', vars: [['invalid_referer', 'Empty string if the Referer is valid per valid_referers, "1" otherwise.']] },
  {
    module: 'ngx_http_secure_link_module',
    page: 'http/ngx_http_secure_link_module.html',
    vars: [
      ['secure_link', 'Status of a link check: empty (invalid), "0" (expired) or "1" (valid).'],
      ['secure_link_expires', 'Lifetime of a link passed in a request.'],
    ],
  },
  {
    module: 'ngx_http_stub_status_module',
    page: 'http/ngx_http_stub_status_module.html',
    vars: [
      ['connections_active', 'Current number of active client connections.'],
      ['connections_reading', 'Number of connections where nginx is reading the request header.'],
      ['connections_writing', 'Number of connections where nginx is writing the response back.'],
      ['connections_waiting', 'Number of idle client connections waiting for a request.'],
    ],
  },
  { module: 'ngx_http_v2_module', page: 'http/ngx_http_v2_module.html', vars: [['http2', 'Negotiated protocol: "h2" for HTTP/2 over TLS, "h2c" over cleartext, or an empty string.']] },
  { module: 'ngx_http_v3_module', page: 'http/ngx_http_v3_module.html', vars: [['http3', 'Negotiated protocol: "h3" for HTTP/3, "hq" for HTTP/0.9 over QUIC, or an empty string.']] },
  {
    module: 'ngx_http_userid_module',
    page: 'http/ngx_http_userid_module.html',
    vars: [
      ['uid_got', 'Cookie name and the received client identifier.'],
      ['uid_reset', 'Whether the identifier is reset.'],
      ['uid_set', 'Cookie name and the sent client identifier.'],
    ],
  },
  { module: 'ngx_http_memcached_module', page: 'http/ngx_http_memcached_module.html', vars: [['memcached_key', 'Key for obtaining the response from memcached.']] },
  {
    module: 'ngx_http_ssi_module',
    page: 'http/ngx_http_ssi_module.html',
    vars: [
      ['date_local', 'Current time in the local time zone.'],
      ['date_gmt', 'Current time in GMT.'],
    ],
  },
  {
    module: 'ngx_stream_core_module',
    page: 'stream/ngx_stream_core_module.html',
    vars: [
      ['bytes_received', 'Number of bytes received from a client (stream).'],
      ['protocol', 'Protocol used to communicate with the client: TCP or UDP (stream).'],
      ['session_time', 'Session duration in seconds with millisecond resolution (stream).'],
    ],
  },
  {
    module: 'ngx_stream_ssl_preread_module',
    page: 'stream/ngx_stream_ssl_preread_module.html',
    vars: [
      ['ssl_preread_protocol', 'Highest SSL protocol version supported by the client.'],
      ['ssl_preread_server_name', 'Server name requested through SNI.'],
      ['ssl_preread_alpn_protocols', 'List of protocols advertised by the client through ALPN.'],
    ],
  },
];

const CAPTURE_DOC = 'Regex capture from the last matched regular expression (location ~, rewrite, if, server_name, map).';

function build(): { exact: Map<string, VariableInfo>; prefixes: VariableInfo[] } {
  const exact = new Map<string, VariableInfo>();
  const prefixes: VariableInfo[] = [];
  for (const m of MODULES) {
    for (const [name, doc] of m.vars) {
      // The first module wins for names shared by http and stream ($remote_addr ...).
      if (!exact.has(name)) exact.set(name, { name, prefix: false, module: m.module, doc, url: `https://nginx.org/en/docs/${m.page}#var_${name}` });
    }
    for (const [name, doc] of m.prefixes ?? []) {
      prefixes.push({ name, prefix: true, module: m.module, doc, url: `https://nginx.org/en/docs/${m.page}#var_${name}` });
    }
  }
  for (let i = 1; i <= 9; i++) {
    exact.set(String(i), { name: String(i), prefix: false, module: 'ngx_http_rewrite_module', doc: CAPTURE_DOC, url: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#location' });
  }
  // Longest prefix first: `upstream_http_` must win over `http_` (it does not start with it, but keep the rule general).
  prefixes.sort((a, b) => b.name.length - a.name.length);
  return { exact, prefixes };
}

const { exact: EXACT, prefixes: PREFIXES } = build();

/** Built-in variable info for a name without `$` (prefix entries for `$http_*` & co.); undefined when not built in. */
export function lookupVariable(name: string): VariableInfo | undefined {
  const n = name.toLowerCase();
  const hit = EXACT.get(n);
  if (hit) return hit;
  // `$10` is capture 1 followed by a literal "0" in nginx's script compiler.
  if (/^[0-9]+$/.test(n)) return EXACT.get(n[0] === '0' ? '1' : n[0]!);
  for (const p of PREFIXES) if (n.length > p.name.length && n.startsWith(p.name)) return p;
  return undefined;
}

/** True when nginx defines this variable itself (name without `$`). */
export function isBuiltinVariable(name: string): boolean {
  return lookupVariable(name) !== undefined;
}

/** Every exact built-in (not prefixes, not captures), for completion. */
export function builtinVariables(): VariableInfo[] {
  return [...EXACT.values()].filter((v) => !/^[0-9]$/.test(v.name));
}

/** The dynamic prefixes (`http_`, `cookie_` ...), for completion. */
export function variablePrefixes(): readonly VariableInfo[] {
  return PREFIXES;
}

/**
 * The request the model follows through a config: method, target, headers,
 * and where it arrives (address and port of the listening socket). By
 * default a WebSocket handshake (RFC 6455 section 4.1).
 */

export interface Header {
  name: string;
  value: string;
}

export interface HttpRequest {
  method: string;
  /** The request target as sent: path and query, e.g. `/ws/chat?room=1`. */
  target: string;
  /** `HTTP/1.1`. */
  protocol: string;
  headers: Header[];
  /** `http` or `https` (a TLS listener). */
  scheme: 'http' | 'https';
  /** The local address the connection arrived at (`127.0.0.1`, `[::1]`); null when unknown. */
  address: string | null;
  port: number;
  /** The client's address, for `allow`/`deny`, `geo` and `$remote_addr`; null when unknown. */
  clientAddress: string | null;
}

/** A fixed key, so a trace is reproducible; any 16-byte base64 value is valid. */
export const HANDSHAKE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The headers a WebSocket client sends, in the order browsers send them. */
export function handshakeHeaders(host: string): Header[] {
  return [
    { name: 'Host', value: host },
    { name: 'Upgrade', value: 'websocket' },
    { name: 'Connection', value: 'Upgrade' },
    { name: 'Sec-WebSocket-Key', value: HANDSHAKE_KEY },
    { name: 'Sec-WebSocket-Version', value: '13' },
  ];
}

export interface RequestOptions {
  method?: string;
  /** Extra headers; a name given here replaces the handshake's header of that name. */
  headers?: Header[];
  /** Send no WebSocket handshake headers (a plain request). */
  plain?: boolean;
  clientAddress?: string | null;
  address?: string | null;
}

/**
 * A request for a URL (`ws://`, `wss://`, `http://`, `https://`), a WebSocket
 * handshake unless `plain`. Returns an error string for a URL that cannot be
 * requested.
 */
export function requestFor(url: string, opts: RequestOptions = {}): HttpRequest | string {
  const m = /^(wss?|https?):\/\/(\[[^\]]*\]|[^/?#:]*)(?::(\d+))?([^#]*)/i.exec(url.trim());
  if (!m) return `not a ws://, wss://, http:// or https:// URL: ${url}`;
  const tls = /^(wss|https)$/i.test(m[1]!);
  const hostName = m[2]!.toLowerCase();
  if (!hostName) return `no host in ${url}`;
  const port = m[3] ? Number(m[3]) : tls ? 443 : 80;
  if (!(port > 0 && port < 65536)) return `port out of range in ${url}`;
  let target = m[4] || '/';
  if (!target.startsWith('/')) target = `/${target}`;
  const hostHeader = m[3] ? `${hostName}:${port}` : hostName;
  let headers = opts.plain ? [{ name: 'Host', value: hostHeader }] : handshakeHeaders(hostHeader);
  for (const h of opts.headers ?? []) {
    headers = headers.filter((x) => x.name.toLowerCase() !== h.name.toLowerCase());
  }
  headers = [...headers, ...(opts.headers ?? [])];
  const literal = /^\d{1,3}(\.\d{1,3}){3}$|^\[/.test(hostName) ? hostName : null;
  return {
    method: opts.method ?? 'GET',
    target,
    protocol: 'HTTP/1.1',
    headers,
    scheme: tls ? 'https' : 'http',
    address: opts.address !== undefined ? opts.address : literal,
    port,
    clientAddress: opts.clientAddress !== undefined ? opts.clientAddress : null,
  };
}

/** The value of the first header of that name (case-insensitive), or undefined. */
export function headerValue(headers: readonly Header[], name: string): string | undefined {
  const lc = name.toLowerCase();
  for (const h of headers) if (h.name.toLowerCase() === lc) return h.value;
  return undefined;
}

/** Split `/a/b?x=1` into the path and the arguments (without `?`). */
export function splitTarget(target: string): { path: string; args: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, args: '' } : { path: target.slice(0, q), args: target.slice(q + 1) };
}

/**
 * The URI nginx matches locations against (ngx_http_parse_complex_uri):
 * percent-escapes decoded, `//` merged (`merge_slashes on`), `.` and `..`
 * segments resolved. Null when nginx rejects the request (400): a `..`
 * above the root, or a decoded NUL.
 */
export function normalizeUri(path: string, mergeSlashes = true): string | null {
  // The common case has nothing to decode, merge or resolve.
  if (path.startsWith('/') && path.indexOf('%') < 0 && path.indexOf('//') < 0 && path.indexOf('/.') < 0) return path;
  let decoded = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(path.slice(i + 1, i + 3))) {
      const code = parseInt(path.slice(i + 1, i + 3), 16);
      if (code === 0) return null;
      decoded += String.fromCharCode(code);
      i += 2;
    } else decoded += c;
  }
  const segments = decoded.split('/');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const last = i === segments.length - 1;
    if (s === '.') {
      if (last) out.push('');
      continue;
    }
    if (s === '..') {
      if (out.length <= 1) return null;
      out.pop();
      if (last) out.push('');
      continue;
    }
    if (s === '' && mergeSlashes && i > 0 && !last) continue;
    out.push(s);
  }
  const uri = out.join('/');
  return uri.startsWith('/') ? uri : `/${uri}`;
}

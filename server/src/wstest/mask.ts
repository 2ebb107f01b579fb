/**
 * Credentials never appear in a report in full: headers that carry them,
 * subprotocol entries that look like bearer tokens (a common way to pass a
 * token to a browser WebSocket), query parameters with credential-like names,
 * and user:password in a URL.
 */
const SENSITIVE_NAME = /token|secret|key|auth|cookie|session|passw|credential|signature|jwt/i;
/** Handshake mechanics, not secrets: the key is random per request and the accept is derived from it. */
const NOT_SECRET = new Set(['sec-websocket-key', 'sec-websocket-accept', 'sec-websocket-extensions', 'sec-websocket-version', 'sec-websocket-protocol']);

export function hide(value: string): string {
  const v = value.trim();
  return v.length <= 4 ? '***' : `${v.slice(0, 2)}***(${v.length} chars)`;
}

/** An opaque credential-like token: long, no spaces, base64/hex/JWT alphabet, mixes letters and digits. */
export function looksLikeToken(s: string): boolean {
  const t = s.trim();
  return t.length >= 16 && /^[A-Za-z0-9._~+/=-]+$/.test(t) && /\d/.test(t) && /[A-Za-z]/.test(t);
}

export function maskHeader(name: string, value: string): string {
  const n = name.toLowerCase();
  if (n === 'sec-websocket-protocol') {
    return value
      .split(',')
      .map((p) => (looksLikeToken(p) ? hide(p) : p.trim()))
      .join(', ');
  }
  if (NOT_SECRET.has(n)) return value;
  if (n === 'authorization' || n === 'proxy-authorization') {
    const m = /^(\S+)\s+(.*)$/.exec(value.trim());
    return m ? `${m[1]} ${hide(m[2]!)}` : hide(value);
  }
  if (n === 'set-cookie' || n === 'cookie') {
    return value.replace(/(^|;\s*)([^=;]+)=([^;]*)/g, (all, sep: string, k: string, v: string) => (n === 'set-cookie' && sep ? all : `${sep}${k}=${hide(v)}`));
  }
  if (SENSITIVE_NAME.test(n)) return hide(value);
  return value;
}

export function maskUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return raw;
  }
  if (u.password) u.password = '***';
  for (const [k, v] of [...u.searchParams]) {
    if (SENSITIVE_NAME.test(k) || looksLikeToken(v)) u.searchParams.set(k, '***');
  }
  return u.toString().replace(/%2A%2A%2A/g, '***');
}

/** Masks the query of a request line `GET /path?x HTTP/1.1`. */
export function maskRequestLine(line: string): string {
  const m = /^(\S+) (\S+) (HTTP\/\S+)$/.exec(line);
  if (!m) return line;
  const masked = maskUrl(`ws://h${m[2]}`).slice('ws://h'.length);
  return `${m[1]} ${masked} ${m[3]}`;
}

/** Masks credential-like query parameters inside free text (error_log lines echo the request line). */
export function maskText(line: string): string {
  return line.replace(/([?&;])([A-Za-z0-9_.-]+)=([^&\s"]+)/g, (all, sep: string, k: string, v: string) => (SENSITIVE_NAME.test(k) || looksLikeToken(v) ? `${sep}${k}=***` : all));
}

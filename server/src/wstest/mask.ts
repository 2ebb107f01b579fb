/**
 * Credentials never appear in a report in full: headers that carry them,
 * subprotocol entries that look like bearer tokens (a common way to pass a
 * token to a browser WebSocket), query parameters with credential-like names,
 * and user:password in a URL.
 */
const SENSITIVE_NAME = /token|secret|key|auth|cookie|session|passw|credential|signature|jwt/i;
/** Handshake mechanics, not secrets: the key is random per request and the accept is derived from it. */
const NOT_SECRET = new Set([
  'sec-websocket-key',
  'sec-websocket-accept',
  'sec-websocket-extensions',
  'sec-websocket-version',
  'sec-websocket-protocol',
]);

export function hide(value: string): string {
  const v = value.trim();
  if (/^.{0,2}\*\*\*(\(\d+ chars\))?$/.test(v)) return v; // already hidden: masking twice changes nothing
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
    return value.replace(/(^|;\s*)([^=;]+)=([^;]*)/g, (all, sep: string, k: string, v: string) =>
      n === 'set-cookie' && sep ? all : `${sep}${k}=${hide(v)}`,
    );
  }
  if (SENSITIVE_NAME.test(n)) return hide(value);
  return value;
}

export function maskUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not a URL (a typo): its user:password is still hidden.
    return maskText(raw);
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

/**
 * Masks what looks like a credential inside free text: query parameters with credential-like
 * names or token-like values (error_log lines echo the request line, a `Location:` may carry
 * `?token=`), and the password of `scheme://user:password@host`.
 */
export function maskText(line: string): string {
  return line
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/@:"']*):([^\s/@"']*)@/gi, (all, head: string, pw: string) =>
      pw === '***' ? all : `${head}:***@`,
    )
    .replace(/([?&;])([A-Za-z0-9_.-]+)=([^&\s"']+)/g, (all, sep: string, k: string, v: string) =>
      v !== '***' && (SENSITIVE_NAME.test(k) || looksLikeToken(v)) ? `${sep}${k}=***` : all,
    );
}

/**
 * The secrets a test was given: values of credential headers (and the token of `Authorization:
 * Scheme token`), cookie values, the URL's password and the Basic credentials made from it,
 * credential-like query values, token-like subprotocols. `redact` hides every occurrence of them.
 */
export function secretsOf(o: { urls: string[]; headers?: [string, string][]; protocols?: string[] }): string[] {
  const out = new Set<string>();
  const add = (v: string | undefined) => {
    const t = v?.trim();
    if (t && t.length >= 4 && t !== '***') out.add(t);
  };
  for (const [k, v] of o.headers ?? []) {
    if (maskHeader(k, v) === v) continue;
    add(v);
    const m = /^\S+\s+(.+)$/.exec(v.trim());
    if (m) add(m[1]);
    if (/cookie/i.test(k)) for (const c of v.split(';')) add(c.split('=').slice(1).join('='));
  }
  for (const p of o.protocols ?? []) if (looksLikeToken(p)) add(p);
  for (const raw of o.urls) {
    let u: URL | null = null;
    try {
      u = new URL(raw.trim());
    } catch {
      const m = /\/\/([^\s/@:]*):([^\s/@]*)@/.exec(raw);
      if (m) add(m[2]);
    }
    if (!u) continue;
    if (u.password) {
      add(u.password);
      add(decodeURIComponent(u.password));
      add(Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64'));
    }
    for (const [k, v] of u.searchParams) if (SENSITIVE_NAME.test(k) || looksLikeToken(v)) add(v);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** A string with every known secret hidden, then `maskText`'s heuristics applied. */
export function redactText(s: string, secrets: readonly string[]): string {
  let out = s;
  for (const x of secrets) if (out.includes(x)) out = out.split(x).join(hide(x));
  return maskText(out);
}

/**
 * Every string of a result, masked: header pairs by their name, URLs as URLs, everything
 * else (errors, step details, diagnosis, redirects, error_log lines, bodies) as text. The
 * value is rebuilt, not changed in place.
 */
export function redact<T>(value: T, secrets: readonly string[]): T {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') return redactText(key === 'url' ? maskUrl(v) : v, secrets);
    if (Array.isArray(v)) {
      if (key === 'headers' && v.every((h) => Array.isArray(h) && h.length === 2 && typeof h[0] === 'string' && typeof h[1] === 'string')) {
        return v.map(([k, x]: [string, string]) => [k, redactText(maskHeader(k, x), secrets)]);
      }
      return v.map((x) => walk(x, key));
    }
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x, k);
      return o;
    }
    return v;
  };
  return walk(value, '') as T;
}

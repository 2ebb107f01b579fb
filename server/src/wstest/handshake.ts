/**
 * RFC 6455 opening handshake, client side: the request, and a validation of
 * the answer that names exactly which requirement failed.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FailureKind, HttpHead } from './types';

// RFC 6455 §1.3 (the GUID in the task brief had two groups wrong; the RFC's example key in the unit test pins this one).
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Larger response heads are refused: a server (or attacker) must not make the tester buffer without bound. */
export const MAX_HEAD_BYTES = 64 * 1024;
export const MAX_BODY_BYTES = 4 * 1024;

export function newKey(): string {
  return randomBytes(16).toString('base64');
}

export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

export interface RequestSpec {
  url: URL;
  key: string;
  origin?: string;
  protocols?: string[];
  headers?: [string, string][];
}

/** RFC 7230 `token`: a header name, or a subprotocol (RFC 6455 §4.1). */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Why a header value cannot go on the wire as it is, or undefined. CR, LF and NUL would
 * end the header (and let a value write headers of its own); other control characters
 * are refused too, and so is anything beyond Latin-1, whose low byte would be sent
 * instead (U+010D would become a CR).
 */
export function badHeaderValue(v: string): string | undefined {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 13 || c === 10) return 'contains a line break (CR/LF), which would inject headers';
    if (c === 0) return 'contains a NUL byte';
    if ((c < 32 && c !== 9) || c === 127) return `contains the control character U+${c.toString(16).padStart(4, '0').toUpperCase()}`;
    if (c > 255)
      return `contains ${JSON.stringify(v[i])} (U+${c.toString(16).toUpperCase()}), which an HTTP/1.1 header cannot carry (Latin-1 only)`;
  }
  return undefined;
}

/** What is wrong with the headers, Origin and subprotocols the user asked for, or undefined when they can be sent. */
export function checkRequestOptions(o: { origin?: string; protocols?: string[]; headers?: [string, string][] }): string | undefined {
  for (const [k, v] of o.headers ?? []) {
    if (!TOKEN.test(k))
      return `header name ${JSON.stringify(k)} is not a valid HTTP header name (letters, digits and !#$%&'*+.^_\`|~- only)`;
    const bad = badHeaderValue(v);
    if (bad) return `the value of header ${k} ${bad}`;
  }
  if (o.origin !== undefined) {
    const bad = badHeaderValue(o.origin);
    if (bad) return `the Origin ${bad}`;
  }
  for (const p of o.protocols ?? []) {
    if (!TOKEN.test(p))
      return `subprotocol ${JSON.stringify(p)} is not a valid token (RFC 6455: letters, digits and !#$%&'*+.^_\`|~- only, no spaces or commas)`;
  }
  return undefined;
}

export function buildRequest(spec: RequestSpec): { line: string; headers: [string, string][]; bytes: Buffer } {
  // The probe checks options first; this is the last line of defence against header injection.
  const bad = checkRequestOptions(spec);
  if (bad) throw new Error(bad);
  const u = spec.url;
  const target = (u.pathname || '/') + u.search;
  const line = `GET ${target} HTTP/1.1`;
  const defaultPort = u.protocol === 'wss:' ? '443' : '80';
  const headers: [string, string][] = [
    ['Host', u.port && u.port !== defaultPort ? `${u.hostname}:${u.port}` : u.hostname],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', spec.key],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (spec.origin) headers.push(['Origin', spec.origin]);
  if (spec.protocols?.length) headers.push(['Sec-WebSocket-Protocol', spec.protocols.join(', ')]);
  if (u.username || u.password) {
    headers.push([
      'Authorization',
      `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`,
    ]);
  }
  const own = new Set(headers.map(([k]) => k.toLowerCase()));
  for (const [k, v] of spec.headers ?? []) {
    // A user header replaces ours of the same name (e.g. Host for a name-based virtual server).
    if (own.has(k.toLowerCase())) {
      const i = headers.findIndex(([h]) => h.toLowerCase() === k.toLowerCase());
      headers[i] = [k, v];
    } else headers.push([k, v]);
  }
  const text = `${line}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  return { line, headers, bytes: Buffer.from(text, 'latin1') };
}

/** Position just after the blank line ending the head, or -1. Accepts bare LF like lenient clients do. */
export function headEnd(buf: Buffer): number {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return -1;
  if (crlf < 0) return lf + 2;
  if (lf < 0) return crlf + 4;
  return Math.min(crlf + 4, lf + 2);
}

/** Parses a response head; null when it is not HTTP at all. */
export function parseHead(text: string): Omit<HttpHead, 'body'> | null {
  const lines = text.split(/\r?\n/);
  const statusLine = lines[0] ?? '';
  const m = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) return null;
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    if (l === '') continue;
    const i = l.indexOf(':');
    if (i <= 0) continue;
    headers.push([l.slice(0, i).trim(), l.slice(i + 1).trim()]);
  }
  return { statusLine, status: Number(m[3]), headers };
}

export function header(head: Pick<HttpHead, 'headers'>, name: string): string | undefined {
  const all = head.headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  return all.length ? all.join(', ') : undefined;
}

export interface Verdict {
  ok: boolean;
  kind: FailureKind | null;
  detail: string;
  protocol: string | null;
  extensions: string | null;
}

/** RFC 6455 §4.1 client requirements on the server's answer, checked in the order the RFC lists them. */
export function validateUpgrade(head: HttpHead, key: string, protocols: string[] = []): Verdict {
  const base = { protocol: null, extensions: null };
  if (head.status !== 101)
    return {
      ...base,
      ok: false,
      kind: head.status >= 300 && head.status < 400 ? 'redirect' : 'http-status',
      detail: `answered ${head.statusLine.slice(9) || head.status} instead of 101 Switching Protocols`,
    };
  const upgrade = header(head, 'Upgrade');
  if (!upgrade || upgrade.trim().toLowerCase() !== 'websocket') {
    return {
      ...base,
      ok: false,
      kind: 'bad-upgrade',
      detail: upgrade ? `101 with "Upgrade: ${upgrade}" instead of "Upgrade: websocket"` : '101 without an Upgrade header',
    };
  }
  const connection = header(head, 'Connection');
  if (!connection || !connection.split(',').some((t) => t.trim().toLowerCase() === 'upgrade')) {
    return {
      ...base,
      ok: false,
      kind: 'bad-connection',
      detail: connection ? `101 with "Connection: ${connection}", which lacks the upgrade token` : '101 without a Connection header',
    };
  }
  const accept = header(head, 'Sec-WebSocket-Accept');
  const expected = acceptFor(key);
  if (accept !== expected) {
    return {
      ...base,
      ok: false,
      kind: 'bad-accept',
      detail: accept ? `Sec-WebSocket-Accept is ${accept}, expected ${expected} for the key sent` : '101 without Sec-WebSocket-Accept',
    };
  }
  const extensions = header(head, 'Sec-WebSocket-Extensions') ?? null;
  if (extensions) {
    // The client offered no extension, so the server may not choose one (§4.1, point 5).
    return {
      ...base,
      ok: false,
      kind: 'bad-extension',
      detail: `server chose extensions "${extensions}" the client never offered`,
      extensions,
    };
  }
  const protocol = header(head, 'Sec-WebSocket-Protocol') ?? null;
  if (protocol !== null && !protocols.includes(protocol.trim())) {
    return {
      ...base,
      ok: false,
      kind: 'bad-protocol',
      detail: protocols.length
        ? `server chose subprotocol "${protocol}", not one of ${protocols.join(', ')}`
        : `server chose subprotocol "${protocol}" though none was offered`,
      protocol,
    };
  }
  const detail =
    protocols.length && protocol === null
      ? `upgrade accepted without a subprotocol (offered: ${protocols.join(', ')})`
      : 'valid 101: Upgrade, Connection and Sec-WebSocket-Accept check out';
  return { ok: true, kind: null, detail, protocol, extensions: null };
}

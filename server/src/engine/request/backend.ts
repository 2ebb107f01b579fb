/**
 * What a strict WebSocket backend answers to the request nginx sends it:
 * RFC 6455 section 4.2.1, as Python's `websockets` (the strict backend of
 * the tests) enforces it. A lenient backend (Node `ws`) also accepts
 * HTTP/1.0; the model predicts for the strict one, because a config that
 * only works with a lenient backend breaks when the backend changes.
 */
import type { Directive } from '../syntax/ast';
import { isUnknown, type Value } from './values';

/** A header of the request nginx sends the backend, and where its value came from. */
export interface SentHeader {
  name: string;
  value: Value;
  /** `proxy_set_header` line, nginx's default list (`default`), or the client's request (`client`). */
  from: Directive | 'default' | 'client';
  /** The `map` rows that decided the value, when maps did. */
  decidedBy?: Directive[];
}

export interface BackendRequest {
  method: string;
  uri: Value;
  version: '1.0' | '1.1';
  headers: SentHeader[];
  /** Headers the backend does not get (the client's, or a list's whose value is empty), and why. */
  dropped: { name: string; why: string; directive: Directive | null; decidedBy?: Directive[] }[];
}

export interface BackendAnswer {
  /** 101, or the refusal; null when a header the decision needs is unknown. */
  status: 101 | 400 | 426 | null;
  why: string;
  /** What failed: the HTTP version, or a header (lower-case name). */
  cause?: 'version' | 'method' | 'header';
  header?: string;
  /** The 101's headers as the backend sends them. */
  headers: { name: string; value: string }[];
}

function tokens(v: string): string[] {
  return v.split(',').map((t) => t.trim().toLowerCase());
}

export function judgeHandshake(req: BackendRequest, extra: { name: string; value: string }[] = []): BackendAnswer {
  const none: { name: string; value: string }[] = [];
  const lcNames = req.headers.map((h) => h.name.toLowerCase());
  const get = (name: string) => {
    const i = lcNames.indexOf(name);
    return i < 0 ? undefined : req.headers[i];
  };
  if (req.version !== '1.1')
    return { status: 400, why: `nginx sends HTTP/${req.version}, and a WebSocket upgrade needs HTTP/1.1`, cause: 'version', headers: none };
  if (req.method.toUpperCase() !== 'GET')
    return { status: 400, why: `the method is ${req.method}, not GET`, cause: 'method', headers: none };
  for (const name of ['upgrade', 'connection', 'host', 'sec-websocket-key', 'sec-websocket-version']) {
    const h = get(name);
    if (h && isUnknown(h.value))
      return { status: null, why: `the ${h.name} header the backend gets ${h.value.why}`, cause: 'header', header: name, headers: none };
  }
  const upgrade = get('upgrade')?.value as string | undefined;
  if (upgrade === undefined)
    return { status: 426, why: 'the backend gets no Upgrade header', cause: 'header', header: 'upgrade', headers: none };
  if (!tokens(upgrade).includes('websocket'))
    return { status: 426, why: `the backend gets "Upgrade: ${upgrade}", not websocket`, cause: 'header', header: 'upgrade', headers: none };
  const connection = get('connection')?.value as string | undefined;
  if (connection === undefined)
    return { status: 426, why: 'the backend gets no Connection header', cause: 'header', header: 'connection', headers: none };
  if (!tokens(connection).includes('upgrade'))
    return {
      status: 426,
      why: `the backend gets "Connection: ${connection}", without the upgrade token`,
      cause: 'header',
      header: 'connection',
      headers: none,
    };
  if (get('host') === undefined)
    return { status: 400, why: 'the backend gets no Host header', cause: 'header', header: 'host', headers: none };
  const key = get('sec-websocket-key')?.value as string | undefined;
  if (key === undefined)
    return { status: 400, why: 'the backend gets no Sec-WebSocket-Key', cause: 'header', header: 'sec-websocket-key', headers: none };
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key.trim()))
    return {
      status: 400,
      why: `the Sec-WebSocket-Key the backend gets (${key}) is not 16 bytes in base64`,
      cause: 'header',
      header: 'sec-websocket-key',
      headers: none,
    };
  const version = get('sec-websocket-version')?.value as string | undefined;
  if (version === undefined)
    return {
      status: 426,
      why: 'the backend gets no Sec-WebSocket-Version',
      cause: 'header',
      header: 'sec-websocket-version',
      headers: none,
    };
  if (version.trim() !== '13')
    return {
      status: 426,
      why: `the backend gets Sec-WebSocket-Version ${version}, not 13`,
      cause: 'header',
      header: 'sec-websocket-version',
      headers: none,
    };
  return {
    status: 101,
    why: 'a valid WebSocket handshake',
    headers: [
      { name: 'Upgrade', value: 'websocket' },
      { name: 'Connection', value: 'Upgrade' },
      { name: 'Sec-WebSocket-Accept', value: `(the accept value for ${key.trim()})` },
      ...extra,
    ],
  };
}

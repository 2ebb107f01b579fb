/**
 * The WebSocket handshake a location is meant to serve: to the address and
 * port its server listens on (TLS preferred, as the endpoint test does),
 * with its server's first concrete name as Host, for the location's own
 * path (a regex location gets a path it matches, when one can be found
 * from its literal prefix).
 */
import type { Directive } from '../syntax/ast';
import { firstConcreteName, isWildcardAddress, pickListen } from '../endpoints';
import { handshakeHeaders, type Header, type HttpRequest } from './http';
import type { LocationNode } from './locations';
import type { RequestModel } from './model';
import { Evaluator } from './evaluate';

export interface LocationHandshake {
  request: HttpRequest;
  /** `ws://host:port/path`, for messages and the editor. */
  url: string;
  /** False when the path is a stand-in (a named location, or a regex no sample was found for). */
  concretePath: boolean;
}

/** A path a regex location matches, tried from its literal prefix; null when none is found. */
export function samplePath(node: LocationNode): string | null {
  if (node.modifier === '' || node.modifier === '^~' || node.modifier === '=') return node.name.startsWith('/') ? node.name : null;
  if (!node.regex?.ok) return null;
  const src = node.name.replace(/^\^/, '');
  let lit = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length && /[./\-_~]/.test(src[i + 1]!)) {
      lit += src[++i];
      continue;
    }
    if (/[.*+?()[\]{}|$^\\]/.test(c)) break;
    lit += c;
  }
  const base = lit.startsWith('/') ? lit : `/${lit}`;
  const candidates = [
    base,
    `${base}x`,
    `${base}/x`,
    `${base}/`,
    `${base}.php`,
    `${base}.html`,
    `/x${base}`,
    '/ws',
    '/ws/',
    '/ws/x',
    '/',
    '/x',
  ];
  for (const c of candidates) if (node.regex.test(c)) return c;
  return null;
}

/** Where a server's handshakes go: derived from its `listen` and `server_name` lines alone (shared by its locations). */
export interface ServerTarget {
  hostHeader: string;
  scheme: 'http' | 'https';
  address: string | null;
  port: number;
  /** The handshake headers for this Host (shared, never mutated). */
  headers: readonly Header[];
}

export function serverTarget(serverDirectives: readonly Directive[]): ServerTarget {
  const { tls, address, port } = pickListen(serverDirectives as Directive[]);
  const name = firstConcreteName(serverDirectives as Directive[]);
  const addr = address && !isWildcardAddress(address) ? (address === 'localhost' ? '127.0.0.1' : address) : null;
  const host = name ?? addr ?? 'localhost';
  const hostHeader = port === (tls ? 443 : 80) ? host : `${host}:${port}`;
  return {
    hostHeader,
    scheme: tls ? 'https' : 'http',
    address: addr ? (addr.includes(':') && !addr.startsWith('[') ? `[${addr}]` : addr) : null,
    port,
    headers: Object.freeze(handshakeHeaders(hostHeader)),
  };
}

/** The handshake `node` serves, to the server `target` describes (see `serverTarget`). */
export function handshakeFor(node: LocationNode, target: ServerTarget): LocationHandshake {
  const sample = samplePath(node);
  const path = sample ?? '/';
  return {
    request: {
      method: 'GET',
      target: path,
      protocol: 'HTTP/1.1',
      headers: target.headers as Header[],
      scheme: target.scheme,
      address: target.address,
      port: target.port,
      clientAddress: null,
    },
    url: `${target.scheme === 'https' ? 'wss' : 'ws'}://${target.hostHeader}${path}`,
    concretePath: sample !== null,
  };
}

/** A WebSocket handshake as every location's looks but for Host and path: for values that read neither. */
export const GENERIC_HANDSHAKE: HttpRequest = Object.freeze({
  method: 'GET',
  target: '/',
  protocol: 'HTTP/1.1',
  headers: handshakeHeaders('localhost'),
  scheme: 'http',
  address: null,
  port: 80,
  clientAddress: null,
});

/**
 * What a `map` variable is for a WebSocket handshake (only the client's
 * headers known: the Upgrade/Connection maps of the recipe), or null when
 * it is no map or depends on more than the handshake's headers.
 */
export function handshakeMapValue(model: RequestModel, name: string): string | null {
  const map = model.variables.map(name);
  if (!map || !/^\$http_[a-z0-9_]+$/i.test(map.source)) return null;
  const req = GENERIC_HANDSHAKE;
  const ev = new Evaluator(model.variables, {
    req,
    uri: '/',
    args: '',
    captures: null,
    vars: new Map(),
    serverName: '',
    nginxVersion: '',
    mapCache: new Map(),
    used: [],
  });
  const v = ev.variable(name);
  return typeof v === 'string' ? v : null;
}

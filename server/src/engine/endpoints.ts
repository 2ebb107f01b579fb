/**
 * Where a WebSocket location can be reached, derived from the config alone:
 * the `listen` port and `ssl` flag, the first concrete `server_name` (else the
 * listen address, else `localhost`), and the location path. A base URL
 * override maps the config to where it is really deployed. Also the
 * `proxy_pass` target resolved through `upstream` blocks, for the
 * backend-direct test. Pure: no I/O.
 */
import type { Directive } from './syntax/ast';
import type { WsLocation } from './model/websocket';
import { placeholdersIn } from './templates';
import { compileNginxRegex, notEvaluatedNote } from './model/regex';

export interface DeriveOptions {
  /** Replaces scheme, host and port (and prefixes its path), e.g. `wss://staging.example.com`. `http(s)://` is accepted. */
  baseUrl?: string;
  /** A concrete request path, required for regex and named locations, optional otherwise. */
  path?: string;
}

export interface BackendTarget {
  /** `ws://` or `wss://` URL of the backend as nginx would reach it for the derived request path. */
  url: string;
  /** The `proxy_pass` directive. */
  proxyPass: Directive;
  /** The `upstream` block it went through, if any. */
  upstream: Directive | null;
  /** The upstream's `server` line that was picked, if any. */
  server: Directive | null;
}

export interface DerivedEndpoint {
  /** Full URL; null when the location needs a concrete path (`needsPath`) or the base URL is invalid. */
  url: string | null;
  /** `ws://host[:port]` (default ports omitted). */
  origin: string;
  scheme: 'ws' | 'wss';
  host: string;
  port: number;
  /** Request path (with the base URL's path prefix); null when `needsPath`. */
  path: string | null;
  /** First concrete server_name, if any. */
  serverName: string | null;
  /** Regex or named location and no `path` given: ask the user for one. */
  needsPath: boolean;
  /** The `listen` directive the scheme and port came from. */
  listen: Directive | null;
  /** Backend-direct URL, or null (variables, unix socket, no proxy_pass); see `notes`. */
  backendUrl: string | null;
  backend: BackendTarget | null;
  /** Why something could not be derived, for the report. */
  notes: string[];
  /**
   * Docker template placeholders (`${NGINX_PORT}`) the URL would depend on:
   * the value is only known when the container starts, so `url` is null
   * until a base URL (for listen/server_name) or a path (for the location) is given.
   */
  placeholders: string[];
}

const CONCRETE = new Set(['', '=', '^~']);

export function deriveEndpoint(loc: WsLocation, upstreams: Map<string, Directive>, opts: DeriveOptions = {}): DerivedEndpoint {
  const notes: string[] = [];
  const { listen, tls, address, port } = pickListen(loc.serverDirectives);
  const serverName = firstConcreteName(loc.serverDirectives);
  let scheme: 'ws' | 'wss' = tls ? 'wss' : 'ws';
  let host = serverName ?? (address && !isWildcardAddress(address) ? address : 'localhost');
  let effPort = port;
  let prefix = '';
  if (opts.baseUrl) {
    const base = parseBase(opts.baseUrl);
    if (!base) {
      notes.push(`base URL ${JSON.stringify(opts.baseUrl)} is not a ws://, wss://, http:// or https:// URL`);
    } else {
      scheme = base.scheme;
      host = base.host;
      effPort = base.port;
      prefix = base.path;
    }
  }
  const origin = `${scheme}://${host}${effPort === defaultPort(scheme) ? '' : `:${effPort}`}`;

  let path: string | null = null;
  let needsPath = false;
  if (opts.path) {
    path = opts.path.startsWith('/') ? opts.path : `/${opts.path}`;
    if (loc.modifier === '~' || loc.modifier === '~*') {
      // Linear time: the regex comes from the config and the path from the user (`^/(\w+/?)*X$` must not hang).
      const re = compileNginxRegex(loc.locationPath, loc.modifier === '~*');
      if (!re.ok) notes.push(`cannot check that ${path} matches the location: the ${notEvaluatedNote(re)}`);
      else if (!re.test(path.split('?')[0]!)) notes.push(`path ${path} does not match the location regex ${loc.locationPath}`);
    } else if (loc.modifier === '=' && path.split('?')[0] !== loc.locationPath) {
      notes.push(`path ${path} is not the exact location ${loc.locationPath}`);
    }
  } else if (CONCRETE.has(loc.modifier)) {
    path = loc.locationPath.startsWith('/') ? loc.locationPath : `/${loc.locationPath}`;
  } else {
    needsPath = true;
    notes.push(
      loc.modifier === '@'
        ? `named location ${loc.locationPath} is only reachable through an internal redirect: give a request path that leads to it`
        : `regex location ${loc.locationPath}: give a concrete request path`,
    );
  }
  const fullPath = path === null ? null : joinPath(prefix, path);
  const badBase = opts.baseUrl !== undefined && notes.some((n) => n.startsWith('base URL'));
  // Template placeholders (separate from the rest: envsubst fills them in when the container starts).
  const placeholders: string[] = [];
  if (!opts.baseUrl) {
    placeholders.push(...placeholdersIn(loc.path, listen?.arg(0) ?? ''));
    if (!serverName)
      for (const d of loc.serverDirectives)
        if (d.name === 'server_name') for (const a of d.args) placeholders.push(...placeholdersIn(loc.path, a.value));
  }
  if (!opts.path) placeholders.push(...placeholdersIn(loc.path, loc.locationPath));
  if (placeholders.length) {
    notes.push(
      `${[...new Set(placeholders)].join(', ')} ${placeholders.length > 1 ? 'are template placeholders' : 'is a template placeholder'} filled in by envsubst when the container starts: give the deployed address (base URL)${opts.path || !placeholdersIn(loc.path, loc.locationPath).length ? '' : ' and a request path'}`,
    );
  }
  const url = fullPath === null || badBase || placeholders.length ? null : origin + encodePath(fullPath);

  const backend = path === null ? backendFor(loc, upstreams, null, notes) : backendFor(loc, upstreams, path, notes);
  return {
    url,
    origin,
    scheme,
    host,
    port: effPort,
    path: fullPath,
    serverName,
    needsPath,
    listen,
    backendUrl: backend?.url ?? null,
    backend,
    notes,
    placeholders: [...new Set(placeholders)],
  };
}

function defaultPort(scheme: 'ws' | 'wss'): number {
  return scheme === 'wss' ? 443 : 80;
}

export interface ListenInfo {
  listen: Directive | null;
  tls: boolean;
  address: string | null;
  port: number;
}

/** Prefers a TLS listen (a server that listens on both is deployed as wss), skips unix sockets and QUIC. */
export function pickListen(dirs: Directive[]): ListenInfo {
  const sslOn = dirs.some((d) => d.name === 'ssl' && d.arg(0) === 'on');
  const listens = dirs.filter(
    (d) => d.name === 'listen' && d.argCount > 0 && !d.arg(0)!.startsWith('unix:') && !d.args.some((a) => a.value === 'quic'),
  );
  const isTls = (d: Directive): boolean => sslOn || d.args.some((a) => a.value === 'ssl');
  const listen = listens.find(isTls) ?? listens[0] ?? null;
  if (!listen) return { listen: null, tls: sslOn, address: null, port: sslOn ? 443 : 80 };
  const { address, port } = parseListenAddress(listen.arg(0)!);
  return { listen, tls: isTls(listen), address, port };
}

/** `8080`, `127.0.0.1:8080`, `[::1]:8080`, `localhost`, `*:80`. */
export function parseListenAddress(arg: string): { address: string | null; port: number } {
  if (/^\d+$/.test(arg)) return { address: null, port: Number(arg) };
  const v6 = /^(\[[^\]]*\])(?::(\d+))?$/.exec(arg);
  if (v6) return { address: v6[1]!, port: v6[2] ? Number(v6[2]) : 80 };
  const m = /^([^:]+)(?::(\d+))?$/.exec(arg);
  if (!m) return { address: null, port: 80 };
  return { address: m[1]!, port: m[2] ? Number(m[2]) : 80 };
}

export function isWildcardAddress(a: string): boolean {
  return a === '*' || a === '0.0.0.0' || a === '[::]' || a === '[::0]';
}

export function firstConcreteName(dirs: Directive[]): string | null {
  for (const d of dirs) {
    if (d.name !== 'server_name') continue;
    for (const a of d.args) {
      const n = a.value;
      if (
        n === '' ||
        n === '_' ||
        n === 'localhost.localdomain' ||
        n.includes('*') ||
        n.startsWith('~') ||
        n.startsWith('.') ||
        n.includes('$')
      )
        continue;
      return n;
    }
  }
  return null;
}

function parseBase(raw: string): { scheme: 'ws' | 'wss'; host: string; port: number; path: string } | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  const scheme = u.protocol === 'wss:' || u.protocol === 'https:' ? 'wss' : u.protocol === 'ws:' || u.protocol === 'http:' ? 'ws' : null;
  if (!scheme || !u.hostname) return null;
  const port = u.port ? Number(u.port) : defaultPort(scheme);
  return { scheme, host: u.hostname, port, path: u.pathname.replace(/\/+$/, '') };
}

function joinPath(prefix: string, path: string): string {
  return prefix ? prefix + path : path;
}

/** Keeps `/`, `?`, `&`, `=` and existing escapes; escapes spaces and non-ASCII. */
function encodePath(p: string): string {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/g, (c) => encodeURIComponent(c));
}

/**
 * The URL nginx's `proxy_pass` reaches for `requestPath`: `http://` becomes
 * `ws://`, `https://` `wss://`; a name that is an `upstream` goes to that
 * block's first usable `server`; a URI part replaces the matched location
 * prefix the way nginx does (`location /ws/ { proxy_pass http://b/; }`:
 * `/ws/chat` → `/chat`).
 */
function backendFor(loc: WsLocation, upstreams: Map<string, Directive>, requestPath: string | null, notes: string[]): BackendTarget | null {
  const pp = loc.proxyPass;
  const target = pp?.arg(0);
  if (!pp || !target) {
    notes.push('no proxy_pass in this location: no backend to test directly');
    return null;
  }
  if (target.includes('$')) {
    notes.push(`proxy_pass ${target} uses variables: the backend is only known at request time`);
    return null;
  }
  const m = /^(https?):\/\/([^/?#]+)([/?][^#]*)?$/i.exec(target);
  if (!m) {
    notes.push(`proxy_pass ${target}: not an http:// or https:// target`);
    return null;
  }
  const scheme = m[1]!.toLowerCase() === 'https' ? 'wss' : 'ws';
  let hostPort = m[2]!;
  let upstream: Directive | null = null;
  let server: Directive | null = null;
  const up = upstreams.get(hostPort);
  if (up) {
    upstream = up;
    const servers = up.block?.directives().filter((d) => d.name === 'server' && d.argCount > 0) ?? [];
    server = servers.find((d) => !d.args.some((a) => a.value === 'backup' || a.value === 'down')) ?? servers[0] ?? null;
    const addr = server?.arg(0);
    if (!addr) {
      notes.push(`upstream ${hostPort} has no server line`);
      return null;
    }
    if (addr.startsWith('unix:')) {
      notes.push(`upstream ${hostPort} points at a unix socket (${addr}): a direct test needs a TCP address`);
      return null;
    }
    // nginx's default port for an upstream `server` is 80 whatever the proxy_pass scheme.
    hostPort = /(^\[[^\]]*\]:\d+$)|(^[^:[\]]+:\d+$)/.test(addr) ? addr : `${addr}:80`;
  } else if (hostPort.startsWith('unix:')) {
    notes.push(`proxy_pass ${target} points at a unix socket: a direct test needs a TCP address`);
    return null;
  }
  const uri = m[3];
  let path: string;
  if (uri === undefined) {
    path = requestPath ?? '/';
  } else if (requestPath !== null && CONCRETE.has(loc.modifier) && requestPath.startsWith(loc.locationPath)) {
    path = uri + requestPath.slice(loc.locationPath.length);
  } else {
    path = uri;
  }
  return { url: `${scheme}://${hostPort}${encodePath(path)}`, proxyPass: pp, upstream, server };
}

/** A directive as plain data: what the endpoint tester's diagnosis needs, serialisable across the LSP. */
export interface DirectiveRef {
  name: string;
  args: string[];
  /** File (engine path) and 1-based line. */
  path: string;
  line: number;
}

/**
 * A WebSocket location as plain data (no AST objects), so the editor client can
 * receive it from the language server and hand it to the endpoint tester.
 */
export interface LocationContext {
  path: string;
  /** 1-based line of the `location` directive. */
  line: number;
  /** `location /ws/`, `location ~ ^/ws/`. */
  text: string;
  /** The location's own directives (one level). */
  directives: DirectiveRef[];
  /** Directives of the enclosing server block, includes expanded. */
  serverDirectives: DirectiveRef[];
  proxyPass: DirectiveRef | null;
}

export function directiveRef(d: Directive): DirectiveRef {
  return { name: d.name, args: d.args.map((a) => a.value), path: d.file.uri, line: d.range.start.line + 1 };
}

export function locationContext(loc: WsLocation): LocationContext {
  return {
    path: loc.path,
    line: loc.directive.range.start.line + 1,
    text: `location ${loc.modifier ? `${loc.modifier} ` : ''}${loc.locationPath}`,
    directives: (loc.directive.block?.directives() ?? []).map(directiveRef),
    serverDirectives: loc.serverDirectives.map(directiveRef),
    proxyPass: loc.proxyPass ? directiveRef(loc.proxyPass) : null,
  };
}

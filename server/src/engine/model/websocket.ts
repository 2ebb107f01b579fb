/**
 * Which locations are WebSocket locations, and what they effectively send
 * upstream. Everything here follows ../../../../shared/WEBSOCKET-FACTS.md:
 * - a location's own `proxy_set_header` list replaces the inherited list;
 * - Upgrade/Connection are hop-by-hop: nginx drops the client's, so the
 *   location must set both or the backend answers 426;
 * - no released nginx (through 1.31.4) takes WebSocket over HTTP/2 or HTTP/3
 *   (extended CONNECT, RFC 8441/9220): a handshake reaches a location as
 *   HTTP/1.1, so every WebSocket location needs the headers (docs/websocket-facts.md).
 */
import type { Directive, Range } from '../syntax/ast';
import { enclosing, nearest, ownFirst, type ConfigModel, type Scope } from './config';
import { TextMemo } from './text-memo';

export type Intent = 'recipe' | 'setting' | 'path';

export interface HeaderEntry {
  /** Lower-cased header name. */
  name: string;
  directive: Directive;
  /** Value as nginx sees it (quotes removed). */
  value: string;
}

export interface LocationInfo {
  scope: Scope;
  directive: Directive;
  server: Scope | null;
  /** The location's own `proxy_pass` (proxy_pass is not inherited). */
  proxyPass: Directive | null;
  /** Effective proxy_set_header list and the scope it comes from. */
  headers: HeaderEntry[];
  headersFrom: Scope | null;
  /** Upgrade/Connection recipe entries that an ancestor sets but this location's own list hides. */
  hidden: HeaderEntry[];
  /** All inherited headers hidden by the nearer list (for the fix that copies them in). */
  hiddenAll: HeaderEntry[];
  /**
   * Why this is a WebSocket location. Only worked out for locations that
   * proxy (`proxyPass` set): nothing else is a
   * WebSocket location, so any other location has null here and empty
   * header lists.
   */
  intent: Intent | null;
}

const NO_HEADERS: HeaderEntry[] = Object.freeze([]) as unknown as HeaderEntry[];

const WS_PATH =
  /(?:^|[/^~*\s(|])(?:ws|wss|websockets?|socket\.io|sockjs(?:-node)?|cable|signalr|hubs?|graphql-ws|subscriptions?)(?=$|[/?$)|._-])/i;

/** The last effective header of a name (lower case), as `[...loc.headers].reverse().find(...)` without the copy. */
export function lastHeader(loc: LocationInfo, name: string): HeaderEntry | undefined {
  const hs = loc.headers;
  for (let i = hs.length - 1; i >= 0; i--) if (hs[i]!.name === name) return hs[i];
  return undefined;
}

/** A WebSocket location as the shells see it (the endpoint test, the CodeLens, the endpoint list): see `Analysis.wsLocations`. */
export interface WsLocation {
  /** File that holds the location. */
  path: string;
  /** The `location` directive. */
  directive: Directive;
  /** Range of the location's first line (name and arguments), for a CodeLens (computed when read). */
  readonly range: Range;
  /** The location's path or regex, e.g. `/ws/`. */
  locationPath: string;
  /** `''`, `=`, `~`, `~*`, `^~` or `@`. */
  modifier: string;
  /** Why it counts as a WebSocket location. */
  intent: 'recipe' | 'path' | 'setting';
  /** The enclosing `server` directive, if any. */
  server: Directive | null;
  /** Directives of the enclosing server block, includes expanded (listen, server_name, ...). */
  serverDirectives: Directive[];
  /** The location's `proxy_pass` directive, if any. */
  proxyPass: Directive | null;
}

export function pathLooksWebSocket(locationArg: string): boolean {
  return WS_PATH.test(locationArg.replace(/\\/g, ''));
}

export function headerEntries(directives: Directive[]): HeaderEntry[] {
  const out: HeaderEntry[] = [];
  for (let i = 0; i < directives.length; i++) {
    const d = directives[i]!;
    const n = d.arg(0);
    if (n === undefined) continue;
    out.push({ name: lowerCased(n), directive: d, value: d.arg(1) ?? '' });
  }
  return out;
}

/**
 * Memos keyed by a string alone (what they hold depends on nothing else), for the few values every
 * location repeats: `Upgrade`, `Connection`, `$connection_upgrade` on each of 20,000 WebSocket
 * locations would otherwise be lower-cased, split and scanned 20,000 times, each a new string or
 * array that lives as long as the analysis. Short keys only, and a bounded number of them.
 */
const lowerCase = new TextMemo<string>(256);
/** `s.toLowerCase()`, one string per distinct header name. */
function lowerCased(s: string): string {
  return lowerCase.get(s) ?? lowerCase.remember(s, s.toLowerCase());
}

/** What a Connection value says by itself: whether one of its comma-separated tokens is `upgrade`, and its variables (lower case). */
interface ConnectionTokens {
  upgrade: boolean;
  variables: readonly string[];
}
const NO_NAMES: readonly string[] = Object.freeze([]);
const connectionTokens = new TextMemo<ConnectionTokens>(256);

function readConnectionValue(value: string): ConnectionTokens {
  return (
    connectionTokens.get(value) ??
    connectionTokens.remember(value, {
      upgrade: value
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .includes('upgrade'),
      variables: value.includes('$') ? Array.from(value.matchAll(/\$\{?([A-Za-z0-9_]+)\}?/g), (m) => m[1]!.toLowerCase()) : NO_NAMES,
    })
  );
}

/** Whether a variable (name without `$`) can hold the `upgrade` token; supplied by the analysis from the config's maps and `set`s. */
export type CanUpgrade = (variable: string) => boolean;

/**
 * A Connection value that asks for the upgrade: it contains the `upgrade`
 * token, or a variable that can yield it (`$http_connection`, a map or
 * `set` with such a value, a name that says so like `$connection_upgrade`).
 * `Connection $args` in a keep-alive config is no WebSocket recipe.
 */
export function connectionValueUpgrades(value: string, canUpgrade?: CanUpgrade): boolean {
  const tokens = readConnectionValue(value);
  if (tokens.upgrade) return true;
  for (const name of tokens.variables) if (name === 'http_connection' || name.includes('upgrade') || canUpgrade?.(name)) return true;
  return false;
}

function isRecipeEntry(h: HeaderEntry, canUpgrade?: CanUpgrade): boolean {
  return h.name === 'upgrade' || (h.name === 'connection' && connectionValueUpgrades(h.value, canUpgrade));
}

/** The location argument (path or regex) and its modifier. */
export function locationPath(d: Directive): { modifier: string; path: string } {
  const a0 = d.arg(0) ?? '';
  const c = a0.charCodeAt(0);
  // Most paths start with `/`: no modifier to look for.
  if (c !== 0x3d /* = */ && c !== 0x7e /* ~ */ && c !== 0x5e /* ^ */ && c !== 0x40 /* @ */) return { modifier: '', path: a0 };
  if (d.argCount >= 2 && (a0 === '=' || a0 === '~' || a0 === '~*' || a0 === '^~')) return { modifier: a0, path: d.arg(1)! };
  if (a0.startsWith('@')) return { modifier: '@', path: a0 };
  // `location ~/ws` and `location =/ws` glue the modifier to the path.
  const glued = /^(=|~\*|~|\^~)(.+)$/.exec(a0);
  if (glued) return { modifier: glued[1]!, path: glued[2]! };
  return { modifier: '', path: a0 };
}

export function classifyLocation(
  scope: Scope,
  pathPatterns: readonly { test(path: string): boolean }[],
  canUpgrade?: CanUpgrade,
): LocationInfo {
  const directive = scope.directive!;
  const proxyPass = ownFirst(scope, 'proxy_pass') ?? ownInIf(scope, 'proxy_pass');
  if (!proxyPass) {
    // Not proxied, so not a WebSocket location: analyze and the rules only read the rest for proxying ones.
    return {
      scope,
      directive,
      server: enclosing(scope, 'server'),
      proxyPass,
      headers: NO_HEADERS,
      headersFrom: null,
      hidden: NO_HEADERS,
      hiddenAll: NO_HEADERS,
      intent: null,
    };
  }
  const eff = nearest(scope, 'proxy_set_header');
  const headers = eff ? headerEntries(eff.directives) : NO_HEADERS;
  const headersFrom = eff ? eff.scope : null;

  // Look above the level that supplied the list: what would have been inherited without it?
  let hidden: HeaderEntry[] = NO_HEADERS;
  let hiddenAll: HeaderEntry[] = NO_HEADERS;
  if (eff && eff.scope.parent) {
    const above = nearest(eff.scope.parent, 'proxy_set_header');
    if (above) {
      const mine = new Set(headers.map((h) => h.name));
      for (const h of headerEntries(above.directives)) {
        if (mine.has(h.name)) continue;
        if (hiddenAll === NO_HEADERS) hiddenAll = [];
        hiddenAll.push(h);
        if (!isRecipeEntry(h, canUpgrade)) continue;
        if (hidden === NO_HEADERS) hidden = [];
        hidden.push(h);
      }
    }
  }

  let intent: Intent | null = null;
  if (headers.some((h) => isRecipeEntry(h, canUpgrade)) || hidden.length) intent = 'recipe';
  else {
    const { path } = locationPath(directive);
    if (pathPatterns.some((re) => re.test(path))) intent = 'setting';
    else if (pathLooksWebSocket(path)) intent = 'path';
  }

  return {
    scope,
    directive,
    server: enclosing(scope, 'server'),
    proxyPass,
    headers,
    headersFrom,
    hidden,
    hiddenAll,
    intent,
  };
}

function ownInIf(scope: Scope, name: string): Directive | null {
  for (const c of scope.children) {
    if (c.kind !== 'if') continue;
    const d = ownFirst(c, name);
    if (d) return d;
  }
  return null;
}

/** `proxy_pass http://name/...` → `name` when an upstream of that name exists. Memoised in the model's cache: several rules ask per location. */
export function proxyUpstream(model: ConfigModel, proxyPass: Directive | null): Scope | null {
  if (!proxyPass) return null;
  const cache = model.cache.proxyTargets;
  let u = cache.get(proxyPass);
  if (u === undefined) cache.set(proxyPass, (u = findProxyUpstream(model, proxyPass)));
  return u;
}

function findProxyUpstream(model: ConfigModel, proxyPass: Directive): Scope | null {
  const target = proxyPass.arg(0);
  if (!target) return null;
  const host = targetHost(target);
  return host === null ? null : upstreamByName(model, host);
}

/**
 * The host of `scheme://host[:port]...`: what `/^[a-z]+:\/\/([^/:$]+)/i` captures, without a match
 * object per proxy_pass (every location of a large config has one); null when the target is not so.
 */
export function targetHost(target: string): string | null {
  let i = 0;
  while (i < target.length && isAsciiLetter(target.charCodeAt(i))) i++;
  if (i === 0 || !target.startsWith('://', i)) return null;
  const start = i + 3;
  let end = start;
  while (end < target.length) {
    const c = target.charCodeAt(end);
    if (c === 47 /* / */ || c === 58 /* : */ || c === 36 /* $ */) break;
    end++;
  }
  return end > start ? target.slice(start, end) : null;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function upstreamByName(model: ConfigModel, name: string): Scope | null {
  let index = model.cache.upstreams;
  if (!index) {
    index = new Map();
    for (const u of model.scopes.get('upstream') ?? []) {
      const n = u.directive?.arg(0);
      if (n && !index.has(n)) index.set(n, u);
    }
    model.cache.upstreams = index;
  }
  return index.get(name) ?? null;
}

/** Target nginx is at least `major.minor.patch`. Empty version: unknown, assume older. */
export function versionAtLeast(version: string, want: [number, number, number]): boolean {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  for (let i = 0; i < 3; i++) {
    if (v[i]! !== want[i]) return v[i]! > want[i]!;
  }
  return true;
}

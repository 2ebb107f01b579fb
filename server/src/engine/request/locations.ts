/**
 * nginx's location search (ngx_http_core_find_location), level by level:
 * an exact `=` match ends it; else the longest matching prefix, whose
 * nested locations are searched in turn; unless that prefix is `^~`, the
 * regex locations of the level are then tried in config order and the
 * first match wins (its nested locations searched too). A URI one `/`
 * short of a proxied prefix location ending in `/` is redirected (301).
 */
import type { Directive } from '../syntax/ast';
import { hasOwn, type Scope } from '../model/config';
import { compileNginxRegex, type NginxRegex, type RegexMatch } from '../model/regex';
import { locationPath } from '../model/websocket';
import { TextMemo } from '../model/text-memo';

/** One location as the search sees it. */
export class LocationNode {
  private compiled: NginxRegex | null | undefined;
  private redirects: boolean | undefined;
  private internalHere: boolean | undefined;
  /** For an anchored regex, the literal every match starts with (see `anchoredLiteral`). */
  readonly literal: string | null;

  constructor(
    readonly scope: Scope,
    readonly directive: Directive,
    readonly modifier: '' | '=' | '^~' | '~' | '~*' | '@',
    readonly name: string,
    /** The enclosing location's node (null at a server's level). */
    readonly outer: LocationNode | null,
  ) {
    this.literal = modifier === '~' || modifier === '~*' ? anchoredLiteral(name) : null;
  }

  /** A prefix ending in `/` with a *_pass handler: nginx redirects `name` minus the slash here. */
  get autoRedirect(): boolean {
    this.redirects ??= this.name.endsWith('/') && this.modifier !== '@' && PASS_HANDLERS.some((h) => hasOwn(this.scope, h));
    return this.redirects;
  }

  /** `internal;` here or in an enclosing location: only internal redirects reach it. */
  get internal(): boolean {
    this.internalHere ??= hasOwn(this.scope, 'internal') || !!this.outer?.internal;
    return this.internalHere;
  }

  /** Compiled when first tested: most levels' regexes are never reached by the requests traced. */
  get regex(): NginxRegex | null {
    if (this.compiled === undefined)
      this.compiled = this.modifier === '~' || this.modifier === '~*' ? compileNginxRegex(this.name, this.modifier === '~*') : null;
    return this.compiled;
  }
}

interface Level {
  exact: ReadonlyMap<string, LocationNode>;
  prefixes: LocationNode[];
  regexes: LocationNode[];
  named: ReadonlyMap<string, LocationNode>;
}

/**
 * What a level without `=` or `@` locations holds instead of a Map of its own: most levels have none, and a
 * Map costs some 400 bytes even empty (a 15 MB config has 20,000 server levels). Never written to.
 */
const NO_NODES: ReadonlyMap<string, LocationNode> = new Map();
/** The levels' lists hold a few nodes each: the push-grown arrays keep up to 17 slots, an exact copy just its nodes. */
const NO_LIST: LocationNode[] = Object.freeze([]) as unknown as LocationNode[];
const EMPTY_LEVEL: Level = Object.freeze({ exact: NO_NODES, prefixes: NO_LIST, regexes: NO_LIST, named: NO_NODES });

/** `map` with `key` set to `node` unless it has the key (a Map of its own made for the first one); false when it had. */
function addNew(
  map: ReadonlyMap<string, LocationNode>,
  key: string,
  node: LocationNode,
  set: (m: Map<string, LocationNode>) => void,
): boolean {
  if (map.has(key)) return false;
  const m = map === NO_NODES ? new Map<string, LocationNode>() : (map as Map<string, LocationNode>);
  m.set(key, node);
  if (m !== map) set(m);
  return true;
}

export type FoundBy = 'exact' | 'prefix' | 'regex' | 'none';

export interface SearchStep {
  node: LocationNode;
  matched: boolean;
  kind: 'exact' | 'redirect' | 'prefix' | 'noregex' | 'unevaluated' | 'regex';
}

/** A search step in words (built only when a trace is shown). */
export function explainStep(p: SearchStep, uri: string): string {
  const n = p.node;
  switch (p.kind) {
    case 'exact':
      return `exact match = ${n.name}`;
    case 'redirect':
      return `${uri} is ${n.name} without its trailing slash: nginx redirects to it (301)`;
    case 'prefix':
      return `longest matching prefix ${n.modifier ? `${n.modifier} ` : ''}${n.name}`;
    case 'noregex':
      return `^~ ${n.name}: regex locations are not tried`;
    case 'unevaluated':
      return `${n.modifier} ${n.name}: not evaluated (${n.regex && !n.regex.ok ? n.regex.reason : ''})`;
    case 'regex':
      return `first matching regex ${n.modifier} ${n.name}`;
  }
}

export interface LocationResult {
  /** The location whose configuration handles the request; null: the server's own (no location matched). */
  node: LocationNode | null;
  how: FoundBy;
  /** Set when nginx answers 301 to add the trailing slash (the URI was `node.name` minus its `/`). */
  redirect: boolean;
  captures: RegexMatch | null;
  /** Prefix locations that matched on the way, outermost first, and regexes tested (explained by `explainStep`). */
  path: SearchStep[];
  /** A regex that could not be evaluated was tested before the answer: the answer may be wrong. */
  uncertain?: string;
}

const PASS_HANDLERS = ['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'memcached_pass', 'grpc_pass'];

/**
 * The literal every match of an anchored regex starts with (`^/api/v1/(.+)$`
 * → `/api/v1/`), or null when the pattern is not anchored that simply (an
 * alternation, an inline flag). A URI that does not start with it cannot
 * match, which saves compiling and running the regex (re2js compiles a
 * pattern in about a millisecond).
 */
export function anchoredLiteral(pattern: string): string | null {
  // Patterns repeat across servers (every server's `~ ^/api/`): each is read once.
  const known = literals.get(pattern);
  if (known !== undefined) return known;
  return literals.remember(pattern, readLiteral(pattern));
}

const literals = new TextMemo<string | null>(256);
/** Escaped characters that stand for themselves, and the characters that end the literal (regex syntax). */
const ESCAPED_LITERAL = /[./\-_~@:!,]/;
const SYNTAX = /[.*+?()[\]{}|$^\\]/;
const QUANTIFIER = /[*?{]/;

function readLiteral(pattern: string): string | null {
  if (!pattern.startsWith('^') || pattern.includes('(?')) return null;
  let depth = 0;
  let inClass = false;
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return null;
  }
  let lit = '';
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length && ESCAPED_LITERAL.test(pattern[i + 1]!)) {
      lit += pattern[++i];
      continue;
    }
    if (SYNTAX.test(c)) {
      // A quantifier makes the character before it optional or repeated: it is not certain.
      if (QUANTIFIER.test(c) && lit) lit = lit.slice(0, -1);
      break;
    }
    lit += c;
  }
  return lit;
}

/** Up to this many locations a level's lists are scanned and sorted in place; longer ones get a Set and Array#sort. */
const SMALL_LEVEL = 16;

function hasLocationChild(scope: Scope): boolean {
  const children = scope.children;
  for (let i = 0; i < children.length; i++) if (children[i]!.kind === 'location') return true;
  return false;
}

function hasName(nodes: readonly LocationNode[], name: string): boolean {
  return namedNode(nodes, name) !== undefined;
}

/** The first node of a list with this name (indexed loops here and below: the search runs per traced request). */
function namedNode(nodes: readonly LocationNode[], name: string): LocationNode | undefined {
  for (let i = 0; i < nodes.length; i++) if (nodes[i]!.name === name) return nodes[i];
  return undefined;
}

/** The first prefix `uri` starts with: the longest, as the level's prefixes are sorted longest first. */
function longestPrefix(prefixes: readonly LocationNode[], uri: string): LocationNode | null {
  for (let i = 0; i < prefixes.length; i++) if (uri.startsWith(prefixes[i]!.name)) return prefixes[i]!;
  return null;
}

/**
 * `nodes` sorted in place by name length, longest first, equal lengths in their config order: what
 * `nodes.sort((a, b) => b.name.length - a.name.length)` gives (Array#sort is stable), without the
 * work array V8's sort allocates even for a list of two (17 MB on a 15 MB config). An insertion sort
 * up to SMALL_LEVEL nodes; longer lists take Array#sort.
 */
export function longestFirst<T extends { readonly name: string }>(nodes: T[]): T[] {
  if (nodes.length > SMALL_LEVEL) return nodes.sort((a, b) => b.name.length - a.name.length);
  for (let i = 1; i < nodes.length; i++) {
    const n = nodes[i]!;
    let j = i;
    for (; j > 0 && nodes[j - 1]!.name.length < n.name.length; j--) nodes[j] = nodes[j - 1]!;
    nodes[j] = n;
  }
  return nodes;
}

export class LocationIndex {
  private readonly levels = new Map<Scope, Level>();
  /** Every indexed location's node (a duplicate location nginx refuses has none). */
  private readonly byScope = new Map<Scope, LocationNode>();

  private level(scope: Scope): Level {
    // Most locations hold no nested location: one shared empty level, nothing allocated, stored or looked up.
    if (!hasLocationChild(scope)) return EMPTY_LEVEL;
    let l = this.levels.get(scope);
    if (l) return l;
    // A nested level needs its location's node (for an inherited `internal`): index the enclosing level first.
    if (scope.kind === 'location' && scope.parent) this.level(scope.parent);
    const level: Level = { exact: NO_NODES, prefixes: [], regexes: [], named: NO_NODES };
    l = level;
    // Duplicate prefixes are found by scanning the few kept so far; a level with many gets a Set.
    let prefixNames: Set<string> | null = null;
    const children = scope.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (c.kind !== 'location' || !c.directive) continue;
      const { modifier, path } = locationPath(c.directive);
      const m = modifier as LocationNode['modifier'];
      const node = new LocationNode(c, c.directive, m, path, scope.kind === 'location' ? (this.byScope.get(scope) ?? null) : null);
      let kept = true;
      if (modifier === '=') {
        kept = addNew(level.exact, path, node, (m) => (level.exact = m));
      } else if (modifier === '' || modifier === '^~') {
        const prefixes = l.prefixes;
        if (prefixNames ? prefixNames.has(path) : hasName(prefixes, path)) kept = false;
        else {
          prefixes.push(node);
          if (prefixNames) prefixNames.add(path);
          else if (prefixes.length > SMALL_LEVEL) prefixNames = new Set(prefixes.map((p) => p.name));
        }
      } else if (modifier === '@') {
        kept = addNew(level.named, path, node, (m) => (level.named = m));
      } else l.regexes.push(node);
      if (kept) this.byScope.set(c, node);
    }
    l.prefixes = l.prefixes.length ? longestFirst(l.prefixes).slice() : NO_LIST;
    l.regexes = l.regexes.length ? l.regexes.slice() : NO_LIST;
    this.levels.set(scope, l);
    return l;
  }

  /** Drops what is indexed for `scope` and below (a scope rebuilt in place gets new children). */
  forget(scope: Scope): void {
    const l = this.levels.get(scope);
    if (!l) return;
    this.levels.delete(scope);
    for (const n of [...l.exact.values(), ...l.prefixes, ...l.regexes, ...l.named.values()]) {
      this.byScope.delete(n.scope);
      this.forget(n.scope);
    }
  }

  /** A named location (`@name`) of a server. */
  named(server: Scope, name: string): LocationNode | null {
    return this.level(server).named.get(name) ?? null;
  }

  /**
   * Whether a regex location of any level from the server down to this
   * location's own could match some URI starting with `prefix` (only a
   * regex can take a prefix location's paths; an anchored one whose literal
   * diverges from the prefix cannot).
   */
  regexCouldTake(scope: Scope, prefix: string): boolean {
    for (let s: Scope | null = scope.parent; s && (s.kind === 'location' || s.kind === 'server'); s = s.parent) {
      for (const r of this.level(s).regexes) {
        const lit = r.literal;
        if (lit === null) return true;
        const [a, b] = r.modifier === '~*' ? [prefix.toLowerCase(), lit.toLowerCase()] : [prefix, lit];
        if (a.startsWith(b) || b.startsWith(a)) return true;
      }
      if (s.kind === 'server') break;
    }
    return false;
  }

  /** The node of a location scope (its parent's level is indexed on the way). */
  nodeOf(scope: Scope): LocationNode | null {
    if (scope.kind !== 'location' || !scope.parent) return null;
    this.level(scope.parent);
    return this.byScope.get(scope) ?? null;
  }

  /** Every location of a level, for listing. */
  nodes(scope: Scope): LocationNode[] {
    const l = this.level(scope);
    return [...l.exact.values(), ...l.prefixes, ...l.regexes, ...l.named.values()];
  }

  /** The location nginx picks for `uri` in a server (or below a location). */
  find(scope: Scope, uri: string): LocationResult {
    const result: LocationResult = { node: null, how: 'none', redirect: false, captures: null, path: [] };
    this.search(scope, uri, result);
    return result;
  }

  /** One level of ngx_http_core_find_location; returns its rc: 'ok' (exact or regex), 'done' (redirect), 'again' (prefix), 'declined'. */
  private search(scope: Scope, uri: string, out: LocationResult): 'ok' | 'done' | 'again' | 'declined' {
    const l = this.level(scope);
    let rc: 'ok' | 'done' | 'again' | 'declined' = 'declined';
    let noregex = false;
    const exact = l.exact.get(uri);
    if (exact) {
      out.node = exact;
      out.how = 'exact';
      out.path.push({ node: exact, matched: true, kind: 'exact' });
      return 'ok';
    }
    const prefix = longestPrefix(l.prefixes, uri);
    // nginx joins `= /x/` and `/x/` into one tree node: it redirects when either proxies, with the exact one's configuration.
    const slashExact = prefix?.name === uri ? undefined : l.exact.get(`${uri}/`);
    const slashPrefix = prefix?.name === uri ? undefined : namedNode(l.prefixes, `${uri}/`);
    const slashed = slashExact?.autoRedirect || slashPrefix?.autoRedirect ? (slashExact ?? slashPrefix)! : null;
    if (slashed) {
      out.node = slashed;
      out.how = slashed.modifier === '=' ? 'exact' : 'prefix';
      out.redirect = true;
      out.path.push({ node: slashed, matched: true, kind: 'redirect' });
      return 'done';
    }
    if (prefix) {
      out.node = prefix;
      out.how = 'prefix';
      out.path.push({ node: prefix, matched: true, kind: 'prefix' });
      noregex = prefix.modifier === '^~';
      rc = this.search(prefix.scope, uri, out);
      if (rc === 'ok' || rc === 'done') return rc;
      rc = 'again';
    }
    if (noregex) {
      if (l.regexes.length) out.path.push({ node: prefix!, matched: true, kind: 'noregex' });
      return rc;
    }
    const regexes = l.regexes;
    for (let i = 0; i < regexes.length; i++) {
      const r = regexes[i]!;
      if (r.literal !== null && !(r.modifier === '~*' ? uri.toLowerCase().startsWith(r.literal.toLowerCase()) : uri.startsWith(r.literal)))
        continue;
      if (!r.regex!.ok) {
        out.uncertain ??= `location ${r.modifier} ${r.name} ${r.regex!.reason}`;
        out.path.push({ node: r, matched: false, kind: 'unevaluated' });
        continue;
      }
      const m = r.regex!.exec(uri);
      if (!m) continue;
      out.node = r;
      out.how = 'regex';
      out.captures = m;
      out.path.push({ node: r, matched: true, kind: 'regex' });
      this.search(r.scope, uri, out);
      return 'ok';
    }
    return rc;
  }
}

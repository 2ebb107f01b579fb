/**
 * The config model: the files of one nginx config stitched together through
 * `include`, as a tree of scopes (main > http > server > location > ...), with
 * nginx's inheritance rules for looking up effective values.
 *
 * Include resolution follows nginx: a relative path is resolved against the
 * config prefix (the directory of the root file, or the `prefix` setting);
 * for files that live elsewhere (snippets opened on their own) the including
 * file's directory is tried as well. Cycles are reported once and cut.
 */
import type { Directive, SourceFile, Statement } from '../syntax/ast';
import { parse } from '../syntax/parser';
import { updateText } from '../syntax/incremental';
import { DEFAULT_LIMITS, readBudget, type EngineSettings, type FileHost, type Finding } from '../types';
import { GLOB_CHARS } from './glob';

export interface Scope {
  /** `main` for the file's top level, otherwise the directive name (http, server, location, if, upstream, map...). */
  kind: string;
  directive: Directive | null;
  parent: Scope | null;
  /** Own directives in order, with `include`d files spliced in (the `include` directives themselves are kept too). */
  items: Directive[];
  /** Shared and empty (frozen) until a child scope is added. */
  children: Scope[];
  /** Lazily built index of `items` by name; only for scopes with many items (small ones are scanned). */
  byName?: Map<string, Directive[]>;
}

/** One frozen empty list for every leaf scope and every miss of `own`: most scopes are small leaves. */
const NO_SCOPES: Scope[] = Object.freeze([]) as unknown as Scope[];
const NO_DIRECTIVES: Directive[] = Object.freeze([]) as unknown as Directive[];

/** Reused parse results, keyed by path; valid while the text is identical. */
export type ParseCache = Map<string, SourceFile>;

export interface ConfigModel {
  rootPath: string;
  root: Scope;
  /** Every file of the config, root first. */
  files: Map<string, SourceFile>;
  /** Findings about includes (missing files, cycles, unreadable). */
  findings: Finding[];
  /** Every scope of a given kind, in document order. */
  scopes: Map<string, Scope[]>;
  /** The scope a block directive opens. */
  scopeOf: Map<Directive, Scope>;
  /** For each file, the files it includes (directly). */
  includes: Map<string, Set<string>>;
  /** Files whose statements appear more than once in the tree (included twice, or cut as a cycle). */
  revisited: Set<string>;
  /** What is derived from this model on first use and kept with it (see `ModelCache`). */
  readonly cache: ModelCache;
}

/**
 * Everything derived from a `ConfigModel` and kept with it, in one place
 * (no module-level cache is keyed on a model). Each entry is made on first
 * use. The model changes in place only through `rebuildScope` (an
 * incremental update of one `server`), which keeps `scopeOf` current and
 * drops `flat`; `upstreams` stays valid because an update never re-checks a
 * server that holds an upstream (analysis/update.ts refuses one), and
 * `proxyTargets` is keyed weakly by directive (a re-parsed `proxy_pass` is a
 * new key, and the old one is not kept alive).
 */
export class ModelCache {
  /** The scope a block directive opens: `ConfigModel.scopeOf`, built from `scopes` when first read. */
  scopeOf?: Map<Directive, Scope>;
  /** Every directive with its scope, flat (`flatDirectives`, `directivesNamed`, `allDirectives`). */
  flat?: Flat;
  /** `upstream` scopes by name, the first of each name (`upstreamByName`). */
  upstreams?: Map<string, Scope>;
  /** The upstream a `proxy_pass` names, or null (`proxyUpstream`). */
  readonly proxyTargets = new WeakMap<Directive, Scope | null>();
}

/** A model: plain data but for `scopeOf`, which few callers need (built on first read, not one Map entry per block during the build). */
class Model implements ConfigModel {
  readonly root: Scope = { kind: 'main', directive: null, parent: null, items: [], children: NO_SCOPES };
  readonly files = new Map<string, SourceFile>();
  readonly findings: Finding[] = [];
  readonly scopes = new Map<string, Scope[]>();
  readonly includes = new Map<string, Set<string>>();
  readonly revisited = new Set<string>();
  readonly cache = new ModelCache();
  constructor(readonly rootPath: string) {}

  get scopeOf(): Map<Directive, Scope> {
    let scopeOf = this.cache.scopeOf;
    if (!scopeOf) {
      scopeOf = new Map();
      for (const list of this.scopes.values()) for (const s of list) if (s.directive) scopeOf.set(s.directive, s);
      this.cache.scopeOf = scopeOf;
    }
    return scopeOf;
  }
}

const MAX_INCLUDE_DEPTH = 32;

/** What `resolveInclude` found: the files, nothing (a missing plain file), or a file that is there but was refused. */
type Resolved = { paths: string[]; note?: string } | { missing: true } | { refused: string; why: string };

export function buildModel(rootPath: string, host: FileHost, settings: EngineSettings, cache?: ParseCache): ConfigModel {
  const model = new Model(rootPath);
  const prefix = settings.prefix || host.dirname(rootPath);
  const reportedCycles = new Set<Directive>();
  // What this analysis may read (bytes, files, glob entries); the host spends it and says what it refused.
  const budget = readBudget(settings.limits ?? host.defaultLimits?.() ?? DEFAULT_LIMITS, rootPath);
  /** Texts read by this analysis: an include's existence check and its load read once. */
  const texts = new Map<string, string | null>();
  const read = (path: string): string | undefined => {
    const known = texts.get(path);
    if (known !== undefined) return known ?? undefined;
    const text = host.readFile(path, budget);
    texts.set(path, text ?? null);
    return text;
  };

  /** The parsed file, or why it could not be read (undefined: it does not exist). */
  const load = (path: string): SourceFile | { why: string } | undefined => {
    const known = model.files.get(path);
    if (known) {
      model.revisited.add(path);
      return known;
    }
    const text = read(path);
    if (text === undefined) {
      const why = host.refusal?.(path);
      return why === undefined ? undefined : { why };
    }
    let file = cache?.get(path);
    if (!file || file.text !== text) {
      file = file ? updateText(file, text, path) : parse(text, path);
      cache?.set(path, file);
    }
    model.files.set(path, file);
    return file;
  };

  /** Lists `s` among the scopes of its kind (in document order: call it just before visiting its block). */
  const register = (s: Scope): Scope => {
    let list = model.scopes.get(s.kind);
    if (!list) model.scopes.set(s.kind, (list = []));
    list.push(s);
    return s;
  };

  const addScope = (kind: string, directive: Directive | null, parent: Scope): Scope => {
    const s = newScope(kind, directive, parent);
    if (parent.children === NO_SCOPES) parent.children = [s];
    else parent.children.push(s);
    return register(s);
  };

  const resolveInclude = (d: Directive, fromPath: string): Resolved => {
    const pattern = d.arg(0);
    if (!pattern || /\$/.test(pattern)) return { paths: [] };
    const candidates = pattern.startsWith('/')
      ? [pattern]
      : unique([prefix, host.dirname(fromPath), ...ancestors(host, prefix)].map((dir) => host.resolve(dir, pattern)));
    // The first candidate is where nginx looks; the others are guesses for a file judged without its config.
    // Only what happened to the first is said: a guess that was refused (outside the workspace, say) is no news.
    let note: string | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      if (GLOB_CHARS.test(c)) {
        const matches = host.glob(c, budget);
        // A walk that stopped early (a limit, or a folder it may not read) is said on the include line.
        const why = host.refusal?.(c);
        if (i === 0) note = why;
        if (matches.length) return { paths: matches, note: i === 0 ? note : why };
      } else if (read(c) !== undefined) {
        return { paths: [c] };
      } else if (i === 0) {
        // There, but refused (too large, not a regular file, outside the workspace...): that is the answer, not "not found".
        const why = host.refusal?.(c);
        if (why !== undefined) return { refused: c, why };
      }
    }
    // An empty glob is fine for nginx; a missing plain file is an error at `nginx -t`.
    return GLOB_CHARS.test(pattern) ? { paths: [], note } : { missing: true };
  };

  const visit = (statements: SourceFile['children'], scope: Scope, file: SourceFile, chain: string[]): void => {
    if (scope.items === NO_DIRECTIVES) {
      const items = plainItems(statements);
      if (items && scope.children === NO_SCOPES) {
        scope.items = items;
        // The child scopes in an exact-size list (a pushed list of one keeps 17 slots), made where V8 can pretenure it.
        let k = 0;
        for (let i = 0; i < items.length; i++) if (opensScope(items[i]!)) k++;
        if (k === 0) return;
        const children = new Array<Scope>(k);
        scope.children = children;
        for (let i = 0, j = 0; i < items.length; i++) {
          const s = items[i]!;
          if (!opensScope(s)) continue;
          const child = (children[j++] = register(newScope(s.name, s, scope)));
          visit(s.block!.children, child, file, chain);
        }
        return;
      }
      scope.items = [];
    }
    for (const s of statements) {
      if (s.type !== 'directive') continue;
      scope.items.push(s);
      if (s.name === 'include' && !s.block) {
        const resolved = resolveInclude(s, file.uri);
        const at = (severity: Finding['severity'], message: string) =>
          model.findings.push({ path: file.uri, range: s.args[0]!.range, severity, code: 'include', message, fixes: [] });
        if ('missing' in resolved) {
          at('warning', `Included file not found: ${s.arg(0)!} (nginx -t fails with "open() ... failed")`);
          continue;
        }
        if ('refused' in resolved) {
          at('warning', `Not read: ${resolved.refused}: ${resolved.why}`);
          continue;
        }
        if (resolved.note) at('warning', `include ${s.arg(0)!}: ${resolved.note}`);
        let included = model.includes.get(file.uri);
        if (!included) model.includes.set(file.uri, (included = new Set()));
        /** Files of this include that were refused, by reason: one finding per reason, not one per file. */
        const refused = new Map<string, string[]>();
        for (const p of resolved.paths) {
          included.add(p);
          if (chain.includes(p) || chain.length > MAX_INCLUDE_DEPTH) {
            model.revisited.add(p);
            if (!reportedCycles.has(s)) {
              reportedCycles.add(s);
              at(
                'error',
                chain.includes(p)
                  ? `Include cycle: ${[...chain, p].map(baseName).join(' → ')}`
                  : `Includes nested deeper than ${MAX_INCLUDE_DEPTH} levels: ${p} is not followed (nginx-ws stops there; nginx would go on)`,
              );
            }
            continue;
          }
          const child = load(p);
          if (!child || 'why' in child) {
            const why = child ? child.why : 'it cannot be read (it went away while the config was read)';
            const l = refused.get(why);
            if (l) l.push(p);
            else refused.set(why, [p]);
            continue;
          }
          visit(child.children, scope, child, [...chain, p]);
        }
        for (const [why, paths] of refused) {
          at(
            'warning',
            paths.length === 1
              ? `Not read: ${paths[0]}: ${why}`
              : `Not read: ${paths.length} of the files it matches (${paths[0]}, …): ${why}`,
          );
        }
        continue;
      }
      if (s.block && s.block.opaque === undefined) {
        visit(s.block.children, addScope(s.name, s, scope), file, chain);
      }
    }
  };

  const rootFile = load(rootPath);
  if (rootFile && !('why' in rootFile)) visit(rootFile.children, model.root, rootFile, [rootPath]);
  return model;
}

/** A scope with no items and no children yet (one literal for every scope of a build: one shape, one allocation site). */
function newScope(kind: string, directive: Directive | null, parent: Scope): Scope {
  return { kind, directive, parent, items: NO_DIRECTIVES, children: NO_SCOPES };
}

/** Whether a directive's block is a scope of its own (opaque bodies, Lua code, are not). */
function opensScope(d: Directive): boolean {
  return d.block !== null && d.block.opaque === undefined;
}

/**
 * The directives of a statement list as a scope's items, or null when one
 * is an `include` (the caller splices the included files in). A list of
 * directives only is used as it is (read-only, shared with the block); else
 * an exact-size copy: push-grown lists keep up to 17 slots for 1 item.
 */
function plainItems(statements: readonly Statement[]): Directive[] | null {
  let n = 0;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    if (s.type !== 'directive') continue;
    n++;
    if (s.name === 'include' && !s.block) return null;
  }
  if (n === statements.length) return statements as Directive[];
  const items = new Array<Directive>(n);
  let k = 0;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i]!;
    if (s.type === 'directive') items[k++] = s;
  }
  return items;
}

/** Whether a block's subtree holds an `include` (a scope rebuilt in place must not pull files in). */
export function includesAnything(statements: readonly Statement[]): boolean {
  const stack: (readonly Statement[])[] = [statements];
  while (stack.length) {
    for (const s of stack.pop()!) {
      if (s.type !== 'directive') continue;
      if (s.name === 'include' && !s.block) return true;
      if (s.block && s.block.children.length) stack.push(s.block.children);
    }
  }
  return false;
}

/**
 * Rebuilds one scope's subtree from its directive's (re-parsed) block, in
 * place, and keeps the model's indexes current: `scopes` (document order),
 * `scopeOf` if built, and the flattened lists (dropped, rebuilt on demand).
 * For an incremental update of a block holding no `include`.
 */
export function rebuildScope(model: ConfigModel, scope: Scope): void {
  const scopeOf = model.cache.scopeOf;
  const before = byKind(descendants(scope));
  if (scopeOf) for (const list of before.values()) for (const s of list) scopeOf.delete(s.directive!);
  scope.children = NO_SCOPES;
  scope.byName = undefined;
  const fill = (target: Scope, statements: readonly Statement[]) => {
    const items = plainItems(statements) ?? [];
    target.items = items;
    for (const d of items) {
      if (!opensScope(d)) continue;
      const child = newScope(d.name, d, target);
      if (target.children === NO_SCOPES) target.children = [child];
      else target.children.push(child);
      scopeOf?.set(d, child);
      fill(child, d.block!.children);
    }
  };
  fill(scope, scope.directive!.block!.children);
  model.cache.flat = undefined;
  // A subtree's scopes of one kind are one run in that kind's list (the lists are in pre-order): swap the runs.
  const after = byKind(descendants(scope));
  for (const kind of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(kind) ?? [];
    const now = after.get(kind) ?? [];
    if (!old.length) return relistScopes(model); // no run to swap: where the new one goes needs a walk
    const list = model.scopes.get(kind)!;
    list.splice(list.indexOf(old[0]!), old.length, ...now);
    if (!list.length) model.scopes.delete(kind);
  }
}

function byKind(scopes: Iterable<Scope>): Map<string, Scope[]> {
  const m = new Map<string, Scope[]>();
  for (const s of scopes) {
    const l = m.get(s.kind);
    if (l) l.push(s);
    else m.set(s.kind, [s]);
  }
  return m;
}

/** Rebuilds `model.scopes` from the tree: document order is the tree's pre-order. */
function relistScopes(model: ConfigModel): void {
  model.scopes.clear();
  const stack: Scope[] = [...model.root.children].reverse();
  while (stack.length) {
    const s = stack.pop()!;
    let list = model.scopes.get(s.kind);
    if (!list) model.scopes.set(s.kind, (list = []));
    list.push(s);
    for (let i = s.children.length - 1; i >= 0; i--) stack.push(s.children[i]!);
  }
}

/**
 * When a file is analysed without its nginx.conf (a vhost from a repo whose
 * includes are relative to the repo's root), the real prefix is usually a few
 * levels up: try those before calling an include missing.
 */
function ancestors(host: FileHost, dir: string): string[] {
  const out: string[] = [];
  for (let i = 0, d = dir; i < 3; i++) {
    const up = host.dirname(d);
    if (!up || up === d) break;
    out.push(up);
    d = up;
  }
  return out;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Scopes with at most this many items are scanned instead of indexed: a Map per location costs more than a scan. */
const SCAN_LIMIT = 12;

/** Own directives of a scope with the given name (do not mutate the result: misses share one frozen list). */
export function own(scope: Scope, name: string): Directive[] {
  const items = scope.items;
  if (items.length <= SCAN_LIMIT) {
    let out: Directive[] | null = null;
    for (let i = 0; i < items.length; i++) {
      const d = items[i]!;
      if (d.name !== name) continue;
      if (out) out.push(d);
      else out = [d];
    }
    return out ?? NO_DIRECTIVES;
  }
  if (!scope.byName) {
    const m = new Map<string, Directive[]>();
    for (const d of items) {
      const l = m.get(d.name);
      if (l) l.push(d);
      else m.set(d.name, [d]);
    }
    scope.byName = m;
  }
  return scope.byName.get(name) ?? NO_DIRECTIVES;
}

/** The first own directive of a scope with the given name, without building a list. */
export function ownFirst(scope: Scope, name: string): Directive | null {
  const items = scope.items;
  if (items.length <= SCAN_LIMIT) {
    for (let i = 0; i < items.length; i++) if (items[i]!.name === name) return items[i]!;
    return null;
  }
  return own(scope, name)[0] ?? null;
}

/** Whether a scope has an own directive of the given name. */
export function hasOwn(scope: Scope, name: string): boolean {
  return ownFirst(scope, name) !== null;
}

/** Scopes through which http-level directives inherit (stops before `main`). */
const INHERITING = new Set(['http', 'server', 'location', 'if', 'limit_except']);

/**
 * nginx inheritance: a directive's value comes from the nearest level that
 * sets it at all; for list directives (`proxy_set_header`) the whole list of
 * that level replaces anything above it.
 */
export function nearest(scope: Scope, name: string): { scope: Scope; directives: Directive[] } | null {
  for (let s: Scope | null = scope; s && INHERITING.has(s.kind); s = s.parent) {
    if (!hasOwn(s, name)) continue;
    return { scope: s, directives: own(s, name) };
  }
  return null;
}

/** The scope `nearest` would take `name` from, and its last directive (the effective one for single-value directives), without allocating. */
export function nearestLast(scope: Scope, name: string): { scope: Scope; directive: Directive } | null {
  for (let s: Scope | null = scope; s && INHERITING.has(s.kind); s = s.parent) {
    const items = s.items;
    if (items.length <= SCAN_LIMIT) {
      for (let i = items.length - 1; i >= 0; i--) if (items[i]!.name === name) return { scope: s, directive: items[i]! };
      continue;
    }
    const l = own(s, name);
    if (l.length) return { scope: s, directive: l[l.length - 1]! };
  }
  return null;
}

/** The enclosing scope of a kind (`server` for a location), or null. */
export function enclosing(scope: Scope, kind: string): Scope | null {
  for (let s = scope.parent; s; s = s.parent) if (s.kind === kind) return s;
  return null;
}

/** All scopes below `scope`, depth-first, without recursion. */
export function* descendants(scope: Scope): Generator<Scope> {
  const stack = [...scope.children].reverse();
  while (stack.length) {
    const s = stack.pop()!;
    yield s;
    for (let i = s.children.length - 1; i >= 0; i--) stack.push(s.children[i]!);
  }
}

export interface Placed {
  d: Directive;
  scope: Scope;
}

/** Directives and, at the same index, their scopes: the form of `flatDirectives` and `directivesNamed` (no object per directive). */
export interface DirectiveList {
  readonly directives: readonly Directive[];
  readonly scopes: readonly Scope[];
}

const NO_LIST: DirectiveList = Object.freeze({ directives: NO_DIRECTIVES, scopes: NO_SCOPES });

/**
 * Every directive of a model with its scope, include-expanded, as two
 * parallel lists (no object per directive); `Placed` objects are made only
 * for callers of `allDirectives`.
 */
interface Flat {
  directives: Directive[];
  scopes: Scope[];
  all?: Placed[];
  /** Positions in the lists by directive name. */
  index?: Map<string, number[]>;
  /** `directivesNamed`'s answers, made from `index` on first ask. */
  named: Map<string, DirectiveList>;
}

function flatten(model: ConfigModel): Flat {
  let f = model.cache.flat;
  if (!f) {
    // Two walks: the first sizes the lists exactly (push-grown lists of 100k entries waste a third).
    let n = 0;
    const stack: Scope[] = [model.root];
    while (stack.length) {
      const scope = stack.pop()!;
      n += scope.items.length;
      for (let i = scope.children.length - 1; i >= 0; i--) stack.push(scope.children[i]!);
    }
    const directives = new Array<Directive>(n);
    const scopes = new Array<Scope>(n);
    let k = 0;
    stack.push(model.root);
    while (stack.length) {
      const scope = stack.pop()!;
      const items = scope.items;
      for (let i = 0; i < items.length; i++) {
        directives[k] = items[i]!;
        scopes[k++] = scope;
      }
      for (let i = scope.children.length - 1; i >= 0; i--) stack.push(scope.children[i]!);
    }
    model.cache.flat = f = { directives, scopes, named: new Map() };
  }
  return f;
}

/**
 * All directives of the model and, at the same position, their scopes:
 * include-expanded, depth-first by scope, built once per model (the rules
 * share it). The allocation-free form of `allDirectives`; do not mutate.
 */
export function flatDirectives(model: ConfigModel): DirectiveList {
  return flatten(model);
}

/**
 * A scope's directive followed by every directive of its subtree, each with
 * the scope it sits in, in the order `flatDirectives` would list them.
 */
export function subtreeDirectives(scope: Scope): { directives: Directive[]; scopes: Scope[] } {
  const directives: Directive[] = [];
  const scopes: Scope[] = [];
  if (scope.directive && scope.parent) {
    directives.push(scope.directive);
    scopes.push(scope.parent);
  }
  const stack: Scope[] = [scope];
  while (stack.length) {
    const s = stack.pop()!;
    for (const d of s.items) {
      directives.push(d);
      scopes.push(s);
    }
    for (let i = s.children.length - 1; i >= 0; i--) stack.push(s.children[i]!);
  }
  return { directives, scopes };
}

/** All directives of the model with their scopes, include-expanded, built once per model (rules share it). */
export function allDirectives(model: ConfigModel): readonly Placed[] {
  const f = flatten(model);
  if (!f.all) {
    const all = new Array<Placed>(f.directives.length);
    for (let i = 0; i < all.length; i++) all[i] = { d: f.directives[i]!, scope: f.scopes[i]! };
    f.all = all;
  }
  return f.all;
}

/** The positions of the directives in the flat lists by name (made for every name on the first ask; do not mutate). */
function nameIndex(f: Flat): ReadonlyMap<string, readonly number[]> {
  if (!f.index) {
    const index = new Map<string, number[]>();
    for (let i = 0; i < f.directives.length; i++) {
      const n = f.directives[i]!.name;
      const at = index.get(n);
      if (at) at.push(i);
      else index.set(n, [i]);
    }
    f.index = index;
  }
  return f.index;
}

/** Positions of the directives of one name in the flat lists. */
function positionsOf(f: Flat, name: string): readonly number[] | undefined {
  return nameIndex(f).get(name);
}

/**
 * The directives of one name anywhere in the model, in `flatDirectives`
 * order, and at the same index their scopes: two exact-size lists per name,
 * kept with the model (an object per directive would be 100,000 objects for
 * `proxy_set_header` on a 20,000-server config, alive until the rules end).
 */
export function directivesNamed(model: ConfigModel, name: string): DirectiveList {
  const f = flatten(model);
  let l = f.named.get(name);
  if (!l) {
    const at = positionsOf(f, name);
    if (!at) l = NO_LIST;
    else {
      const directives = new Array<Directive>(at.length);
      const scopes = new Array<Scope>(at.length);
      for (let i = 0; i < at.length; i++) {
        directives[i] = f.directives[at[i]!]!;
        scopes[i] = f.scopes[at[i]!]!;
      }
      l = { directives, scopes };
    }
    f.named.set(name, l);
  }
  return l;
}

/**
 * Calls `visitor` for each directive whose name `pick` accepts, with its
 * scope, in `flatDirectives` order. `pick` is asked once per distinct name
 * (from the name index), so a pass that can only act on a few names reads
 * only their directives, not every directive of the model.
 */
export function visitNamed(
  model: ConfigModel,
  pick: (name: string) => boolean,
  visitor: { visit(d: Directive, scope: Scope): void },
): void {
  const f = flatten(model);
  // Marks, then one scan: the positions of several names, merged in the lists' order.
  let marks: Uint8Array | undefined;
  for (const [name, at] of nameIndex(f)) {
    if (!pick(name)) continue;
    marks ??= new Uint8Array(f.directives.length);
    for (let i = 0; i < at.length; i++) marks[at[i]!] = 1;
  }
  if (!marks) return;
  const { directives, scopes } = f;
  for (let i = 0; i < marks.length; i++) if (marks[i] === 1) visitor.visit(directives[i]!, scopes[i]!);
}

/**
 * Whether some directive of one name passes `test`, in `flatDirectives`
 * order, stopping at the first: reads the name index in place, with no list
 * made (a rule asking whether any `proxy_set_header` sets a handshake header
 * usually finds one within the first few dozen).
 */
export function someNamed(model: ConfigModel, name: string, test: (d: Directive) => boolean): boolean {
  const f = flatten(model);
  const at = positionsOf(f, name);
  if (!at) return false;
  for (let i = 0; i < at.length; i++) if (test(f.directives[at[i]!]!)) return true;
  return false;
}

/**
 * Which nginx context a block or a cursor position is in.
 *
 * A context is a *set* of candidate contexts: a snippet with no includer
 * starts as "any context", and a bare `server {}` in it may be an http,
 * stream or mail server; a directive is only wrong when no candidate allows
 * it. Bodies of data blocks (`map`, `types`, `geo` ...), Lua blocks and
 * blocks of unknown (third-party) directives are not checked.
 */
import type { Block, Directive, SourceFile, Statement } from '../syntax/ast';
import { ALL_CONTEXTS, subsystemOf, type Context } from '../knowledge/directives';
import { DATA_BLOCKS } from '../knowledge/names';
import { flatDirectives, type ConfigModel, type Scope } from './config';

export interface BlockContext {
  /** `nginx`: directives; `data`: map/types/geo bodies; `opaque`: Lua; `unknown`: a third-party block. */
  kind: 'nginx' | 'data' | 'opaque' | 'unknown';
  contexts: readonly Context[];
}

export const ANY: BlockContext = { kind: 'nginx', contexts: ALL_CONTEXTS };
export const MAIN: BlockContext = { kind: 'nginx', contexts: ['main'] };

const CHILD: Record<string, Partial<Record<Context, Context>>> = {
  events: { main: 'events' },
  http: { main: 'http' },
  stream: { main: 'stream' },
  mail: { main: 'mail' },
  server: { http: 'server', stream: 'stream-server', mail: 'mail-server' },
  location: { server: 'location', location: 'location' },
  if: { server: 'server-if', location: 'location-if' },
  limit_except: { location: 'limit_except' },
  upstream: { http: 'upstream', stream: 'stream-upstream' },
};

const OPAQUE: BlockContext = { kind: 'opaque', contexts: [] };
const DATA: BlockContext = { kind: 'data', contexts: [] };
const UNKNOWN: BlockContext = { kind: 'unknown', contexts: [] };

/** Child contexts by parent context object and block name: a big config has thousands of identical steps. */
const childCache = new WeakMap<BlockContext, Map<string, BlockContext>>();

/** The context inside the block that `d` opens, given the context `d` sits in. */
export function childContext(parent: BlockContext, d: Directive): BlockContext {
  if (parent.kind !== 'nginx') return parent;
  if (d.block?.opaque !== undefined) return OPAQUE;
  if (DATA_BLOCKS.has(d.name)) return DATA;
  let cache = childCache.get(parent);
  if (!cache) childCache.set(parent, (cache = new Map<string, BlockContext>()));
  let child = cache.get(d.name);
  if (!child) cache.set(d.name, (child = computeChild(parent, d.name)));
  return child;
}

function computeChild(parent: BlockContext, name: string): BlockContext {
  const map = CHILD[name];
  if (!map) return UNKNOWN;
  const out = new Set<Context>();
  for (const c of parent.contexts) {
    const n = map[c];
    if (n) out.add(n);
  }
  // A block nginx would reject here (e.g. `location` in http): keep checking its body as the block's usual context.
  if (!out.size) for (const n of Object.values(map)) out.add(n);
  return { kind: 'nginx', contexts: [...out] };
}

/** `# nginx-ws: context=http` (or `server`, `location` ...) in the file's first comment lines. */
export function declaredContext(file: SourceFile): BlockContext | null {
  // Only the leading comment block counts. Found once: per comment, a file of 2.6 million comment lines took hours.
  const firstDirective = file.children.find((s) => s.type === 'directive');
  for (const c of file.comments) {
    if (c.trailing) break;
    const m = /nginx-ws:\s*context\s*=\s*([a-z_-]+)/.exec(c.value);
    if (m) {
      const want = m[1] as Context;
      if (ALL_CONTEXTS.includes(want)) return { kind: 'nginx', contexts: [want] };
      return null;
    }
    if (firstDirective && firstDirective.start < c.start) break;
  }
  return null;
}

/**
 * `# nginx-ws: nginx-version=1.24.0` in the root file's first comment lines: the nginx version the config is
 * deployed with, declared where everyone who lints it sees it. '' when there is none.
 */
export function declaredNginxVersion(file: SourceFile | undefined): string {
  if (!file) return '';
  const firstDirective = file.children.find((s) => s.type === 'directive');
  for (const c of file.comments) {
    if (c.trailing || (firstDirective && firstDirective.start < c.start)) break;
    const m = /nginx-ws:\s*nginx-version\s*=\s*(\d+\.\d+(?:\.\d+)?)/.exec(c.value);
    if (m) return m[1]!;
  }
  return '';
}

/**
 * The context at the top level of `path` within an analysis: `main` for the
 * root, the includer's scope for an included file (data when it is included
 * inside a `map`, `geo`, `types` or `split_clients` block), or null when the
 * file is not part of the analysed config.
 */
export function topContextIn(analysis: { model: ConfigModel }, path: string): BlockContext | null {
  const complete = analysis.model.scopes.has('http') || analysis.model.scopes.has('events');
  if (path === analysis.model.rootPath) return complete ? MAIN : null;
  // Included from a snippet that is itself of unknown context: the includer's top level may be anything too.
  const rootCtx = complete ? MAIN : ANY;
  const found: Context[] = [];
  // A file included inside a `map`, `geo`, `types` or `split_clients` block holds that block's rows (data); inside a
  // Lua or third-party block, text nginx hands to that module.
  let other: BlockContext | null = null;
  const { directives, scopes } = flatDirectives(analysis.model);
  for (let k = 0; k < directives.length; k++) {
    const d = directives[k]!;
    if (d.parentBlock !== null || d.file.uri !== path) continue;
    const ctx = scopeContext(scopes[k]!, rootCtx);
    if (ctx.kind !== 'nginx') other ??= ctx;
    for (const c of ctx.contexts) if (!found.includes(c)) found.push(c);
  }
  return found.length ? { kind: 'nginx', contexts: found } : other;
}

function scopeContext(scope: Scope, rootCtx: BlockContext): BlockContext {
  const chain: Scope[] = [];
  for (let s: Scope | null = scope; s && s.directive; s = s.parent) chain.unshift(s);
  let ctx: BlockContext = rootCtx;
  for (const s of chain) ctx = childContext(ctx, s.directive!);
  return ctx;
}

/** Chooses the top-level context for a file: declared comment, then the includer, then lenient or main. */
export function topContextFor(
  file: SourceFile,
  opts: { lenient?: boolean; analysis?: { model: ConfigModel }; top?: BlockContext },
): BlockContext {
  if (opts.top) return opts.top;
  const declared = declaredContext(file);
  if (declared) return declared;
  if (opts.analysis) {
    const t = topContextIn(opts.analysis, file.uri);
    if (t) return t;
  }
  return opts.lenient ? ANY : MAIN;
}

/** The innermost block whose body contains `offset`, with the chain of block directives from the top. */
export function enclosingBlocks(file: SourceFile, offset: number): Directive[] {
  const chain: Directive[] = [];
  let list: Statement[] = file.children;
  for (;;) {
    let next: Block | null = null;
    for (const s of list) {
      if (s.type !== 'directive' || !s.block) continue;
      const b = s.block;
      if (offset > b.start && (offset < b.end || !b.closed)) {
        chain.push(s);
        next = b;
        break;
      }
      if (s.start > offset) break;
    }
    if (!next) return chain;
    list = next.children;
  }
}

/** The variables' subsystem of a context: `stream` when every candidate is a stream context, `http` for http ones, else undefined. */
export function subsystemOfContext(ctx: BlockContext): 'http' | 'stream' | undefined {
  if (ctx.kind !== 'nginx' || !ctx.contexts.length) return undefined;
  const subs = new Set(ctx.contexts.map(subsystemOf));
  if (subs.size !== 1) return undefined;
  const [s] = subs;
  return s === 'http' || s === 'stream' ? s : undefined;
}

export function contextAt(file: SourceFile, offset: number, top: BlockContext): BlockContext {
  let ctx = top;
  for (const d of enclosingBlocks(file, offset)) ctx = childContext(ctx, d);
  return ctx;
}

/**
 * "Directive X is not allowed in Y", wrong argument counts and block misuse,
 * from the knowledge table (whose contexts and counts are checked against a
 * real nginx). Unknown directives are only hinted: other modules exist; NGINX
 * Plus directives are named as such, and those of the third-party modules the
 * table knows (Lua, headers-more, ...) are checked like nginx's own.
 */
import type { Directive, SourceFile, Statement } from '../syntax/ast';
import { CONTEXT_LABELS, argCountOk, describeArgCount, lookupDirective, type Context, type DirectiveInfo } from '../knowledge/directives';
import { childContext, topContextFor, type BlockContext } from './contexts';
import type { ConfigModel } from './config';

export interface ContextProblem {
  start: number;
  end: number;
  message: string;
  severity: 'error' | 'warning' | 'hint';
  /** `context` (not allowed here), `args` (argument count), `block` (block/`;` misuse), `unknown` (not in the table). */
  kind: 'context' | 'args' | 'block' | 'unknown';
}

export interface ContextCheckOptions {
  /** A snippet with no includer: its top level may be any context. */
  lenient: boolean;
  /** With an analysis, an included file is checked in the context its includer gives it. */
  analysis?: { model: ConfigModel };
  /** Explicit top-level context (overrides everything else). */
  top?: BlockContext;
}

export function contextProblems(file: SourceFile, opts: ContextCheckOptions): ContextProblem[] {
  const out: ContextProblem[] = [];
  const known = new KnownFine();
  walkInContext(file, opts, (d, ctx) => {
    if (!known.has(d, ctx)) check(d, ctx, out, known);
  });
  return out.sort((a, b) => a.start - b.start);
}

/** The problems of one directive and everything in its block: the part of `contextProblems` an edit inside it can change. */
export function contextProblemsIn(d: Directive, opts: ContextCheckOptions): ContextProblem[] {
  const out: ContextProblem[] = [];
  const known = new KnownFine();
  walkSubtreeInContext(d, opts, (x, ctx) => {
    if (!known.has(x, ctx)) check(x, ctx, out, known);
  });
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The shapes of known directives `check` found fine, per context and name, for one walk: what it says of a
 * directive the table knows depends only on the name, the context's candidates, whether it has a block and its
 * argument count. A config repeats a few hundred names in a few contexts (400,000 directives on the 15 MB bench
 * config), so most directives pass with a Map probe instead of a walk over the table's entries for the name.
 * A shape is one bit of a 32-bit mask, `argc * 2 + block`, for up to 15 arguments (more are checked each time).
 * Bounded: contexts are shared objects (`childContext`), only names the table knows are kept, and the memo
 * lives for one walk.
 */
class KnownFine {
  private readonly byContext = new Map<BlockContext, Map<string, number>>();
  /** The last context asked about and its names (a walk asks about one block's directives in a row). */
  private ctx: BlockContext | null = null;
  private names: Map<string, number> | undefined = undefined;

  private namesOf(ctx: BlockContext): Map<string, number> {
    if (ctx !== this.ctx) {
      this.ctx = ctx;
      let names = this.byContext.get(ctx);
      if (!names) this.byContext.set(ctx, (names = new Map<string, number>()));
      this.names = names;
    }
    return this.names!;
  }

  has(d: Directive, ctx: BlockContext): boolean {
    const bit = shapeBit(d);
    return bit !== 0 && ((this.namesOf(ctx).get(d.name) ?? 0) & bit) !== 0;
  }

  /** `check` found `d`, a directive the table knows, fine in `ctx`. */
  add(d: Directive, ctx: BlockContext): void {
    const bit = shapeBit(d);
    if (bit === 0) return;
    const names = this.namesOf(ctx);
    names.set(d.name, (names.get(d.name) ?? 0) | bit);
  }
}

/** The bit of a directive's shape in `KnownFine`'s masks; 0 past 15 arguments. */
function shapeBit(d: Directive): number {
  const argc = d.argCount;
  return argc > 15 ? 0 : 1 << (argc * 2 + (d.block !== null ? 1 : 0));
}

/** Calls `visit` for every directive of a file checked as nginx directives (not data, Lua or third-party block bodies), with its context. */
export function walkInContext(file: SourceFile, opts: ContextCheckOptions, visit: (d: Directive, ctx: BlockContext) => void): void {
  walk([file.children], [topContextFor(file, opts)], visit);
}

/** `walkInContext` for one directive and its block. */
export function walkSubtreeInContext(d: Directive, opts: ContextCheckOptions, visit: (d: Directive, ctx: BlockContext) => void): void {
  const chain: Directive[] = [];
  for (let p = d.parent; p; p = p.parent) chain.push(p);
  let ctx = topContextFor(d.file, opts);
  for (let i = chain.length - 1; i >= 0; i--) ctx = childContext(ctx, chain[i]!);
  walk([[d]], [ctx], visit);
}

function walk(lists: Statement[][], ctxs: BlockContext[], visit: (d: Directive, ctx: BlockContext) => void): void {
  // Two parallel stacks, not an object per block.
  while (lists.length) {
    const list = lists.pop()!;
    const ctx = ctxs.pop()!;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.type !== 'directive') continue;
      if (ctx.kind === 'nginx') visit(s, ctx);
      if (s.block && s.block.children.length) {
        lists.push(s.block.children);
        ctxs.push(childContext(ctx, s));
      }
    }
  }
}

export function allowedIn(e: { contexts: readonly Context[] }, contexts: readonly Context[]): boolean {
  const own = e.contexts;
  for (let i = 0; i < own.length; i++) if (contexts.includes(own[i]!)) return true;
  return false;
}

function notOpenSource(e: DirectiveInfo): boolean {
  return e.origin === 'plus' || e.origin === 'removed';
}

/** What the unknown-directive rule says about a directive open-source nginx does not have, by whose it is. */
function notInNginx(name: string, e: DirectiveInfo | undefined): string {
  if (!e)
    return `Unknown directive "${name}": not a directive of nginx, NGINX Plus, njs or the common third-party modules (a typo, or another module?)`;
  if (e.origin === 'plus')
    return `"${name}" is an NGINX Plus directive (${e.module}): open-source nginx rejects it as an unknown directive`;
  return `"${name}" is no longer part of nginx (${e.module}); see its documentation for the replacement`;
}

/** Allocation-free on the common path (a correct directive): one pass over the table entries, lists only to word a problem. */
function check(d: Directive, ctx: BlockContext, out: ContextProblem[], known?: KnownFine): void {
  const name = d.name;
  let entries = lookupDirective(name);
  if (!entries.length) {
    // The name token only where a problem is reported: read, it becomes an object kept on the directive.
    const n0 = d.nameToken;
    if (n0.kind !== 'bare' || name.startsWith('$')) return;
    out.push({ start: n0.start, end: n0.end, severity: 'hint', kind: 'unknown', message: notInNginx(name, undefined) });
    return;
  }
  // NGINX Plus (and long-removed) entries: known, but open-source nginx rejects them. They only speak when no other entry applies here.
  if (entries.some(notOpenSource)) {
    const open = entries.filter((e) => !notOpenSource(e));
    if (!open.length || !open.some((e) => allowedIn(e, ctx.contexts))) {
      const here = entries.find((e) => notOpenSource(e) && allowedIn(e, ctx.contexts));
      if (here || !open.length) {
        const n0 = d.nameToken;
        out.push({ start: n0.start, end: n0.end, severity: 'hint', kind: 'unknown', message: notInNginx(name, here ?? entries[0]) });
        return;
      }
    }
    entries = open;
  }
  // Several entries may apply in an ambiguous (lenient) context: complain only when none accepts the usage.
  const isBlock = d.block !== null;
  const argc = d.argCount;
  let firstAllowed: DirectiveInfo | null = null;
  let firstUsable: DirectiveInfo | null = null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (!allowedIn(e, ctx.contexts)) continue;
    firstAllowed ??= e;
    if (e.block !== isBlock) continue;
    firstUsable ??= e;
    if (argCountOk(e.args, argc)) {
      known?.add(d, ctx);
      return;
    }
  }
  const n = d.nameToken;
  if (!firstAllowed) {
    const where = describeContexts(ctx.contexts);
    const valid = [...new Set(entries.flatMap((e) => e.contexts).map((c) => CONTEXT_LABELS[c]))].join(', ');
    out.push({
      start: n.start,
      end: n.end,
      severity: 'error',
      kind: 'context',
      message: `"${name}" directive is not allowed ${where} (allowed in: ${valid})`,
    });
    return;
  }
  if (!firstUsable) {
    const e = firstAllowed;
    out.push({
      start: n.start,
      end: n.end,
      severity: 'error',
      kind: 'block',
      message: e.block ? `"${name}" directive has no opening "{"` : `"${name}" directive is not terminated by ";" (it takes no block)`,
    });
    return;
  }
  const e = firstUsable;
  const last = argc ? d.args[argc - 1]! : n;
  out.push({
    start: n.start,
    end: last.end,
    severity: 'error',
    kind: 'args',
    message: `Invalid number of arguments in "${name}" directive: ${argc} given, it takes ${describeArgCount(e.args)}`,
  });
}

function describeContexts(ctxs: readonly Context[]): string {
  if (ctxs.length === 1) return ctxs[0] === 'main' ? 'at the top level (main context)' : `in ${CONTEXT_LABELS[ctxs[0]!]}`;
  return `in ${ctxs.map((c) => CONTEXT_LABELS[c]).join(' / ')}`;
}

/**
 * "Directive X is not allowed in Y", wrong argument counts and block misuse,
 * from the knowledge table (whose contexts and counts are checked against a
 * real nginx). Unknown directives are only hinted: third-party modules exist.
 */
import type { Directive, SourceFile, Statement } from '../syntax/ast';
import { CONTEXT_LABELS, argCountOk, describeArgCount, lookupDirective, type Context, type DirectiveInfo } from '../knowledge/directives';
import { childContext, topContextFor, type BlockContext } from './context';
import type { Analysis } from '../analyze';

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
  analysis?: Pick<Analysis, 'model'>;
  /** Explicit top-level context (overrides everything else). */
  top?: BlockContext;
}

export function contextProblems(file: SourceFile, opts: ContextCheckOptions): ContextProblem[] {
  const out: ContextProblem[] = [];
  const top = topContextFor(file, opts);
  const stack: { list: Statement[]; ctx: BlockContext }[] = [{ list: file.children, ctx: top }];
  while (stack.length) {
    const { list, ctx } = stack.pop()!;
    for (const s of list) {
      if (s.type !== 'directive') continue;
      if (ctx.kind === 'nginx') check(s, ctx, out);
      if (s.block && s.block.children.length) stack.push({ list: s.block.children, ctx: childContext(ctx, s) });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function check(d: Directive, ctx: BlockContext, out: ContextProblem[]): void {
  const name = d.name;
  const entries = lookupDirective(name);
  const n = d.nameToken;
  if (!entries.length) {
    if (d.nameToken.kind !== 'bare' || name.startsWith('$')) return;
    out.push({ start: n.start, end: n.end, severity: 'hint', kind: 'unknown', message: `Unknown directive "${name}": not part of nginx's standard modules (a third-party module, or a typo?)` });
    return;
  }
  const allowed: DirectiveInfo[] = entries.filter((e) => e.contexts.some((c) => ctx.contexts.includes(c)));
  if (!allowed.length) {
    const where = describeContexts(ctx.contexts);
    const valid = [...new Set(entries.flatMap((e) => e.contexts).map((c) => CONTEXT_LABELS[c]))].join(', ');
    out.push({ start: n.start, end: n.end, severity: 'error', kind: 'context', message: `"${name}" directive is not allowed ${where} (allowed in: ${valid})` });
    return;
  }
  // Several entries may apply in an ambiguous (lenient) context: complain only when none accepts the usage.
  const isBlock = d.block !== null;
  if (!allowed.some((e) => e.block === isBlock)) {
    const e = allowed[0]!;
    out.push({
      start: n.start,
      end: n.end,
      severity: 'error',
      kind: 'block',
      message: e.block ? `"${name}" directive has no opening "{"` : `"${name}" directive is not terminated by ";" (it takes no block)`,
    });
    return;
  }
  const usable = allowed.filter((e) => e.block === isBlock);
  if (!usable.some((e) => argCountOk(e.args, d.args.length))) {
    const e = usable[0]!;
    const last = d.args.length ? d.args[d.args.length - 1]! : n;
    out.push({
      start: n.start,
      end: last.end,
      severity: 'error',
      kind: 'args',
      message: `Invalid number of arguments in "${name}" directive: ${d.args.length} given, it takes ${describeArgCount(e.args)}`,
    });
  }
}

function describeContexts(ctxs: readonly Context[]): string {
  if (ctxs.length === 1) return ctxs[0] === 'main' ? 'at the top level (main context)' : `in ${CONTEXT_LABELS[ctxs[0]!]}`;
  return `in ${ctxs.map((c) => CONTEXT_LABELS[c]).join(' / ')}`;
}

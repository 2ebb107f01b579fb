/**
 * Completion from the text before the cursor (a half-typed line does not
 * parse cleanly, so the tree is only used for the enclosing blocks):
 * - `$` → variables: those the config defines, then the built-ins and
 *   prefix families of the subsystem the cursor is in (http or stream);
 * - `proxy_pass http://` (grpc_pass, fastcgi_pass ...) → upstream names;
 * - the start of a statement → every directive valid in the enclosing
 *   context, its syntax as a snippet (nginx's own first, then njs and the
 *   other NGINX modules, third-party modules, NGINX Plus);
 * - an argument of a directive with known values → those values.
 * Documentation is not sent with the list (hundreds of pages): the items
 * carry `data` and `resolveCompletion` adds it for the item the user looks at.
 */
import type { SourceFile } from '../syntax/ast';
import type { Analysis } from '../analyze';
import { directiveFor, directivesIn, enumValues, lookupDirective, syntaxLine, type DirectiveInfo } from '../knowledge/directives';
import { referenceDirective } from '../knowledge/reference';
import { builtinVariables, lookupVariable, variablePrefixes, type VariableInfo, type VariableSubsystem } from '../knowledge/variables';
import { contextAt, subsystemOfContext, topContextFor, type BlockContext } from '../model/contexts';
import { directiveMarkdown, variableDocMarkdown } from './hover';
import { PASS_DIRECTIVES, variableDefinitions } from './locate';
import { snippetFromSyntax } from './syntax';
import { CompletionItemKind, CompletionItemTag, InsertTextFormat, type CompletionItem, type Position, type Range } from './types';

export interface CompletionOptions {
  /** Treat the file's top level as any context when its includer is unknown (default true). */
  lenient?: boolean;
}

/** What an item carries for `completionItem/resolve`. */
export type CompletionData = { directive: string; module: string } | { variable: string; subsystem: VariableSubsystem; module: string };

export function completions(analysis: Analysis, path: string, pos: Position, opts: CompletionOptions = {}): CompletionItem[] {
  const file = analysis.files.get(path);
  if (!file) return [];
  const offset = file.lines.offsetAt(pos);
  const text = file.text;
  const lineStart = file.lines.lineStarts[pos.line] ?? 0;
  const before = text.slice(lineStart, offset);
  if (insideComment(before)) return [];
  const top = () => topContextFor(file, { analysis, lenient: opts.lenient ?? true });

  const variable = /\$\{?([A-Za-z0-9_]*)$/.exec(before);
  if (variable) {
    const range = file.rangeOf(offset - variable[0].length, offset);
    return variableItems(analysis, range, variable[0].startsWith('${'), subsystemOfContext(contextAt(file, offset, top())));
  }

  const pass = /(?:^|[\s;{])([a-z_]+_pass)\s+["']?((?:[a-z][a-z0-9+.-]*:\/\/)?)([A-Za-z0-9_.-]*)$/.exec(before);
  if (pass && PASS_DIRECTIVES.has(pass[1]!)) {
    const typed = pass[3]!;
    const range = file.rangeOf(offset - typed.length, offset);
    const withScheme = pass[2] !== '' || pass[1] !== 'proxy_pass';
    return upstreamItems(analysis, range, withScheme ? '' : 'http://');
  }

  const word = /[A-Za-z0-9_.-]*$/.exec(before)![0];
  const wordStart = offset - word.length;
  const ctx = contextAt(file, wordStart, top());
  const range = file.rangeOf(wordStart, offset);
  const stmt = statementBefore(text, wordStart, file);
  if (stmt === null) return directiveItems(ctx, range);
  // Argument position: offer the directive's known values.
  if (ctx.kind !== 'nginx') return [];
  const info =
    ctx.contexts.map((c) => directiveFor(stmt, c)).find((d) => d && d.contexts.some((c) => ctx.contexts.includes(c))) ??
    lookupDirective(stmt)[0];
  if (!info) return [];
  return enumValues(info).map((v, i) => ({
    label: v,
    kind: CompletionItemKind.EnumMember,
    detail: syntaxLine(info),
    textEdit: { range, newText: v },
    sortText: String(i).padStart(3, '0'),
  }));
}

const ORIGIN_RANK: Record<DirectiveInfo['origin'], string> = {
  nginx: '0',
  njs: '1',
  otel: '1',
  acme: '1',
  'third-party': '2',
  plus: '3',
  removed: '9',
};

function directiveItems(ctx: BlockContext, range: Range): CompletionItem[] {
  if (ctx.kind === 'data' || ctx.kind === 'opaque') return [];
  const byName = new Map<string, DirectiveInfo>();
  const contexts = ctx.kind === 'unknown' ? [] : ctx.contexts;
  for (const c of contexts) {
    for (const d of directivesIn(c)) {
      // Gone from nginx: never offered.
      if (d.origin === 'removed' || (d.history.length && !d.history[d.history.length - 1]!.present)) continue;
      const seen = byName.get(d.name);
      if (!seen || ORIGIN_RANK[d.origin] < ORIGIN_RANK[seen.origin]) byName.set(d.name, d);
    }
  }
  return [...byName.values()].map((d): CompletionItem => {
    const deprecated = d.history[d.history.length - 1]?.deprecated !== undefined;
    const data: CompletionData = { directive: d.name, module: d.module };
    return {
      label: d.name,
      kind: d.block ? CompletionItemKind.Struct : CompletionItemKind.Property,
      detail: syntaxLine(d) + originLabel(d),
      textEdit: { range, newText: snippetFor(d) },
      insertTextFormat: InsertTextFormat.Snippet,
      sortText: ORIGIN_RANK[d.origin] + d.name,
      ...(deprecated ? { tags: [CompletionItemTag.Deprecated] } : {}),
      data,
    };
  });
}

/** `  (NGINX Plus)`, `  (njs)`, `  (lua-nginx-module (OpenResty))`; '' for nginx's own. */
function originLabel(d: DirectiveInfo): string {
  switch (d.origin) {
    case 'nginx':
      return '';
    case 'plus':
      return '  (NGINX Plus)';
    case 'njs':
      return '  (njs)';
    case 'otel':
      return '  (nginx-otel)';
    case 'acme':
      return '  (nginx-acme)';
    default:
      return `  (${d.module})`;
  }
}

/** `proxy_read_timeout ${1:time};`, `gzip ${1|on,off|};`, `location ${1:uri} {\n\t$0\n}`, from the reference's syntax. */
export function snippetFor(d: DirectiveInfo): string {
  const md = d.origin === 'third-party' ? undefined : referenceDirective(d.name, d.module)?.syntax[0];
  if (md === undefined) {
    const needsArg = d.args.atLeast !== undefined ? d.args.atLeast > 0 : !d.args.flag && !d.args.counts.includes(0);
    const arg = d.args.flag ? ' ${1|on,off|}' : needsArg ? ' $1' : '';
    return d.block ? `${d.name}${arg} {\n\t$0\n}` : `${d.name}${arg};`;
  }
  return snippetFromSyntax(d.name, md, d.block, d.args.flag);
}

/** The documentation of the item the user looks at (`completionItem/resolve`). */
export function resolveCompletion(item: CompletionItem): CompletionItem {
  const data = item.data as CompletionData | undefined;
  if (!data) return item;
  if ('directive' in data) {
    const list = lookupDirective(data.directive);
    const d = list.find((e) => e.module === data.module) ?? list[0];
    return d ? { ...item, documentation: { kind: 'markdown', value: directiveMarkdown(d) } } : item;
  }
  const v = lookupVariable(data.variable, data.subsystem);
  return v ? { ...item, documentation: { kind: 'markdown', value: variableDocMarkdown(v) } } : item;
}

function variableItems(analysis: Analysis, range: Range, braced: boolean, sub: VariableSubsystem | undefined): CompletionItem[] {
  const wrap = (n: string) => (braced ? `\${${n}}` : `$${n}`);
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const [name, defs] of variableDefinitions(analysis)) {
    seen.add(name);
    const d = defs[0]!.directive;
    items.push({
      label: `$${name}`,
      kind: CompletionItemKind.Variable,
      detail: `defined by ${d.name} (${d.file.uri.slice(d.file.uri.lastIndexOf('/') + 1)}:${d.file.lines.positionAt(d.start).line + 1})`,
      textEdit: { range, newText: wrap(name) },
      sortText: '0' + name,
    });
  }
  const item = (v: VariableInfo): CompletionData => ({ variable: v.name, subsystem: v.subsystem, module: v.module });
  for (const v of builtinVariables(sub)) {
    if (seen.has(v.name)) continue;
    seen.add(v.name);
    items.push({
      label: `$${v.name}`,
      kind: CompletionItemKind.Variable,
      detail: variableDetail(v),
      textEdit: { range, newText: wrap(v.name) },
      sortText: (v.origin === 'nginx' ? '1' : '3') + v.name,
      data: item(v),
    });
  }
  for (const p of variablePrefixes(sub)) {
    items.push({
      label: `$${p.name}…`,
      kind: CompletionItemKind.Variable,
      detail: variableDetail(p),
      filterText: `$${p.name}`,
      // Braces would close before the name is typed; prefixes complete unbraced.
      textEdit: { range, newText: `$${p.name}` },
      sortText: (p.origin === 'nginx' ? '2' : '3') + p.name,
      data: item(p),
    });
  }
  return items;
}

function variableDetail(v: VariableInfo): string {
  const origin = v.origin === 'plus' ? ', NGINX Plus' : v.origin !== 'nginx' ? `, ${v.origin === 'njs' ? 'njs' : `nginx-${v.origin}`}` : '';
  return `${v.module}${origin}${v.since ? `, since ${v.since}` : ''}`;
}

function upstreamItems(analysis: Analysis, range: Range, prefix: string): CompletionItem[] {
  const names = new Map<string, string>();
  for (const s of analysis.model.scopes.get('upstream') ?? []) {
    const d = s.directive;
    const n = d?.arg(0);
    if (!d || !n || names.has(n)) continue;
    const servers = (d.block?.directives() ?? []).filter((x) => x.name === 'server').map((x) => x.arg(0) ?? '');
    names.set(n, servers.join(', '));
  }
  return [...names].map(([n, servers]) => ({
    label: n,
    kind: CompletionItemKind.Reference,
    detail: `upstream ${n}${servers ? ` (${servers})` : ''}`,
    textEdit: { range, newText: prefix + n },
    filterText: prefix + n,
  }));
}

/**
 * The name of the directive whose arguments the cursor is in, or null when
 * the cursor starts a new statement (after `;`, `{`, `}`, or at the start).
 */
export function statementBefore(text: string, wordStart: number, file: SourceFile): string | null {
  let p = wordStart - 1;
  for (;;) {
    while (p >= 0 && /\s/.test(text[p]!)) p--;
    if (p < 0) return null;
    const c = text[p]!;
    if (c === ';' || c === '{' || c === '}') return null;
    // A comment line before the cursor: keep looking above it.
    const comment = file.comments.find((cm) => p >= cm.start && p < cm.end);
    if (comment) {
      p = comment.start - 1;
      continue;
    }
    break;
  }
  // Find the statement's first word: scan back to the previous terminator.
  let s = p;
  while (s >= 0 && !';{}'.includes(text[s]!)) s--;
  const stmt = text.slice(s + 1, p + 1).replace(/#[^\n]*/g, '');
  const m = /^\s*([^\s;{}]+)/.exec(stmt);
  return m ? m[1]! : null;
}

export function insideComment(lineBefore: string): boolean {
  let quote = '';
  for (let i = 0; i < lineBefore.length; i++) {
    const c = lineBefore[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return true;
  }
  return false;
}

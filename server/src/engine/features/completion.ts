/**
 * Completion from the text before the cursor (a half-typed line does not
 * parse cleanly, so the tree is only used for the enclosing blocks):
 * - `$` → variables: those the config defines, then built-ins and prefixes;
 * - `proxy_pass http://` (grpc_pass, fastcgi_pass ...) → upstream names;
 * - the start of a statement → directives valid in the enclosing context;
 * - an argument of a directive with known values → those values.
 */
import type { SourceFile } from '../syntax/ast';
import type { Analysis } from '../analyze';
import { directiveFor, directivesIn, enumValues, lookupDirective, syntaxLine, type DirectiveInfo } from '../knowledge/directives';
import { builtinVariables, variablePrefixes } from '../knowledge/variables';
import { contextAt, topContextFor, type BlockContext } from './context';
import { directiveMarkdown } from './hover';
import { PASS_DIRECTIVES, variableDefinitions } from './locate';
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type Position, type Range } from './types';

export interface CompletionOptions {
  /** Treat the file's top level as any context when its includer is unknown (default true). */
  lenient?: boolean;
}

export function completions(analysis: Analysis, path: string, pos: Position, opts: CompletionOptions = {}): CompletionItem[] {
  const file = analysis.files.get(path);
  if (!file) return [];
  const offset = file.lines.offsetAt(pos);
  const text = file.text;
  const lineStart = file.lines.lineStarts[pos.line] ?? 0;
  const before = text.slice(lineStart, offset);
  if (insideComment(before)) return [];

  const variable = /\$\{?([A-Za-z0-9_]*)$/.exec(before);
  if (variable) {
    const range = file.rangeOf(offset - variable[0].length, offset);
    return variableItems(analysis, range, variable[0].startsWith('${'));
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
  const ctx = contextAt(file, wordStart, topContextFor(file, { analysis, lenient: opts.lenient ?? true }));
  const range = file.rangeOf(wordStart, offset);
  const stmt = statementBefore(text, wordStart, file);
  if (stmt === null) return directiveItems(ctx, range);
  // Argument position: offer the directive's known values.
  if (ctx.kind !== 'nginx') return [];
  const info = ctx.contexts.map((c) => directiveFor(stmt, c)).find((d) => d && d.contexts.some((c) => ctx.contexts.includes(c))) ?? lookupDirective(stmt)[0];
  if (!info) return [];
  return enumValues(info).map((v, i) => ({
    label: v,
    kind: CompletionItemKind.EnumMember,
    detail: syntaxLine(info),
    textEdit: { range, newText: v },
    sortText: String(i).padStart(3, '0'),
  }));
}

function directiveItems(ctx: BlockContext, range: Range): CompletionItem[] {
  if (ctx.kind === 'data' || ctx.kind === 'opaque') return [];
  const byName = new Map<string, DirectiveInfo>();
  const contexts = ctx.kind === 'unknown' ? [] : ctx.contexts;
  for (const c of contexts) for (const d of directivesIn(c)) if (!byName.has(d.name)) byName.set(d.name, d);
  return [...byName.values()].map((d) => ({
    label: d.name,
    kind: d.block ? CompletionItemKind.Struct : CompletionItemKind.Property,
    detail: syntaxLine(d),
    documentation: { kind: 'markdown', value: directiveMarkdown(d) },
    textEdit: { range, newText: snippetFor(d) },
    insertTextFormat: InsertTextFormat.Snippet,
  }));
}

/** `proxy_read_timeout ${1:time};`, `gzip ${1|on,off|};`, `location ${1:uri} {\n\t$0\n}`. */
export function snippetFor(d: DirectiveInfo): string {
  const values = enumValues(d);
  let args = '';
  if (values.length) args = ` \${1|${values.map(escapeChoice).join(',')}|}`;
  else if (d.args.counts.length === 1 && d.args.counts[0] === 0) args = '';
  else if (d.syntax && !(d.block && d.syntax === '{ ... }')) args = ` \${1:${escapePlaceholder(d.syntax.replace(/\s*\{ \.\.\. \}.*$/, ''))}}`;
  return d.block ? `${d.name}${args} {\n\t$0\n}` : `${d.name}${args};`;
}

function escapePlaceholder(s: string): string {
  return s.replace(/[\\$}]/g, (c) => '\\' + c);
}

function escapeChoice(s: string): string {
  return s.replace(/[\\$}|,]/g, (c) => '\\' + c);
}

function variableItems(analysis: Analysis, range: Range, braced: boolean): CompletionItem[] {
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
  for (const v of builtinVariables()) {
    if (seen.has(v.name)) continue;
    items.push({
      label: `$${v.name}`,
      kind: CompletionItemKind.Variable,
      detail: v.module,
      documentation: { kind: 'markdown', value: `${v.doc}\n\n[nginx.org documentation](${v.url})` },
      textEdit: { range, newText: wrap(v.name) },
      sortText: '1' + v.name,
    });
  }
  for (const p of variablePrefixes()) {
    items.push({
      label: `$${p.name}…`,
      kind: CompletionItemKind.Variable,
      detail: p.module,
      documentation: { kind: 'markdown', value: `${p.doc}\n\n[nginx.org documentation](${p.url})` },
      filterText: `$${p.name}`,
      // Braces would close before the name is typed; prefixes complete unbraced.
      textEdit: { range, newText: `$${p.name}` },
      sortText: '2' + p.name,
    });
  }
  return items;
}

function upstreamItems(analysis: Analysis, range: Range, prefix: string): CompletionItem[] {
  const names = new Map<string, string>();
  for (const s of analysis.model.scopes.get('upstream') ?? []) {
    const d = s.directive;
    const n = d?.args[0]?.value;
    if (!d || !n || names.has(n)) continue;
    const servers = (d.block?.directives() ?? []).filter((x) => x.name === 'server').map((x) => x.args[0]?.value ?? '');
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
function statementBefore(text: string, wordStart: number, file: SourceFile): string | null {
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

function insideComment(lineBefore: string): boolean {
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

/**
 * Hover: directive docs (syntax, default, contexts, module, link), variables
 * (built-in doc or where the config defines them), upstream names (their
 * servers), include targets and named locations.
 */
import type { Directive, SourceFile } from '../syntax/ast';
import type { Analysis } from '../analyze';
import { CONTEXT_LABELS, directiveFor, lookupDirective, syntaxLine, type DirectiveInfo } from '../knowledge/directives';
import { lookupVariable } from '../knowledge/variables';
import { contextAt, topContextFor } from './context';
import { baseName, headLine, namedLocations, targetAt, upstreamDefs, variableDefinitions } from './locate';
import type { Hover, Position } from './types';
import { traceHover } from './trace';

export interface HoverOptions {
  /** Snippet with no includer (affects which entry is shown for names like `server`). */
  lenient?: boolean;
  /** Target nginx version, for the handshake trace (defaults change in 1.29.7). */
  nginxVersion?: string;
}

export function hover(analysis: Analysis, path: string, pos: Position, opts: HoverOptions = {}): Hover | null {
  const file = analysis.files.get(path);
  if (!file) return null;
  const offset = file.lines.offsetAt(pos);
  const t = targetAt(file, offset);
  if (!t) return null;
  switch (t.kind) {
    case 'directive': {
      const info = pickEntry(file, t.directive, analysis, opts);
      // On a proxying location or its proxy_pass: what a WebSocket handshake becomes there (the request model), then the docs.
      const handshake = traceHover(analysis, t.directive, opts.nginxVersion);
      if (!info && !handshake) return null;
      const parts = [handshake, info ? directiveMarkdown(info) : null].filter((x): x is string => !!x);
      return md(parts.join('\n\n---\n\n'), file, t.directive.nameToken.start, t.directive.nameToken.end);
    }
    case 'variable':
      return md(variableMarkdown(analysis, t.name), file, t.start, t.end);
    case 'upstream-ref':
    case 'upstream-def': {
      const defs = upstreamDefs(analysis, t.name);
      if (!defs.length) return null;
      return md(upstreamMarkdown(t.name, defs), file, t.start, t.end);
    }
    case 'named-location': {
      const defs = namedLocations(analysis, t.name).filter((d) => d !== t.directive);
      if (!defs.length) return null;
      return md(defs.map((d) => `${where(d)}\n\n${codeBlock(blockPreview(d))}`).join('\n\n---\n\n'), file, t.start, t.end);
    }
    case 'include': {
      const targets = analysis.model.includes.get(path);
      if (!targets || !targets.size) return null;
      const pattern = t.arg.value;
      const matching = [...targets].filter((p) => includeMatches(pattern, p));
      if (!matching.length) return null;
      return md(`**include** → ${matching.map((p) => `\`${p}\``).join(', ')}`, file, t.arg.start, t.arg.end);
    }
    case 'arg':
      return null;
  }
}

function pickEntry(file: SourceFile, d: Directive, analysis: Analysis, opts: HoverOptions): DirectiveInfo | undefined {
  const entries = lookupDirective(d.name);
  if (entries.length <= 1) return entries[0];
  const ctx = contextAt(file, d.start, topContextFor(file, { analysis, lenient: opts.lenient ?? true }));
  for (const c of ctx.contexts) {
    const e = directiveFor(d.name, c);
    if (e && e.contexts.includes(c) && e.block === (d.block !== null)) return e;
  }
  return entries.find((e) => e.block === (d.block !== null)) ?? entries[0];
}

export function directiveMarkdown(d: DirectiveInfo): string {
  const lines = [codeBlock(syntaxLine(d)), d.doc, ''];
  lines.push(`**Default:** ${d.default ? `\`${d.default}\`` : '—'}  `);
  lines.push(`**Context:** ${d.anyContext ? 'any' : d.contexts.map((c) => CONTEXT_LABELS[c]).join(', ')}  `);
  lines.push(`**Module:** ${d.module}`);
  lines.push('', `[nginx.org documentation](${d.url})`);
  return lines.join('\n');
}

function variableMarkdown(analysis: Analysis, name: string): string {
  const defs = variableDefinitions(analysis).get(name) ?? [];
  const parts: string[] = [];
  if (defs.length) {
    parts.push(`**$${name}** — defined in this config:`);
    for (const v of defs.slice(0, 5)) parts.push(`${where(v.directive)}\n${codeBlock(defPreview(v.directive))}`);
    if (defs.length > 5) parts.push(`…and ${defs.length - 5} more definitions`);
  }
  const b = lookupVariable(name);
  if (b) {
    const label = b.prefix ? `$${b.name}*` : `$${b.name}`;
    parts.push(`**${label}** (built-in, ${b.module}): ${b.doc}\n\n[nginx.org documentation](${b.url})`);
  }
  if (!parts.length) parts.push(`**$${name}** is neither built in nor defined by \`map\`, \`set\` or \`geo\` in this config.`);
  return parts.join('\n\n');
}

function upstreamMarkdown(name: string, defs: Directive[]): string {
  const out: string[] = [];
  for (const u of defs) {
    const items = (u.block?.directives() ?? []).map((d) => headLine(d).replace(/;$/, '') + ';');
    out.push(`**upstream ${name}** — ${where(u)}\n\n${codeBlock(items.join('\n') || '# no servers')}`);
  }
  return out.join('\n\n---\n\n');
}

/** `map` and `geo` show their first lines; other definitions show their own line. */
function defPreview(d: Directive): string {
  return d.block ? blockPreview(d) : headLine(d);
}

function blockPreview(d: Directive, max = 6): string {
  const body = d.block?.directives() ?? [];
  const lines = [headLine(d)];
  for (const c of body.slice(0, max)) lines.push('    ' + headLine(c));
  if (body.length > max) lines.push('    # …');
  lines.push('}');
  return lines.join('\n');
}

function where(d: Directive): string {
  const line = d.file.lines.positionAt(d.start).line + 1;
  return `\`${baseName(d.file.uri)}:${line}\``;
}

function codeBlock(s: string): string {
  return '```nginx\n' + s + '\n```';
}

function md(value: string, file: SourceFile, start: number, end: number): Hover {
  return { contents: { kind: 'markdown', value }, range: file.rangeOf(start, end) };
}

/** Whether an include pattern (glob or relative path) could have produced this resolved path. */
function includeMatches(pattern: string, path: string): boolean {
  const tail = pattern.replace(/^\.\//, '');
  if (!/[*?[]/.test(tail)) return path === tail || path.endsWith('/' + tail);
  const re = new RegExp('(^|/)' + tail.split('').map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : /[.+^${}()|\\]/.test(c) ? '\\' + c : c)).join('') + '$');
  return re.test(path);
}

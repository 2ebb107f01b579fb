/**
 * Hover. What sits under the cursor (a directive name, a variable, an
 * upstream name, an include, a named location) gets a list of parts, each a
 * function of the request, joined with a rule: a directive's official
 * documentation (syntax, description, default, contexts, module, versions,
 * nginx.org link), a variable's definitions in the config and its built-in
 * documentation, an upstream's servers... Other features add their parts to
 * `HOVER_PARTS` (e.g. what a request to a location goes through).
 */
import type { Directive, SourceFile } from '../syntax/ast';
import type { Analysis } from '../analyze';
import { CONTEXT_LABELS, directiveFor, lookupDirective, syntaxLine, type DirectiveInfo } from '../knowledge/directives';
import { lookupVariable, type VariableInfo } from '../knowledge/variables';
import { contextAt, subsystemOfContext, topContextFor } from '../model/contexts';
import { baseName, headLine, namedLocations, targetAt, upstreamDefs, variableDefinitions, type Target } from './locate';
import type { Hover, Position } from './types';
import { traceHover } from './trace';
import { includePatternMatches } from '../model/glob';

export interface HoverOptions {
  /** Snippet with no includer (affects which entry is shown for names like `server`). */
  lenient?: boolean;
  /** Target nginx version, for the handshake trace (defaults change in 1.29.7). */
  nginxVersion?: string;
}

/** What a hover part sees. */
export interface HoverRequest {
  analysis: Analysis;
  file: SourceFile;
  /** The path the analysis knows the file by. */
  path: string;
  target: Target;
  opts: HoverOptions;
}

/** One part of a hover: Markdown, or null when it has nothing to say about this target. */
export type HoverPart = (r: HoverRequest) => string | null;

/** The parts shown for each kind of target, in order. */
export const HOVER_PARTS: { [K in Target['kind']]: HoverPart[] } = {
  // On a proxying location or its proxy_pass: what a WebSocket handshake becomes there (the request model), then the docs.
  directive: [
    (r) => (r.target.kind === 'directive' ? traceHover(r.analysis, r.target.directive, r.opts.nginxVersion) : null),
    (r) => directiveDocPart(r),
  ],
  variable: [(r) => variableDefinitionsPart(r), (r) => variableDocPart(r)],
  'upstream-ref': [(r) => upstreamPart(r)],
  'upstream-def': [(r) => upstreamPart(r)],
  'named-location': [(r) => namedLocationPart(r)],
  include: [(r) => includePart(r)],
  arg: [],
};

export function hover(analysis: Analysis, path: string, pos: Position, opts: HoverOptions = {}): Hover | null {
  const file = analysis.files.get(path);
  if (!file) return null;
  const target = targetAt(file, file.lines.offsetAt(pos));
  if (!target) return null;
  const req: HoverRequest = { analysis, file, path, target, opts };
  const parts: string[] = [];
  for (const part of HOVER_PARTS[target.kind]) {
    const md = part(req);
    if (md) parts.push(md);
  }
  if (!parts.length) return null;
  const [start, end] = spanOf(target);
  return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') }, range: file.rangeOf(start, end) };
}

function spanOf(t: Target): [number, number] {
  switch (t.kind) {
    case 'directive':
      return [t.directive.nameToken.start, t.directive.nameToken.end];
    case 'include':
    case 'arg':
      return [t.arg.start, t.arg.end];
    default:
      return [t.start, t.end];
  }
}

// --- directives ----------------------------------------------------------------------------------------------------

function directiveDocPart(r: HoverRequest): string | null {
  if (r.target.kind !== 'directive') return null;
  const info = pickEntry(r.file, r.target.directive, r.analysis, r.opts);
  return info ? directiveMarkdown(info) : null;
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

/** A directive's documentation: syntax lines, whose it is, description, default, contexts, module, versions, link. */
export function directiveMarkdown(d: DirectiveInfo): string {
  const syntaxes = d.syntaxes.length ? d.syntaxes.map((s) => syntaxLine(d, s)) : [syntaxLine(d)];
  const out = [codeBlock(syntaxes.join('\n'))];
  if (d.doc) out.push(d.doc);
  const facts: string[] = [];
  const def = d.default;
  if (def) facts.push(def.includes('\n') ? `**Default:**\n${codeBlock(def)}` : `**Default:** \`${def}\`  `);
  else facts.push('**Default:** —  ');
  facts.push(`**Context:** ${d.anyContext ? 'any' : d.contexts.map((c) => CONTEXT_LABELS[c]).join(', ')}  `);
  facts.push(`**Module:** ${d.module}${d.origin === 'plus' ? ' (NGINX Plus)' : ''}  `);
  const versions = versionNotes(d);
  if (versions) facts.push(`**Versions:** ${versions}  `);
  out.push(facts.join('\n'));
  out.push(`[${d.origin === 'third-party' ? 'Module documentation' : 'nginx.org documentation'}](${d.url})`);
  return out.join('\n\n');
}

/** "appeared in 1.25.1; arguments changed in 1.29.3; deprecated since 1.19.7 (use keepalive_timeout)". */
function versionNotes(d: DirectiveInfo): string {
  const notes: string[] = [];
  const h = d.history;
  if (h[0]?.since) notes.push(`appeared in ${h[0].since}`);
  for (let i = 1; i < h.length; i++) {
    const s = h[i]!;
    const prev = h[i - 1]!;
    if (!s.present) notes.push(`removed in ${s.since}`);
    else if (s.deprecated !== undefined && prev.deprecated === undefined)
      notes.push(`deprecated since ${s.since}${s.deprecated ? ` (use \`${s.deprecated}\`)` : ''}`);
    else if (s.contexts.join() !== prev.contexts.join()) notes.push(`contexts changed in ${s.since}`);
    else notes.push(`arguments changed in ${s.since}`);
  }
  if (h.length === 1 && h[0]!.deprecated !== undefined) notes.push(`deprecated${h[0]!.deprecated ? ` (use \`${h[0]!.deprecated}\`)` : ''}`);
  return notes.join('; ');
}

// --- variables -----------------------------------------------------------------------------------------------------

function variableDefinitionsPart(r: HoverRequest): string | null {
  if (r.target.kind !== 'variable') return null;
  const name = r.target.name;
  const defs = variableDefinitions(r.analysis).get(name) ?? [];
  if (!defs.length) return null;
  const parts = [`**$${name}** — defined in this config:`];
  for (const v of defs.slice(0, 5)) parts.push(`${where(v.directive)}\n${codeBlock(defPreview(v.directive))}`);
  if (defs.length > 5) parts.push(`…and ${defs.length - 5} more definitions`);
  return parts.join('\n\n');
}

function variableDocPart(r: HoverRequest): string | null {
  if (r.target.kind !== 'variable') return null;
  const name = r.target.name;
  const sub = subsystemOfContext(
    contextAt(r.file, r.target.start, topContextFor(r.file, { analysis: r.analysis, lenient: r.opts.lenient ?? true })),
  );
  const b = (sub && lookupVariable(name, sub)) || lookupVariable(name);
  if (b) return variableDocMarkdown(b);
  if (variableDefinitions(r.analysis).has(name)) return null;
  return `**$${name}** is neither built in nor defined by \`map\`, \`set\` or \`geo\` in this config.`;
}

/** A built-in variable's documentation: name, module and whose it is, description, version, link. */
export function variableDocMarkdown(v: VariableInfo): string {
  const label = v.prefix ? `$${v.name}*name*` : `$${v.name}`;
  const whose =
    v.origin === 'plus' ? ', NGINX Plus only' : v.origin === 'njs' ? ', njs' : v.origin === 'nginx' ? '' : `, nginx-${v.origin}`;
  const head = `**${label}** (built-in, ${v.module}${whose}${v.since ? `, since ${v.since}` : ''})`;
  return [head, v.doc, `[nginx.org documentation](${v.url})`].filter(Boolean).join('\n\n');
}

// --- upstreams, named locations, includes --------------------------------------------------------------------------

function upstreamPart(r: HoverRequest): string | null {
  if (r.target.kind !== 'upstream-ref' && r.target.kind !== 'upstream-def') return null;
  const defs = upstreamDefs(r.analysis, r.target.name);
  if (!defs.length) return null;
  const out: string[] = [];
  for (const u of defs) {
    const items = (u.block?.directives() ?? []).map((d) => headLine(d).replace(/;$/, '') + ';');
    out.push(`**upstream ${r.target.name}** — ${where(u)}\n\n${codeBlock(items.join('\n') || '# no servers')}`);
  }
  return out.join('\n\n---\n\n');
}

function namedLocationPart(r: HoverRequest): string | null {
  if (r.target.kind !== 'named-location') return null;
  const t = r.target;
  const defs = namedLocations(r.analysis, t.name).filter((d) => d !== t.directive);
  if (!defs.length) return null;
  return defs.map((d) => `${where(d)}\n\n${codeBlock(blockPreview(d))}`).join('\n\n---\n\n');
}

function includePart(r: HoverRequest): string | null {
  if (r.target.kind !== 'include') return null;
  const targets = r.analysis.model.includes.get(r.path);
  if (!targets || !targets.size) return null;
  const pattern = r.target.arg.value;
  const matching = [...targets].filter((p) => includeMatches(pattern, p));
  if (!matching.length) return null;
  return `**include** → ${matching.map((p) => `\`${p}\``).join(', ')}`;
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

/** Whether an include pattern (glob or relative path) could have produced this resolved path (linear time, never throws). */
function includeMatches(pattern: string, path: string): boolean {
  return includePatternMatches(pattern, path);
}

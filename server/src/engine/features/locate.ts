/**
 * What sits under the cursor, and the config-wide lookups the navigation
 * features share (upstreams, variable definitions, named locations, include
 * targets).
 */
import type { Argument, Directive, SourceFile } from '../syntax/ast';
import type { Analysis } from '../analyze';
import { collectDefinitions, type VariableDefinition } from '../model/variables';
import type { FileHost, ReadBudget } from '../types';

export type Target =
  | { kind: 'directive'; directive: Directive }
  | { kind: 'variable'; name: string; start: number; end: number; directive: Directive; arg: Argument }
  | { kind: 'upstream-ref'; name: string; start: number; end: number; directive: Directive; arg: Argument }
  | { kind: 'upstream-def'; name: string; start: number; end: number; directive: Directive; arg: Argument }
  | { kind: 'named-location'; name: string; start: number; end: number; directive: Directive; arg: Argument }
  | { kind: 'include'; directive: Directive; arg: Argument }
  | { kind: 'arg'; directive: Directive; arg: Argument };

/** Directives whose first argument may name an upstream group. */
export const PASS_DIRECTIVES = new Set(['proxy_pass', 'grpc_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'memcached_pass']);
/** Directives whose arguments may name a `location @x`. */
const NAMED_LOCATION_USERS = new Set(['try_files', 'error_page', 'return', 'post_action', 'location']);

export function targetAt(file: SourceFile, offset: number): Target | null {
  const d = file.directiveAt(offset);
  if (!d) return null;
  const n = d.nameToken;
  if (offset >= n.start && offset <= n.end) {
    for (const v of n.variables())
      if (offset >= v.start && offset <= v.end) return { kind: 'variable', name: v.name, start: v.start, end: v.end, directive: d, arg: n };
    return { kind: 'directive', directive: d };
  }
  const arg = d.args.find((a) => offset >= a.start && offset <= a.end);
  if (!arg) return null;
  if (d.name === 'include') return { kind: 'include', directive: d, arg };
  if (d.name === 'upstream' && arg === d.args[0])
    return { kind: 'upstream-def', name: arg.value, start: arg.start, end: arg.end, directive: d, arg };
  const up = upstreamRef(d, arg);
  if (up && offset >= up.start && offset <= up.end)
    return { kind: 'upstream-ref', name: up.name, start: up.start, end: up.end, directive: d, arg };
  if (NAMED_LOCATION_USERS.has(d.name) && arg.value.startsWith('@')) {
    const q = arg.quoted ? 1 : 0;
    return {
      kind: 'named-location',
      name: arg.value,
      start: arg.start + q,
      end: arg.end - (arg.quoted && arg.terminated ? 1 : 0),
      directive: d,
      arg,
    };
  }
  for (const v of arg.variables())
    if (offset >= v.start && offset <= v.end) return { kind: 'variable', name: v.name, start: v.start, end: v.end, directive: d, arg };
  return { kind: 'arg', directive: d, arg };
}

/**
 * The host part of a pass directive's address when it could be an upstream
 * name: `http://backend/ws` → backend, `grpc://b`, `b:9000`, `b`. Addresses
 * with variables, `unix:` sockets and IPv6 literals are not names.
 */
export function upstreamRef(d: Directive, arg: Argument): { name: string; start: number; end: number } | null {
  if (!PASS_DIRECTIVES.has(d.name) || arg !== d.args[0]) return null;
  const raw = arg.raw;
  const q = arg.quoted ? 1 : 0;
  let i = q;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw.slice(q));
  if (scheme) i += scheme[0].length;
  if (raw.startsWith('unix:', i) || raw[i] === '[' || raw[i] === '$') return null;
  let j = i;
  while (j < raw.length && !'/:?"\''.includes(raw[j]!) && raw[j] !== '$') j++;
  if (j === i || raw[j] === '$') return null;
  return { name: raw.slice(i, j), start: arg.start + i, end: arg.start + j };
}

/** Every `upstream` block of the config with this name (an http and a stream one may share it). */
export function upstreamDefs(analysis: Analysis, name: string): Directive[] {
  const out: Directive[] = [];
  // A file included twice yields two scopes for one directive.
  for (const s of analysis.model.scopes.get('upstream') ?? [])
    if (s.directive?.arg(0) === name && !out.includes(s.directive)) out.push(s.directive);
  return out;
}

/** Every reference to an upstream name from a pass directive, across the config's files. */
export function upstreamRefs(analysis: Analysis, name: string): { directive: Directive; start: number; end: number }[] {
  const out: { directive: Directive; start: number; end: number }[] = [];
  for (const f of analysis.files.values()) {
    for (const d of f.walk()) {
      const a = d.args[0];
      if (!a) continue;
      const r = upstreamRef(d, a);
      if (r && r.name === name) out.push({ directive: d, start: r.start, end: r.end });
    }
  }
  return out;
}

/** Variables defined by the config (map/set/geo/named captures ...), kept in the analysis's cache. */
export function variableDefinitions(analysis: Analysis): Map<string, VariableDefinition[]> {
  return (analysis.cache.definitions ??= collectDefinitions(analysis.model));
}

/** Every `$name` use in the config's files (definitions included), by file. */
export function variableRefs(analysis: Analysis, name: string): { file: SourceFile; start: number; end: number }[] {
  const out: { file: SourceFile; start: number; end: number }[] = [];
  const lower = name.toLowerCase();
  for (const f of analysis.files.values()) {
    for (const d of f.walk()) {
      for (const a of [d.nameToken, ...d.args]) {
        for (const v of a.variables()) if (v.name.toLowerCase() === lower) out.push({ file: f, start: v.start, end: v.end });
      }
    }
  }
  return out;
}

/** `location @name` blocks of the config. */
export function namedLocations(analysis: Analysis, name: string): Directive[] {
  const out: Directive[] = [];
  for (const f of analysis.files.values())
    for (const d of f.walk()) if (d.name === 'location' && d.argCount === 1 && d.arg(0)! === name) out.push(d);
  return out;
}

const GLOB = /[*?[]/;

/**
 * Files an `include` pattern names: absolute as is; relative against the
 * nginx prefix when given, then against the including file's directory
 * (nginx itself uses the prefix; snippets opened alone need the latter).
 */
export function resolveInclude(host: FileHost, fromPath: string, pattern: string, prefix = '', budget?: ReadBudget): string[] {
  if (!pattern || pattern.includes('$')) return [];
  const bases = pattern.startsWith('/') ? [''] : [...new Set([prefix, host.dirname(fromPath)].filter(Boolean))];
  for (const b of bases) {
    const p = b ? host.resolve(b, pattern) : pattern;
    if (GLOB.test(p)) {
      const m = host.glob(p, budget);
      if (m.length) return m;
    } else if (host.readFile(p, budget) !== undefined) return [p];
  }
  return [];
}

/** The first line of a directive (name and arguments), trimmed, for hover text. */
export function headLine(d: Directive): string {
  const text = d.file.text;
  const end = d.block ? d.block.start + 1 : d.end;
  const s = text.slice(d.start, end);
  const nl = s.indexOf('\n');
  return (nl >= 0 ? s.slice(0, nl) : s).trim();
}

export function baseName(path: string): string {
  return path.slice(path.replace(/\/+$/, '').lastIndexOf('/') + 1);
}

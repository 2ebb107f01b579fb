/**
 * Go to definition, find references, rename and document links, across the
 * files of one analysed config.
 */
import type { Analysis } from '../analyze';
import { DEFAULT_LIMITS, readBudget, type FileHost, type ReadBudget } from '../types';
import { isBuiltinVariable } from '../knowledge/variables';
import { namedLocations, resolveInclude, targetAt, upstreamDefs, upstreamRefs, variableDefinitions, variableRefs } from './locate';
import type { DocumentLink, Location, Position, Range, WorkspaceEdit } from './types';
import { includePatternMatches } from '../model/glob';

const FILE_START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export interface NavigationOptions {
  /** For `include` targets: the FileHost that reads the config, and the nginx prefix (empty: the root file's directory; the including file's directory is tried next). */
  host?: FileHost;
  prefix?: string;
}

/**
 * Definitions of what is under the cursor: an upstream (from a pass
 * directive), a variable (its map/set/geo/capture), a named location, or the
 * file(s) of an `include`.
 */
export function definition(analysis: Analysis, path: string, pos: Position, opts: NavigationOptions = {}): Location[] {
  const file = analysis.files.get(path);
  if (!file) return [];
  const t = targetAt(file, file.lines.offsetAt(pos));
  if (!t) return [];
  switch (t.kind) {
    case 'upstream-ref':
    case 'upstream-def':
      return upstreamDefs(analysis, t.name).map((d) => ({ path: d.file.uri, range: d.args[0]!.range }));
    case 'variable':
      return (variableDefinitions(analysis).get(t.name) ?? []).map((v) => ({ path: v.directive.file.uri, range: v.arg.range }));
    case 'named-location':
      return namedLocations(analysis, t.name).map((d) => ({ path: d.file.uri, range: d.args[0]!.range }));
    case 'include':
      return includeTargets(analysis, path, t.arg.value, opts).map((p) => ({ path: p, range: FILE_START }));
    default:
      return [];
  }
}

/** References to the upstream or variable under the cursor; `includeDeclaration` adds the definitions. */
export function references(analysis: Analysis, path: string, pos: Position, includeDeclaration = true): Location[] {
  const file = analysis.files.get(path);
  if (!file) return [];
  const t = targetAt(file, file.lines.offsetAt(pos));
  if (!t) return [];
  if (t.kind === 'upstream-ref' || t.kind === 'upstream-def') {
    const out: Location[] = [];
    if (includeDeclaration) for (const d of upstreamDefs(analysis, t.name)) out.push({ path: d.file.uri, range: d.args[0]!.range });
    for (const r of upstreamRefs(analysis, t.name))
      out.push({ path: r.directive.file.uri, range: r.directive.file.rangeOf(r.start, r.end) });
    return out;
  }
  if (t.kind === 'variable') {
    const defs = variableDefinitions(analysis).get(t.name) ?? [];
    const defArgs = new Set(defs.map((d) => d.arg));
    const out: Location[] = [];
    for (const r of variableRefs(analysis, t.name)) {
      const isDef = defs.some((d) => d.arg.file === r.file && r.start >= d.arg.start && r.end <= d.arg.end && defArgs.has(d.arg));
      if (isDef && !includeDeclaration) continue;
      out.push({ path: r.file.uri, range: r.file.rangeOf(r.start, r.end) });
    }
    return out;
  }
  if (t.kind === 'named-location') {
    const out: Location[] = [];
    for (const f of analysis.files.values()) {
      for (const d of f.walk()) {
        for (const a of d.args) {
          if (a.value !== t.name) continue;
          if (d.name === 'location' && !includeDeclaration) continue;
          out.push({ path: f.uri, range: a.range });
        }
      }
    }
    return out;
  }
  return [];
}

/** The range to rename and its current text, or null when the cursor is not on an upstream or a config-defined variable. */
export function prepareRename(analysis: Analysis, path: string, pos: Position): { range: Range; placeholder: string } | null {
  const file = analysis.files.get(path);
  if (!file) return null;
  const t = targetAt(file, file.lines.offsetAt(pos));
  if (t?.kind === 'variable') {
    if (!renamableVariable(analysis, t.name)) return null;
    const name = nameSpan(file.text, t.start, t.end);
    return { range: file.rangeOf(name.start, name.end), placeholder: t.name };
  }
  if (!t || (t.kind !== 'upstream-ref' && t.kind !== 'upstream-def')) return null;
  if (!upstreamDefs(analysis, t.name).length) return null;
  return { range: file.rangeOf(t.start, t.end), placeholder: t.name };
}

/**
 * A variable the config defines with `map`, `set`, `geo` and the like can be
 * renamed: its definitions are `$name` arguments like its uses. nginx's own
 * variables cannot, nor one a regex capture defines (its name sits inside
 * the regex).
 */
function renamableVariable(analysis: Analysis, name: string): boolean {
  const defs = variableDefinitions(analysis).get(name) ?? [];
  return defs.length > 0 && defs.every((d) => d.arg.variables().some((v) => v.name === name));
}

/** The name inside a variable reference: `name` of `$name` or `${name}`. */
function nameSpan(text: string, start: number, end: number): { start: number; end: number } {
  return text.charCodeAt(start + 1) === 123 /* { */ ? { start: start + 2, end: end - 1 } : { start: start + 1, end };
}

/** Renames a config-defined variable: its definitions and every use, in every file of the config. */
function renameVariable(analysis: Analysis, name: string, newName: string): WorkspaceEdit | null {
  const to = newName.replace(/^\$/, '');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(to)) throw new Error(`"${newName}" is not a valid variable name (letters, digits, '_')`);
  if (!renamableVariable(analysis, name)) return null;
  if (to !== name && (variableDefinitions(analysis).has(to) || isBuiltinVariable(to)))
    throw new Error(`$${to} already exists; renaming $${name} to it would merge the two`);
  const byFile = new Map<string, { range: Range; newText: string }[]>();
  for (const r of variableRefs(analysis, name)) {
    const span = nameSpan(r.file.text, r.start, r.end);
    let l = byFile.get(r.file.uri);
    if (!l) byFile.set(r.file.uri, (l = []));
    l.push({ range: r.file.rangeOf(span.start, span.end), newText: to });
  }
  return { changes: [...byFile].map(([p, edits]) => ({ path: p, edits })) };
}

/**
 * Renames an upstream (its `upstream` line and every pass directive that
 * names it) or a config-defined variable (definitions and uses), in every
 * file of the config. Throws with a readable message for an invalid new
 * name (the adapter shows it).
 */
export function rename(analysis: Analysis, path: string, pos: Position, newName: string): WorkspaceEdit | null {
  const file = analysis.files.get(path);
  if (!file) return null;
  const t = targetAt(file, file.lines.offsetAt(pos));
  if (t?.kind === 'variable') return renameVariable(analysis, t.name, newName);
  if (!t || (t.kind !== 'upstream-ref' && t.kind !== 'upstream-def')) return null;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(newName))
    throw new Error(`"${newName}" is not a valid upstream name (letters, digits, '_', '.', '-')`);
  const defs = upstreamDefs(analysis, t.name);
  if (!defs.length) return null;
  const byFile = new Map<string, { range: Range; newText: string }[]>();
  const add = (p: string, range: Range) => {
    let l = byFile.get(p);
    if (!l) byFile.set(p, (l = []));
    if (!l.some((e) => e.range.start.line === range.start.line && e.range.start.character === range.start.character))
      l.push({ range, newText: newName });
  };
  for (const d of defs) {
    const a = d.args[0]!;
    const q = a.quoted ? 1 : 0;
    add(d.file.uri, d.file.rangeOf(a.start + q, a.end - (a.quoted && a.terminated ? 1 : 0)));
  }
  for (const r of upstreamRefs(analysis, t.name)) add(r.directive.file.uri, r.directive.file.rangeOf(r.start, r.end));
  return { changes: [...byFile].map(([p, edits]) => ({ path: p, edits })) };
}

/** Links for `include` arguments: a plain file, or a glob that matches exactly one file. */
export function documentLinks(analysis: Analysis, path: string, opts: NavigationOptions = {}): DocumentLink[] {
  const file = analysis.files.get(path);
  if (!file) return [];
  const out: DocumentLink[] = [];
  // One budget for all the include lines of the file: a file of 10,000 `include /usr/*/*;` lines must not walk the disk 10,000 times.
  const budget = readBudget(DEFAULT_LIMITS);
  for (const d of file.walk()) {
    if (d.name !== 'include' || !d.args[0]) continue;
    const targets = includeTargets(analysis, path, d.args[0].value, opts, budget);
    if (targets.length !== 1) continue;
    const a = d.args[0];
    const q = a.quoted ? 1 : 0;
    out.push({ range: file.rangeOf(a.start + q, a.end - (a.quoted && a.terminated ? 1 : 0)), target: targets[0]!, tooltip: targets[0]! });
  }
  return out;
}

function includeTargets(analysis: Analysis, path: string, pattern: string, opts: NavigationOptions, budget?: ReadBudget): string[] {
  // nginx resolves relative includes against its prefix: the setting, else the root file's directory.
  if (opts.host) return resolveInclude(opts.host, path, pattern, opts.prefix || opts.host.dirname(analysis.model.rootPath), budget);
  // Without a host, only what the analysis loaded: files this file includes whose path ends with the pattern.
  const included = analysis.model.includes.get(path);
  if (!included) return [];
  // Linear time: a pattern like `*a*a*a*a*b` must not backtrack over long paths.
  return [...included].filter((p) => includePatternMatches(pattern, p));
}

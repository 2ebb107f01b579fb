/**
 * What the target nginx version makes of a config: directives, parameters and
 * variables newer than it (nginx -t fails: "unknown directive", "invalid
 * parameter", "is not allowed here", "unknown variable"), directives it no
 * longer has, and the deprecated forms it still accepts with a warning, each
 * with the replacement as a fix where one exists. Directive histories come
 * from nginx's sources at every release (knowledge/data/nginx.ts), parameters
 * from knowledge/versions.ts. The rules `needs-newer-nginx` and
 * `deprecated-directive` report these.
 */
import type { Argument, Directive, SourceFile } from '../syntax/ast';
import type { ConfigModel, DirectiveList, Scope } from './config';
import type { VariableDefinition } from './variables';
import {
  argCountOk,
  CONTEXT_LABELS,
  directiveNames,
  lookupDirective,
  stateAt,
  subsystemOf,
  type Context,
  type DirectiveInfo,
  type DirectiveState,
} from '../knowledge/directives';
import { lookupVariable, type VariableSubsystem } from '../knowledge/variables';
import { VARIABLES } from '../knowledge/data/nginx';
import { compareVersions, normalizeVersion, parameterNotes, PARAMETERS, type ParameterNote, type Subsystem } from '../knowledge/versions';
import { fix, insertLines } from '../fixes/edits';
import type { FileEdit, Fix } from '../types';
import { allowedIn } from './context-check';
import { variableUses, type VariableUsesCache } from './variable-uses';
import { childContext, topContextFor, type BlockContext } from './contexts';
import { TextMemo } from './text-memo';

export interface VersionProblem {
  /** `too-new`: the target does not have it yet; `removed`: the target no longer has it; `deprecated`: accepted with a warning. */
  kind: 'too-new' | 'removed' | 'deprecated';
  file: SourceFile;
  start: number;
  end: number;
  message: string;
  severity: 'error' | 'warning' | 'information';
  fixes: Fix[];
}

export interface VersionCheckInput {
  model: ConfigModel;
  lenient: boolean;
  definitions: Map<string, VariableDefinition[]>;
  /** The directives to check (the whole config's, or an incremental run's subtree) with their scopes. */
  directives(): DirectiveList;
  /** Those of one name, in the same form. */
  directivesNamed(name: string): DirectiveList;
  /** What the checks of one run share; it belongs to this input (RuleContext.cache). */
  readonly cache: CheckCache;
}

/** Results of one run kept for every rule that asks: the version problems per target version, the variable uses. */
export interface CheckCache extends VariableUsesCache {
  versionProblems?: Map<string, VersionProblem[]>;
}

interface NameInfo {
  /** The directive's history says something for some target: it appeared after the first release scanned, or changed. */
  history: boolean;
  /** Without a target: the latest nginx deprecates or removed it. */
  latest: boolean;
  /** Its parameter notes, and whether one is a deprecation (said without a target too). */
  params: readonly ParameterNote[];
  deprecatedParam: boolean;
  /** `mayBeNoted`'s answers by argument text. */
  noted: TextMemo<boolean>;
}

const NAME_INFO = new Map<string, NameInfo | null>();

/** What a name can have to do with versions, computed once per name: most names have nothing, and are skipped with one Map probe. */
function nameInfo(name: string): NameInfo | null {
  let info = NAME_INFO.get(name);
  if (info !== undefined) return info;
  const params = PARAMETERS.filter((p) => p.directive === name);
  let history = false;
  let latest = false;
  for (const e of lookupDirective(name)) {
    if (e.origin !== 'nginx') continue;
    const h = e.history;
    if (h.length > 1 || (h.length === 1 && (h[0]!.since !== '' || h[0]!.deprecated !== undefined))) history = true;
    const last = h[h.length - 1];
    if (last && (!last.present || last.deprecated !== undefined)) latest = true;
  }
  const deprecatedParam = params.some((p) => p.deprecated);
  info = history || latest || params.length ? { history, latest, params, deprecatedParam, noted: new TextMemo<boolean>(256) } : null;
  NAME_INFO.set(name, info);
  return info;
}

const CANDIDATES = new Map<string, { name: string; directiveLevel: boolean }[]>();

/**
 * The names worth looking for in a config, per target version: those whose history changes after the target (or
 * whose state there is deprecated or gone), or with parameter notes; without a target, the deprecated ones.
 * `proxy_http_version` appeared in 1.1.4: nothing to say for a 1.22 target, and its 2,000 uses are not visited.
 */
function candidates(version: string): readonly { name: string; directiveLevel: boolean }[] {
  let list = CANDIDATES.get(version);
  if (list) return list;
  list = [];
  for (const name of new Set([...directiveNames(), ...PARAMETERS.map((p) => p.directive)])) {
    const info = nameInfo(name);
    if (!info) continue;
    let directiveLevel = false;
    if (!version) directiveLevel = info.latest;
    else if (info.history) {
      for (const e of lookupDirective(name)) {
        if (e.origin !== 'nginx') continue;
        const st = stateAt(e, version);
        if (!st || !st.present || st.deprecated !== undefined || e.history.some((h) => h.since && compareVersions(h.since, version) > 0))
          directiveLevel = true;
      }
    }
    const params = info.params.length > 0 && (version !== '' || info.deprecatedParam);
    if (directiveLevel || params) list.push({ name, directiveLevel });
  }
  if (CANDIDATES.size > 50) CANDIDATES.clear(); // bounded: targets are few, but settings can be typed letter by letter
  CANDIDATES.set(version, list);
  return list;
}

/** Every version problem of the config (or of the focus), for a target version ('' = unknown). Computed once per input. */
export function versionProblems(input: VersionCheckInput, target: string): VersionProblem[] {
  const version = normalizeVersion(target);
  const byVersion = (input.cache.versionProblems ??= new Map<string, VersionProblem[]>());
  const hit = byVersion.get(version);
  if (hit) return hit;
  const out: VersionProblem[] = [];
  const opts = { lenient: input.lenient, analysis: input };
  // Contexts only for the directives that have something to do with versions: from their parents, each file's top once.
  const tops = new Map<SourceFile, BlockContext>();
  const seen = new Set<Directive>();
  for (const { name, directiveLevel } of candidates(version)) {
    const info = nameInfo(name)!;
    for (const d of input.directivesNamed(name).directives) {
      // Parameters: only when an argument is one the notes are about (most `listen`s and `server`s have none).
      const params = info.params.length > 0 && (version !== '' || info.deprecatedParam) && hasParameterNote(info, d);
      if ((!directiveLevel && !params) || seen.has(d)) continue;
      seen.add(d); // a file included twice lists its directives twice
      let top = tops.get(d.file);
      if (!top) tops.set(d.file, (top = topContextFor(d.file, opts)));
      const ctx = contextOf(d, top);
      if (ctx.kind !== 'nginx') continue;
      const before = out.length;
      if (directiveLevel) checkDirective(d, ctx, version, out);
      // A directive the target lacks altogether needs no word on its parameters.
      let skip = false;
      for (let i = before; i < out.length; i++) if (out[i]!.kind !== 'deprecated') skip = true;
      if (params && !skip) checkParameters(d, ctx, info.params, version, out);
    }
  }
  if (version) checkVariables(input, version, out);
  out.sort((a, b) => (a.file.uri < b.file.uri ? -1 : a.file.uri > b.file.uri ? 1 : a.start - b.start));
  byVersion.set(version, out);
  return out;
}

/** `hasParameterNote` for a directive's name and arguments (its test holds it to `parameterNotes`). */
export function parameterNoted(name: string, args: readonly Argument[]): boolean {
  const info = nameInfo(name);
  return info !== null && info.params.length > 0 && hasParameterNote(info, { argCount: args.length, arg: (i) => args[i]?.value });
}

/** Whether a parameter note of the directive's name is about one of its arguments, as `parameterNotes` says. */
function hasParameterNote(info: NameInfo, d: Pick<Directive, 'argCount' | 'arg'>): boolean {
  const n = d.argCount;
  for (let i = 0; i < n; i++) {
    const v = d.arg(i)!;
    if (mayBeNoted(info, v) && parameterNotes(info.params, 'core', v, i, n).length > 0) return true;
  }
  return false;
}

/**
 * Whether some parameter note of the name can be about an argument of this text at any position and
 * argument count (what `parameterNotes` matches, without those two conditions): 40,000 `listen` arguments
 * of the 15 MB config are a handful of texts (`80`, `443`, `ssl`), so the notes are scanned once per text,
 * and `parameterNotes` (a list per argument) runs only for a text that may match. Kept per name, bounded.
 */
function mayBeNoted(info: NameInfo, value: string): boolean {
  let known = info.noted.get(value);
  if (known === undefined) {
    known = false;
    for (const p of info.params) {
      const prefix = !p.value && (p.param.endsWith('=') || p.param.endsWith(':'));
      if (prefix ? value.startsWith(p.param) : value === p.param) known = true;
    }
    info.noted.remember(value, known);
  }
  return known;
}

function contextOf(d: Directive, top: BlockContext): BlockContext {
  const chain: Directive[] = [];
  for (let p = d.parent; p; p = p.parent) chain.push(p);
  let ctx = top;
  for (let i = chain.length - 1; i >= 0 && ctx.kind === 'nginx'; i--) ctx = childContext(ctx, chain[i]!);
  return ctx;
}

// --- directives --------------------------------------------------------------------------------------------------

function usable(s: DirectiveState | undefined, ctx: BlockContext, argc: number, block: boolean): boolean {
  return !!s && s.present && s.block === block && allowedIn(s, ctx.contexts) && argCountOk(s.args, argc);
}

function checkDirective(d: Directive, ctx: BlockContext, version: string, out: VersionProblem[]): void {
  const entries = lookupDirective(d.name);
  const argc = d.argCount;
  const block = d.block !== null;
  // The entries of nginx's own modules that the latest nginx accepts here: the others are the context check's business.
  const here = entries.filter((e) => e.origin === 'nginx' && e.block === block && allowedIn(e, ctx.contexts) && argCountOk(e.args, argc));
  if (here.length) {
    if (version) checkAtTarget(d, ctx, here, version, out);
    else checkLatest(d, here, out);
  } else if (
    entries.some(
      (e) =>
        e.origin === 'nginx' &&
        e.history.length &&
        !e.history[e.history.length - 1]!.present &&
        e.block === block &&
        allowedIn(e, ctx.contexts),
    )
  ) {
    // Only a removed entry fits (its contexts are its last ones): say it is gone.
    const e = entries.find((x) => x.origin === 'nginx' && !x.history[x.history.length - 1]!.present)!;
    const st = version ? stateAt(e, version) : undefined;
    if (!version || (st && !st.present)) removedProblem(d, e, version, out);
    else if (st?.deprecated !== undefined) deprecatedProblem(d, e, st, version, out);
  }
}

function checkAtTarget(d: Directive, ctx: BlockContext, here: DirectiveInfo[], version: string, out: VersionProblem[]): void {
  const argc = d.argCount;
  const block = d.block !== null;
  for (const e of here) {
    const st = stateAt(e, version);
    if (usable(st, ctx, argc, block)) {
      if (st!.deprecated !== undefined) deprecatedProblem(d, e, st!, version, out);
      return;
    }
  }
  const e = here[0]!;
  const st = stateAt(e, version);
  // The first release from which it is usable like this.
  const since = e.history.find((s) => usable(s, ctx, argc, block))?.since ?? '';
  const n = d.nameToken;
  // Each case below is "too new" on the name (up to the last argument counted), as an error.
  const tooNew = (message: string, fixes: Fix[], endAt = n.end) =>
    out.push({ kind: 'too-new', file: d.file, start: n.start, end: endAt, severity: 'error', message, fixes });
  // Another module's directive of the name exists in the target: nginx says "not allowed here", not "unknown".
  const elsewhere = lookupDirective(d.name)
    .flatMap((x) => (x !== e && x.origin === 'nginx' ? [stateAt(x, version)] : []))
    .filter((x) => x?.present) as DirectiveState[];
  if (!st && elsewhere.length) {
    tooNew(
      `"${d.name}" ${describe(ctx.contexts)} needs nginx ${since} or newer; in ${version} it is allowed only in ${[...new Set(elsewhere.flatMap((x) => x.contexts))].map((c) => CONTEXT_LABELS[c]).join(', ')} (nginx -t: directive is not allowed here)`,
      d.block ? [] : [removeFix(d, `Remove "${d.name}" (the target nginx does not have it here)`)],
    );
  } else if (!st) {
    tooNew(
      `"${d.name}" needs nginx ${since || e.history[0]!.since} or newer; the target is ${version}, where nginx -t fails with: unknown directive "${d.name}"`,
      tooNewFixes(d, e),
    );
  } else if (!st.present) {
    removedProblem(d, e, version, out);
  } else if (!allowedIn(st, ctx.contexts)) {
    tooNew(
      `"${d.name}" ${describe(ctx.contexts)} needs nginx ${since} or newer; in ${version} it is allowed only in ${st.contexts.map((c) => CONTEXT_LABELS[c]).join(', ')} (nginx -t: directive is not allowed here)`,
      [],
    );
  } else {
    tooNew(
      `"${d.name}" with ${argc} argument${argc === 1 ? '' : 's'} needs nginx ${since} or newer; the target is ${version} (nginx -t: invalid number of arguments)`,
      [],
      (d.args[argc - 1] ?? n).end,
    );
  }
}

/** No target version: only what every nginx since the deprecation says, as information (the target decides more). */
function checkLatest(d: Directive, here: DirectiveInfo[], out: VersionProblem[]): void {
  const e = here[0]!;
  const last = e.history[e.history.length - 1];
  if (last?.present && last.deprecated !== undefined) deprecatedProblem(d, e, last, '', out);
}

function describe(contexts: readonly Context[]): string {
  return contexts.length === 1 ? `in ${CONTEXT_LABELS[contexts[0]!]}` : `in ${contexts.map((c) => CONTEXT_LABELS[c]).join(' / ')}`;
}

function firstDeprecated(e: DirectiveInfo): DirectiveState | undefined {
  return e.history.find((s) => s.present && s.deprecated !== undefined);
}

function deprecatedProblem(d: Directive, e: DirectiveInfo, st: DirectiveState, version: string, out: VersionProblem[]): void {
  const dep = firstDeprecated(e) ?? st;
  const since = dep.since ? ` since nginx ${dep.since}` : '';
  const repl = st.deprecated ? `; use ${replacementText(st.deprecated)} instead` : '';
  const what = st.ignored ? `is obsolete${since}: nginx ignores it${repl}` : `is deprecated${since}${repl}`;
  const removed = e.history.find((s) => !s.present)?.since;
  const later = removed ? ` (nginx ${removed} and later reject it)` : '';
  out.push({
    kind: 'deprecated',
    file: d.file,
    start: d.nameToken.start,
    end: d.nameToken.end,
    severity: version ? 'warning' : 'information',
    message: `"${d.name}" ${what}${later}${version ? '' : '. Set the target nginx version for a firmer verdict'}`,
    fixes: deprecatedFixes(d, st),
  });
}

function removedProblem(d: Directive, e: DirectiveInfo, version: string, out: VersionProblem[]): void {
  const gone = e.history.find((s) => !s.present)!.since;
  const dep = firstDeprecated(e);
  const repl = dep?.deprecated ? `; use ${replacementText(dep.deprecated)} instead` : '';
  out.push({
    kind: 'removed',
    file: d.file,
    start: d.nameToken.start,
    end: d.nameToken.end,
    severity: version ? 'error' : 'information',
    message: version
      ? `"${d.name}" was removed in nginx ${gone}${dep?.since ? ` (deprecated since ${dep.since})` : ''}${repl}; nginx ${version} fails with: unknown directive "${d.name}"`
      : `"${d.name}" was removed in nginx ${gone}${dep?.since ? ` (deprecated since ${dep.since})` : ''}${repl}; nginx ${gone} and later reject it`,
    fixes: dep ? deprecatedFixes(d, dep) : [removeFix(d, `Remove "${d.name}"`)],
  });
}

function replacementText(r: string): string {
  return r.includes(' ') ? `"${r}"` : `the "${r}" directive`;
}

// --- parameters ---------------------------------------------------------------------------------------------------

const SUBSYSTEM = new WeakMap<BlockContext, Subsystem | 'core'>();

/** The one subsystem of a context's candidates, or 'core' (main, or a snippet of unknown context). Context objects are shared: cached. */
function subsystem(ctx: BlockContext): Subsystem | 'core' {
  let s = SUBSYSTEM.get(ctx);
  if (s) return s;
  const subs = new Set(ctx.contexts.map(subsystemOf));
  const [one] = subs;
  s = subs.size === 1 && (one === 'http' || one === 'stream' || one === 'mail') ? one : 'core';
  SUBSYSTEM.set(ctx, s);
  return s;
}

function checkParameters(d: Directive, ctx: BlockContext, notes: readonly ParameterNote[], version: string, out: VersionProblem[]): void {
  const sub = subsystem(ctx);
  const args = d.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const note of parameterNotes(notes, sub, a.value, i, args.length)) parameterProblem(d, a, note, version, out);
  }
}

function parameterProblem(d: Directive, a: Argument, note: ParameterNote, version: string, out: VersionProblem[]): void {
  const what = note.value ? `"${d.name} ${a.value}"` : `The "${note.param.replace(/[=:]$/, '')}" parameter of "${d.name}"`;
  if (note.since && version && compareVersions(version, note.since) < 0) {
    out.push({
      kind: 'too-new',
      file: d.file,
      start: a.start,
      end: a.end,
      severity: 'error',
      message: `${what} needs nginx ${note.since} or newer; the target is ${version}, where nginx -t fails with: invalid ${note.value ? 'value' : 'parameter'} "${a.value}"`,
      fixes: [],
    });
  }
  const dep = note.deprecated;
  if (dep && (!version || compareVersions(version, dep.since) >= 0)) {
    out.push({
      kind: 'deprecated',
      file: d.file,
      start: a.start,
      end: a.end,
      severity: version ? 'warning' : 'information',
      message: version
        ? `${what} is deprecated since nginx ${dep.since}; use "${dep.replacement}" in the server instead`
        : `${what} is deprecated since nginx ${dep.since}; with nginx ${dep.since} or newer, use "${dep.replacement}" in the server instead. Set the target nginx version for a firmer verdict`,
      fixes: dep.fix === 'listen-http2' ? listenHttp2Fixes(d, a) : [],
    });
  }
}

// --- variables ----------------------------------------------------------------------------------------------------

function variableSubsystem(scope: Scope): VariableSubsystem | undefined {
  for (let s: Scope | null = scope; s; s = s.parent) if (s.kind === 'http' || s.kind === 'stream') return s.kind;
  return undefined;
}

/** Names (lower case) of the variables and prefixes that appeared after the first release scanned: the only ones to look up. */
const VERSIONED_VARIABLES = new Set(VARIABLES.filter(([, , , , states]) => states[0]?.[0]).map(([, name]) => name));
const VERSIONED_PREFIXES = VARIABLES.filter(([, , , prefix, states]) => prefix && states[0]?.[0]).map(([, name]) => name);

function maybeVersioned(name: string): boolean {
  const n = name.toLowerCase();
  if (VERSIONED_VARIABLES.has(n)) return true;
  for (const p of VERSIONED_PREFIXES) if (n.startsWith(p)) return true;
  return false;
}

function checkVariables(input: VersionCheckInput, version: string, out: VersionProblem[]): void {
  const seen = new Set<string>();
  for (const u of variableUses(input.directives(), input.cache)) {
    if (!maybeVersioned(u.name) || input.definitions.has(u.name)) continue;
    const info = lookupVariable(u.name, variableSubsystem(u.scope));
    if (!info?.since || compareVersions(version, info.since) >= 0) continue;
    const key = `${u.directive.file.uri}:${u.start}`;
    if (seen.has(key)) continue; // a file included twice
    seen.add(key);
    out.push({
      kind: 'too-new',
      file: u.directive.file,
      start: u.start,
      end: u.end,
      severity: 'error',
      message: `"$${u.name}" needs nginx ${info.since} or newer (${info.module}); the target is ${version}, where nginx -t fails with: unknown "${u.name}" variable`,
      fixes: [],
    });
  }
}

// --- fixes --------------------------------------------------------------------------------------------------------

/** Removes a statement: its whole line when it stands alone there, else the statement and the spaces after it. */
export function removeStatement(d: Directive): FileEdit {
  const f = d.file;
  const text = f.text;
  let start = d.start;
  let end = d.comment ? Math.max(d.end, d.comment.end) : d.end;
  let ls = start;
  while (ls > 0 && (text[ls - 1] === ' ' || text[ls - 1] === '\t')) ls--;
  let le = end;
  while (le < text.length && (text[le] === ' ' || text[le] === '\t')) le++;
  const lineStart = ls === 0 || text[ls - 1] === '\n';
  const lineEnd = le === text.length || text[le] === '\n' || text[le] === '\r';
  if (lineStart && lineEnd) {
    start = ls;
    end = text.startsWith('\r\n', le) ? le + 2 : text[le] === '\n' ? le + 1 : le;
  } else end = le;
  return { path: f.uri, edits: [{ range: f.rangeOf(start, end), newText: '' }] };
}

function removeFix(d: Directive, title: string, preferred = true): Fix {
  return fix(title, [removeStatement(d)], preferred);
}

/** Removes one argument with the space before it. */
function removeArg(d: Directive, a: Argument): FileEdit {
  const i = d.args.indexOf(a);
  const prevEnd = i > 0 ? d.args[i - 1]!.end : d.nameToken.end;
  return { path: d.file.uri, edits: [{ range: d.file.rangeOf(prevEnd, a.end), newText: '' }] };
}

/** Appends an argument after the last one. */
function appendArg(d: Directive, text: string): FileEdit {
  const at = (d.args[d.argCount - 1] ?? d.nameToken).end;
  return { path: d.file.uri, edits: [{ range: d.file.rangeOf(at, at), newText: ` ${text}` }] };
}

function siblings(d: Directive, name: string): Directive[] {
  return (d.parentBlock?.directives() ?? []).filter((x) => x.name === name);
}

function tooNewFixes(d: Directive, e: DirectiveInfo): Fix[] {
  if (d.name === 'http2' && e.module === 'ngx_http_v2_module') return http2DirectiveFixes(d);
  if (d.block) return [];
  return [removeFix(d, `Remove "${d.name}" (the target nginx does not have it)`)];
}

/**
 * `http2 on;` for nginx before 1.25.1: `listen ... ssl http2` says the same where every listen of the server
 * has `ssl` (ALPN picks the protocol). On a cleartext port the old form serves HTTP/2 only (measured with
 * nginx 1.22: an HTTP/1.1 request gets no answer), which would end WebSocket upgrades, so there it is removed.
 */
function http2DirectiveFixes(d: Directive): Fix[] {
  if (d.arg(0) !== 'on') return [removeFix(d, 'Remove "http2 off;" (off is the default)')];
  const listens = siblings(d, 'listen');
  const tls = listens.length > 0 && listens.every((l) => l.args.some((a) => a.value === 'ssl'));
  if (!tls)
    return [
      removeFix(d, 'Remove "http2 on;" (before 1.25.1 a cleartext "listen ... http2" serves HTTP/2 only: no HTTP/1.1, no WebSocket)'),
    ];
  const edits: FileEdit[] = [removeStatement(d)];
  for (const l of listens) if (!l.args.some((a) => a.value === 'http2')) edits.push(appendArg(l, 'http2'));
  return [fix('Use "listen ... ssl http2" (nginx before 1.25.1)', edits), removeFix(d, 'Remove "http2 on;"', false)];
}

/** `listen 443 ssl http2;` → `listen 443 ssl;` and `http2 on;` in the server. */
function listenHttp2Fixes(d: Directive, a: Argument): Fix[] {
  const block = d.parentBlock;
  if (!block || d.parent?.name !== 'server') return [];
  const edits: FileEdit[] = [removeArg(d, a)];
  const has = siblings(d, 'http2').some((x) => x.arg(0) === 'on');
  if (!has) edits.push(insertLines(block, ['http2 on;'], (x) => x.name === 'listen'));
  return [fix('Use "http2 on;" in the server instead', edits)];
}

function deprecatedFixes(d: Directive, st: DirectiveState): Fix[] {
  if (d.name === 'ssl') return sslFixes(d);
  const fixes: Fix[] = [];
  if (st.ignored) fixes.push(removeFix(d, `Remove "${d.name}" (nginx ignores it)`));
  const repl = st.deprecated;
  if (repl && /^[a-z0-9_]+$/.test(repl)) {
    const r = lookupDirective(repl).find((x) => x.origin === 'nginx' && argCountOk(x.args, d.argCount));
    if (r && !siblings(d, repl).length) {
      fixes.push(
        fix(
          `Replace with "${repl}"${st.ignored ? ' (applies to every connection, not only HTTP/2)' : ''}`,
          [{ path: d.file.uri, edits: [{ range: d.nameToken.range, newText: repl }] }],
          !st.ignored,
        ),
      );
    }
  }
  if (!fixes.length && st.ignored) fixes.push(removeFix(d, `Remove "${d.name}"`));
  return fixes;
}

/** `ssl on;` → the `ssl` parameter on every listen of the server; `ssl off;` (the default) → removed. */
function sslFixes(d: Directive): Fix[] {
  const value = d.arg(0);
  if (value !== 'on') return [removeFix(d, `Remove "ssl ${value ?? ''}" (off is the default)`)];
  if (d.parent?.name !== 'server') return [];
  const listens = siblings(d, 'listen');
  if (!listens.length) return [];
  const edits: FileEdit[] = [removeStatement(d)];
  for (const l of listens) if (!l.args.some((a) => a.value === 'ssl')) edits.push(appendArg(l, 'ssl'));
  return [fix('Use "listen ... ssl" instead of "ssl on;"', edits)];
}

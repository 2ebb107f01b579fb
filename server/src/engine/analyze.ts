/**
 * Whole analysis of one config: parse the root and its includes, build the
 * scope model, classify locations, run the rules. And its incremental form
 * for editors: after an edit inside one `server` block, only that block is
 * checked again and the other findings are carried over, moved with the
 * text, when that gives exactly what a whole analysis would (tests compare
 * both on random edits).
 */
import { head, type Directive, type Position, type Range, type SourceFile } from './syntax/ast';
import { generationOf, lastReparse, updateText, type BlockReparse } from './syntax/incremental';
import { buildModel, descendants, includesAnything, own, rebuildScope, subtreeDirectives, type ConfigModel, type ParseCache, type Scope } from './model/config';
import { collectDefinitions, definitionsIn, variableCanYield, type VariableDefinition } from './model/variables';
import { classifyLocation, lastHeader, locationPath, proxyUpstream, type LocationInfo, type WsLocation } from './model/websocket';

export type { WsLocation };
import { RULES } from './rules/index';
import { sameStyle } from './fixes/edits';
import { withoutFixesInBrokenFiles } from './fixes/guard';
import { applySuppressions, suppressionCheck } from './suppressions';
import { RuleContext, type Rule } from './rules/rule';
import { RequestModel } from './request/model';
import { declaredNginxVersion } from './model/contexts';
import { compileNginxRegex } from './model/regex';
import { DEFAULT_SETTINGS, FINDING_LIMITS, type EngineSettings, type FileHost, type Finding, type Fix, type RelatedInfo } from './types';

export interface Analysis {
  /** Every parsed file of the config, root first. */
  files: Map<string, SourceFile>;
  /** Findings for every file of the config. */
  findings: Finding[];
  wsLocations: WsLocation[];
  /** `upstream` blocks by name. */
  upstreams: Map<string, Directive>;
  /** The scope model (for features that need effective values). */
  model: ConfigModel;
  /** The request model over this config: `trace()` a request through it (hover, the trace command, the rules). */
  requests: RequestModel;
}

/**
 * What an incremental update needs from the analysis it updates. Internal
 * to the engine: adapters only pass the previous Analysis back in.
 */
interface UpdateState {
  settings: EngineSettings;
  patterns: PathPattern[];
  /** The generation (see syntax/incremental.ts) of each file as analysed. */
  generations: Map<string, number>;
  definitions: Map<string, VariableDefinition[]>;
  webSocketsUseKeepalive: boolean;
  lenient: boolean;
  /**
   * For each `server` scope directly in `http`, what it contributes to the
   * rest of the config's findings (see `unitSignature`). An edit inside one
   * such server that leaves this unchanged cannot change any finding
   * outside it, so only that server is checked again.
   */
  units: Map<Scope, string>;
  /**
   * How many servers listen on each port, for the signatures. Valid across
   * updates: every server's `listen` lines are in its signature, so an edit
   * of one is analysed whole.
   */
  ports: Map<string, number>;
  /** The unit of each entry of the analysis's `wsLocations` (null outside any). */
  wsUnits: (Scope | null)[];
  /** The findings before suppressions and the fix guard (`finalizeFindings`), which an update carries over. */
  raw: Finding[];
}

const updateStates = new WeakMap<Analysis, UpdateState>();

/**
 * Analyses the config at `rootPath`. With `previous` (an analysis of the
 * same root with the same settings and parse cache) and files updated in
 * place since, only the `server` block an edit touched is checked again,
 * when that is exact; otherwise the whole config is.
 */
/** Not settings: switches for tests that hold a shortcut to what it short-cuts. */
export interface AnalyzeInternals {
  /** Every WebSocket rule asks the full request-model trace (RuleContext.forceTraces). */
  forceTraces?: boolean;
  /**
   * No update will follow (a one-shot CLI run): the bookkeeping an incremental update needs (each server's
   * signature, the port counts) is not made, and the analysis cannot be passed as `previous`.
   */
  oneShot?: boolean;
}

export function analyze(rootPath: string, host: FileHost, settings: EngineSettings = DEFAULT_SETTINGS, cache?: ParseCache, previous?: Analysis, internals: AnalyzeInternals = {}): Analysis {
  if (previous && cache && previous.model.rootPath === rootPath) {
    const updated = update(previous, host, settings, cache);
    if (updated) return updated;
  }
  const model = buildModel(rootPath, host, settings, cache);
  const findings = syntaxFindings(model);
  for (const f of model.findings) findings.push(f);

  const patterns = compilePatterns(settings.websocketPathPatterns);
  const definitions = collectDefinitions(model);
  const canUpgrade = (name: string) => variableCanYield(definitions, name, 'upgrade');
  const locations = (model.scopes.get('location') ?? []).filter((s) => s.directive?.block).map((s) => classifyLocation(s, patterns, canUpgrade));
  const lenient = !model.scopes.has('http');
  const requests = new RequestModel(model, definitions);
  const ctx = new RuleContext(model, withDeclaredVersion(settings, model), locations, definitions, lenient, requests);
  ctx.forceTraces = !!internals.forceTraces;
  ctx.suppressedIn = suppressionCheck;
  const failed = runRules(ctx, settings);
  for (const { rule, error } of failed) {
    // One faulty rule must not take the others (or the server) down; say so where the user looks.
    const root = model.files.get(rootPath);
    findings.push({
      path: rootPath,
      range: root ? root.rangeOf(0, 0) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 'information',
      code: rule.id,
      message: `Rule ${rule.id} could not check this file: ${error instanceof Error ? error.message : String(error)}`,
      fixes: [],
    });
  }
  // No spread: a hostile file can produce more findings than a call may take arguments.
  for (const f of ctx.findings) findings.push(f);
  for (const o of ctx.overflow.values()) findings.push(overflowFinding(o));

  const upstreams = new Map<string, Directive>();
  for (const u of model.scopes.get('upstream') ?? []) {
    const name = u.directive?.args[0]?.value;
    if (name && !upstreams.has(name)) upstreams.set(name, u.directive!);
  }
  const ws = wsLocationsOf(locations);
  const raw = dedupe(findings);
  const capped = capPerFile(finalizeFindings(raw, model.files, settings));
  const analysis: Analysis = { files: model.files, findings: capped.findings, wsLocations: ws.list, upstreams, model, requests };
  // A capped file's findings depend on the order they were made in: only a whole analysis gives them exactly.
  if (cache && !failed.length && !internals.oneShot && !capped.capped && !ctx.overflow.size && !syntaxCapped(model)) {
    const generations = new Map<string, number>();
    for (const [p, f] of model.files) generations.set(p, generationOf(f));
    const webSocketsUseKeepalive = ctx.webSocketsUseKeepalive;
    const ports = portCounts(model);
    updateStates.set(analysis, {
      settings,
      patterns,
      generations,
      definitions,
      webSocketsUseKeepalive,
      lenient,
      units: unitSignatures(model, locations, definitions, ports),
      ports,
      wsUnits: ws.units,
      raw,
    });
  }
  return analysis;
}

/** A `# nginx-ws: nginx-version=...` comment at the top of the root file is the target version of that config. */
function withDeclaredVersion(settings: EngineSettings, model: ConfigModel): EngineSettings {
  const declared = declaredNginxVersion(model.files.get(model.rootPath));
  return declared && declared !== settings.nginxVersion ? { ...settings, nginxVersion: declared } : settings;
}

/** Runs every enabled rule; a rule that throws is skipped (the others still run) and returned. */
function runRules(ctx: RuleContext, settings: EngineSettings): { rule: Rule; error: unknown }[] {
  const failed: { rule: Rule; error: unknown }[] = [];
  for (const rule of RULES) {
    if (settings.rules[rule.id] === 'off') continue;
    try {
      ctx.run(rule);
    } catch (error) {
      failed.push({ rule, error });
    }
  }
  return failed;
}

/** Parse errors as findings: at most FINDING_LIMITS.perRulePerFile per file (then one summary), messages cut to a sane length. */
function syntaxFindings(model: ConfigModel): Finding[] {
  const findings: Finding[] = [];
  for (const [path, file] of model.files) {
    const errors = file.errors;
    const n = Math.min(errors.length, FINDING_LIMITS.perRulePerFile);
    for (let i = 0; i < n; i++) {
      const e = errors[i]!;
      findings.push({ path, range: file.rangeOf(e.start, e.end), severity: 'error', code: 'syntax', message: clipMessage(e.message), fixes: [] });
    }
    if (errors.length > n) {
      const e = errors[n]!;
      findings.push({
        path,
        range: file.rangeOf(e.start, e.start),
        severity: 'information',
        code: 'syntax',
        message: `${errors.length - n} more syntax errors in this file are not shown (at most ${FINDING_LIMITS.perRulePerFile} per file); the first is here`,
        fixes: [],
      });
    }
  }
  return findings;
}

/** Whether a code has more than FINDING_LIMITS.perRulePerFile findings in `path` (`file`) that are not suppressed. */
function overRuleCap(findings: Finding[], path: string, file: SourceFile): boolean {
  const counts = new Map<string, number>();
  let suppressed: ReturnType<typeof suppressionCheck> | undefined;
  for (const f of findings) {
    if (f.path !== path) continue;
    const n = (counts.get(f.code) ?? 0) + 1;
    counts.set(f.code, n);
    if (n > FINDING_LIMITS.perRulePerFile && suppressed === undefined) suppressed = suppressionCheck(file);
  }
  if (suppressed === undefined) return false;
  if (suppressed === null) return true;
  const check = suppressed;
  const left = new Map<string, number>();
  for (const f of findings) {
    if (f.path !== path || (counts.get(f.code) ?? 0) <= FINDING_LIMITS.perRulePerFile || check(f.range.start.line, f.code)) continue;
    const n = (left.get(f.code) ?? 0) + 1;
    if (n > FINDING_LIMITS.perRulePerFile) return true;
    left.set(f.code, n);
  }
  return false;
}

function syntaxCapped(model: ConfigModel): boolean {
  for (const file of model.files.values()) if (file.errors.length > FINDING_LIMITS.perRulePerFile) return true;
  return false;
}

/** A message of reasonable length: a parse error may quote a token of megabytes. */
function clipMessage(m: string): string {
  return m.length > FINDING_LIMITS.messageChars ? `${m.slice(0, FINDING_LIMITS.messageChars - 1)}…` : m;
}

/** The one finding that stands for a rule's findings past the cap in one file. */
function overflowFinding(o: { rule: Rule; path: string; range: Range; count: number }): Finding {
  return {
    path: o.path,
    range: o.range,
    severity: 'information',
    code: o.rule.id,
    message: `${o.count} more ${o.rule.id} finding${o.count === 1 ? '' : 's'} in this file ${o.count === 1 ? 'is' : 'are'} not shown (at most ${FINDING_LIMITS.perRulePerFile} per rule and file); the first is here`,
    href: o.rule.href,
    fixes: [],
  };
}

/**
 * At most FINDING_LIMITS.perFile findings per file (in the order they were made: syntax,
 * includes, then rule by rule), and one summary finding for the rest; every message cut to
 * FINDING_LIMITS.messageChars. `capped` tells whether anything was left out.
 */
function capPerFile(findings: Finding[]): { findings: Finding[]; capped: boolean } {
  const counts = new Map<string, number>();
  const extra = new Map<string, { count: number; first: Finding }>();
  const out: Finding[] = [];
  for (const f of findings) {
    const n = (counts.get(f.path) ?? 0) + 1;
    counts.set(f.path, n);
    if (n > FINDING_LIMITS.perFile) {
      const e = extra.get(f.path);
      if (e) e.count++;
      else extra.set(f.path, { count: 1, first: f });
      continue;
    }
    const long = f.message.length > FINDING_LIMITS.messageChars || f.related?.some((r) => r.message.length > FINDING_LIMITS.messageChars);
    out.push(long ? { ...f, message: clipMessage(f.message), ...(f.related ? { related: f.related.map((r) => ({ ...r, message: clipMessage(r.message) })) } : {}) } : f);
  }
  for (const [path, { count, first }] of extra) {
    out.push({
      path,
      range: first.range,
      severity: 'information',
      code: 'limit',
      message: `${count} more finding${count === 1 ? '' : 's'} in this file ${count === 1 ? 'is' : 'are'} not shown (at most ${FINDING_LIMITS.perFile} per file); the first is here`,
      fixes: [],
    });
  }
  return { findings: out, capped: extra.size > 0 };
}

/** The locations the endpoint test and CodeLens offer: WebSocket intent and a proxy_pass. */
function wsLocationsOf(locations: LocationInfo[]): { list: WsLocation[]; units: (Scope | null)[] } {
  const list: WsLocation[] = [];
  /** The unit (see `unitOf`) of each entry, for incremental updates. */
  const units: (Scope | null)[] = [];
  const seenLoc = new Set<Directive>();
  for (const l of locations) {
    if (l.intent === null || !l.proxyPass) continue;
    if (seenLoc.has(l.directive)) continue;
    seenLoc.add(l.directive);
    list.push(wsLocation(l));
    units.push(unitOf(l.scope));
  }
  return { list, units };
}

function wsLocation(l: LocationInfo): WsLocation {
  const { modifier, path } = locationPath(l.directive);
  return {
    path: l.directive.file.uri,
    directive: l.directive,
    // From the directive's offsets when read: they stay current when the file is updated in place.
    get range() {
      const h = head(this.directive);
      return h.file.rangeOf(h.start, h.end);
    },
    locationPath: path,
    modifier,
    intent: l.intent ?? 'recipe',
    server: l.server?.directive ?? null,
    serverDirectives: l.server?.items ?? [],
    proxyPass: l.proxyPass,
  };
}

/** The `server` scope directly in `http` that holds `scope`, if any: the unit an incremental update re-checks. */
function unitOf(scope: Scope | null): Scope | null {
  for (let s = scope; s; s = s.parent) if (s.kind === 'server' && s.parent?.kind === 'http') return s;
  return null;
}

/**
 * What each unit contributes to findings elsewhere: the variables it
 * defines (undefined-variable anywhere, the map fixes), and for its
 * WebSocket locations behind an upstream with keepalive the Connection
 * variable and upstream they use (map-close-defeats-keepalive reports at
 * the map; `webSocketsUseKeepalive` words every map fix). Everything else a
 * rule reads about a location comes from the location, its ancestors, or
 * blocks outside any server (upstreams, maps, http).
 */
function unitSignatures(model: ConfigModel, locations: LocationInfo[], definitions: Map<string, VariableDefinition[]>, ports: Map<string, number>, only?: Scope): Map<Scope, string> {
  const parts = new Map<Scope, string[]>();
  const note = (unit: Scope | null, part: string) => {
    if (!unit || (only && unit !== only)) return;
    const l = parts.get(unit);
    if (l) l.push(part);
    else parts.set(unit, [part]);
  };
  // A `set` value decides whether a Connection variable can yield `upgrade` (WebSocket intent) elsewhere.
  for (const [name, defs] of definitions) for (const def of defs) note(unitOf(def.scope), `def ${name}${def.directive.name === 'set' ? ` ${def.directive.args[1]?.raw ?? ''}` : ''}`);
  // Where a server listens decides which server a handshake reaches (and which ports others share); its
  // names decide it when another server listens on one of its ports.
  for (const s of only ? [only] : (model.scopes.get('server') ?? [])) {
    if (s.parent?.kind !== 'http') continue;
    const shared = portsOf(s).some((p) => (ports.get(p) ?? 0) > 1);
    for (const d of s.items) if (d.name === 'listen' || (shared && d.name === 'server_name')) note(s, `route ${d.name} ${d.args.map((a) => a.raw).join(' ')}`);
  }
  for (const l of locations) {
    if (l.intent === null || !l.proxyPass) continue;
    const upstream = proxyUpstream(model, l.proxyPass);
    if (!upstream || !own(upstream, 'keepalive').length) continue;
    note(unitOf(l.scope), `keepalive ${lastHeader(l, 'connection')?.value ?? ''} ${upstream.directive?.args[0]?.value ?? ''}`);
  }
  const out = new Map<Scope, string>();
  for (const [unit, l] of parts) out.set(unit, l.sort().join('\n'));
  return out;
}

/** The ports a server listens on (80 without `listen`). */
function portsOf(server: Scope): string[] {
  const listens = own(server, 'listen');
  if (!listens.length) return ['80'];
  return listens.map((d) => {
    const v = d.args[0]?.value ?? '';
    return /(\d+)$/.exec(v)?.[1] ?? v;
  });
}

/** How many servers directly in `http` listen on each port. */
function portCounts(model: ConfigModel): Map<string, number> {
  const ports = new Map<string, number>();
  for (const s of model.scopes.get('server') ?? []) {
    if (s.parent?.kind !== 'http') continue;
    for (const p of new Set(portsOf(s))) ports.set(p, (ports.get(p) ?? 0) + 1);
  }
  return ports;
}

/** Settings are small plain data, re-created by adapters on every read: compared by value. */
function sameSettings(a: EngineSettings, b: EngineSettings): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Scope kinds whose content matters to their own subtree only (an upstream or map misplaced in a server matters to all). */
const LOCAL_KINDS = new Set(['location', 'if', 'limit_except']);

function onlyLocal(unit: Scope): boolean {
  for (const s of descendants(unit)) if (!LOCAL_KINDS.has(s.kind)) return false;
  return true;
}

/**
 * The incremental path: `previous` updated for files changed in place since,
 * or null when only a whole analysis is exact (then `previous` must not be
 * used again: its model may have been changed).
 */
function update(previous: Analysis, host: FileHost, settings: EngineSettings, cache: ParseCache): Analysis | null {
  const st = updateStates.get(previous);
  if (!st || !sameSettings(st.settings, settings)) return null;
  const model = previous.model;

  // Exactly one file may have changed, by one in-place block re-parse; the others must be the very same trees.
  let edited: { path: string; file: SourceFile; change: BlockReparse } | null = null;
  for (const [path, file] of previous.files) {
    const text = host.readFile(path);
    if (text === undefined) return null;
    const now = updateText(cache.get(path) ?? file, text, path);
    if (now !== file) return null;
    cache.set(path, now);
    const gen = generationOf(file);
    const before = st.generations.get(path);
    if (gen === before) continue;
    const change = lastReparse(file);
    if (edited || !change || before === undefined || gen !== before + 1) return null;
    edited = { path, file, change };
  }
  if (!edited) return previous;
  const { path, file, change } = edited;
  if (model.revisited.has(path)) return null;
  // Fixes copy the file's line ending and indentation unit: an edit that changes them changes every fix in the file.
  if (!sameStyle(change.oldText, file.text, change.changeStart, change.oldChangeEnd, change.newChangeEnd)) return null;

  // The unit: the server (directly in http) around the re-parsed block.
  let unit: Scope | null = null;
  for (let d: Directive | null = change.directive; d && !unit; d = d.parent) {
    if (d.name !== 'server') continue;
    const s = model.scopeOf.get(d);
    if (s && s.parent?.kind === 'http') unit = s;
  }
  if (!unit || !onlyLocal(unit)) return null;
  const server = unit.directive!;
  if (includesAnything(change.removed) || includesAnything(server.block!.children)) return null;

  // From here on `previous` is being turned into the new analysis.
  rebuildScope(model, unit);
  if (!onlyLocal(unit)) return null;
  // Definitions: the server's old ones out (its signature names them), its new ones in; `previous`'s map is reused.
  const definitions = st.definitions;
  const oldSignature = st.units.get(unit) ?? '';
  for (const line of oldSignature.split('\n')) {
    if (!line.startsWith('def ')) continue;
    const name = line.slice(4).split(' ')[0]!;
    const kept = (definitions.get(name) ?? []).filter((d) => unitOf(d.scope) !== unit);
    if (kept.length) definitions.set(name, kept);
    else definitions.delete(name);
  }
  const own = definitionsIn(subtreeDirectives(unit));
  for (const [name, defs] of own) {
    const l = definitions.get(name);
    if (l) l.push(...defs);
    else definitions.set(name, defs);
  }
  // Classified after the definitions are current: whether a Connection variable can yield `upgrade` reads them.
  const locations: LocationInfo[] = [];
  const canUpgrade = (name: string) => variableCanYield(definitions, name, 'upgrade');
  for (const s of descendants(unit)) if (s.kind === 'location' && s.directive?.block) locations.push(classifyLocation(s, st.patterns, canUpgrade));
  const signature = unitSignatures(model, locations, own, st.ports, unit).get(unit) ?? '';
  if (signature !== oldSignature) return null;

  const requests = previous.requests.updatedFor(unit, definitions);
  const ctx = new RuleContext(model, withDeclaredVersion(settings, model), locations, definitions, st.lenient, requests, { scope: unit, webSocketsUseKeepalive: st.webSocketsUseKeepalive });
  ctx.suppressedIn = suppressionCheck;
  if (runRules(ctx, settings).length || ctx.overflow.size || syntaxCapped(model)) return null;

  // Findings: fresh syntax findings; the old ones outside the server (moved with the text); the new ones inside it.
  const oldStart = server.start;
  const oldEnd = server.end - change.delta;
  // Ranges after the server keep their characters unless they share the line where the change ends; lines move by lineDelta.
  const changeEndLine = change.oldLines.positionAt(change.oldChangeEnd).line;
  const lineDelta = file.lines.lineCount - change.oldLines.lineCount;
  const movedPos = (p: Position): Position =>
    p.line > changeEndLine ? { line: p.line + lineDelta, character: p.character } : file.lines.positionAt(change.oldLines.offsetAt(p) + change.delta);
  const moved = (r: Range): Range | null => {
    const s = change.oldLines.offsetAt(r.start);
    const e = change.oldLines.offsetAt(r.end);
    if (e <= oldStart) return r;
    if (s < oldEnd) return null;
    if (lineDelta === 0 && r.start.line > changeEndLine) return r;
    return { start: movedPos(r.start), end: movedPos(r.end) };
  };
  const findings = syntaxFindings(model);
  for (const f of st.raw) {
    if (f.code === 'syntax') continue;
    if (f.path !== path && !f.related?.some((r) => r.path === path) && !f.fixes.some((x) => x.changes.some((c) => c.path === path))) {
      findings.push(f);
      continue;
    }
    if (f.path === path) {
      const s = change.oldLines.offsetAt(f.range.start);
      const e = change.oldLines.offsetAt(f.range.end);
      if (s >= oldStart && e <= oldEnd) continue; // inside the server: checked again below
    }
    const shifted = shiftFinding(f, path, moved);
    if (!shifted) return null;
    findings.push(shifted);
  }
  for (const f of ctx.findings) {
    if (f.path !== path) continue;
    const s = file.lines.offsetAt(f.range.start);
    const e = file.lines.offsetAt(f.range.end);
    if (s >= server.start && e <= server.end) findings.push(f);
  }

  // WebSocket locations: the server's run of them (one run: the list is in document order) swapped for fresh
  // ones; the others' ranges follow their directives. `previous`'s lists are reused.
  const fresh = wsLocationsOf(locations).list;
  const { wsLocations } = previous;
  const { wsUnits } = st;
  let at = wsUnits.indexOf(unit);
  let count = 0;
  if (at >= 0) while (wsUnits[at + count] === unit) count++;
  else {
    at = wsLocations.findIndex((w) => w.path === path && w.directive.start > server.start);
    if (at < 0) at = wsLocations.length;
  }
  wsLocations.splice(at, count, ...fresh);
  wsUnits.splice(at, count, ...fresh.map(() => unit));

  const raw = dedupe(findings);
  // The server's context counted only its own findings against the per-rule cap: near the cap, only a whole
  // analysis knows which findings it keeps (the previous one was whole and under every cap, or it is not cached).
  if (overRuleCap(raw, path, file)) return null;
  const capped = capPerFile(finalizeFindings(raw, previous.files, settings));
  if (capped.capped) return null;
  st.raw = raw;
  const analysis: Analysis = { files: previous.files, findings: capped.findings, wsLocations, upstreams: previous.upstreams, model, requests };
  // `previous` is used up: its state moves on to the new analysis.
  st.generations.set(path, generationOf(file));
  updateStates.set(analysis, st);
  return analysis;
}

/** A finding with its ranges in `path` moved by `moved`; null when one of them lies in the changed server. */
function shiftFinding(f: Finding, path: string, moved: (r: Range) => Range | null): Finding | null {
  const range = f.path === path ? moved(f.range) : f.range;
  if (!range) return null;
  let related = f.related;
  if (related) {
    const out: RelatedInfo[] = [];
    for (const r of related) {
      const m = r.path === path ? moved(r.range) : r.range;
      if (!m) return null;
      out.push(m === r.range ? r : { ...r, range: m });
    }
    related = out;
  }
  const fixes: Fix[] = [];
  for (const x of f.fixes) {
    const changes = [];
    for (const c of x.changes) {
      if (c.path !== path) {
        changes.push(c);
        continue;
      }
      const edits = [];
      for (const e of c.edits) {
        const m = moved(e.range);
        if (!m) return null;
        edits.push(m === e.range ? e : { ...e, range: m });
      }
      changes.push({ ...c, edits });
    }
    fixes.push({ ...x, changes });
  }
  return { ...f, range, ...(related ? { related } : {}), fixes };
}

type PathPattern = { test(path: string): boolean };

/**
 * `websocketPathPatterns`, case-insensitive, on the linear-time engine (a setting from an
 * untrusted workspace must not hang the server with `^/(a+)+$`). A pattern that is invalid or
 * uses what RE2 cannot evaluate matches nothing; the server logs why when settings load.
 */
function compilePatterns(patterns: string[]): PathPattern[] {
  const out: PathPattern[] = [];
  for (const p of patterns) {
    const re = compileNginxRegex(p, true);
    if (re.ok) out.push(re);
  }
  return out;
}

/** What the user sees of the raw findings: inline suppressions applied, and no fix that edits a file with syntax errors. */
function finalizeFindings(raw: Finding[], files: Map<string, SourceFile>, settings: EngineSettings): Finding[] {
  return applySuppressions(withoutFixesInBrokenFiles(raw, files), files, settings);
}

/** A snippet included twice is analysed in both contexts; identical findings are reported once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.path}|${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}|${f.code}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A FileHost that knows one file and nothing else (tests, snippets, benchmarks). */
export function singleFileHost(path: string, text: string): FileHost {
  return {
    readFile: (p) => (p === path ? text : undefined),
    glob: () => [],
    dirname: (p) => p.slice(0, Math.max(0, p.lastIndexOf('/'))) || '/',
    resolve: (dir, rel) => (rel.startsWith('/') ? rel : `${dir.replace(/\/$/, '')}/${rel}`),
  };
}

/** Lints one text with no include resolution beyond what `host` offers (tests, snippets). */
export function lintText(text: string, path = '/virtual/nginx.conf', settings: EngineSettings = DEFAULT_SETTINGS, host?: FileHost): Finding[] {
  return analyze(path, host ?? singleFileHost(path, text), settings).findings.filter((f) => f.path === path);
}

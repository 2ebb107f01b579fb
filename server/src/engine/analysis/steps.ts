/**
 * The named steps of an analysis (analyze.ts) that its incremental update
 * (update.ts) takes too: the syntax findings, running the rules, the caps on
 * findings, the WebSocket locations, the units an update re-checks and their
 * signatures, and the findings as the user sees them.
 */
import { head, type Directive, type Range, type SourceFile } from '../syntax/ast';
import { own, type ConfigModel, type Scope } from '../model/config';
import type { VariableDefinition } from '../model/variables';
import { lastHeader, locationPath, proxyUpstream, type LocationInfo, type WsLocation } from '../model/websocket';
import { compileNginxRegex } from '../model/regex';
import { RULES } from '../rules/index';
import { withoutFixesInBrokenFiles } from '../fixes/guard';
import { applySuppressions, suppressionCheck } from '../suppressions';
import type { RuleContext, Rule } from '../rules/rule';
import { declaredNginxVersion } from '../model/contexts';
import { FINDING_LIMITS, type EngineSettings, type Finding } from '../types';

/** A `# nginx-ws: nginx-version=...` comment at the top of the root file is the target version of that config. */
export function withDeclaredVersion(settings: EngineSettings, model: ConfigModel): EngineSettings {
  const declared = declaredNginxVersion(model.files.get(model.rootPath));
  return declared && declared !== settings.nginxVersion ? { ...settings, nginxVersion: declared } : settings;
}

/** Runs every enabled rule; a rule that throws is skipped (the others still run) and returned. */
export function runRules(ctx: RuleContext, settings: EngineSettings): { rule: Rule; error: unknown }[] {
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
export function syntaxFindings(model: ConfigModel): Finding[] {
  const findings: Finding[] = [];
  for (const [path, file] of model.files) {
    const errors = file.errors;
    const n = Math.min(errors.length, FINDING_LIMITS.perRulePerFile);
    for (let i = 0; i < n; i++) {
      const e = errors[i]!;
      findings.push({
        path,
        range: file.rangeOf(e.start, e.end),
        severity: 'error',
        code: 'syntax',
        message: clipMessage(e.message),
        fixes: [],
      });
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
export function overRuleCap(findings: Finding[], path: string, file: SourceFile): boolean {
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

export function syntaxCapped(model: ConfigModel): boolean {
  for (const file of model.files.values()) if (file.errors.length > FINDING_LIMITS.perRulePerFile) return true;
  return false;
}

/** A message of reasonable length: a parse error may quote a token of megabytes. */
function clipMessage(m: string): string {
  return m.length > FINDING_LIMITS.messageChars ? `${m.slice(0, FINDING_LIMITS.messageChars - 1)}…` : m;
}

/** The one finding that stands for a rule's findings past the cap in one file. */
export function overflowFinding(o: { rule: Rule; path: string; range: Range; count: number }): Finding {
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
export function capPerFile(findings: Finding[]): { findings: Finding[]; capped: boolean } {
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
    out.push(
      long
        ? {
            ...f,
            message: clipMessage(f.message),
            ...(f.related ? { related: f.related.map((r) => ({ ...r, message: clipMessage(r.message) })) } : {}),
          }
        : f,
    );
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

/**
 * The locations the endpoint test and CodeLens offer: WebSocket intent and a proxy_pass. A location
 * of a file the config reads twice is listed once; `repeats` false says no file is (`model.revisited`
 * is empty), and then no Set of every location is needed.
 */
export function wsLocationsOf(locations: LocationInfo[], repeats = true): { list: WsLocation[]; units: (Scope | null)[] } {
  const list: WsLocation[] = [];
  /** The unit (see `unitOf`) of each entry, for incremental updates. */
  const units: (Scope | null)[] = [];
  const seenLoc = repeats ? new Set<Directive>() : null;
  for (let i = 0; i < locations.length; i++) {
    const l = locations[i]!;
    if (l.intent === null || !l.proxyPass) continue;
    if (seenLoc) {
      if (seenLoc.has(l.directive)) continue;
      seenLoc.add(l.directive);
    }
    list.push(wsLocation(l));
    units.push(unitOf(l.scope));
  }
  return { list, units };
}

function wsLocation(l: LocationInfo): WsLocation {
  const { modifier, path } = locationPath(l.directive);
  return new WsLocationEntry(l, path, modifier);
}

/**
 * A WebSocket location as the shells see it. A class, not an object literal: a literal with a getter
 * (`range`) is made in V8's dictionary mode, a hash table of its own per location (20,000 of them,
 * 8.7 MB, on a 15 MB config); instances of a class share one shape and the getter sits on the prototype.
 */
class WsLocationEntry implements WsLocation {
  path: string;
  directive: Directive;
  locationPath: string;
  modifier: string;
  intent: WsLocation['intent'];
  server: Directive | null;
  serverDirectives: Directive[];
  proxyPass: Directive | null;

  constructor(l: LocationInfo, locationPath: string, modifier: string) {
    this.path = l.directive.file.uri;
    this.directive = l.directive;
    this.locationPath = locationPath;
    this.modifier = modifier;
    this.intent = l.intent ?? 'recipe';
    this.server = l.server?.directive ?? null;
    this.serverDirectives = l.server?.items ?? [];
    this.proxyPass = l.proxyPass;
  }

  /** From the directive's offsets when read: they stay current when the file is updated in place. */
  get range(): Range {
    const h = head(this.directive);
    return h.file.rangeOf(h.start, h.end);
  }
}

/** The `server` scope directly in `http` that holds `scope`, if any: the unit an incremental update re-checks. */
export function unitOf(scope: Scope | null): Scope | null {
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
export function unitSignatures(
  model: ConfigModel,
  locations: LocationInfo[],
  definitions: Map<string, VariableDefinition[]>,
  ports: Map<string, number>,
  only?: Scope,
): Map<Scope, string> {
  const parts = new Map<Scope, string[]>();
  const note = (unit: Scope | null, part: string) => {
    if (!unit || (only && unit !== only)) return;
    const l = parts.get(unit);
    if (l) l.push(part);
    else parts.set(unit, [part]);
  };
  // A `set` value decides whether a Connection variable can yield `upgrade` (WebSocket intent) elsewhere.
  for (const [name, defs] of definitions)
    for (const def of defs)
      note(unitOf(def.scope), `def ${name}${def.directive.name === 'set' ? ` ${def.directive.argRaw(1) ?? ''}` : ''}`);
  // Where a server listens decides which server a handshake reaches (and which ports others share); its
  // names decide it when another server listens on one of its ports.
  for (const s of only ? [only] : (model.scopes.get('server') ?? [])) {
    if (s.parent?.kind !== 'http') continue;
    const shared = portsOf(s).some((p) => (ports.get(p) ?? 0) > 1);
    for (const d of s.items) if (d.name === 'listen' || (shared && d.name === 'server_name')) note(s, `route ${d.name} ${rawArgs(d)}`);
  }
  for (const l of locations) {
    if (l.intent === null || !l.proxyPass) continue;
    const upstream = proxyUpstream(model, l.proxyPass);
    if (!upstream || !own(upstream, 'keepalive').length) continue;
    note(unitOf(l.scope), `keepalive ${lastHeader(l, 'connection')?.value ?? ''} ${upstream.directive?.arg(0) ?? ''}`);
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
    const v = d.arg(0) ?? '';
    return /(\d+)$/.exec(v)?.[1] ?? v;
  });
}

/** How many servers directly in `http` listen on each port. */
export function portCounts(model: ConfigModel): Map<string, number> {
  const ports = new Map<string, number>();
  for (const s of model.scopes.get('server') ?? []) {
    if (s.parent?.kind !== 'http') continue;
    for (const p of new Set(portsOf(s))) ports.set(p, (ports.get(p) ?? 0) + 1);
  }
  return ports;
}

export type PathPattern = { test(path: string): boolean };

/**
 * `websocketPathPatterns`, case-insensitive, on the linear-time engine (a setting from an
 * untrusted workspace must not hang the server with `^/(a+)+$`). A pattern that is invalid or
 * uses what RE2 cannot evaluate matches nothing; the server logs why when settings load.
 */
export function compilePatterns(patterns: string[]): PathPattern[] {
  const out: PathPattern[] = [];
  for (const p of patterns) {
    const re = compileNginxRegex(p, true);
    if (re.ok) out.push(re);
  }
  return out;
}

/** What the user sees of the raw findings: inline suppressions applied, and no fix that edits a file with syntax errors. */
export function finalizeFindings(raw: Finding[], files: Map<string, SourceFile>, settings: EngineSettings): Finding[] {
  return applySuppressions(withoutFixesInBrokenFiles(raw, files), files, settings);
}

/** A snippet included twice is analysed in both contexts; identical findings are reported once. */
export function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.path}|${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}|${f.code}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A directive's arguments as written, joined by a space (read without making their nodes). */
function rawArgs(d: Directive): string {
  let out = '';
  for (let i = 0, n = d.argCount; i < n; i++) out += (i ? ' ' : '') + d.argRaw(i)!;
  return out;
}

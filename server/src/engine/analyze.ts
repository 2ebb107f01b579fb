/**
 * Whole analysis of one config: parse the root and its includes, build the
 * scope model, classify locations, run the rules.
 */
import type { Directive, Range, SourceFile } from './syntax/ast';
import { buildModel, type ConfigModel, type ParseCache } from './model/config';
import { collectDefinitions } from './model/variables';
import { classifyLocation, locationPath } from './model/websocket';
import { RULES } from './rules/index';
import { RuleContext, head } from './rules/rule';
import { DEFAULT_SETTINGS, type EngineSettings, type FileHost, type Finding } from './types';

export interface WsLocation {
  /** File that holds the location. */
  path: string;
  /** The `location` directive. */
  directive: Directive;
  /** Range of the location's first line (name and arguments), for a CodeLens. */
  range: Range;
  /** The location's path or regex, e.g. `/ws/`. */
  locationPath: string;
  /** `''`, `=`, `~`, `~*`, `^~` or `@`. */
  modifier: string;
  /** Why it counts as a WebSocket location. */
  intent: 'recipe' | 'path' | 'setting';
  /** The enclosing `server` directive, if any. */
  server: Directive | null;
  /** Directives of the enclosing server block, includes expanded (listen, server_name, ...). */
  serverDirectives: Directive[];
  /** The location's `proxy_pass` directive, if any. */
  proxyPass: Directive | null;
}

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
}

export function analyze(rootPath: string, host: FileHost, settings: EngineSettings = DEFAULT_SETTINGS, cache?: ParseCache): Analysis {
  const model = buildModel(rootPath, host, settings, cache);
  const findings: Finding[] = [];
  for (const [path, file] of model.files) {
    for (const e of file.errors) {
      findings.push({ path, range: file.rangeOf(e.start, e.end), severity: 'error', code: 'syntax', message: e.message, fixes: [] });
    }
  }
  for (const f of model.findings) findings.push(f);

  const patterns = compilePatterns(settings.websocketPathPatterns);
  const locations = (model.scopes.get('location') ?? []).filter((s) => s.directive?.block).map((s) => classifyLocation(s, patterns));
  const ctx = new RuleContext(model, settings, locations, collectDefinitions(model), !model.scopes.has('http'));
  for (const rule of RULES) {
    if (settings.rules[rule.id] === 'off') continue;
    try {
      ctx.run(rule);
    } catch (err) {
      // One faulty rule must not take the others (or the server) down; say so where the user looks.
      const root = model.files.get(rootPath);
      findings.push({
        path: rootPath,
        range: root ? root.rangeOf(0, 0) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 'information',
        code: rule.id,
        message: `Rule ${rule.id} could not check this file: ${err instanceof Error ? err.message : String(err)}`,
        fixes: [],
      });
    }
  }
  // No spread: a hostile file can produce more findings than a call may take arguments.
  for (const f of ctx.findings) findings.push(f);

  const wsLocations: WsLocation[] = [];
  const seenLoc = new Set<Directive>();
  for (const l of locations) {
    if (!(l.intent !== null && l.proxyPass) && !l.extendedConnect) continue;
    if (seenLoc.has(l.directive)) continue;
    seenLoc.add(l.directive);
    const { modifier, path } = locationPath(l.directive);
    const h = head(l.directive);
    wsLocations.push({
      path: l.directive.file.uri,
      directive: l.directive,
      range: h.file.rangeOf(h.start, h.end),
      locationPath: path,
      modifier,
      intent: l.intent ?? 'recipe',
      server: l.server?.directive ?? null,
      serverDirectives: l.server?.items ?? [],
      proxyPass: l.proxyPass,
    });
  }

  const upstreams = new Map<string, Directive>();
  for (const u of model.scopes.get('upstream') ?? []) {
    const name = u.directive?.args[0]?.value;
    if (name && !upstreams.has(name)) upstreams.set(name, u.directive!);
  }
  return { files: model.files, findings: dedupe(findings), wsLocations, upstreams, model };
}

function compilePatterns(patterns: string[]): RegExp[] {
  const out: RegExp[] = [];
  for (const p of patterns) {
    try {
      out.push(new RegExp(p, 'i'));
    } catch {
      // An invalid user pattern matches nothing; the settings UI shows the raw string.
    }
  }
  return out;
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

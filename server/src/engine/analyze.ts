/**
 * Whole analysis of one config: parse the root and its includes, build the
 * scope model, classify locations, run the rules. With `previous`, the
 * incremental form for editors (analysis/update.ts) is tried first.
 */
import type { Directive } from './syntax/ast';
import { generationOf } from './syntax/incremental';
import { buildModel, type ConfigModel, type ParseCache } from './model/config';
import { collectDefinitions, variableCanYield } from './model/variables';
import { classifyLocation, type WsLocation } from './model/websocket';
import { suppressionCheck } from './suppressions';
import { RuleContext } from './rules/rule';
import { RequestModel } from './request/model';
import { DEFAULT_SETTINGS, type EngineSettings, type FileHost, type Finding } from './types';
import { AnalysisCache, type Analysis } from './analysis/state';
import { update } from './analysis/update';
import {
  capPerFile,
  compilePatterns,
  dedupe,
  finalizeFindings,
  overflowFinding,
  portCounts,
  runRules,
  syntaxCapped,
  syntaxFindings,
  unitSignatures,
  withDeclaredVersion,
  wsLocationsOf,
} from './analysis/steps';

export type { Analysis, WsLocation };

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

/**
 * Analyses the config at `rootPath`. With `previous` (an analysis of the
 * same root with the same settings and parse cache) and files updated in
 * place since, only the `server` block an edit touched is checked again,
 * when that is exact; otherwise the whole config is.
 */
export function analyze(
  rootPath: string,
  host: FileHost,
  settings: EngineSettings = DEFAULT_SETTINGS,
  cache?: ParseCache,
  previous?: Analysis,
  internals: AnalyzeInternals = {},
): Analysis {
  if (previous && cache && previous.model.rootPath === rootPath) {
    const updated = update(previous, host, settings, cache);
    if (updated) return updated;
  }
  const model = buildModel(rootPath, host, settings, cache);
  const findings = syntaxFindings(model);
  for (const f of model.findings) findings.push(f);

  const patterns = compilePatterns(settings.websocketPathPatterns);
  // The definitions, from the directives of the names that can make one. (The variable uses are listed when a rule
  // first asks, once per run: variableUses with the context's cache.)
  const definitions = collectDefinitions(model);
  const canUpgrade = (name: string) => variableCanYield(definitions, name, 'upgrade');
  const locations = (model.scopes.get('location') ?? [])
    .filter((s) => s.directive?.block)
    .map((s) => classifyLocation(s, patterns, canUpgrade));
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

  const repeats = model.revisited.size > 0;
  // The WebSocket locations and the upstreams are made when first read (20,000 of each on the 15 MB config): a
  // one-shot run reads them only for some commands (`test`, `endpoints`, `prove`; `lint` does not), and an editor
  // publishes the findings before it reads them (`settle`).
  let ws: ReturnType<typeof wsLocationsOf> | undefined;
  const wsOf = () => (ws ??= wsLocationsOf(locations, repeats));
  // What only the rules needed is not kept with the analysis: each part is rebuilt when something asks again (an
  // incremental update re-checks one server from its subtree; a hover in an included file walks the flat lists).
  requests.releaseLocations();
  model.cache.flat = undefined;
  const raw = dedupe(findings);
  const capped = capPerFile(finalizeFindings(raw, model.files, settings));
  const analysis: Analysis = {
    files: model.files,
    findings: capped.findings,
    wsLocations: [],
    upstreams: new Map<string, Directive>(),
    model,
    requests,
    cache: new AnalysisCache(),
  };
  lazily(analysis, 'wsLocations', () => wsOf().list);
  lazily(analysis, 'upstreams', () => upstreamsOf(model));
  // A capped file's findings depend on the order they were made in: only a whole analysis gives them exactly.
  if (!internals.oneShot && cache && !failed.length && !capped.capped && !ctx.overflow.size && !syntaxCapped(model)) {
    // What tells an edit apart is taken now; the signatures of each server are made by `settle`, from the same model.
    const generations = new Map<string, number>();
    for (const [p, f] of model.files) generations.set(p, generationOf(f));
    const webSocketsUseKeepalive = ctx.webSocketsUseKeepalive;
    analysis.cache.defer(() => {
      // An update reads the locations and upstreams of the analysis it updates after changing its files: made now.
      void analysis.wsLocations;
      void analysis.upstreams;
      const ports = portCounts(model);
      return {
        settings,
        patterns,
        generations,
        definitions,
        webSocketsUseKeepalive,
        lenient,
        units: unitSignatures(model, locations, definitions, ports),
        ports,
        wsUnits: wsOf().units,
        raw,
      };
    });
  }
  return analysis;
}

/**
 * Makes what a whole analysis leaves for after its findings are out: the
 * WebSocket locations, the upstreams and the state an incremental update
 * needs. An editor calls it right after publishing, in the same turn (before
 * anything can change the analysis's files in place); other callers need not:
 * each part is made when first read.
 */
export function settle(analysis: Analysis): void {
  void analysis.wsLocations;
  void analysis.upstreams;
  analysis.cache.settle();
}

/** The first `upstream` block of each name. */
function upstreamsOf(model: ConfigModel): Map<string, Directive> {
  const upstreams = new Map<string, Directive>();
  for (const u of model.scopes.get('upstream') ?? []) {
    const name = u.directive?.arg(0);
    if (name && !upstreams.has(name)) upstreams.set(name, u.directive!);
  }
  return upstreams;
}

/** Makes `key` of `obj` when first read, and keeps it (a write replaces it). */
function lazily<T extends object, K extends keyof T>(obj: T, key: K, make: () => T[K]): void {
  let value: T[K] | undefined;
  let made = false;
  Object.defineProperty(obj, key, {
    get: () => {
      if (!made) {
        value = make();
        made = true;
      }
      return value;
    },
    set: (v: T[K]) => {
      value = v;
      made = true;
    },
    enumerable: true,
    configurable: true,
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
export function lintText(
  text: string,
  path = '/virtual/nginx.conf',
  settings: EngineSettings = DEFAULT_SETTINGS,
  host?: FileHost,
): Finding[] {
  return analyze(path, host ?? singleFileHost(path, text), settings).findings.filter((f) => f.path === path);
}

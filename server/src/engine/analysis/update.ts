/**
 * The incremental analysis for editors: after an edit inside one `server`
 * block (directly in `http`), only that block is checked again and the
 * other findings are carried over, moved with the text, when that gives
 * exactly what a whole analysis would (ARCHITECTURE.md invariant 10; tests
 * compare both on random edits).
 */
import type { Directive, Position, Range, SourceFile } from '../syntax/ast';
import { generationOf, lastReparse, updateText, type BlockReparse } from '../syntax/incremental';
import { descendants, includesAnything, rebuildScope, subtreeDirectives, type ParseCache, type Scope } from '../model/config';
import { definitionsIn, variableCanYield } from '../model/variables';
import { classifyLocation, type LocationInfo } from '../model/websocket';
import { sameStyle } from '../fixes/edits';
import { suppressionCheck } from '../suppressions';
import { RuleContext } from '../rules/rule';
import type { EngineSettings, FileHost, Finding, Fix, RelatedInfo } from '../types';
import { AnalysisCache, type Analysis } from './state';
import {
  capPerFile,
  dedupe,
  finalizeFindings,
  overRuleCap,
  runRules,
  syntaxCapped,
  syntaxFindings,
  unitOf,
  unitSignatures,
  withDeclaredVersion,
  wsLocationsOf,
} from './steps';

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
export function update(previous: Analysis, host: FileHost, settings: EngineSettings, cache: ParseCache): Analysis | null {
  const st = previous.cache.update;
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
  for (const s of descendants(unit))
    if (s.kind === 'location' && s.directive?.block) locations.push(classifyLocation(s, st.patterns, canUpgrade));
  const signature = unitSignatures(model, locations, own, st.ports, unit).get(unit) ?? '';
  if (signature !== oldSignature) return null;

  const requests = previous.requests.updatedFor(unit, definitions);
  const ctx = new RuleContext(model, withDeclaredVersion(settings, model), locations, definitions, st.lenient, requests, {
    scope: unit,
    webSocketsUseKeepalive: st.webSocketsUseKeepalive,
  });
  ctx.suppressedIn = suppressionCheck;
  if (runRules(ctx, settings).length || ctx.overflow.size || syntaxCapped(model)) return null;

  // Findings: fresh syntax findings; the old ones outside the server (moved with the text); the new ones inside it.
  const oldStart = server.start;
  const oldEnd = server.end - change.delta;
  // Ranges after the server keep their characters unless they share the line where the change ends; lines move by lineDelta.
  const changeEndLine = change.oldLines.positionAt(change.oldChangeEnd).line;
  const lineDelta = file.lines.lineCount - change.oldLines.lineCount;
  const movedPos = (p: Position): Position =>
    p.line > changeEndLine
      ? { line: p.line + lineDelta, character: p.character }
      : file.lines.positionAt(change.oldLines.offsetAt(p) + change.delta);
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
  const analysis: Analysis = {
    files: previous.files,
    findings: capped.findings,
    wsLocations,
    upstreams: previous.upstreams,
    model,
    requests,
    cache: new AnalysisCache(),
  };
  // `previous` is used up: its state moves on to the new analysis.
  st.generations.set(path, generationOf(file));
  analysis.cache.update = st;
  previous.cache.update = undefined;
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

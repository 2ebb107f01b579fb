/**
 * The phases of one analysis, in order, each run through `measure` (CPU time
 * in phases.ts, allocated bytes in alloc.ts), so both scripts measure the same
 * thing the same way.
 */
import { parse } from '../server/src/engine/syntax/parser';
import { lintText } from '../server/src/engine/index';
import { buildModel, flatDirectives } from '../server/src/engine/model/config';
import { collectDefinitions } from '../server/src/engine/model/variables';
import { classifyLocation } from '../server/src/engine/model/websocket';
import { RULES } from '../server/src/engine/rules/index';
import { RuleContext } from '../server/src/engine/rules/rule';
import { RequestModel } from '../server/src/engine/request/model';
import { DEFAULT_SETTINGS, type FileHost } from '../server/src/engine/types';

export type Measure = <T>(phase: string, fn: () => T) => T;

export function runPhases(text: string, path: string, host: FileHost, measure: Measure): unknown[] {
  const keep: unknown[] = [];
  keep.push(measure('parse', () => parse(text, path)));
  const model = measure('buildModel (incl. parse)', () => buildModel(path, host, DEFAULT_SETTINGS));
  measure('flatten', () => flatDirectives(model));
  const locs = measure('classifyLocation', () =>
    (model.scopes.get('location') ?? []).filter((s) => s.directive?.block).map((s) => classifyLocation(s, [])),
  );
  const defs = measure('collectDefinitions', () => collectDefinitions(model));
  const requests = new RequestModel(model, defs);
  const ctx = new RuleContext(model, DEFAULT_SETTINGS, locs, defs, !model.scopes.has('http'), requests);
  for (const r of RULES) measure(`rule ${r.id}`, () => ctx.run(r));
  keep.push(measure('lintText (whole)', () => lintText(text, path)));
  return keep;
}

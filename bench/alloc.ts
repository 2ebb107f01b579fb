/**
 * Bytes allocated per analysis phase on the generated 1.5 MB config. Run with
 * a young generation large enough that no GC happens inside a phase, so the
 * heap growth of a phase is what it allocated (garbage included):
 *
 *   node --expose-gc --max-semi-space-size=1024 --import tsx bench/alloc.ts
 */
import { parse } from '../server/src/engine/syntax/parser';
import { buildModel, flatDirectives } from '../server/src/engine/model/config';
import { collectDefinitions } from '../server/src/engine/model/variables';
import { classifyLocation } from '../server/src/engine/model/websocket';
import { RULES } from '../server/src/engine/rules/index';
import { RuleContext } from '../server/src/engine/rules/rule';
import { lintText } from '../server/src/engine/index';
import { DEFAULT_SETTINGS, type FileHost } from '../server/src/engine/types';
import { generateConfig } from './generate';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const text = generateConfig({ servers: 2000 });
const path = '/bench/nginx.conf';
const host: FileHost = {
  readFile: (p) => (p === path ? text : undefined),
  glob: () => [],
  dirname: (p) => p.slice(0, Math.max(0, p.lastIndexOf('/'))) || '/',
  resolve: (dir, rel) => (rel.startsWith('/') ? rel : `${dir.replace(/\/$/, '')}/${rel}`),
};
const rows: [string, number, number][] = [];
function measure<T>(k: string, fn: () => T): T {
  gc!();
  const h0 = process.memoryUsage().heapUsed;
  const r = fn();
  const h1 = process.memoryUsage().heapUsed;
  gc!();
  const h2 = process.memoryUsage().heapUsed;
  rows.push([k, (h1 - h0) / 1048576, (h2 - h0) / 1048576]);
  return r;
}
for (let round = 0; round < 3; round++) {
  rows.length = 0;
  const keep: unknown[] = [];
  keep.push(measure('parse', () => parse(text, path)));
  const model = measure('buildModel (incl. parse)', () => buildModel(path, host, DEFAULT_SETTINGS));
  measure('flatten', () => flatDirectives(model));
  const locs = measure('classifyLocation', () => (model.scopes.get('location') ?? []).filter((s) => s.directive?.block).map((s) => classifyLocation(s, [])));
  const defs = measure('collectDefinitions', () => collectDefinitions(model));
  const ctx = new RuleContext(model, DEFAULT_SETTINGS, locs, defs, !model.scopes.has('http'));
  for (const r of RULES) measure(`rule ${r.id}`, () => ctx.run(r));
  measure('lintText (whole)', () => lintText(text, path));
  keep.length = 0;
}
console.log('phase'.padEnd(40), 'allocated MB', 'retained MB');
for (const [k, a, r] of rows) console.log(k.padEnd(40), a.toFixed(2).padStart(12), r.toFixed(2).padStart(11));

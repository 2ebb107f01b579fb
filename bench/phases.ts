/**
 * Per-phase CPU time of one analysis of the generated 1.5 MB config, best of
 * N runs (CPU time, not wall time: the machine is shared, and best-of-N
 * filters out time slices lost to other processes).
 *
 *   node --import tsx bench/phases.ts [--servers 2000] [--runs 15]
 */
import { parse } from '../server/src/engine/syntax/parser';
import { lintText } from '../server/src/engine/index';
import { buildModel, flatDirectives } from '../server/src/engine/model/config';
import { collectDefinitions } from '../server/src/engine/model/variables';
import { classifyLocation } from '../server/src/engine/model/websocket';
import { RULES } from '../server/src/engine/rules/index';
import { RuleContext } from '../server/src/engine/rules/rule';
import { DEFAULT_SETTINGS, type FileHost } from '../server/src/engine/types';
import { generateConfig } from './generate';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || def : def;
};
const servers = opt('--servers', 2000);
const runs = opt('--runs', 15);
const text = generateConfig({ servers });
const path = '/bench/nginx.conf';
const host: FileHost = {
  readFile: (p) => (p === path ? text : undefined),
  glob: () => [],
  dirname: (p) => p.slice(0, Math.max(0, p.lastIndexOf('/'))) || '/',
  resolve: (dir, rel) => (rel.startsWith('/') ? rel : `${dir.replace(/\/$/, '')}/${rel}`),
};

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const best = new Map<string, number>();
const note = (k: string, ms: number) => best.set(k, Math.min(best.get(k) ?? Infinity, ms));
function time<T>(k: string, fn: () => T): T {
  const t = cpu();
  const r = fn();
  note(k, cpu() - t);
  return r;
}

for (let i = 0; i < runs + 2; i++) {
  time('parse', () => parse(text, path));
  const model = time('buildModel (incl. parse)', () => buildModel(path, host, DEFAULT_SETTINGS));
  time('flatten', () => flatDirectives(model));
  const locs = time('classifyLocation', () => (model.scopes.get('location') ?? []).filter((s) => s.directive?.block).map((s) => classifyLocation(s, [])));
  const defs = time('collectDefinitions', () => collectDefinitions(model));
  const ctx = new RuleContext(model, DEFAULT_SETTINGS, locs, defs, !model.scopes.has('http'));
  for (const r of RULES) time(`rule ${r.id}`, () => ctx.run(r));
  time('lintText (whole)', () => lintText(text, path));
}
const total = [...best].filter(([k]) => k.startsWith('rule ')).reduce((a, [, v]) => a + v, 0);
console.log(`${servers} servers, ${(text.length / 1048576).toFixed(2)} MB, best of ${runs + 2} (CPU ms)`);
for (const [k, v] of best) console.log(`${k.padEnd(44)} ${v.toFixed(1).padStart(8)}`);
console.log(`${'rules total'.padEnd(44)} ${total.toFixed(1).padStart(8)}`);

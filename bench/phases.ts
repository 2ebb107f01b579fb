/**
 * Per-phase CPU time of one analysis of the generated 1.5 MB config, best of
 * N runs (CPU time, not wall time: the machine is shared, and best-of-N
 * filters out time slices lost to other processes).
 *
 *   node --import tsx bench/phases.ts [--servers 2000] [--runs 15] [--shape ws|site]
 */
import { singleFileHost } from '../server/src/engine/index';
import { runPhases } from './run-phases';
import { generateConfig } from './generate';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || def : def;
};
const servers = opt('--servers', 2000);
const runs = opt('--runs', 15);
const shape = args.includes('--shape') ? (args[args.indexOf('--shape') + 1] as 'ws' | 'site') : 'ws';
const text = generateConfig({ servers, shape });
const path = '/bench/nginx.conf';
const host = singleFileHost(path, text);

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
  runPhases(text, path, host, time);
}
const total = [...best].filter(([k]) => k.startsWith('rule ')).reduce((a, [, v]) => a + v, 0);
console.log(`${servers} servers, ${(text.length / 1048576).toFixed(2)} MB, best of ${runs + 2} (CPU ms)`);
for (const [k, v] of best) console.log(`${k.padEnd(44)} ${v.toFixed(1).padStart(8)}`);
console.log(`${'rules total'.padEnd(44)} ${total.toFixed(1).padStart(8)}`);

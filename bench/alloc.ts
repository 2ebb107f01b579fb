/**
 * Bytes allocated per analysis phase on the generated 1.5 MB config (JS heap
 * and typed arrays). Run with a young generation large enough that no GC
 * happens inside a phase, so the heap growth of a phase is what it allocated
 * (garbage included):
 *
 *   node --expose-gc --max-semi-space-size=1024 --import tsx bench/alloc.ts
 */
import { singleFileHost } from '../server/src/engine/index';
import { runPhases } from './run-phases';
import { generateConfig } from './generate';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const text = generateConfig({ servers: 2000 });
const path = '/bench/nginx.conf';
const host = singleFileHost(path, text);
const rows: [string, number, number][] = [];
/** JS heap plus typed-array memory, which lives outside the heap (the parser's compact tree is typed arrays). */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
function measure<T>(k: string, fn: () => T): T {
  gc!();
  const h0 = used();
  const r = fn();
  const h1 = used();
  gc!();
  const h2 = used();
  rows.push([k, (h1 - h0) / 1048576, (h2 - h0) / 1048576]);
  return r;
}
for (let round = 0; round < 3; round++) {
  rows.length = 0;
  const keep = runPhases(text, path, host, measure);
  keep.length = 0;
}
console.log('phase'.padEnd(40), 'allocated MB', 'retained MB');
for (const [k, a, r] of rows) console.log(k.padEnd(40), a.toFixed(2).padStart(12), r.toFixed(2).padStart(11));

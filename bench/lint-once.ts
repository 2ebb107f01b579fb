/**
 * Child process for the benchmark: lints one config file with the engine and
 * prints `{ firstMs, runs: number[], findings, maxRssKb }` as JSON on stdout.
 * Run in its own process so its peak memory is its own and a slow lint can be
 * cut off by the parent's timeout.
 *
 *   node --import tsx bench/lint-once.ts FILE [RUNS]
 */
import { readFileSync } from 'node:fs';
import { lintText } from '../server/src/engine/index';

const [file, runsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: lint-once.ts FILE [RUNS]');
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
const runs: number[] = [];
let findings = 0;
const total = Math.max(1, Number(runsArg) || 1);
for (let i = 0; i < total; i++) {
  const t = performance.now();
  findings = lintText(text, '/bench/nginx.conf').length;
  runs.push(performance.now() - t);
}
console.log(JSON.stringify({ firstMs: runs[0], runs, findings, maxRssKb: process.resourceUsage().maxRSS }));

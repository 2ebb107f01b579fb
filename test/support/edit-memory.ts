/**
 * Child process of incremental-memory.test.ts (run with --expose-gc): opens
 * the generated 1.35 MB config, applies EDITS incremental edits to distinct
 * server blocks, and prints the live heap (after a full GC) before and after
 * as JSON.
 */
import { analyze } from '../../server/src/engine/analyze';
import { DEFAULT_SETTINGS } from '../../server/src/engine/types';
import { singleFileHost } from '../../server/src/engine/index';
import { generateConfig } from '../../bench/generate';

const EDITS = Number(process.argv[2]) || 300;
const ROOT = '/bench/nginx.conf';
let text = generateConfig({ servers: 2000 });
const host = { ...singleFileHost(ROOT, text), readFile: (p: string) => (p === ROOT ? text : undefined) };
const cache = new Map();
let analysis = analyze(ROOT, host, DEFAULT_SETTINGS, cache);
const live = () => {
  (globalThis as { gc?: () => void }).gc!();
  return process.memoryUsage().heapUsed;
};
const before = live();
let incremental = 0;
for (let i = 0; i < EDITS; i++) {
  const k = (i * 37) % 2000;
  let n = 0;
  let at = -1;
  for (const m of text.matchAll(/proxy_read_timeout 360[01]s;/g)) {
    if (n++ !== k) continue;
    at = m.index!;
    break;
  }
  // Alternately a value typed over and a line added, each a new text, as an editor sends them.
  text =
    i % 2
      ? `${text.slice(0, at + 22)}${text[at + 22] === '0' ? '1' : '0'}${text.slice(at + 23)}`
      : `${text.slice(0, at)}proxy_buffering off;\n            ${text.slice(at)}`;
  const next = analyze(ROOT, host, DEFAULT_SETTINGS, cache, analysis);
  if (next.model === analysis.model) incremental++;
  analysis = next;
}
console.log(JSON.stringify({ before, after: live(), incremental }));

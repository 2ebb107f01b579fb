/**
 * Mutation fuzzer for the parser and the linter.
 *
 * Usage:
 *   npm run fuzz                                  # ~60 s over the corpus
 *   npm run fuzz -- --seconds 600                 # longer run
 *   npm run fuzz -- --iterations 20000 --seed 42  # fixed amount of work, reproducible
 *   npm run fuzz -- --corpus /path/to/configs     # other seed files (default ../shared/corpus and /etc/nginx)
 *
 * Each iteration takes a seed config (real-world corpus files plus a
 * generated WebSocket config), applies 1-8 random mutations (byte flips,
 * deletions of `;{}"'`, duplicated or deleted slices, insertion of nginx
 * syntax characters, truncation, CRLF conversion, invalid UTF-8 bytes), and
 * runs `parse` and `lintText` on the result, and checks that the editor's
 * incremental path (the seed analysed, then the result as an in-place update
 * of it) gives the same tree and findings as a whole parse and analysis.
 * Anything that throws, or differs, is a bug:
 * the input is saved to a temp file (path printed, with the stack), and the
 * exit code is 1. An input that takes more than `--slow-ms` (default 2000) to
 * lint is reported too, since it hints at non-linear behaviour.
 *
 * Reproduce a saved case with:
 *   node --import tsx -e "import('./server/src/engine/index.ts').then(e => e.lintText(require('fs').readFileSync(process.argv[1], 'latin1')))" FILE
 * (cases are saved as bytes; read them as latin1 or utf8 as printed.)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from '../../server/src/engine/syntax/parser';
import assert from 'node:assert/strict';
import { analyze, lintText, singleFileHost, DEFAULT_SETTINGS, type Finding } from '../../server/src/engine/index';
import type { ParseCache } from '../../server/src/engine/model/config';
import { dumpTree } from '../support/tree-dump';
import { generateConfig } from '../../bench/generate';
import { CORPUS } from '../support/corpus';

interface Options {
  seconds: number;
  iterations: number;
  seed: number;
  corpus: string[];
  slowMs: number;
}

function options(argv: string[]): Options {
  const o: Options = {
    seconds: 60,
    iterations: Infinity,
    seed: Date.now() % 0x7fffffff,
    corpus: [CORPUS, '/etc/nginx'],
    slowMs: 2000,
  };
  let corpusGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${a} needs a non-negative number, got ${v}`);
      i++;
      return n;
    };
    if (a === '--seconds') o.seconds = num();
    else if (a === '--iterations') {
      o.iterations = num();
      if (!argv.includes('--seconds')) o.seconds = Infinity;
    } else if (a === '--seed') o.seed = num();
    else if (a === '--slow-ms') o.slowMs = num();
    else if (a === '--corpus' && v) {
      if (!corpusGiven) o.corpus = [];
      corpusGiven = true;
      o.corpus.push(resolve(v));
      i++;
    } else if (a === '--help' || a === '-h') {
      console.log('usage: npm run fuzz -- [--seconds N] [--iterations N] [--seed N] [--corpus DIR]... [--slow-ms N]');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return o;
}

function seedFiles(dirs: string[]): { name: string; bytes: Buffer }[] {
  const out: { name: string; bytes: Buffer }[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.size < 2_000_000 && !/LICENSE|README/i.test(n)) out.push({ name: p, bytes: readFileSync(p) });
    }
  };
  for (const d of dirs) {
    if (existsSync(d)) walk(d);
    else console.log(`fuzz: seed folder ${d} is absent, skipped`);
  }
  out.push({ name: '(generated)', bytes: Buffer.from(generateConfig({ servers: 20 })) });
  return out;
}

/** xorshift32: reproducible from --seed. */
function makeRng(seed: number) {
  let x = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)]! };
}
type Rng = ReturnType<typeof makeRng>;

const SYNTAX = [...';{}"\'#\\$()\n\r '].map((c) => c.charCodeAt(0));
const SNIPPETS = [
  '{',
  '}',
  ';',
  '"',
  "'",
  '${',
  '#',
  '\r\n',
  'if (',
  'content_by_lua_block {',
  '--[[',
  'location / {',
  '\xff\xfe',
  '\xc3',
  '\\',
];

function mutate(input: Buffer, r: Rng): Buffer {
  let b = Buffer.from(input);
  const n = 1 + r.int(8);
  for (let m = 0; m < n; m++) {
    const len = b.length;
    const at = len ? r.int(len) : 0;
    switch (r.int(9)) {
      case 0: // byte flip
        if (len) b[at] = b[at]! ^ (1 << r.int(8));
        break;
      case 1: {
        // delete one syntax character (; { } " ')
        const targets: number[] = [];
        for (let i = 0; i < len; i++) if ([59, 123, 125, 34, 39].includes(b[i]!)) targets.push(i);
        if (targets.length) {
          const i = r.pick(targets);
          b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
        }
        break;
      }
      case 2: {
        // duplicate a slice
        const l = r.int(Math.min(200, len + 1));
        const s = b.subarray(at, at + l);
        const to = r.int(len + 1);
        b = Buffer.concat([b.subarray(0, to), s, b.subarray(to)]);
        break;
      }
      case 3: {
        // delete a slice
        const l = r.int(Math.min(100, len + 1));
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + l)]);
        break;
      }
      case 4: // truncate
        b = b.subarray(0, at);
        break;
      case 5: {
        // insert a syntax character
        b = Buffer.concat([b.subarray(0, at), Buffer.from([r.pick(SYNTAX)]), b.subarray(at)]);
        break;
      }
      case 6: {
        // insert an nginx-ish snippet (some are invalid UTF-8)
        b = Buffer.concat([b.subarray(0, at), Buffer.from(r.pick(SNIPPETS), 'latin1'), b.subarray(at)]);
        break;
      }
      case 7: // CRLF line endings
        b = Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
        break;
      default: // random byte
        if (len) b[at] = r.int(256);
    }
  }
  return b;
}

function main(): number {
  let o: Options;
  try {
    o = options(process.argv.slice(2));
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}`);
    return 2;
  }
  const seeds = seedFiles(o.corpus);
  const r = makeRng(o.seed);
  const outDir = mkdtempSync(join(tmpdir(), 'nginx-ws-fuzz-'));
  const deadline = Date.now() + o.seconds * 1000;
  console.log(
    `fuzz: seed ${o.seed}, ${seeds.length} seed files, ${o.seconds === Infinity ? '' : `${o.seconds} s`}${o.iterations === Infinity ? '' : ` ${o.iterations} iterations`}; failures go to ${outDir}`,
  );

  let iterations = 0;
  let failures = 0;
  let slow = 0;
  let bytes = 0;
  let lastReport = Date.now();
  while (iterations < o.iterations && Date.now() < deadline) {
    const seed = r.pick(seeds);
    const input = mutate(seed.bytes, r);
    iterations++;
    bytes += input.length;
    for (const encoding of ['utf8', 'latin1'] as const) {
      const text = input.toString(encoding);
      const started = performance.now();
      try {
        parse(text, 'fuzz.conf');
        lintText(text, '/fuzz/nginx.conf');
        incrementalAgrees(seed.bytes.toString(encoding), text);
      } catch (e) {
        failures++;
        const file = join(outDir, `crash-${iterations}-${encoding}.conf`);
        writeFileSync(file, input);
        console.log(`FAIL (${encoding}) from ${seed.name}: ${(e as Error).stack ?? String(e)}\n  reproducer: ${file}`);
        continue;
      }
      const ms = performance.now() - started;
      if (ms > o.slowMs) {
        slow++;
        const file = join(outDir, `slow-${iterations}-${encoding}.conf`);
        writeFileSync(file, input);
        console.log(`SLOW (${encoding}) ${ms.toFixed(0)} ms on ${input.length} bytes from ${seed.name}\n  reproducer: ${file}`);
      }
    }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      console.log(`fuzz: ${iterations} inputs, ${(bytes / 1e6).toFixed(1)} MB, ${failures} failures`);
    }
  }
  console.log(
    `fuzz: done, ${iterations} inputs (${(bytes / 1e6).toFixed(1)} MB, each as utf8 and latin1), ${failures} failures, ${slow} slow; seed ${o.seed}`,
  );
  return failures ? 1 : 0;
}

/**
 * The editor's path: the seed analysed, then the mutated text as an update
 * of it (in place where the change allows), must equal a whole parse and a
 * whole analysis of the mutated text. Throws on a difference.
 */
function incrementalAgrees(before: string, after: string): void {
  const path = '/fuzz/nginx.conf';
  let text = before;
  const host = { ...singleFileHost(path, before), readFile: (p: string) => (p === path ? text : undefined) };
  const cache: ParseCache = new Map();
  const previous = analyze(path, host, DEFAULT_SETTINGS, cache);
  text = after;
  const updated = analyze(path, host, DEFAULT_SETTINGS, cache, previous);
  assert.deepEqual(dumpTree(updated.files.get(path)!), dumpTree(parse(after, path)), 'in-place tree equals a whole parse');
  const key = (fs: Finding[]) => fs.map((f) => JSON.stringify([f.range, f.code, f.message, f.related ?? null, f.fixes])).sort();
  assert.deepEqual(
    key(updated.findings),
    key(analyze(path, singleFileHost(path, after), DEFAULT_SETTINGS).findings),
    'incremental findings equal whole ones',
  );
}

process.exitCode = main();

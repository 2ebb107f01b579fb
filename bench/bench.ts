/**
 * `npm run bench`: every speed and memory target of issues 2 and 15, measured
 * side by side in one run, on generated configs (bench/generate.ts):
 *
 * - `bench` 1.35 MB: 2,000 servers, each with a WebSocket location, two plain
 *   locations, an upstream and a map (the config the issues call "the 1.35 MB
 *   bench config" / "the 1.4 MB file");
 * - `site` 15 MB: 20,000 servers, each with an upstream, a static location, a
 *   WebSocket location and a regex API location; and the same shape at 1.5 MB
 *   (2,000 servers), for how the time grows.
 *
 * What is measured, and how (printed with the table too):
 *
 * - One-shot CLI: `node dist/cli.js lint FILE`, a fresh process each run (the
 *   bundle `npm run build` makes; `nginx-ws` is that bundle), against
 *   `nginx -t` on the same config (under a temp prefix). Whole processes,
 *   measured from outside (bench/proc.ts): CPU time (user + system, all
 *   threads) and wall time, pinned to one CPU, the contenders taking turns
 *   round by round; best of the runs (the median next to it). Ratios are of
 *   CPU times: on a shared machine a process loses wall time waiting for the
 *   CPU, not CPU time.
 * - 15 MB: `node dist/cli.js lint --format json` against nginx-conf's bare
 *   `parse()` in its own process (bench/nc-parse.cjs) and `nginx -t`, the same
 *   way; peak RSS of the lint; the 15 MB lint's time over the 1.5 MB one's.
 * - Parsers in this process (issue 2): ours against nginx-conf's
 *   `createFromSource` and its parser tree, best of N in turns, wall time
 *   (warm: each parser has run before), next to a bare scan of the text in
 *   JavaScript (every character read once, the floor for any parser here).
 * - Language server: the real `node dist/server.js --stdio`, a fresh server
 *   for each open: didOpen of the 1.4 MB file until its first
 *   publishDiagnostics (best and median of 3 servers), and of a 300-line
 *   file (5 servers); then 50 edits inside server blocks on one server, each
 *   timed until the diagnostics of its version (debounce 0, so the figure is
 *   analysis + protocol), after 5 first edits shown apart; edits outside any
 *   server block, analysed whole, apart. Wall time seen by the client (what
 *   the user waits for), with the server's CPU time for the open next to it.
 * - Real editor: the e2e sessions (test/e2e) record, for each file they open
 *   and wait on, the time from the open to its first squiggle (extension
 *   activation included when the open activates it) in
 *   test-results/e2e-squiggle-history.json; the bench prints the
 *   distribution (`--e2e-results PATH` reads another file).
 * - The server's start, first diagnostics, first and second hover (the first
 *   reads the official reference), and the bundle and VSIX sizes
 *   (bench/startup.ts).
 * - The server never blocks (issue 11): five hovers and an edit of the small
 *   config while the 15 MB one is analysed, with the threads and
 *   single-threaded (bench/never-blocks.ts).
 *
 * Prints a table and writes bench/results/latest.json. Figures only: nothing
 * is asserted. Options: --quick (fewer runs, no nginx -t of the 15 MB
 * config), --no-lsp, --edits N, --e2e-results PATH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as ncParse } from 'nginx-conf/dist/src/parser.js';
import { NginxConfFile } from 'nginx-conf';
import { parse } from '../server/src/engine/syntax/parser';
import { LineIndex } from '../server/src/engine/syntax/ast';
import { lintText } from '../server/src/engine/index';
import { generateConfig } from './generate';
import { hasRusage, PIN_CPU, runProcess, TASKSET, type ProcRun } from './proc';
import { e2eSummary, E2E_HISTORY, phasesLine, type E2eSummary } from './e2e-results';
import { buildOnce, LspTestClient, ROOT } from '../test/support/lsp-client';
import { benchStartup, startupRows, type StartupResult } from './startup';
import { benchNeverBlocks, neverBlocksRows, type NeverBlocksRun } from './never-blocks';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const noLsp = args.includes('--no-lsp');
const argValue = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const EDITS = Number(argValue('--edits')) || 50;
const E2E_RESULTS = argValue('--e2e-results') ?? join(ROOT, E2E_HISTORY);
const WARMUP_EDITS = 5;
const NGINX = process.env.NGINX_BINARY || '/usr/sbin/nginx';
const CLI = join(ROOT, 'dist', 'cli.js');
const MB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
/**
 * Best time (ms) of each function over `rounds` rounds; in each round every function runs its share of runs
 * in turn, so a slow spell of the shared machine hits all of them alike, and best-of drops the runs it hit.
 * Wall time, not CPU time: CPU time would also count the GC's helper threads, which work for nginx-conf's
 * garbage in parallel; wall time credits it with that parallelism.
 */
function bestInTurns(rounds: number, fns: { runs: number; fn: () => void }[]): number[] {
  const best = fns.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    fns.forEach(({ runs, fn }, i) => {
      for (let k = 0; k < runs; k++) {
        const t = performance.now();
        fn();
        best[i] = Math.min(best[i]!, performance.now() - t);
      }
    });
  }
  return best;
}
const fmt = (ms: number | null | undefined) =>
  ms === null || ms === undefined || !Number.isFinite(ms)
    ? 'n/a'
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
const mbps = (bytes: number, ms: number | null) => (ms ? `${(bytes / MB / (ms / 1000)).toFixed(0)} MB/s` : 'n/a');
const mb = (kb: number | null | undefined) => (kb ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');
const ratio = (ours: number | null | undefined, theirs: number | null | undefined) =>
  ours && theirs ? `${(theirs / ours).toFixed(1)}x` : 'n/a';

/** Pins this process (all its threads) to `cpuList`; children inherit it. */
function pinSelf(cpuList: string): void {
  if (TASKSET) spawnSync(TASKSET, ['-a', '-cp', cpuList, String(process.pid)], { stdio: 'ignore' });
}

function ncTree(text: string): void {
  ncParse(text, (err) => {
    if (err) throw new Error(`nginx-conf: ${err.message}`);
  });
}
function ncConf(text: string): void {
  NginxConfFile.createFromSource(text, (err) => {
    if (err) throw err;
  });
}

/** A bare scan: every UTF-16 unit of the text read once and classified, as the least any parser in JavaScript does. */
function bareScan(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 59 /* ; */ || c === 123 /* { */ || c === 125 /* } */ || c === 10 /* \n */) n++;
  }
  return n;
}

interface ParseResult {
  bytes: number;
  oursMs: number;
  oursObjectsMs: number;
  ncTreeMs: number | null;
  ncConfMs: number | null;
  scanMs: number;
}

function benchParse(label: string, text: string, runs: number): ParseResult {
  for (let i = 0; i < 3; i++) parse(text).materialize();
  let ncOk = true;
  try {
    ncTree(text);
    ncConf(text);
  } catch (e) {
    ncOk = false;
    console.log(`  nginx-conf failed on ${label}: ${(e as Error).message}`);
  }
  const rounds = Math.max(2, Math.ceil(runs / 5));
  const per = Math.ceil(runs / rounds);
  const nc = ncOk
    ? [
        { runs: 1, fn: () => ncTree(text) },
        { runs: 1, fn: () => ncConf(text) },
      ]
    : [];
  const [scan, ours, oursObjects, ncTreeBest, ncConfBest] = bestInTurns(rounds, [
    { runs: per, fn: () => bareScan(text) },
    { runs: per, fn: () => parse(text) },
    { runs: per, fn: () => parse(text).materialize() },
    ...nc,
  ]);
  const r = {
    bytes: text.length,
    oursMs: ours!,
    oursObjectsMs: oursObjects!,
    ncTreeMs: ncOk ? ncTreeBest! : null,
    ncConfMs: ncOk ? ncConfBest! : null,
    scanMs: scan!,
  };
  console.log(
    `  parse ${label}: ours ${fmt(r.oursMs)} (${mbps(r.bytes, r.oursMs)}), bare scan ${fmt(r.scanMs)} (${mbps(r.bytes, r.scanMs)}), nginx-conf tree ${fmt(r.ncTreeMs)}, createFromSource ${fmt(r.ncConfMs)}`,
  );
  return r;
}

/** Runs of one contender: CPU and wall times, best and median. */
interface Contender {
  runs: ProcRun[];
  bestCpuMs: number | null;
  medianCpuMs: number | null;
  bestWallMs: number;
  medianWallMs: number;
  maxRssKb: number | null;
  note?: string;
}

function summarize(runs: ProcRun[], note?: string): Contender {
  const cpu = runs.map((r) => r.cpuMs).filter((x): x is number => x !== null);
  const wall = runs.map((r) => r.wallMs);
  return {
    runs,
    bestCpuMs: cpu.length ? Math.min(...cpu) : null,
    medianCpuMs: cpu.length ? median(cpu) : null,
    bestWallMs: wall.length ? Math.min(...wall) : NaN,
    medianWallMs: wall.length ? median(wall) : NaN,
    maxRssKb: runs.length && runs[0]!.maxRssKb !== null ? Math.max(...runs.map((r) => r.maxRssKb!)) : null,
    ...(note ? { note } : {}),
  };
}

/**
 * Whole processes taking turns: `rounds` rounds, in each every contender runs its share. A run that fails (exit
 * code not among `okCodes`) ends that contender with a note.
 */
function processesInTurns(
  rounds: number,
  contenders: { name: string; runs: number; cmd: string; args: string[]; okCodes: number[]; timeoutMs: number; stdout?: string }[],
): Record<string, Contender> {
  const runs = new Map<string, ProcRun[]>(contenders.map((c) => [c.name, []]));
  const notes = new Map<string, string>();
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      if (notes.has(c.name)) continue;
      for (let k = 0; k < c.runs; k++) {
        try {
          const run = runProcess(c.cmd, c.args, {
            pin: true,
            timeoutMs: c.timeoutMs,
            stdout: c.stdout,
            stderr: c.stdout ? `${c.stdout}.err` : undefined,
          });
          if (!c.okCodes.includes(run.exitCode)) {
            notes.set(
              c.name,
              `exit code ${run.exitCode}${c.stdout && existsSync(`${c.stdout}.err`) ? `: ${readFileSync(`${c.stdout}.err`, 'utf8').trim().split('\n')[0]}` : ''}`,
            );
            break;
          }
          runs.get(c.name)!.push(run);
        } catch (e) {
          notes.set(c.name, (e as Error).message.slice(0, 200));
          break;
        }
      }
    }
  }
  return Object.fromEntries(contenders.map((c) => [c.name, summarize(runs.get(c.name)!, notes.get(c.name))]));
}

function nginxArgs(prefix: string, conf: string): string[] {
  return ['-t', '-q', '-p', prefix + '/', '-c', conf, '-e', join(prefix, 'error.log')];
}

interface LspOpen {
  /** Client-side wall time, didOpen to the first publishDiagnostics, per fresh server. */
  wallMs: number[];
  /** The server's CPU time (all threads) over the same span, per server. */
  cpuMs: number[];
  note?: string;
}

interface LspResult {
  bigOpen: LspOpen;
  smallOpen: LspOpen;
  edits: number[];
  p50: number | null;
  p95: number | null;
  /** The edits right after the open, before the incremental path is compiled (not in p50/p95). */
  firstEdits: number[];
  /** Median of edits outside any server block (analysed whole). */
  wholeMs: number | null;
  vmHwmKb: number | null;
  note?: string;
}

/** The n-th match of a global regex with one group, as its index and that group. */
function nthMatch(text: string, re: RegExp, n: number): { index: number; digit: string } | null {
  let k = 0;
  for (const m of text.matchAll(re)) if (k++ === n) return { index: m.index, digit: m[1]! };
  return null;
}

function vmHwmKb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** CPU time (ms) a process has used so far, all its threads (from /proc: the scheduler's nanoseconds). */
function processCpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return null;
  }
}

/** Opens `text` in `count` fresh servers, one after the other: didOpen to the first diagnostics of version 1. */
async function lspOpens(text: string, count: number): Promise<LspOpen> {
  const out: LspOpen = { wallMs: [], cpuMs: [] };
  for (let i = 0; i < count; i++) {
    const client = await LspTestClient.start({ debounceMs: 0 });
    try {
      const uri = 'file:///bench/nginx.conf';
      const cpu0 = processCpuMs(client.child.pid);
      const t = performance.now();
      client.open(uri, text, 1);
      await client.diagnostics(uri, (p) => p.version === 1, { timeoutMs: 120_000 });
      out.wallMs.push(performance.now() - t);
      const cpu1 = processCpuMs(client.child.pid);
      if (cpu0 !== null && cpu1 !== null) out.cpuMs.push(cpu1 - cpu0);
    } catch (e) {
      out.note = (e as Error).message.slice(0, 300);
      break;
    } finally {
      await client.stop().catch(() => client.kill());
    }
  }
  return out;
}

async function benchLsp(bigText: string, smallText: string, servers: number): Promise<LspResult> {
  const bigOpen = await lspOpens(bigText, quick ? 2 : 3);
  const smallOpen = await lspOpens(smallText, quick ? 3 : 5);
  const empty: LspResult = { bigOpen, smallOpen, edits: [], p50: null, p95: null, firstEdits: [], wholeMs: null, vmHwmKb: null };
  const uri = 'file:///bench/nginx.conf';
  const client = await LspTestClient.start({ debounceMs: 0 });
  try {
    client.open(uri, bigText, 1);
    await client.diagnostics(uri, (p) => p.version === 1, { timeoutMs: 120_000 });
    // What typing does inside server blocks, one small incremental change per version, each in a different
    // server: a value typed over (same length) on even versions, a new line above it (every later line moves)
    // on odd ones.
    let current = bigText;
    let version = 1;
    const edit = async (start: number, end: number, newText: string): Promise<number> => {
      const lines = new LineIndex(current);
      const range = lines.rangeOf(start, end);
      current = current.slice(0, start) + newText + current.slice(end);
      version++;
      const v = version;
      const t0 = performance.now();
      client.change(uri, v, [{ range, text: newText }]);
      await client.diagnostics(uri, (p) => p.version === v, { timeoutMs: 60_000 });
      return performance.now() - t0;
    };
    // The first few edits after the open run the incremental path's code for the first time (the JIT compiles
    // it): timed, shown apart, and not part of p50/p95, which describe typing in a warm server.
    const edits: number[] = [];
    const firstEdits: number[] = [];
    for (let i = 0; i < WARMUP_EDITS + EDITS; i++) {
      const at = nthMatch(current, /proxy_read_timeout 360([01])s;/g, (i * 37) % servers);
      if (!at) throw new Error('no proxy_read_timeout left to edit');
      const ms =
        i % 2 === 0
          ? await edit(at.index + 22, at.index + 23, at.digit === '0' ? '1' : '0')
          : await edit(at.index, at.index, 'proxy_buffering off;\n            ');
      (i < WARMUP_EDITS ? firstEdits : edits).push(ms);
    }
    // Outside any server block (an upstream's keepalive), the whole config is analysed again: shown apart.
    const whole: number[] = [];
    for (let i = 0; i < 5; i++) {
      const at = nthMatch(current, /keepalive 1([67]);/g, (i * 53) % servers);
      if (!at) throw new Error('no keepalive left to edit');
      whole.push(await edit(at.index + 11, at.index + 12, at.digit === '6' ? '7' : '6'));
    }
    return {
      bigOpen,
      smallOpen,
      edits,
      firstEdits,
      p50: percentile(edits, 50),
      p95: percentile(edits, 95),
      wholeMs: median(whole),
      vmHwmKb: vmHwmKb(client.child.pid),
    };
  } catch (e) {
    return { ...empty, note: (e as Error).message.slice(0, 300) };
  } finally {
    await client.stop().catch(() => client.kill());
  }
}

type Row = [string, string, string, string];

async function main(): Promise<void> {
  const prefix = mkdtempSync(join(tmpdir(), 'nginx-ws-bench-'));
  try {
    const nginxVersion = existsSync(NGINX) ? spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.trim() : 'absent';
    console.log(
      `node ${process.version}, ${nginxVersion}, ${cpus().length} CPUs, load ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    console.log(
      `whole processes: ${hasRusage ? 'CPU time (user + system) and wall time from wait4' : 'wall time only (no python3 for wait4)'}${TASKSET ? `, pinned to CPU ${PIN_CPU}` : ', not pinned (no taskset)'}`,
    );
    buildOnce();
    const gitHead = (() => {
      try {
        return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
      } catch {
        return '?';
      }
    })();

    const benchText = generateConfig({ servers: 2000 });
    const siteSmallText = generateConfig({ servers: 2000, shape: 'site' });
    const siteText = generateConfig({ servers: 20000, shape: 'site' });
    const smallText = generateConfig({ servers: 12 });
    const files = { bench: join(prefix, 'bench.conf'), siteSmall: join(prefix, 'site-1.5mb.conf'), site: join(prefix, 'site-15mb.conf') };
    writeFileSync(files.bench, benchText);
    writeFileSync(files.siteSmall, siteSmallText);
    writeFileSync(files.site, siteText);
    console.log(
      `configs: bench ${(benchText.length / MB).toFixed(2)} MB, site ${(siteSmallText.length / MB).toFixed(2)} MB and ${(siteText.length / MB).toFixed(2)} MB, small ${smallText.split('\n').length} lines`,
    );

    // 1. In-process parsers (and the bare scan), this process pinned to one CPU.
    pinSelf(PIN_CPU);
    console.log('\nparsers, in this process');
    const parseBench = benchParse('bench 1.35 MB', benchText, quick ? 10 : 30);
    const parseSite = benchParse('site 15 MB', siteText, quick ? 3 : 6);
    const warmLint = (() => {
      const runs: number[] = [];
      for (let i = 0; i < (quick ? 6 : 12); i++) {
        const t = performance.now();
        lintText(benchText, '/bench/nginx.conf');
        runs.push(performance.now() - t);
      }
      const warm = runs.slice(2);
      return { bestMs: Math.min(...warm), medianMs: median(warm), firstMs: runs[0]! };
    })();
    console.log(
      `  lintText bench 1.35 MB in this process: first ${fmt(warmLint.firstMs)}, warm best ${fmt(warmLint.bestMs)} (median ${fmt(warmLint.medianMs)})`,
    );

    // 2. One-shot CLI of the bench config against nginx -t, whole processes in turns.
    console.log('\none-shot CLI, bench 1.35 MB');
    const nginxOk = existsSync(NGINX);
    const cold = processesInTurns(quick ? 2 : 4, [
      {
        name: 'lint',
        runs: 3,
        cmd: process.execPath,
        args: [CLI, 'lint', files.bench],
        okCodes: [0, 1],
        timeoutMs: 120_000,
        stdout: join(prefix, 'lint-bench.out'),
      },
      ...(nginxOk
        ? [
            {
              name: 'nginx',
              runs: 1,
              cmd: NGINX,
              args: nginxArgs(prefix, files.bench),
              okCodes: [0],
              timeoutMs: 120_000,
              stdout: join(prefix, 'nginx-bench.out'),
            },
          ]
        : []),
    ]);
    const coldLint = cold.lint!;
    const coldNginx = cold.nginx ?? summarize([], `${NGINX} not found`);
    console.log(
      `  nginx-ws lint: CPU best ${fmt(coldLint.bestCpuMs)} (median ${fmt(coldLint.medianCpuMs)}), wall best ${fmt(coldLint.bestWallMs)}, ${mb(coldLint.maxRssKb)} ${coldLint.note ?? ''}`,
    );
    console.log(
      `  nginx -t:      CPU best ${fmt(coldNginx.bestCpuMs)} (median ${fmt(coldNginx.medianCpuMs)}), wall best ${fmt(coldNginx.bestWallMs)} ${coldNginx.note ?? ''}`,
    );

    // 3. The 15 MB config: lint --format json, nginx-conf's bare parse, and the 1.5 MB lint for linearity.
    console.log('\n15 MB site config');
    const big = processesInTurns(quick ? 2 : 3, [
      {
        name: 'lint15',
        runs: 1,
        cmd: process.execPath,
        args: [CLI, 'lint', '--format', 'json', files.site],
        okCodes: [0, 1],
        timeoutMs: 300_000,
        stdout: join(prefix, 'lint-site.json'),
      },
      {
        name: 'nc15',
        runs: 1,
        cmd: process.execPath,
        args: [join(__dirname, 'nc-parse.cjs'), files.site],
        okCodes: [0],
        timeoutMs: 300_000,
        stdout: join(prefix, 'nc-site.out'),
      },
      {
        name: 'lint1',
        runs: 2,
        cmd: process.execPath,
        args: [CLI, 'lint', '--format', 'json', files.siteSmall],
        okCodes: [0, 1],
        timeoutMs: 120_000,
        stdout: join(prefix, 'lint-site-small.json'),
      },
    ]);
    let findings15: number | null = null;
    try {
      findings15 = (JSON.parse(readFileSync(join(prefix, 'lint-site.json'), 'utf8')) as { findings: unknown[] }).findings.length;
    } catch {
      // reported as n/a
    }
    const nginx15 =
      nginxOk && !quick
        ? processesInTurns(1, [
            {
              name: 'n',
              runs: 1,
              cmd: NGINX,
              args: nginxArgs(prefix, files.site),
              okCodes: [0],
              timeoutMs: 600_000,
              stdout: join(prefix, 'nginx-site.out'),
            },
          ]).n!
        : summarize([], quick ? 'skipped (--quick)' : `${NGINX} not found`);
    const [lint15, nc15, lint1] = [big.lint15!, big.nc15!, big.lint1!];
    console.log(
      `  nginx-ws lint --format json 15 MB: CPU best ${fmt(lint15.bestCpuMs)}, wall ${fmt(lint15.bestWallMs)}, peak RSS ${mb(lint15.maxRssKb)}, findings: ${findings15 ?? '?'} ${lint15.note ?? ''}`,
    );
    console.log(`  nginx-conf parse() 15 MB:          CPU best ${fmt(nc15.bestCpuMs)}, wall ${fmt(nc15.bestWallMs)} ${nc15.note ?? ''}`);
    console.log(
      `  nginx-ws lint --format json 1.5 MB: CPU best ${fmt(lint1.bestCpuMs)}, wall ${fmt(lint1.bestWallMs)} ${lint1.note ?? ''}`,
    );
    console.log(
      `  nginx -t 15 MB:                    CPU ${fmt(nginx15.bestCpuMs)}, wall ${fmt(nginx15.bestWallMs)} ${nginx15.note ?? ''}`,
    );
    pinSelf(`0-${cpus().length - 1}`);

    // 4. The language server.
    let lsp: LspResult | null = null;
    let startup: StartupResult | null = null;
    let neverBlocks: NeverBlocksRun[] | null = null;
    if (!noLsp) {
      console.log('\nlanguage server');
      lsp = await benchLsp(benchText, smallText, 2000);
      startup = (await benchStartup(undefined, quick ? 3 : 7))[0]!;
      // Issue 11: requests and an edit of a small config while the 15 MB one is analysed, with and without the threads.
      const smallLines = smallText.split('\n');
      const hoverLine = smallLines.findIndex((l) => /^\s*proxy_pass /.test(l));
      neverBlocks = await benchNeverBlocks(siteText, smallText, {
        line: hoverLine,
        character: smallLines[hoverLine]!.indexOf('proxy_pass') + 2,
      });
      console.log(
        `  open 1.4 MB: ${lsp.bigOpen.wallMs.map(fmt).join(', ')} (server CPU ${lsp.bigOpen.cpuMs.map(fmt).join(', ')}); 300 lines: ${lsp.smallOpen.wallMs.map(fmt).join(', ')}${lsp.note ? ` (${lsp.note})` : ''}`,
      );
    }

    // 5. The real editor, from the e2e sessions' records.
    const e2e: E2eSummary | null = e2eSummary(E2E_RESULTS);

    const rows: Row[] = [];
    const cpuAndWall = (c: Contender, withMedian = true) =>
      c.bestCpuMs !== null
        ? `${fmt(c.bestCpuMs)} CPU${withMedian && c.runs.length > 1 ? ` (median ${fmt(c.medianCpuMs)})` : ''}, ${fmt(c.bestWallMs)} wall`
        : `${fmt(c.bestWallMs)} wall${c.note ? ` (${c.note})` : ''}`;
    const best = (c: Contender) => c.bestCpuMs ?? c.bestWallMs;
    rows.push([`one-shot CLI: nginx-ws lint, bench 1.35 MB (${coldLint.runs.length} fresh processes)`, cpuAndWall(coldLint), '', '']);
    rows.push([
      `one-shot CLI: nginx -t, bench 1.35 MB (${coldNginx.runs.length} runs)`,
      cpuAndWall(coldNginx),
      ratio(best(coldLint), best(coldNginx)),
      '>= 10x',
    ]);
    rows.push([
      `15 MB: nginx-ws lint --format json (${lint15.runs.length} runs, findings: ${findings15 ?? '?'})`,
      cpuAndWall(lint15),
      '',
      '',
    ]);
    rows.push([
      `15 MB: nginx-conf bare parse(), own process (${nc15.runs.length} runs)`,
      cpuAndWall(nc15),
      ratio(best(lint15), best(nc15)),
      '>= 2x',
    ]);
    rows.push([
      `15 MB: nginx -t (${nginx15.runs.length} run)`,
      nginx15.runs.length ? cpuAndWall(nginx15, false) : `n/a (${nginx15.note})`,
      ratio(best(lint15), best(nginx15)),
      '>= 10x',
    ]);
    rows.push([`15 MB: lint peak RSS`, mb(lint15.maxRssKb), '', '< 250 MB']);
    rows.push([`1.5 MB site: nginx-ws lint --format json (${lint1.runs.length} runs)`, cpuAndWall(lint1), '', '']);
    rows.push([
      `15 MB lint time / 1.5 MB lint time (CPU)`,
      lint15.bestCpuMs && lint1.bestCpuMs ? `${(lint15.bestCpuMs / lint1.bestCpuMs).toFixed(1)}x` : 'n/a',
      '',
      '<= 11x',
    ]);
    for (const [label, r] of [
      ['bench 1.35 MB', parseBench],
      ['site 15 MB', parseSite],
    ] as const) {
      rows.push([
        `parse ${label}: bare scan of the text in JavaScript (the floor)`,
        `${fmt(r.scanMs)}  ${mbps(r.bytes, r.scanMs)}`,
        '',
        '',
      ]);
      rows.push([`parse ${label}: ours (compact tree)`, `${fmt(r.oursMs)}  ${mbps(r.bytes, r.oursMs)}`, '', '']);
      rows.push([
        `parse ${label}: ours + every node an object`,
        `${fmt(r.oursObjectsMs)}  ${mbps(r.bytes, r.oursObjectsMs)}`,
        ratio(r.oursObjectsMs, r.ncConfMs),
        '',
      ]);
      rows.push([
        `parse ${label}: nginx-conf createFromSource`,
        `${fmt(r.ncConfMs)}  ${mbps(r.bytes, r.ncConfMs)}`,
        ratio(r.oursMs, r.ncConfMs),
        '>= 20x',
      ]);
      rows.push([
        `parse ${label}: nginx-conf parser tree`,
        `${fmt(r.ncTreeMs)}  ${mbps(r.bytes, r.ncTreeMs)}`,
        ratio(r.oursMs, r.ncTreeMs),
        '',
      ]);
    }
    rows.push([
      `whole lint, bench 1.35 MB, in this process: warm best (median), first run`,
      `${fmt(warmLint.bestMs)} (${fmt(warmLint.medianMs)}), ${fmt(warmLint.firstMs)}`,
      '',
      '',
    ]);
    if (lsp) {
      const open = (o: LspOpen) =>
        o.wallMs.length
          ? `best ${fmt(Math.min(...o.wallMs))}, median ${fmt(median(o.wallMs))}${o.cpuMs.length ? ` (server CPU ${fmt(Math.min(...o.cpuMs))})` : ''}`
          : `n/a${o.note ? ` (${o.note})` : ''}`;
      rows.push([
        `LSP: didOpen 1.4 MB to first diagnostics, fresh server (${lsp.bigOpen.wallMs.length})`,
        open(lsp.bigOpen),
        '',
        '< 200 ms',
      ]);
      rows.push([
        `LSP: didOpen 300 lines to first diagnostics, fresh server (${lsp.smallOpen.wallMs.length})`,
        open(lsp.smallOpen),
        '',
        '< 30 ms',
      ]);
      rows.push([`LSP: one edit inside a server of 1.4 MB, p50 (${lsp.edits.length} edits, debounce 0)`, fmt(lsp.p50), '', '']);
      rows.push([
        `LSP: one edit inside a server of 1.4 MB, p95`,
        fmt(lsp.p95) + (lsp.note ? ` (${lsp.note})` : ''),
        '',
        '< 30 ms, no worse',
      ]);
      rows.push([
        `LSP: first ${WARMUP_EDITS} edits after the open (not in p50/p95)`,
        lsp.firstEdits.map((x) => fmt(x)).join(', ') || 'n/a',
        '',
        '',
      ]);
      rows.push([`LSP: one edit outside any server (whole analysis), median of 5`, fmt(lsp.wholeMs), '', '']);
      rows.push([`LSP: server peak memory (VmHWM, open + edits)`, mb(lsp.vmHwmKb), '', '']);
    }
    if (neverBlocks) for (const [k, v] of neverBlocksRows(neverBlocks, '15 MB site')) rows.push([k, v, '', '']);
    // The official reference costs nothing at start: server start, first hover (it reads the reference then), bundle and VSIX sizes.
    if (startup) for (const [k, v] of startupRows(startup)) rows.push([`LSP: ${k}`, v, '', k.startsWith('VSIX') ? '< 1 MB' : '']);
    rows.push([
      `real editor: open to first squiggle${e2e ? `, ${e2e.samples} samples of ${e2e.runs} e2e run${e2e.runs === 1 ? '' : 's'}` : ''}`,
      e2e ? `p50 ${fmt(e2e.p50)}, p95 ${fmt(e2e.p95)}, max ${fmt(e2e.max)}` : `n/a (no ${E2E_RESULTS}: npm run test:e2e writes it)`,
      '',
      'p95 < 1 s',
    ]);

    const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length)), 8, 16];
    const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
    console.log('\n' + line(['measure', 'figure', 'ratio', 'target']));
    console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
    for (const r of rows) console.log(line(r));
    if (e2e) for (const s of e2e.bySession) console.log(`  e2e ${s.name}: ${s.values.map(fmt).join(', ')}`);
    if (e2e?.phases) console.log(`  e2e ${phasesLine(e2e.phases)}`);
    console.log(
      '\nhow: whole processes are timed from outside (wait4: CPU = user + system of all threads), pinned to one CPU,' +
        ' contenders in turns, best of the runs; ratios are of CPU times. In-process parse figures are wall times,' +
        ' best of N in turns, warm. LSP figures are wall times seen by the client, a fresh server per open.',
    );

    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const strip = (c: Contender) => ({ ...c, runs: c.runs.map((r) => ({ cpuMs: r.cpuMs, wallMs: r.wallMs, maxRssKb: r.maxRssKb })) });
    const out = {
      date: new Date().toISOString(),
      commit: gitHead,
      node: process.version,
      nginx: nginxVersion,
      quick,
      oneShot: { lint: strip(coldLint), nginx: strip(coldNginx) },
      site15: { lint: strip(lint15), ncParse: strip(nc15), nginx: strip(nginx15), lintSmall: strip(lint1), findings: findings15 },
      parse: { bench: parseBench, site: parseSite },
      warmLint,
      lsp,
      startup,
      neverBlocks,
      e2e,
      table: rows,
    };
    writeFileSync(join(dir, 'latest.json'), JSON.stringify(out, null, 2));
    console.log(`\nwritten to ${join(dir, 'latest.json')}`);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});

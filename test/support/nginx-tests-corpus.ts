/**
 * nginx's own test suite (`../shared/corpus/nginx-tests/`, see its README) made
 * runnable here: each config is written into its own temp prefix with the
 * markers filled in (`@TESTDIR@` = that prefix, `@NGINX_MODULES@` = the
 * directory of dynamic modules), the files its test writes (`NAME.files/`)
 * beside it, a stand-in self-signed pair for every `*ssl_certificate*` path
 * that is missing, and then real `nginx -t` says whether nginx accepts it.
 *
 *   const runs = await runSuite({ concurrency: 3 });  // one entry per config of index.json
 *   runs[i].accepted / runs[i].reason / runs[i].confPath
 *   cleanup();                                        // removes every prefix
 *
 * Nothing is cached in the repository: the prefixes live under the OS temp dir.
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { corpusPart } from './corpus';
import { NGINX_BINARY } from './nginx';

const suite = corpusPart('nginx-tests');
export const SUITE = suite.dir;
/** False when the suite's configs are there; else why a test that needs them is skipped. */
export const SUITE_ABSENT = suite.absent;
export const NGINX = NGINX_BINARY;
export const MODULES = '/usr/lib/nginx/modules';

export interface SuiteEntry {
  name: string;
  conf: string;
  source: string;
  files?: string[];
  modules?: string[];
  notExtracted?: string[];
}

export interface SuiteRun {
  entry: SuiteEntry;
  /** The prefix nginx ran with (`-p`), holding `nginx.conf`. */
  dir: string;
  confPath: string;
  accepted: boolean;
  /** nginx's first `[emerg]` message with the prefix written as @TESTDIR@ and no "in FILE:LINE"; empty when accepted. */
  reason: string;
  /** The kind of reason, for counting: `unknown directive`, `invalid parameter`, `cannot load certificate`... */
  kind: string;
}

export function suiteEntries(): SuiteEntry[] {
  const index = JSON.parse(readFileSync(join(SUITE, 'index.json'), 'utf8')) as { tests: SuiteEntry[] };
  return index.tests;
}

/** Directives whose argument is a certificate or key file nginx loads while reading the config. */
const CERT_DIRECTIVE =
  /(?:^|[\s;{}])((?:proxy_|grpc_|uwsgi_)?ssl_(?:certificate_key|certificate|trusted_certificate|client_certificate))\s+("[^"]*"|'[^']*'|[^\s;]+)/g;

function fill(text: string, dir: string): string {
  return text.replaceAll('@TESTDIR@', dir).replaceAll('@NGINX_MODULES@', MODULES);
}

/** Missing certificate and key paths of a config, absolute (relative ones resolve against the conf's directory, as nginx does). */
function missingCertPaths(text: string, dir: string): { path: string; key: boolean }[] {
  const out: { path: string; key: boolean }[] = [];
  for (const m of text.matchAll(CERT_DIRECTIVE)) {
    let v = m[2]!;
    if (v[0] === '"' || v[0] === "'") v = v.slice(1, -1);
    // Variables are resolved per handshake, `data:`, `engine:` and `store:` values are not files.
    if (v.includes('$') || /^[a-z]+:/.test(v)) continue;
    const path = isAbsolute(v) ? v : join(dir, v);
    if (!path.startsWith(dir + '/') || existsSync(path)) continue;
    out.push({ path, key: m[1]!.endsWith('_key') });
  }
  return out;
}

function run(cmd: string, args: string[], timeout: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { timeout, encoding: 'utf8' }, (err, _out, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr: String(stderr) });
    });
  });
}

/** One self-signed RSA pair for every stand-in (nginx only parses them while reading the config). */
async function standInPair(root: string): Promise<{ key: string; cert: string }> {
  const key = join(root, 'stand-in.key');
  const cert = join(root, 'stand-in.crt');
  const r = await run(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'],
    30_000,
  );
  if (r.code !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { key, cert };
}

/** `unknown directive "perl"` → `unknown directive "…"`; `open() "/x" failed (2: No such file)` → `open() "…" failed`. */
function kindOf(reason: string): string {
  return (
    reason
      .replace(/"[^"]*"/g, '"…"')
      .replace(/\s+\(.*$/, '')
      .replace(/:\s.*$/, '')
      .trim() || reason
  );
}

function firstEmerg(stderr: string, dir: string): string {
  const line = stderr.split('\n').find((l) => /\[emerg\]/.test(l)) ?? stderr.split('\n').find((l) => l.trim()) ?? 'nginx -t failed';
  return line
    .replace(/^.*?\[emerg\]\s*(\d+#\d+:\s*)?/, '')
    .replace(/ in \S+:\d+$/, '')
    .replaceAll(dir, '@TESTDIR@');
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

export interface Suite {
  runs: SuiteRun[];
  cleanup(): void;
}

/** Prepares every config of the suite and runs `nginx -t` on each, `concurrency` at a time. */
export async function runSuite(opts: { concurrency?: number; only?: (e: SuiteEntry) => boolean } = {}): Promise<Suite> {
  const root = mkdtempSync(join(tmpdir(), 'nginx-tests-'));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    const pair = await standInPair(root);
    const entries = suiteEntries().filter(opts.only ?? (() => true));
    const runs: SuiteRun[] = [];
    await pool(entries, opts.concurrency ?? 3, async (entry) => {
      const dir = join(root, entry.name);
      mkdirSync(dir);
      const confPath = join(dir, 'nginx.conf');
      const text = fill(readFileSync(join(SUITE, entry.conf), 'utf8'), dir);
      writeFileSync(confPath, text);
      const files = join(SUITE, `${entry.name}.files`);
      if (existsSync(files)) {
        cpSync(files, dir, { recursive: true });
        for (const f of listFiles(dir)) if (f !== confPath) writeFileSync(f, fill(readFileSync(f, 'latin1'), dir), 'latin1');
      }
      const texts = [
        text,
        ...listFiles(dir)
          .filter((f) => f !== confPath && f.endsWith('.conf'))
          .map((f) => readFileSync(f, 'utf8')),
      ];
      for (const t of texts) {
        for (const { path, key } of missingCertPaths(t, dir)) {
          mkdirSync(dirname(path), { recursive: true });
          copyFileSync(key ? pair.key : pair.cert, path);
        }
      }
      const r = await run(NGINX, ['-t', '-q', '-p', dir + '/', '-c', confPath, '-e', join(dir, 'startup-error.log')], 20_000);
      const accepted = r.code === 0;
      const reason = accepted ? '' : firstEmerg(r.stderr, dir);
      runs.push({ entry, dir, confPath, accepted, reason, kind: accepted ? '' : kindOf(reason) });
    });
    runs.sort((a, b) => a.entry.name.localeCompare(b.entry.name));
    return { runs, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** `{ kind: count }`, most frequent first. */
export function countBy<T>(items: T[], key: (t: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

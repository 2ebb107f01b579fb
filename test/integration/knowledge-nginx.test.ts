/**
 * The directive table against a real nginx binary, at that binary's version:
 * the table's history says what nginx 1.22.1 had (from nginx's sources at
 * every release), and the binary says whether that is so.
 *
 * - A directive that appeared after the binary's version (or went away
 *   before it) must be an "unknown directive" to it (or "not allowed here"
 *   where another module has the name).
 * - A directive it has is tried in every context its state allows (nginx
 *   must not say "not allowed here") and in the contexts next to those (it
 *   must), then with argument counts around the ones allowed.
 * - A whole module this build lacks (geoip, perl, xslt ... are not compiled
 *   or loaded here) is skipped and listed; a directive unknown to the binary
 *   while its module's other directives are known is a table error.
 * - The third-party echo module, which Debian ships as a .so, is loaded and
 *   checked the same way: the third-party tables are read from the modules'
 *   own sources too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NGINX_BINARY } from '../support/nginx';
import {
  argCountOk,
  directiveNames,
  lookupDirective,
  stateAt,
  type ArgSpec,
  type Context,
  type DirectiveInfo,
} from '../../server/src/engine/knowledge/directives';

const NGINX = NGINX_BINARY;
const MODULE_DIR = '/usr/lib/nginx/modules';
const STREAM_SO = join(MODULE_DIR, 'ngx_stream_module.so');
const MAIL_SO = join(MODULE_DIR, 'ngx_mail_module.so');
const ECHO_SO = join(MODULE_DIR, 'ngx_http_echo_module.so');

const VERSION = existsSync(NGINX)
  ? (/nginx\/(\d+\.\d+\.\d+)/.exec(spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr ?? '')?.[1] ?? '')
  : '';

/** Dynamic modules are loaded in every wrapper so that stream/mail names are known in every context. */
const LOADS = [STREAM_SO, MAIL_SO]
  .filter((f) => existsSync(f))
  .map((f) => `load_module ${f};\n`)
  .join('');
const ECHO_LOAD = existsSync(ECHO_SO) ? `load_module ${ECHO_SO};\n` : null;

function wrap(ctx: Context, x: string, loads = LOADS): string | null {
  const http = (body: string) => `${loads}events {}\nhttp {\n${body}\n}\n`;
  const stream = (body: string) => (existsSync(STREAM_SO) ? `${loads}events {}\nstream {\n${body}\n}\n` : null);
  const mail = (body: string) => (existsSync(MAIL_SO) ? `${loads}events {}\nmail {\n${body}\n}\n` : null);
  switch (ctx) {
    case 'main':
      return `${loads}${x}\nevents {}\n`;
    case 'events':
      return `${loads}events {\n${x}\n}\n`;
    case 'http':
      return http(x);
    case 'server':
      return http(`server {\n${x}\n}`);
    case 'location':
      return http(`server { location / {\n${x}\n} }`);
    case 'server-if':
      return http(`server { if ($host) {\n${x}\n} }`);
    case 'location-if':
      return http(`server { location / { if ($host) {\n${x}\n} } }`);
    case 'limit_except':
      return http(`server { location / { limit_except GET {\n${x}\n} } }`);
    case 'upstream':
      return http(`upstream u {\n${x}\nserver 127.0.0.1;\n}`);
    case 'stream':
      return stream(x);
    case 'stream-server':
      return stream(`server {\n${x}\n}`);
    case 'stream-upstream':
      return stream(`upstream u {\n${x}\nserver 127.0.0.1:1;\n}`);
    case 'mail':
      return mail(x);
    case 'mail-server':
      return mail(`server {\n${x}\n}`);
  }
}

/** Where each context sits: its parent and children, to pick the contexts next to the allowed ones. */
const NEIGHBOURS: Record<Context, Context[]> = {
  main: ['events', 'http', 'stream', 'mail'],
  events: ['main'],
  http: ['main', 'server', 'upstream'],
  server: ['http', 'location', 'server-if'],
  location: ['server', 'location-if', 'limit_except'],
  'server-if': ['server'],
  'location-if': ['location'],
  limit_except: ['location'],
  upstream: ['http'],
  stream: ['main', 'stream-server', 'stream-upstream'],
  'stream-server': ['stream'],
  'stream-upstream': ['stream'],
  mail: ['main', 'mail-server'],
  'mail-server': ['mail'],
};

let seq = 0;
function nginxT(dir: string, conf: string): Promise<string> {
  const file = join(dir, `t${seq++}.conf`);
  writeFileSync(file, conf);
  return new Promise((resolve) => {
    execFile(
      NGINX,
      ['-t', '-q', '-p', dir, '-c', file, '-e', join(dir, 'error.log'), '-g', `pid ${join(dir, 'nginx.pid')};`],
      { timeout: 10_000 },
      (_err, _out, stderr) => {
        rmSync(file, { force: true });
        resolve(String(stderr));
      },
    );
  });
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

const statement = (name: string, block: boolean, nargs: number) => `${name}${' a'.repeat(nargs)}${block ? ' {}' : ';'}`;

/** Argument counts worth trying: the allowed ones and one past each end. */
function countsToTry(a: ArgSpec): number[] {
  if (a.flag) return [0, 1, 2];
  if (a.atLeast !== undefined) return a.atLeast === 0 ? [] : [a.atLeast - 1, a.atLeast, a.atLeast + 2];
  const c = a.counts;
  return [...new Set([Math.min(...c) - 1, ...c, Math.max(...c) + 1])].filter((n) => n >= 0 && n <= 8);
}

/**
 * Where this binary is not upstream nginx at its version, with the reason. Every entry must still be true
 * (the test fails when one no longer differs), so the list cannot hide a table error.
 */
const DIFFERENCES: Record<string, string> = {
  max_headers: "Debian's nginx 1.22.1 backports max_headers (a security update); upstream nginx has it since 1.29.8",
};

/** Event-method directives of other platforms: their modules are never compiled on Linux. */
const OTHER_PLATFORMS = new Set([
  'kqueue_changes',
  'kqueue_events', // FreeBSD, macOS
  'devpoll_changes',
  'devpoll_events',
  'eventport_events', // Solaris
  'iocp_threads',
  'acceptex_read',
  'post_acceptex', // Windows
]);

interface Job {
  e: DirectiveInfo;
  ctx: Context;
  nargs: number;
  expect: 'unknown' | 'allowed' | 'not-allowed' | 'args-ok' | 'args-bad';
  loads?: string;
}

test(
  `directive contexts and argument counts agree with the real nginx binary at its version (${VERSION || 'none'})`,
  { skip: !VERSION && `no nginx at ${NGINX}`, timeout: 300_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'nginx-knowledge-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));

    const jobs: Job[] = [];
    for (const name of directiveNames()) {
      if (name === 'include') continue;
      const all = lookupDirective(name);
      const presentHere = all.filter((e) => e.origin === 'nginx' && stateAt(e, VERSION)?.present);
      for (const e of all) {
        const echo = e.origin === 'third-party' && e.module.startsWith('echo-nginx-module');
        if (e.origin !== 'nginx' && !(echo && ECHO_LOAD)) continue;
        const loads = echo ? LOADS + ECHO_LOAD : LOADS;
        const st = e.origin === 'nginx' ? stateAt(e, VERSION) : { present: true, contexts: e.contexts, args: e.args, block: e.block };
        if (!st || !st.present) {
          // Not in this version: unknown, or not allowed where another module's directive of the name is.
          const ctx = e.contexts[0]!;
          jobs.push({ e, ctx, nargs: 0, expect: presentHere.some((p) => p !== e) ? 'not-allowed' : 'unknown' });
          continue;
        }
        const allowed = new Set(st.contexts);
        for (const ctx of allowed) jobs.push({ e, ctx, nargs: 0, expect: 'allowed', loads });
        const around = new Set<Context>();
        for (const c of allowed)
          for (const n of NEIGHBOURS[c])
            if (!allowed.has(n) && !presentHere.some((p) => p !== e && stateAt(p, VERSION)!.contexts.includes(n))) around.add(n);
        for (const ctx of around) jobs.push({ e, ctx, nargs: 0, expect: 'not-allowed', loads });
        for (const n of countsToTry(st.args))
          jobs.push({ e, ctx: st.contexts[0]!, nargs: n, expect: argCountOk(st.args, n) ? 'args-ok' : 'args-bad', loads });
      }
    }

    const errors: string[] = [];
    const unknownToBuild = new Map<string, Set<string>>();
    const knownModules = new Set<string>();
    const differs = new Set<string>();
    const agreesNow = new Set<string>();
    let checked = 0;
    await pool(jobs, 8, async (j) => {
      const conf = wrap(j.ctx, statement(j.e.name, j.e.block, j.nargs), j.loads);
      if (conf === null) return;
      const err = await nginxT(dir, conf);
      const unknown = err.includes(`unknown directive "${j.e.name}"`);
      const notAllowed = err.includes(`"${j.e.name}" directive is not allowed here`);
      const badArgs = err.includes(`invalid number of arguments in "${j.e.name}" directive`);
      const where = `${j.e.name} (${j.e.module}) in ${j.ctx}`;
      if (DIFFERENCES[j.e.name]) {
        differs.add(j.e.name);
        if (unknown) agreesNow.add(j.e.name);
        return;
      }
      if (OTHER_PLATFORMS.has(j.e.name)) {
        if (!unknown) errors.push(`${where}: an event method of another platform, yet this nginx knows it`);
        return;
      }
      if (j.expect === 'unknown' || (j.expect === 'not-allowed' && !stateAt(j.e, VERSION)?.present)) {
        checked++;
        if (j.expect === 'unknown' && !unknown)
          errors.push(
            `${where}: the table says nginx ${VERSION} lacks it (${j.e.history.map((s) => `${s.since || '…'}:${s.present ? 'present' : 'gone'}`).join(' ')}), nginx says: ${err.trim().split('\n')[0] || 'ok'}`,
          );
        if (j.expect === 'not-allowed' && !notAllowed)
          errors.push(`${where}: the table says nginx ${VERSION} has it only elsewhere, nginx says: ${err.trim().split('\n')[0] || 'ok'}`);
        return;
      }
      if (unknown) {
        if (!unknownToBuild.has(j.e.module)) unknownToBuild.set(j.e.module, new Set());
        unknownToBuild.get(j.e.module)!.add(j.e.name);
        return;
      }
      knownModules.add(j.e.module);
      checked++;
      if (j.expect === 'allowed' && notAllowed) errors.push(`${where}: nginx rejects it, the table allows it`);
      if (j.expect === 'not-allowed' && !notAllowed) errors.push(`${where}: nginx allows it, the table does not`);
      if (notAllowed) return;
      if (j.expect === 'args-ok' && badArgs) errors.push(`${where} with ${j.nargs} args: nginx rejects the count, the table accepts it`);
      if (j.expect === 'args-bad' && !badArgs) errors.push(`${where} with ${j.nargs} args: nginx accepts the count, the table rejects it`);
    });

    for (const name of agreesNow)
      errors.push(`${name}: listed as a difference (${DIFFERENCES[name]}), but this nginx now agrees with the table`);
    assert.deepEqual([...differs].sort(), Object.keys(DIFFERENCES).sort(), 'every listed difference was tried');
    // A directive unknown to the binary while its module is there: the table is wrong about it.
    for (const [module, names] of unknownToBuild) {
      if (knownModules.has(module)) errors.push(`${module} is in this build, but nginx does not know ${[...names].sort().join(' ')}`);
    }
    if (process.env.KNOWLEDGE_DUMP) writeFileSync(process.env.KNOWLEDGE_DUMP, errors.join('\n'));
    t.diagnostic(
      `${jobs.length} nginx -t runs, ${checked} checks; modules not in this build (skipped): ${[...unknownToBuild.keys()]
        .filter((m) => !knownModules.has(m))
        .sort()
        .join(' ')}`,
    );
    assert.ok(checked > 2000, `too few checks ran (${checked})`);
    assert.deepEqual(errors, []);
  },
);

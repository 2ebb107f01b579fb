/**
 * The directive table against a real nginx binary: for every directive this
 * nginx knows, each context is tried (`NAME;` inside a wrapper config) and
 * `nginx -t` says whether it is "not allowed here"; then each argument count
 * 0..5 is tried in an allowed context and nginx says whether the count is
 * invalid. Directives the binary does not know (newer versions, modules not
 * built in) are skipped and counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_CONTEXTS, argCountOk, directiveNames, lookupDirective, type Context } from '../../server/src/engine/knowledge/directives';

const NGINX = process.env.NGINX_BIN || '/usr/sbin/nginx';
const MODULE_DIR = '/usr/lib/nginx/modules';
const STREAM_SO = join(MODULE_DIR, 'ngx_stream_module.so');
const MAIL_SO = join(MODULE_DIR, 'ngx_mail_module.so');

/** Dynamic modules are loaded in every wrapper so that stream/mail names are known in every context. */
const LOADS = [STREAM_SO, MAIL_SO].filter((f) => existsSync(f)).map((f) => `load_module ${f};\n`).join('');

function wrap(ctx: Context, x: string): string | null {
  const http = (body: string) => `${LOADS}events {}\nhttp {\n${body}\n}\n`;
  const stream = (body: string) => (existsSync(STREAM_SO) ? `${LOADS}events {}\nstream {\n${body}\n}\n` : null);
  const mail = (body: string) => (existsSync(MAIL_SO) ? `${LOADS}events {}\nmail {\n${body}\n}\n` : null);
  switch (ctx) {
    case 'main': return `${LOADS}${x}\nevents {}\n`;
    case 'events': return `${LOADS}events {\n${x}\n}\n`;
    case 'http': return http(x);
    case 'server': return http(`server {\n${x}\n}`);
    case 'location': return http(`server { location / {\n${x}\n} }`);
    case 'server-if': return http(`server { if ($host) {\n${x}\n} }`);
    case 'location-if': return http(`server { location / { if ($host) {\n${x}\n} } }`);
    case 'limit_except': return http(`server { location / { limit_except GET {\n${x}\n} } }`);
    case 'upstream': return http(`upstream u {\n${x}\nserver 127.0.0.1;\n}`);
    case 'stream': return stream(x);
    case 'stream-server': return stream(`server {\n${x}\n}`);
    case 'stream-upstream': return stream(`upstream u {\n${x}\nserver 127.0.0.1:1;\n}`);
    case 'mail': return mail(x);
    case 'mail-server': return mail(`server {\n${x}\n}`);
  }
}

let seq = 0;
function nginxT(dir: string, conf: string): Promise<string> {
  const file = join(dir, `t${seq++}.conf`);
  writeFileSync(file, conf);
  return new Promise((resolve) => {
    execFile(NGINX, ['-t', '-q', '-p', dir, '-c', file, '-e', join(dir, 'error.log'), '-g', `pid ${join(dir, 'nginx.pid')};`], { timeout: 10_000 }, (_err, _out, stderr) => resolve(String(stderr)));
  });
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

const statement = (name: string, block: boolean, nargs: number) => `${name}${' a'.repeat(nargs)}${block ? ' {}' : ';'}`;

test('directive contexts and argument counts agree with the real nginx binary', { skip: !existsSync(NGINX) && `no nginx at ${NGINX}`, timeout: 400_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-knowledge-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const names = [...directiveNames()].filter((n) => n !== 'include');
  const unknown = new Set<string>();
  const contextErrors: string[] = [];
  const jobs: { name: string; ctx: Context }[] = [];
  for (const name of names) for (const ctx of ALL_CONTEXTS) jobs.push({ name, ctx });
  let checked = 0;

  await pool(jobs, 12, async ({ name, ctx }) => {
    const entries = lookupDirective(name);
    const conf = wrap(ctx, statement(name, entries[0]!.block, 0));
    if (conf === null) return;
    const err = await nginxT(dir, conf);
    if (err.includes(`unknown directive "${name}"`)) {
      unknown.add(name);
      return;
    }
    checked++;
    const nginxAllows = !err.includes(`"${name}" directive is not allowed here`);
    const tableAllows = entries.some((d) => d.contexts.includes(ctx));
    if (nginxAllows !== tableAllows) contextErrors.push(`${name} in ${ctx}: nginx ${nginxAllows ? 'allows' : 'rejects'} it, table says ${tableAllows ? 'allowed' : 'not allowed'}`);
  });

  const argErrors: string[] = [];
  const argJobs: { name: string; i: number; n: number }[] = [];
  for (const name of names) {
    if (unknown.has(name)) continue;
    lookupDirective(name).forEach((_d, i) => {
      for (let n = 0; n <= 5; n++) argJobs.push({ name, i, n });
    });
  }
  await pool(argJobs, 12, async ({ name, i, n }) => {
    const d = lookupDirective(name)[i]!;
    const conf = wrap(d.contexts[0]!, statement(name, d.block, n));
    if (conf === null) return;
    const err = await nginxT(dir, conf);
    if (err.includes('is not allowed here') || err.includes('unknown directive')) return;
    const nginxOk = !err.includes(`invalid number of arguments in "${name}" directive`);
    if (nginxOk !== argCountOk(d.args, n)) argErrors.push(`${name} (${d.module}) with ${n} args: nginx ${nginxOk ? 'accepts' : 'rejects'}, table ${argCountOk(d.args, n) ? 'accepts' : 'rejects'}`);
  });

  if (process.env.KNOWLEDGE_DUMP) writeFileSync(process.env.KNOWLEDGE_DUMP, [...contextErrors, ...argErrors].join("\n"));
  t.diagnostic(`checked ${checked} (directive, context) pairs; ${unknown.size} directives unknown to this nginx: ${[...unknown].sort().join(' ')}`);
  assert.ok(checked > 1000, `too few checks ran (${checked})`);
  assert.deepEqual(contextErrors, []);
  assert.deepEqual(argErrors, []);
});

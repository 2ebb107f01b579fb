/**
 * The launchers (dist/cli.js, dist/server.js) load their bundles through a V8 code cache in a private folder
 * (server/src/node/code-cache.ts): the first run writes it, later runs use it, and a cache that does not fit, a
 * folder others can write and NGINX_WS_CODE_CACHE=off never change what a run does. Each test has its own
 * XDG_CACHE_HOME.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, LspTestClient, ROOT } from '../support/lsp-client';

const CLI = join(ROOT, 'dist', 'cli.js');
const BAD = join(ROOT, 'test', 'fixtures', 'rules', 'ws-connection-header', 'bad.conf');

before(() => buildOnce());

function cacheHome(t: { after(fn: () => void): void }): string {
  const home = mkdtempSync(join(tmpdir(), 'nginx-ws-code-cache-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

function lint(home: string, extra: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, 'lint', '--format', 'json', BAD], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, XDG_CACHE_HOME: home, ...extra },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const caches = (dir: string, prefix: string) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.v8cache')) : [];

test('the CLI writes its cache in a private folder on the first run and reads it on the next, with the same findings', (t) => {
  const home = cacheHome(t);
  const plain = lint(home, { NGINX_WS_CODE_CACHE: 'off' });
  assert.equal(plain.code, 1, plain.err);
  assert.match(plain.out, /ws-connection-header/);
  assert.deepEqual(readdirSync(home), [], 'NGINX_WS_CODE_CACHE=off writes nothing');

  assert.deepEqual(lint(home), plain);
  const dir = join(home, 'nginx-ws');
  const [file] = caches(dir, 'cli');
  assert.ok(file, `a cache file in ${dir}: ${existsSync(dir) ? readdirSync(dir).join(', ') : 'no folder'}`);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600);
  const before = statSync(join(dir, file));
  assert.ok(before.size > 100_000, `${before.size} bytes of bytecode`);

  // Accepted: the same findings, and the cache is not written again.
  assert.deepEqual(lint(home), plain);
  const after = statSync(join(dir, file));
  assert.deepEqual([after.ino, after.mtimeMs], [before.ino, before.mtimeMs]);
  assert.deepEqual(caches(dir, 'cli'), [file]);
});

test("a cache V8 rejects is replaced, and a stale build's cache is removed; the run is the same", (t) => {
  const home = cacheHome(t);
  const plain = lint(home, { NGINX_WS_CODE_CACHE: 'off' });
  const dir = join(home, 'nginx-ws');
  assert.deepEqual(lint(home), plain);
  const [file] = caches(dir, 'cli');
  assert.ok(file);
  const junk = Buffer.alloc(statSync(join(dir, file)).size, 0x5a);
  writeFileSync(join(dir, file), junk);
  writeFileSync(join(dir, 'cli-0123456789abcdef0123456789abcdef.v8cache'), junk);
  // Another bundle's cache whose name starts the same is not a stale build of this one: it stays.
  const other = 'cli-other-0123456789abcdef0123456789abcdef.v8cache';
  writeFileSync(join(dir, other), junk);
  assert.deepEqual(lint(home), plain);
  assert.deepEqual(
    caches(dir, 'cli').filter((f) => f !== other),
    [file],
  );
  assert.ok(existsSync(join(dir, other)), `${other} is kept`);
  assert.notDeepEqual(readFileSync(join(dir, file)), junk, 'rewritten');
  assert.deepEqual(lint(home), plain);
});

test('a cache folder others can write is not used', (t) => {
  const home = cacheHome(t);
  const plain = lint(home, { NGINX_WS_CODE_CACHE: 'off' });
  const dir = join(home, 'nginx-ws');
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  assert.deepEqual(lint(home), plain);
  assert.deepEqual(readdirSync(dir), []);
});

test('the language server writes its cache when it exits and the next server reads it, with the same diagnostics', async (t) => {
  const home = cacheHome(t);
  const dir = join(home, 'nginx-ws');
  const text = readFileSync(BAD, 'utf8');
  const diagnostics = async () => {
    const c = await LspTestClient.start({ env: { XDG_CACHE_HOME: home } });
    try {
      c.open('file:///code-cache/nginx.conf', text, 1);
      const p = await c.diagnostics('file:///code-cache/nginx.conf', (d) => d.version === 1);
      return p.diagnostics.map((d) => [d.range.start.line, d.code, d.message]);
    } finally {
      await c.stop();
    }
  };
  const first = await diagnostics();
  assert.ok(first.some(([, code]) => code === 'ws-connection-header'));
  const [file] = caches(dir, 'server');
  assert.ok(file, `a server cache in ${dir}`);
  const mtime = statSync(join(dir, file)).mtimeMs;
  assert.deepEqual(await diagnostics(), first);
  assert.equal(statSync(join(dir, file)).mtimeMs, mtime, 'read, not written again');
});

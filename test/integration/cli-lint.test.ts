/** `nginx-ws lint` as a user runs it: the built CLI, real files, exit codes and output formats. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FIX = join(ROOT, 'test', 'fixtures', 'rules');

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(() => {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
});

test('text format looks like a compiler: file:line:col: severity code message; exit 1 on errors', () => {
  const r = run(['lint', join(FIX, 'ws-inherited-headers-dropped', 'bad.conf')]);
  assert.equal(r.code, 1);
  assert.match(r.out, /^test\/fixtures\/rules\/ws-inherited-headers-dropped\/bad\.conf:12:13: error ws-inherited-headers-dropped .+426/m);
  assert.match(r.err, /1 file: 1 error/);
});

test('json format: an array of {file, range, severity, code, message} with 0-based positions', () => {
  const r = run(['lint', '--format', 'json', join(FIX, 'ws-connection-header', 'bad.conf')]);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.out) as { file: string; range: { start: { line: number; character: number } }; severity: string; code: string; message: string }[];
  const f = out.find((x) => x.code === 'ws-connection-header')!;
  assert.deepEqual(Object.keys(f).sort(), ['code', 'file', 'message', 'range', 'severity']);
  assert.equal(f.severity, 'error');
  assert.deepEqual(f.range.start, { line: 8, character: 12 });
});

test('sarif format is SARIF 2.1.0 with rules and 1-based regions', () => {
  const r = run(['lint', '--format', 'sarif', join(FIX, 'ws-read-timeout-short', 'bad.conf')]);
  assert.equal(r.code, 0, 'warnings alone exit 0');
  const s = JSON.parse(r.out);
  assert.equal(s.version, '2.1.0');
  const res = s.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'ws-read-timeout-short');
  assert.equal(res.level, 'warning');
  assert.equal(res.locations[0].physicalLocation.region.startLine, 10);
  assert.ok(s.runs[0].tool.driver.rules.some((x: { id: string; helpUri?: string }) => x.id === 'ws-read-timeout-short' && x.helpUri));
});

test('a clean config exits 0; --nginx-version 1.30.0 drops the missing-version error', () => {
  assert.equal(run(['lint', join(FIX, 'ws-upgrade-header-missing', 'good.conf')]).code, 0);
  const bad = join(FIX, 'ws-http-version', 'bad.conf');
  assert.match(run(['lint', '--format', 'json', bad]).out, /sets no proxy_http_version/);
  assert.doesNotMatch(run(['lint', '--format', 'json', '--nginx-version', '1.30.0', bad]).out, /sets no proxy_http_version/);
});

test('usage and I/O problems exit 2 with a message and no stack trace', () => {
  for (const args of [['lint'], ['lint', '--format', 'xml', 'x'], ['lint', '--bogus', 'x'], ['lint', '/does/not/exist'], ['frobnicate']]) {
    const r = run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /nginx-ws/);
    assert.doesNotMatch(r.err, /\n\s+at /, 'stack trace printed');
  }
});

test('a directory is walked; an included snippet is linted in its includer\'s context', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'nginx.conf'), "events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    include conf.d/*.conf;\n}\n");
  writeFileSync(
    join(dir, 'conf.d', 'app.conf'),
    'server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:3000;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n        proxy_read_timeout 2s;\n    }\n}\n',
  );
  writeFileSync(join(dir, 'README.txt'), 'not nginx');
  const r = run(['lint', '--format', 'json', dir]);
  const out = JSON.parse(r.out) as { file: string; code: string }[];
  // The map in nginx.conf is seen from conf.d/app.conf: no undefined-variable; the short timeout is reported once.
  assert.deepEqual(out.map((f) => `${f.file.split('/').slice(-2).join('/')} ${f.code}`), ['conf.d/app.conf ws-read-timeout-short']);
  assert.equal(r.code, 0);
});

test('binary junk and an empty file do not crash the linter', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const junk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
  writeFileSync(join(dir, 'junk.conf'), junk);
  writeFileSync(join(dir, 'empty.conf'), '');
  const r = run(['lint', dir]);
  assert.ok(r.code === 0 || r.code === 1, r.err);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('--fix applies every quick fix to the files and leaves them clean', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = ['ws-inherited-headers-dropped', 'undefined-variable', 'ws-path-without-recipe', 'ws-keepalive-connection-clash'];
  for (const id of files) writeFileSync(join(dir, `${id}.conf`), readFileSync(join(FIX, id, 'bad.conf')));
  const r = run(['lint', '--fix', '--format', 'json', dir]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.deepEqual(JSON.parse(r.out), []);
  assert.match(r.err, /fixed: /);
  assert.match(readFileSync(join(dir, 'undefined-variable.conf'), 'utf8'), /map \$http_upgrade \$connection_upgrade \{/);
});

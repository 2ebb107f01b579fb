/**
 * The target nginx version through the built CLI, each way a user sets it: `--nginx-version`, `.nginx-ws.json`,
 * and a `# nginx-ws: nginx-version=` comment at the top of the config; without one, `http2 on` is no error.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const CONF = 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        http2 on;\n    }\n}\n';
const ERROR =
  'nginx.conf:5:9: error needs-newer-nginx "http2" needs nginx 1.25.1 or newer; the target is 1.22.1, where nginx -t fails with: unknown directive "http2"';

before(() => {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
});

function lint(files: Record<string, string>, args: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-cli-versions-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = spawnSync(process.execPath, [CLI, 'lint', ...args, 'nginx.conf'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--nginx-version 1.22.1: http2 on is an error naming 1.25.1, exit 1', () => {
  assert.deepEqual(lint({ 'nginx.conf': CONF }, ['--nginx-version', '1.22.1']), { code: 1, out: ERROR });
  assert.deepEqual(lint({ 'nginx.conf': CONF }, ['--nginx-version', '1.25.1']), { code: 0, out: '' });
});

test('.nginx-ws.json sets the target for the project', () => {
  assert.deepEqual(lint({ 'nginx.conf': CONF, '.nginx-ws.json': '{ "nginxVersion": "1.22.1" }' }), { code: 1, out: ERROR });
});

test('the config can declare its own target; without any, nothing is "too new"', () => {
  const declared = `# nginx-ws: nginx-version=1.22.1\n${CONF}`;
  assert.deepEqual(lint({ 'nginx.conf': declared }), { code: 1, out: ERROR.replace(':5:9:', ':6:9:') });
  assert.deepEqual(lint({ 'nginx.conf': CONF }), { code: 0, out: '' });
});

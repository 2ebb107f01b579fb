/**
 * `nginx-ws test` and `nginx-ws endpoints` as a user runs them: a real process,
 * real nginx and backend, exit codes and the --json contract.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../server/src/cli/endpoints-command';
import type { EndpointTestJson } from '../../server/src/cli/test-command';
import { freePort, nginxAvailable, startNginx } from '../support/nginx';
import { startWsBackend } from '../support/ws-backend';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'wstest', 'endpoints.conf');
const skip = nginxAvailable() ? false : 'nginx binary not installed';

function cli(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`nginx-ws ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const HTTP = `
    server {
        listen 127.0.0.1:__PORT__;
        location /ws/ {
            proxy_pass http://127.0.0.1:__BACKEND__;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
        location /broken/ws {
            proxy_pass http://127.0.0.1:__BACKEND__;
            proxy_set_header Host $host;
        }
    }`;

test(
  'nginx-ws test: exit 0 with the --json contract on a working endpoint, exit 1 on a broken one',
  { skip, timeout: 40_000 },
  async (t) => {
    const b = await startWsBackend();
    t.after(() => b.stop());
    const ng = await startNginx({ http: HTTP, backendPort: b.port });
    t.after(() => ng.stop());

    const ok = await cli(['test', `ws://127.0.0.1:${ng.port}/ws/`, '--json', '--timeout', '3000']);
    assert.equal(ok.code, 0, ok.stderr);
    const j = JSON.parse(ok.stdout) as EndpointTestJson;
    assert.deepEqual(Object.keys(j).sort(), ['closedAfterIdleMs', 'diagnosis', 'error', 'ok', 'stage', 'status', 'timings', 'url'].sort());
    assert.equal(j.ok, true);
    assert.equal(j.stage, 'done');
    assert.equal(j.status, 101);
    assert.equal(j.error, null);
    assert.deepEqual(Object.keys(j.timings), ['connect', 'handshake', 'roundTrip']);
    assert.equal(typeof j.timings.roundTrip, 'number');
    assert.equal(j.closedAfterIdleMs, null);

    const bad = await cli([
      'test',
      '--config',
      ng.confPath,
      '--location',
      '/broken/ws',
      '--base-url',
      `ws://127.0.0.1:${ng.port}`,
      '--json',
      '--timeout',
      '3000',
    ]);
    assert.equal(bad.code, 1, bad.stderr);
    const jb = JSON.parse(bad.stdout) as EndpointTestJson;
    assert.equal(jb.url, `ws://127.0.0.1:${ng.port}/broken/ws`);
    assert.equal(jb.stage, 'handshake');
    assert.equal(jb.status, 426);
    assert.ok(
      jb.diagnosis.some((d: string) => d.includes(`${ng.confPath}:`) && d.includes('[ws-')),
      jb.diagnosis.join('\n'),
    );

    const text = await cli([
      'test',
      `ws://127.0.0.1:${ng.port}/broken/ws`,
      '--header',
      'Authorization: Bearer s3cr3t-t0ken-value-123',
      '--timeout',
      '3000',
    ]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /Result: FAILED at handshake \(HTTP 426\)/);
    assert.match(text.stdout, /Authorization: Bearer s3\*\*\*\(22 chars\)/);
    assert.doesNotMatch(text.stdout, /t0ken-value/);
  },
);

test(
  'nginx-ws test --config shows the error_log lines of the test without --error-log: the config says where nginx logs',
  { skip, timeout: 40_000 },
  async (t) => {
    const down = await freePort(); // nothing listens here: nginx answers 502 and logs "Connection refused"
    const ng = await startNginx({
      http: `
    server {
        listen 127.0.0.1:__PORT__;
        location /ws/ {
            proxy_pass http://127.0.0.1:${down};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
    }`,
    });
    t.after(() => ng.stop());
    const r = await cli([
      'test',
      '--config',
      ng.confPath,
      '--location',
      '/ws/',
      '--base-url',
      `ws://127.0.0.1:${ng.port}`,
      '--json',
      '--timeout',
      '3000',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout) as EndpointTestJson;
    assert.equal(j.status, 502);
    assert.ok(Array.isArray(j.errorLog) && j.errorLog.some((l: string) => /Connection refused/.test(l)), JSON.stringify(j.errorLog));
  },
);

test('nginx-ws test --idle reports the close in closedAfterIdleMs', { skip, timeout: 40_000 }, async (t) => {
  const b = await startWsBackend();
  t.after(() => b.stop());
  const ng = await startNginx({
    http: HTTP.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1; proxy_read_timeout 1s;'),
    backendPort: b.port,
  });
  t.after(() => ng.stop());
  const r = await cli(['test', `ws://127.0.0.1:${ng.port}/ws/`, '--json', '--idle', '2', '--timeout', '3000']);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.stdout) as EndpointTestJson;
  assert.equal(j.stage, 'idle');
  // nginx closes ~1 s after the last upstream byte, well before the 2 s hold ends.
  assert.ok(j.closedAfterIdleMs !== null && j.closedAfterIdleMs > 500 && j.closedAfterIdleMs < 1950, String(j.closedAfterIdleMs));
});

test('nginx-ws test: usage errors exit 2 with a message and no stack trace', { timeout: 180_000 }, async () => {
  const cases = [
    ['test'],
    ['test', 'ws://a', 'ws://b'],
    ['test', 'ftp://x/'],
    ['test', 'ws://x/', '--timeout', 'soon'],
    ['test', 'ws://x/', '--idle', '-1'],
    ['test', 'ws://x/', '--header', 'no-colon'],
    ['test', 'ws://x/', '--bogus'],
    ['test', '--config', FIXTURE],
    ['test', '--config', FIXTURE, '--location', '/nope'],
    ['test', '--config', '/no/such/file.conf', '--location', '/ws/'],
    ['test', '--config', FIXTURE, '--location', '^/socket/(\\d+)$'],
    ['endpoints'],
    ['endpoints', '/no/such/file.conf'],
  ];
  // Each run is a separate process start: a few side by side keeps the suite fast without starving a loaded CI box.
  const results: Awaited<ReturnType<typeof cli>>[] = [];
  for (let i = 0; i < cases.length; i += 4) results.push(...(await Promise.all(cases.slice(i, i + 4).map((args) => cli(args, 60_000)))));
  for (const [i, args] of cases.entries()) {
    const r = results[i]!;
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^nginx-ws (test|endpoints): /, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace for ${args.join(' ')}`);
    assert.equal(r.stdout, '');
  }
});

test('nginx-ws test: unresolvable host exits 1 at stage dns', { timeout: 20_000 }, async () => {
  const r = await cli(['test', 'ws://nothing-here.invalid/ws', '--json', '--timeout', '2000']);
  assert.equal(r.code, 1);
  assert.equal((JSON.parse(r.stdout) as EndpointTestJson).stage, 'dns');
});

test('nginx-ws endpoints lists exactly analyze().wsLocations with derived URLs', { timeout: 20_000 }, async () => {
  const r = await cli(['endpoints', FIXTURE, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { line: number; path: string; url: string | null; backendUrl: string | null; needsPath: boolean }[];
  const { analysis } = loadConfig(FIXTURE);
  assert.deepEqual(
    rows.map((x) => [x.line, x.path]),
    analysis.wsLocations.map((l) => [l.directive.range.start.line + 1, l.locationPath]),
  );
  const byPath = new Map(rows.map((x) => [x.path, x]));
  assert.equal(byPath.get('/ws/')?.url, 'wss://example.com/ws/');
  assert.equal(byPath.get('/ws/')?.backendUrl, 'ws://10.0.0.4:9000/');
  assert.equal(byPath.get('^/socket/(\\d+)$')?.needsPath, true);
  assert.equal(byPath.get('/cable')?.url, 'ws://127.0.0.1:8080/cable');
  assert.equal(byPath.get('/cable')?.backendUrl, 'wss://rails.internal/cable');

  const text = await cli(['endpoints', FIXTURE, '--base-url', 'wss://staging.example.net:8443']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /endpoints\.conf:11\tlocation \/ws\/\twss:\/\/staging\.example\.net:8443\/ws\//);
});

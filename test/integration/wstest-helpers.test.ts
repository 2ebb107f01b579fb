/**
 * The shared helpers themselves: real nginx in a temp prefix in front of the
 * real backends, reached with a plain `ws` client (independent of the tester).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { nginxAvailable, nginxTest, startNginx } from '../support/nginx';
import { startStrictBackend, startWsBackend } from '../support/ws-backend';

const skip = nginxAvailable() ? false : 'nginx binary not installed';

function open(url: string): Promise<{ status: number; echoed?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: 3000 });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('open', () => ws.send('hello'));
    ws.on('message', (d) => {
      resolve({ status: 101, echoed: (d as Buffer).toString() });
      ws.close();
    });
    ws.on('error', reject);
  });
}

const RECIPE = `
server {
    listen 127.0.0.1:__PORT__;
    location /ws/ {
        proxy_pass http://127.0.0.1:__BACKEND__;
        __VERSION__
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
}`;

test('nginx helper: the recipe proxies a WebSocket to the ws backend', { skip, timeout: 20_000 }, async (t) => {
  const backend = await startWsBackend();
  t.after(() => backend.stop());
  const ng = await startNginx({ http: RECIPE, backendPort: backend.port, vars: { VERSION: 'proxy_http_version 1.1;' } });
  t.after(() => ng.stop());
  const r = await open(`ws://127.0.0.1:${ng.port}/ws/x`);
  assert.deepEqual(r, { status: 101, echoed: 'hello' });
  assert.equal(backend.requests.at(-1)?.url, '/ws/x');
});

test('strict backend: HTTP/1.0 upstream (no proxy_http_version) gets 400', { skip, timeout: 20_000 }, async (t) => {
  const backend = await startStrictBackend();
  t.after(() => backend.stop());
  const ng = await startNginx({ http: RECIPE, backendPort: backend.port, vars: { VERSION: '' } });
  t.after(() => ng.stop());
  assert.deepEqual(await open(`ws://127.0.0.1:${ng.port}/ws/`), { status: 400 });
  // Direct to the strict backend, a real client works: the 400 is nginx's HTTP/1.0.
  assert.deepEqual(await open(backend.url), { status: 101, echoed: 'hello' });
});

test('nginxTest: ok for a valid config, the error text for an invalid one', { skip, timeout: 20_000 }, async () => {
  const good = await nginxTest(RECIPE.replace('__VERSION__', ''));
  assert.equal(good.ok, true, good.output);
  const bad = await nginxTest(
    'server { listen 127.0.0.1:__PORT__; location / { proxy_set_header Connection $connection_upgrade; proxy_pass http://127.0.0.1:1; } }',
  );
  assert.equal(bad.ok, false);
  assert.match(bad.output, /unknown "connection_upgrade" variable/);
  const full = await nginxTest(`events {}\nhttp {\n${RECIPE.replace('__VERSION__', '')}\n}\n`);
  assert.equal(full.ok, true, full.output);
});

test('nginx helper: a complete conf starts too, and stop() is idempotent', { skip, timeout: 20_000 }, async () => {
  const ng = await startNginx({
    conf: `pid __PREFIX__/p.pid; events {} http { access_log off; client_body_temp_path __PREFIX__/cb; proxy_temp_path __PREFIX__/pt; fastcgi_temp_path __PREFIX__/ft; uwsgi_temp_path __PREFIX__/ut; scgi_temp_path __PREFIX__/st; server { listen 127.0.0.1:__PORT__; return 200 ok; } }`,
  });
  try {
    const res = await fetch(`http://127.0.0.1:${ng.port}/`);
    assert.equal(await res.text(), 'ok');
  } finally {
    await Promise.all([ng.stop(), ng.stop()]);
  }
});

/**
 * The rows of docs/websocket-facts.md that no other real-nginx test measures:
 * each test runs one config in Debian's nginx in front of a real echo backend
 * and opens a real WebSocket through it. The folklore rows (buffers, body
 * size, proxy_buffering, proxy_send_timeout, a capital "Upgrade") are here so
 * the claim "changes nothing for WebSockets" is measured, not repeated.
 * docs/websocket-facts.md names the test behind every row; a unit test
 * (test/unit/readme.test.ts) checks that each named test exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nginxAvailable, nginxBinaryVersion, nginxTest, startNginx } from '../support/nginx';
import { versionAtLeast } from '../../server/src/engine/model/websocket';
import { startStrictBackend, startWsBackend } from '../support/ws-backend';
import { handshake } from '../support/handshake';

const skip = nginxAvailable() ? false : 'nginx is not installed (apt-get install nginx-light)';
const RECIPE = `proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";`;

/** Runs `http` (with __PORT__ and __BACKEND__) in nginx before `backendPort`; returns the nginx port. */
async function nginx(t: { after(fn: () => unknown): void }, http: string, backendPort: number): Promise<number> {
  const ng = await startNginx({ http, backendPort });
  t.after(() => ng.stop());
  return ng.port;
}

function server(location: string, serverLevel = '', path = '/ws/', pass = 'http://127.0.0.1:__BACKEND__'): string {
  return `server {
        listen 127.0.0.1:__PORT__;
        ${serverLevel}
        location ${path} {
            proxy_pass ${pass};
            ${location}
        }
    }`;
}

async function lenient(t: { after(fn: () => unknown): void }) {
  const b = await startWsBackend();
  t.after(() => b.stop());
  return b;
}

test('fact: Connection "Upgrade" (capital U) upgrades', { skip, timeout: 20_000 }, async (t) => {
  const b = await lenient(t);
  const port = await nginx(
    t,
    server('proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection "Upgrade";'),
    b.port,
  );
  assert.equal((await handshake(`ws://127.0.0.1:${port}/ws/`)).status, 101);
});

test('fact: Connection $connection_upgrade with its map upgrades', { skip, timeout: 20_000 }, async (t) => {
  const b = await lenient(t);
  const map = `map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n    `;
  const port = await nginx(
    t,
    map + server('proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection $connection_upgrade;'),
    b.port,
  );
  assert.equal((await handshake(`ws://127.0.0.1:${port}/ws/`)).status, 101);
});

test('fact: a literal "Upgrade websocket" upgrades', { skip, timeout: 20_000 }, async (t) => {
  const b = await lenient(t);
  const port = await nginx(
    t,
    server('proxy_http_version 1.1;\nproxy_set_header Upgrade websocket;\nproxy_set_header Connection "upgrade";'),
    b.port,
  );
  assert.equal((await handshake(`ws://127.0.0.1:${port}/ws/`)).status, 101);
});

test('fact: no proxy_http_version with a lenient backend upgrades', { skip, timeout: 20_000 }, async (t) => {
  const b = await lenient(t);
  const port = await nginx(t, server('proxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection "upgrade";'), b.port);
  assert.equal((await handshake(`ws://127.0.0.1:${port}/ws/`)).status, 101);
});

test('fact: headers set in server {} and none in the location are inherited', { skip, timeout: 20_000 }, async (t) => {
  const b = await lenient(t);
  const port = await nginx(t, server('', RECIPE), b.port);
  assert.equal((await handshake(`ws://127.0.0.1:${port}/ws/`)).status, 101);
});

test('fact: proxy_http_version 1.1 in server {} only is inherited (strict backend)', { skip, timeout: 30_000 }, async (t) => {
  const b = await startStrictBackend();
  t.after(() => b.stop());
  const port = await nginx(
    t,
    server('proxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection "upgrade";', 'proxy_http_version 1.1;'),
    b.port,
  );
  assert.equal((await handshake(`ws://127.0.0.1:${port}/ws/`)).status, 101);
});

test('fact: proxy_send_timeout 2s does not close a connection idle for 3 s', { skip, timeout: 20_000 }, async (t) => {
  const b = await lenient(t);
  const port = await nginx(t, server(`${RECIPE}\nproxy_send_timeout 2s;`), b.port);
  const r = await handshake(`ws://127.0.0.1:${port}/ws/`, { holdMs: 3000 });
  assert.equal(r.status, 101);
  assert.equal(r.closedAfterMs, undefined, 'still open after 3 s idle');
});

for (const [name, directives] of [
  // `proxy_buffers 2 1k` alone fails nginx -t (proxy_busy_buffers_size must be less than all buffers minus one).
  [
    'proxy_buffer_size 1k, proxy_buffers 4 1k, proxy_busy_buffers_size 2k',
    'proxy_buffer_size 1k;\nproxy_buffers 4 1k;\nproxy_busy_buffers_size 2k;',
  ],
  ['client_max_body_size 1k', 'client_max_body_size 1k;'],
  ['proxy_buffering on', 'proxy_buffering on;'],
] as const) {
  test(`fact: ${name} pass a 5 MiB frame whole`, { skip, timeout: 30_000 }, async (t) => {
    const b = await lenient(t);
    const port = await nginx(t, server(`${RECIPE}\n${directives}`), b.port);
    const message = 'x'.repeat(5 * 1024 * 1024);
    const r = await handshake(`ws://127.0.0.1:${port}/ws/`, { message, timeoutMs: 15_000 });
    assert.equal(r.status, 101);
    assert.equal(r.echo?.length, message.length, 'the whole frame came back');
  });
}

test('fact: an upstream with keepalive and the WebSocket recipe upgrades', { skip, timeout: 20_000 }, async (t) => {
  const b = await lenient(t);
  const http = `upstream ws_backend {\n        server 127.0.0.1:__BACKEND__;\n        keepalive 8;\n    }\n    ${server(RECIPE, '', '/ws/', 'http://ws_backend')}`;
  const port = await nginx(t, http, b.port);
  assert.equal((await handshake(`ws://127.0.0.1:${port}/ws/`)).status, 101);
});

test('fact: proxy_pass with a URI replaces the location prefix (/ws/chat reaches /chat)', { skip, timeout: 20_000 }, async (t) => {
  const b = await lenient(t);
  const port = await nginx(t, server(RECIPE, '', '/ws/', 'http://127.0.0.1:__BACKEND__/'), b.port);
  assert.equal((await handshake(`ws://127.0.0.1:${port}/ws/chat`)).status, 101);
  assert.equal(b.requests.at(-1)?.url, '/chat');
});

test('fact: proxy_buffers 2 1k alone fails nginx -t', { skip, timeout: 20_000 }, async () => {
  const r = await nginxTest({ http: server(`${RECIPE}\nproxy_buffer_size 1k;\nproxy_buffers 2 1k;`) });
  assert.equal(r.ok, false);
  assert.match(r.output, /proxy_busy_buffers_size/);
});

const VERSION = nginxBinaryVersion();
test(
  'fact: listen ... http2 without ssl (nginx before 1.25.1) answers a WebSocket handshake with HTTP/2 frames',
  {
    skip: skip || (versionAtLeast(VERSION, [1, 25, 1]) && `nginx ${VERSION} tells HTTP/2 from HTTP/1.1 on a cleartext port`),
    timeout: 20_000,
  },
  async (t) => {
    const b = await lenient(t);
    const port = await nginx(t, server(RECIPE).replace('listen 127.0.0.1:__PORT__;', 'listen 127.0.0.1:__PORT__ http2;'), b.port);
    const hs = await handshake(`ws://127.0.0.1:${port}/ws/`);
    assert.equal(hs.status, 0, JSON.stringify(hs));
    assert.match(hs.error ?? '', /Parse Error: Expected HTTP\//, 'the answer is no HTTP/1.x status line');
    // http2 belongs to the address: another server's listen sets it for the WebSocket server too.
    const other = 'server {\n        listen 127.0.0.1:__PORT__ http2;\n        server_name other.test;\n        return 204;\n    }\n    ';
    const shared = await nginx(
      t,
      other + server(RECIPE).replace('listen 127.0.0.1:__PORT__;', 'listen 127.0.0.1:__PORT__ default_server;'),
      b.port,
    );
    assert.equal((await handshake(`ws://127.0.0.1:${shared}/ws/`)).status, 0);
    // The same port without http2 upgrades.
    const plain = await nginx(t, server(RECIPE), b.port);
    assert.equal((await handshake(`ws://127.0.0.1:${plain}/ws/`)).status, 101);
  },
);

/**
 * Facts the request model relies on, each measured with real nginx in front
 * of a strict backend and compared with the model's own trace of the same
 * config (docs/websocket-facts.md names these tests). The differential test
 * covers them too, among thousands of generated configs; here each has its
 * name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { analyze, lintText } from '../../server/src/engine/index';
import { HANDSHAKE_KEY, RequestModel, requestFor, trace } from '../../server/src/engine/request/index';
import { diskHost } from '../../server/src/node/file-host';
import { nginxAvailable, startNginx } from '../support/nginx';
import { startStrictBackend } from '../support/ws-backend';
import { handshake } from '../support/handshake';

const skip = nginxAvailable() ? false : 'nginx is not installed (apt-get install nginx-light)';
const RECIPE =
  'proxy_pass http://127.0.0.1:__BACKEND__; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";';

/** Runs `http` in real nginx, sends a handshake for `path`, and traces the same handshake through the same file. */
async function measure(http: string, path: string): Promise<{ live: number; model: number | string; location?: string }> {
  const b = await startStrictBackend();
  const ng = await startNginx({ http, backendPort: b.port });
  try {
    // nginx's workers run as nobody: a 0700 temp prefix would make every file "forbidden" rather than "not found".
    chmodSync(ng.prefix, 0o755);
    const live = await handshake(`ws://127.0.0.1:${ng.port}${path}`, { timeoutMs: 3000 });
    const a = analyze(ng.confPath, {
      ...diskHost(),
      readFile: (p) => (p === ng.confPath ? readFileSync(p, 'utf8') : diskHost().readFile(p)),
    });
    const req = requestFor(`ws://127.0.0.1:${ng.port}${path}`, { address: '127.0.0.1', clientAddress: '127.0.0.1' });
    assert.ok(typeof req !== 'string');
    // The prefix holds no file under the paths asked for: the model may assume so.
    const t = trace(new RequestModel(a.model), req, { nginxVersion: '1.22.1', files: 'empty' });
    const model = t.outcome.kind === 'upgraded' ? 101 : t.outcome.kind === 'status' ? t.outcome.status : t.outcome.kind;
    return {
      live: live.echo ? 101 : live.status,
      model,
      location:
        t.outcome.kind === 'status' && t.outcome.location !== undefined
          ? typeof t.outcome.location === 'string'
            ? t.outcome.location
            : `(unknown: ${t.outcome.location.why})`
          : undefined,
    };
  } finally {
    await ng.stop();
    await b.stop();
  }
}

test('fact: proxy_connect_timeout 0 fails every handshake with 504', { skip }, async () => {
  const m = await measure(`server { listen 127.0.0.1:__PORT__; location /ws/ { ${RECIPE} proxy_connect_timeout 0; } }`, '/ws/');
  assert.deepEqual([m.live, m.model], [504, 504]);
});

test('fact: proxy_read_timeout 0 fails every handshake with 504', { skip }, async () => {
  const m = await measure(`server { listen 127.0.0.1:__PORT__; location /ws/ { ${RECIPE} proxy_read_timeout 0; } }`, '/ws/');
  assert.deepEqual([m.live, m.model], [504, 504]);
});

test('fact: proxy_send_timeout 0 does not break the handshake', { skip }, async () => {
  const m = await measure(`server { listen 127.0.0.1:__PORT__; location /ws/ { ${RECIPE} proxy_send_timeout 0; } }`, '/ws/');
  assert.deepEqual([m.live, m.model], [101, 101]);
});

test('fact: /ws to a proxied location /ws/ gets a 301 to /ws/', { skip }, async () => {
  const m = await measure(`server { listen 127.0.0.1:__PORT__; location /ws/ { ${RECIPE} } }`, '/ws');
  assert.deepEqual([m.live, m.model], [301, 301]);
  assert.match(m.location ?? '', /\/ws\/$/);
});

test('fact: a nested location inherits internal: a client gets 404', { skip }, async () => {
  const m = await measure(`server { listen 127.0.0.1:__PORT__; location /app/ { internal; location /app/ws/ { ${RECIPE} } } }`, '/app/ws/');
  assert.deepEqual([m.live, m.model], [404, 404]);
});

test('fact: a regex location wins over a plain prefix location for its paths', { skip }, async () => {
  const m = await measure(`server { listen 127.0.0.1:__PORT__; location /ws/ { ${RECIPE} } location ~ ^/ws { return 418; } }`, '/ws/');
  assert.deepEqual([m.live, m.model], [418, 418]);
});

test('fact: ^~ on the prefix keeps the regexes out', { skip }, async () => {
  const m = await measure(`server { listen 127.0.0.1:__PORT__; location ^~ /ws/ { ${RECIPE} } location ~ ^/ws { return 418; } }`, '/ws/');
  assert.deepEqual([m.live, m.model], [101, 101]);
});

test('fact: try_files is not applied once an if in the location matched', { skip }, async () => {
  const m = await measure(
    `server { listen 127.0.0.1:__PORT__; root __PREFIX__/html; location /ws/ { if ($http_upgrade) { set $x 1; } try_files $uri @ws; } location @ws { ${RECIPE} } }`,
    '/ws/',
  );
  assert.deepEqual([m.live, m.model], [404, 404], 'the if matched: no try_files, nginx serves files and finds none');
});

test('fact: proxy_hide_header Sec-WebSocket-Accept: the backend upgrades, the client refuses', { skip }, async () => {
  const m = await measure(
    `server { listen 127.0.0.1:__PORT__; location /ws/ { ${RECIPE} proxy_hide_header Sec-WebSocket-Accept; } }`,
    '/ws/',
  );
  assert.notEqual(m.live, 101, 'no WebSocket opened');
  assert.equal(m.model, 101, 'the model: a 101 the client must reject');
});

test(
  'fact: a server-level set of the variable an Upgrade or Connection value reads changes what the location sends',
  { skip },
  async () => {
    const maps = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }";
    const recipe =
      'proxy_pass http://127.0.0.1:__BACKEND__; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;';
    for (const set of ['set $connection_upgrade close;', 'set $http_upgrade nope;']) {
      const http = `${maps} server { listen 127.0.0.1:__PORT__; ${set} location /ws/ { ${recipe} } }`;
      const m = await measure(http, '/ws/');
      assert.deepEqual([m.live, m.model], [426, 426], set);
      // The rule judges the location with the server's rewrite phase too (the shortcut for plain locations must not skip it).
      const findings = lintText(
        `events {} http { ${http.replaceAll('__PORT__', '80').replaceAll('__BACKEND__', '9000')} }`,
        '/t/nginx.conf',
      ).filter((f) => f.code === 'ws-upgrade-value');
      assert.equal(findings.length, 1, set);
      assert.match(findings[0]!.message, set.includes('http_upgrade') ? /"nope"/ : /"close"/);
    }
  },
);

/** Sends `head` (a whole request head) to nginx and reads the status line: 'timeout' when nothing comes within `ms`. */
function rawStatus(port: number, head: string, ms: number): Promise<number | 'timeout' | 'closed'> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(head));
    let buf = '';
    const done = (v: number | 'timeout' | 'closed'): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done('timeout'), ms);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(Number(buf.split(' ')[1]));
    });
    sock.on('error', () => done('closed'));
    sock.on('close', () => done('closed'));
  });
}

// Found by the 5,000-config differential run (seeds 100000..104999): the two cases the model got wrong, now named.

test('fact: a 101 from the backend to a request without Upgrade from the client: nginx never answers the client', { skip }, async () => {
  const http =
    'server { listen 127.0.0.1:__PORT__; location /ws/ { proxy_pass http://127.0.0.1:__BACKEND__; proxy_http_version 1.1; proxy_set_header Upgrade websocket; proxy_set_header Connection upgrade; proxy_read_timeout 2s; } }';
  const b = await startStrictBackend();
  const ng = await startNginx({ http, backendPort: b.port });
  try {
    // The backend gets a whole handshake (the config supplies Upgrade and Connection) and answers 101; nginx
    // upgrades only when the client asked, so it waits for a body that never comes, past proxy_read_timeout.
    const live = await rawStatus(
      ng.port,
      `GET /ws/ HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Key: ${HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      1500,
    );
    const a = analyze(ng.confPath, diskHost());
    const req = requestFor(`http://127.0.0.1:${ng.port}/ws/`, {
      address: '127.0.0.1',
      clientAddress: '127.0.0.1',
      plain: true,
      headers: [
        { name: 'Sec-WebSocket-Key', value: HANDSHAKE_KEY },
        { name: 'Sec-WebSocket-Version', value: '13' },
      ],
    });
    assert.ok(typeof req !== 'string');
    const t = trace(new RequestModel(a.model), req, { nginxVersion: '1.22.1', files: 'empty' });
    assert.deepEqual([live, t.outcome.kind], ['timeout', 'stalls']);
  } finally {
    await ng.stop();
    await b.stop();
  }
});

test('fact: = /x/ and a prefix /x/ are one node of the location tree: /x is redirected when either one proxies', { skip }, async () => {
  for (const http of [
    `server { listen 127.0.0.1:__PORT__; location = /x/ { return 418; } location /x/ { ${RECIPE} } }`,
    `server { listen 127.0.0.1:__PORT__; location = /x/ { ${RECIPE} } location /x/ { return 418; } }`,
  ]) {
    const m = await measure(http, '/x');
    assert.deepEqual([m.live, m.model], [301, 301], http);
    assert.match(m.location ?? '', /\/x\/$/);
  }
});

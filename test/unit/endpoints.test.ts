/**
 * URL derivation from the config, against the locations the engine itself
 * detects (analyze().wsLocations), so the editor, the CLI and these tests
 * agree on what a WebSocket location is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, type FileHost } from '../../server/src/engine/index';
import { deriveEndpoint, parseListenAddress } from '../../server/src/engine/endpoints';

const RECIPE = 'proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";';

function derive(serverBody: string, opts: Parameters<typeof deriveEndpoint>[2] = {}, httpExtra = '', which = 0) {
  const text = `events {}\nhttp {\n${httpExtra}\nserver {\n${serverBody}\n}\n}\n`;
  const host: FileHost = {
    readFile: (p) => (p === '/c/nginx.conf' ? text : undefined),
    glob: () => [],
    dirname: () => '/c',
    resolve: (d, r) => (r.startsWith('/') ? r : `${d}/${r}`),
  };
  const a = analyze('/c/nginx.conf', host);
  const loc = a.wsLocations[which];
  assert.ok(loc, `a WebSocket location is detected in:\n${text}`);
  return deriveEndpoint(loc, a.upstreams, opts);
}

test('listen port, ssl flag and server_name make the URL; default ports are omitted', () => {
  assert.equal(
    derive(`listen 8080; server_name chat.example.com; location /ws/ { proxy_pass http://127.0.0.1:9000; ${RECIPE} }`).url,
    'ws://chat.example.com:8080/ws/',
  );
  assert.equal(
    derive(`listen 443 ssl http2; server_name a.example; location /ws { proxy_pass http://b; ${RECIPE} }`).url,
    'wss://a.example/ws',
  );
  assert.equal(
    derive(`listen 80; listen [::]:443 ssl; server_name a.example; location /ws { proxy_pass http://b; ${RECIPE} }`).url,
    'wss://a.example/ws',
    'a TLS listen wins',
  );
  assert.equal(derive(`listen 80; location /ws { proxy_pass http://b; ${RECIPE} }`).url, 'ws://localhost/ws');
  assert.equal(derive(`location /ws { proxy_pass http://b; ${RECIPE} }`).url, 'ws://localhost/ws', 'no listen: nginx listens on *:80');
  assert.equal(
    derive(`listen 127.0.0.1:8081; location /ws { proxy_pass http://b; ${RECIPE} }`).url,
    'ws://127.0.0.1:8081/ws',
    'explicit address, no name',
  );
  assert.equal(derive(`listen 8443; ssl on; location /ws { proxy_pass http://b; ${RECIPE} }`).scheme, 'wss', 'legacy ssl on');
});

test('server_name: the first non-wildcard name', () => {
  const d = derive(
    `listen 80; server_name _ *.example.com .example.org ~^(?<sub>.+)\\.x$ real.example; location /ws { proxy_pass http://b; ${RECIPE} }`,
  );
  assert.equal(d.serverName, 'real.example');
  assert.equal(d.host, 'real.example');
  assert.equal(derive(`listen 80; server_name *.example.com; location /ws { proxy_pass http://b; ${RECIPE} }`).host, 'localhost');
});

test('regex and named locations need a concrete path; a given path is checked against the regex', () => {
  const d = derive(`listen 80; location ~ ^/ws/(\\d+)$ { proxy_pass http://b; ${RECIPE} }`);
  assert.equal(d.needsPath, true);
  assert.equal(d.url, null);
  assert.match(d.notes[0]!, /concrete request path/);
  const p = derive(`listen 80; location ~ ^/ws/(\\d+)$ { proxy_pass http://b; ${RECIPE} }`, { path: '/ws/42' });
  assert.equal(p.url, 'ws://localhost/ws/42');
  assert.deepEqual(p.notes, []);
  const wrong = derive(`listen 80; location ~* ^/ws/(\\d+)$ { proxy_pass http://b; ${RECIPE} }`, { path: '/chat' });
  assert.match(wrong.notes.join(), /does not match the location regex/);
  assert.equal(derive(`listen 80; location = /cable { proxy_pass http://b; ${RECIPE} }`).url, 'ws://localhost/cable');
});

test('base URL override maps the config to its deployment', () => {
  const body = `listen 8080; server_name internal.lan; location /ws/ { proxy_pass http://b; ${RECIPE} }`;
  assert.equal(derive(body, { baseUrl: 'wss://staging.example.com' }).url, 'wss://staging.example.com/ws/');
  assert.equal(derive(body, { baseUrl: 'https://staging.example.com:8443/app/' }).url, 'wss://staging.example.com:8443/app/ws/');
  const bad = derive(body, { baseUrl: 'ftp://x' });
  assert.equal(bad.url, null);
  assert.match(bad.notes.join(), /base URL/);
});

test('backend: proxy_pass resolved through upstream blocks, URI part replaces the location prefix', () => {
  const up =
    'upstream app { server 10.0.0.9:7000 backup; server 10.0.0.8:7000 weight=3; } upstream bare { server app.internal; } upstream sock { server unix:/run/a.sock; }';
  assert.equal(
    derive(`listen 80; location /ws/ { proxy_pass http://app/; ${RECIPE} }`, {}, up).backendUrl,
    'ws://10.0.0.8:7000/',
    'backup skipped, prefix replaced',
  );
  assert.equal(derive(`listen 80; location /ws/ { proxy_pass http://app; ${RECIPE} }`, {}, up).backendUrl, 'ws://10.0.0.8:7000/ws/');
  assert.equal(
    derive(`listen 80; location /ws/ { proxy_pass https://bare/socket/; ${RECIPE} }`, {}, up).backendUrl,
    'wss://app.internal:80/socket/',
    'upstream servers default to port 80',
  );
  assert.equal(derive(`listen 80; location /ws/ { proxy_pass http://127.0.0.1:3000; ${RECIPE} }`).backendUrl, 'ws://127.0.0.1:3000/ws/');
  const unix = derive(`listen 80; location /ws/ { proxy_pass http://sock; ${RECIPE} }`, {}, up);
  assert.equal(unix.backendUrl, null);
  assert.match(unix.notes.join(), /unix socket/);
  const vars = derive(`listen 80; location /ws/ { proxy_pass http://$target; ${RECIPE} }`, {}, 'map $uri $target { default 127.0.0.1:1; }');
  assert.equal(vars.backendUrl, null);
  assert.match(vars.notes.join(), /variables/);
});

test('listen address parsing', () => {
  assert.deepEqual(parseListenAddress('8080'), { address: null, port: 8080 });
  assert.deepEqual(parseListenAddress('[::1]:8443'), { address: '[::1]', port: 8443 });
  assert.deepEqual(parseListenAddress('localhost'), { address: 'localhost', port: 80 });
  assert.deepEqual(parseListenAddress('*:81'), { address: '*', port: 81 });
});

test('a WebSocket location in a file included twice is listed once; locations of files read once are all listed', () => {
  const snippet = `location /ws/ { proxy_pass http://127.0.0.1:9000; ${RECIPE} }`;
  const files = new Map([
    ['/c/nginx.conf', 'events {}\nhttp {\nserver { listen 80; include ws.conf; }\nserver { listen 81; include ws.conf; }\n}\n'],
    ['/c/ws.conf', snippet],
    ['/c/once.conf', `events {}\nhttp {\nserver { listen 80; ${snippet} }\nserver { listen 81; ${snippet} }\n}\n`],
  ]);
  const host: FileHost = {
    readFile: (p) => files.get(p),
    glob: () => [],
    dirname: () => '/c',
    resolve: (d, r) => (r.startsWith('/') ? r : `${d}/${r}`),
  };
  const twice = analyze('/c/nginx.conf', host);
  assert.ok(twice.model.revisited.has('/c/ws.conf'));
  assert.deepEqual(
    twice.wsLocations.map((l) => [l.path, l.locationPath]),
    [['/c/ws.conf', '/ws/']],
  );
  const once = analyze('/c/once.conf', host);
  assert.equal(once.model.revisited.size, 0);
  assert.deepEqual(
    once.wsLocations.map((l) => [l.range.start.line, l.locationPath]),
    [
      [2, '/ws/'],
      [3, '/ws/'],
    ],
  );
});

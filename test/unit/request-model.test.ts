/**
 * The request model on hand-written configs: one case per decision nginx
 * makes, each with what real nginx does (the differential test in
 * test/integration/request-model-nginx.test.ts holds the model to real
 * nginx on thousands of generated configs; these pin the cases by name).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, singleFileHost } from '../../server/src/engine/index';
import { RequestModel, requestFor, show, trace, type Trace, type TraceOptions } from '../../server/src/engine/request/index';
import { longestFirst } from '../../server/src/engine/request/locations';
import fc from 'fast-check';

function run(
  http: string,
  url: string,
  opts: TraceOptions & { headers?: { name: string; value: string }[]; method?: string; clientAddress?: string } = {},
): Trace {
  const text = `events {}\nhttp {\n${http}\n}\n`;
  const path = '/etc/nginx/nginx.conf';
  const a = analyze(path, singleFileHost(path, text));
  const req = requestFor(url, {
    address: '127.0.0.1',
    clientAddress: opts.clientAddress ?? '127.0.0.1',
    headers: opts.headers,
    method: opts.method,
  });
  if (typeof req === 'string') throw new Error(req);
  return trace(new RequestModel(a.model), req, { files: 'empty', nginxVersion: '1.22.1', ...opts });
}

const status = (t: Trace) => (t.outcome.kind === 'upgraded' ? 101 : t.outcome.kind === 'status' ? t.outcome.status : t.outcome.kind);
const loc = (t: Trace) => t.location?.directive.args.map((a) => a.value).join(' ') ?? null;
const sent = (t: Trace, name: string) => {
  const h = t.backendRequest?.headers.find((x) => x.name.toLowerCase() === name.toLowerCase());
  return h ? show(h.value) : undefined;
};

const RECIPE =
  'proxy_pass http://127.0.0.1:9000; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";';

test('the recipe upgrades; the backend gets Upgrade, Connection and the client key', () => {
  const t = run(`server { listen 127.0.0.1:8080; location /ws/ { ${RECIPE} } }`, 'ws://127.0.0.1:8080/ws/chat');
  assert.equal(status(t), 101);
  assert.equal(loc(t), '/ws/');
  assert.equal(sent(t, 'Upgrade'), '"websocket"');
  assert.equal(sent(t, 'Connection'), '"upgrade"');
  assert.equal(sent(t, 'Sec-WebSocket-Key'), '"dGhlIHNhbXBsZSBub25jZQ=="');
  assert.equal(show(t.backendRequest!.uri), '"/ws/chat"');
});

test('without proxy_http_version nginx 1.22 speaks HTTP/1.0: a strict backend answers 400; 1.29.7 defaults to 1.1', () => {
  const http =
    'server { listen 127.0.0.1:8080; location /ws/ { proxy_pass http://127.0.0.1:9000; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection upgrade; } }';
  const old = run(http, 'ws://127.0.0.1:8080/ws/');
  assert.equal(status(old), 400);
  assert.equal(old.backendRequest?.version, '1.0');
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/ws/', { nginxVersion: '1.29.7' })), 101);
});

test("a location list of proxy_set_header replaces the inherited one: 426, decided by the location's first line", () => {
  const t = run(
    `server { listen 127.0.0.1:8080; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection upgrade;
      location /ws/ { proxy_pass http://127.0.0.1:9000; proxy_set_header Host $host; } }`,
    'ws://127.0.0.1:8080/ws/',
  );
  assert.equal(status(t), 426);
  assert.equal(t.proxy?.headerList.directives.length, 1);
  assert.match(t.outcome.directive!.text, /proxy_set_header Host/);
  assert.ok(t.backendRequest!.dropped.some((d) => d.name === 'Upgrade'));
});

test('a misspelled variable is empty and nginx sends no empty header', () => {
  const t = run(
    `server { listen 127.0.0.1:8080; location /ws/ { proxy_pass http://127.0.0.1:9000; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrde; proxy_set_header Connection upgrade; } }`,
    'ws://127.0.0.1:8080/ws/',
  );
  assert.equal(status(t), 426);
  assert.equal(sent(t, 'Upgrade'), undefined);
  assert.match(t.backendRequest!.dropped.find((d) => d.name === 'Upgrade')!.why, /empty/);
});

test('a map that never yields upgrade: Connection: close, 426', () => {
  const t = run(
    `map $http_upgrade $c { default close; '' keep-alive; }
     server { listen 127.0.0.1:8080; location /ws/ { proxy_pass http://127.0.0.1:9000; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $c; } }`,
    'ws://127.0.0.1:8080/ws/',
  );
  assert.equal(sent(t, 'Connection'), '"close"');
  assert.equal(status(t), 426);
});

test('location search: exact beats prefix, regex beats prefix, ^~ stops the regexes, nested locations are searched', () => {
  const http = `server { listen 127.0.0.1:8080;
    location = /ws/ { return 201; }
    location /ws/ { return 202; location /ws/deep/ { return 207; } }
    location ^~ /static/ { return 203; }
    location ~ ^/ws/r { return 204; }
    location ~* \\.PNG$ { return 205; }
    location / { return 206; } }`;
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/ws/')), 201);
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/ws/x')), 202);
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/ws/room')), 204);
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/static/a.png')), 203);
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/img/a.png')), 205);
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/ws/deep/x')), 207);
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/other')), 206);
});

test('a proxied prefix location ending in / redirects the path without the slash (301)', () => {
  const t = run(`server { listen 127.0.0.1:8080; server_name chat.test; location /ws/ { ${RECIPE} } }`, 'ws://chat.test:8080/ws?x=1');
  assert.equal(status(t), 301);
  assert.equal(t.outcome.kind === 'status' && t.outcome.location, 'http://chat.test:8080/ws/?x=1');
});

test('server_name: exact, leading and trailing wildcards, regex with captures, default_server', () => {
  const http = `server { listen 127.0.0.1:8080; return 200 first; }
    server { listen 127.0.0.1:8080 default_server; return 200 default; }
    server { listen 127.0.0.1:8080; server_name a.test; return 200 exact; }
    server { listen 127.0.0.1:8080; server_name *.w.test; return 200 wild; }
    server { listen 127.0.0.1:8080; server_name www.t.*; return 200 tail; }
    server { listen 127.0.0.1:8080; server_name ~^(?<sub>[a-z]+)\\.r\\.test$; location / { return 200 $sub; } }`;
  const which = (host: string) => {
    const t = run(http, `ws://${host}:8080/`);
    return t.server?.match.how;
  };
  assert.equal(which('a.test'), 'exact');
  assert.equal(which('x.w.test'), 'wildcard');
  assert.equal(which('www.t.org'), 'wildcard');
  assert.equal(which('abc.r.test'), 'regex');
  assert.equal(which('nobody.test'), 'default');
  assert.equal(run(http, 'ws://nobody.test:8080/').server?.listen?.defaultServer, true);
});

test('rewrite last searches again; break stays; return and deny end the request before proxying', () => {
  const http = `server { listen 127.0.0.1:8080;
    location /old/ { rewrite ^/old/(.*)$ /ws/$1 last; }
    location /b/ { rewrite ^ /elsewhere break; ${RECIPE} }
    location /ws/ { ${RECIPE} }
    location /closed/ { deny all; ${RECIPE} }
    location /gone/ { return 410; } }`;
  const moved = run(http, 'ws://127.0.0.1:8080/old/chat');
  assert.equal(status(moved), 101);
  assert.equal(loc(moved), '/ws/');
  assert.deepEqual(
    moved.visited.map((n) => n.name),
    ['/old/', '/ws/'],
  );
  const broke = run(http, 'ws://127.0.0.1:8080/b/x');
  assert.equal(loc(broke), '/b/');
  assert.equal(show(broke.backendRequest!.uri), '"/elsewhere"');
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/closed/')), 403);
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/gone/')), 410);
});

test('auth_basic answers 401 to a handshake without credentials; limit_except POST refuses GET', () => {
  const http = `server { listen 127.0.0.1:8080;
    location /private/ { auth_basic "x"; auth_basic_user_file /etc/htpasswd; ${RECIPE} }
    location /post/ { limit_except POST { deny all; } ${RECIPE} }
    location /get/ { limit_except GET { deny all; } ${RECIPE} } }`;
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/private/')), 401);
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/post/')), 403);
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/get/')), 101);
});

test('if: a condition the request decides is followed; one it cannot is reported as uncertain', () => {
  const http = `server { listen 127.0.0.1:8080; location /ws/ {
      if ($http_upgrade != "websocket") { return 426; }
      if ($lua_var) { return 403; }
      ${RECIPE} } }`;
  const t = run(http, 'ws://127.0.0.1:8080/ws/');
  assert.ok(t.uncertain.some((u) => u.includes('lua_var')));
  const plain = run(http, 'http://127.0.0.1:8080/ws/', { headers: [{ name: 'Upgrade', value: 'h2c' }] });
  assert.equal(status(plain), 426);
});

test('proxy_hide_header Upgrade: the backend answers 101 but the client must reject it', () => {
  const t = run(`server { listen 127.0.0.1:8080; location /ws/ { ${RECIPE} proxy_hide_header Upgrade; } }`, 'ws://127.0.0.1:8080/ws/');
  assert.equal(t.outcome.kind, 'status');
  assert.equal(status(t), 101);
  assert.ok(t.outcome.kind === 'status' && t.outcome.rejected);
  assert.ok(t.response!.hidden.some((h) => h.name === 'Upgrade'));
});

test('proxy_connect_timeout 0 and proxy_read_timeout 0 fail every handshake with 504 (measured); proxy_send_timeout 0 does not', () => {
  const at = (line: string) =>
    status(run(`server { listen 127.0.0.1:8080; location /ws/ { ${RECIPE} ${line} } }`, 'ws://127.0.0.1:8080/ws/'));
  assert.equal(at('proxy_connect_timeout 0;'), 504);
  assert.equal(at('proxy_read_timeout 0;'), 504);
  assert.equal(at('proxy_send_timeout 0;'), 101);
});

test('proxy_pass_request_headers off: the key never reaches the backend (400)', () => {
  const t = run(`server { listen 127.0.0.1:8080; location /ws/ { ${RECIPE} proxy_pass_request_headers off; } }`, 'ws://127.0.0.1:8080/ws/');
  assert.equal(status(t), 400);
  assert.equal(sent(t, 'Sec-WebSocket-Key'), undefined);
});

test('try_files and error_page reach named locations', () => {
  const http = `server { listen 127.0.0.1:8080;
    location /ws/ { try_files $uri @ws; }
    location /t/ { error_page 418 = @ws; return 418; }
    location @ws { ${RECIPE} } }`;
  const t = run(http, 'ws://127.0.0.1:8080/ws/');
  assert.equal(status(t), 101);
  assert.equal(loc(t), '@ws');
  assert.equal(status(run(http, 'ws://127.0.0.1:8080/t/')), 101);
});

test('a regex location that RE2 cannot evaluate is reported, not guessed', () => {
  const t = run(`server { listen 127.0.0.1:8080; location ~ ^/(a)\\1 { return 403; } location / { ${RECIPE} } }`, 'ws://127.0.0.1:8080/aa');
  assert.ok(t.uncertain.some((u) => u.includes('backreference')));
});

test('nothing listens on the port: refused', () => {
  const t = run(`server { listen 127.0.0.1:8080; location / { ${RECIPE} } }`, 'ws://127.0.0.1:9999/');
  assert.equal(t.outcome.kind, 'closed');
});

test('a level sorts its prefixes longest first, equal lengths in config order, as a stable Array#sort does', () => {
  const named = fc.array(fc.stringMatching(/^\/[a-c]{0,4}$/), { maxLength: 40 }).map((names) => names.map((name, i) => ({ name, i })));
  fc.assert(
    fc.property(named, (nodes) => {
      const expected = [...nodes].sort((a, b) => b.name.length - a.name.length);
      assert.deepEqual(longestFirst([...nodes]), expected);
    }),
    { numRuns: 500 },
  );
});

test('duplicate prefix locations: the first of each path is indexed, in small and large levels alike', () => {
  for (const count of [3, 16, 17, 40]) {
    const paths = Array.from({ length: count }, (_, i) => `/p${i % Math.ceil(count / 2)}/`);
    const http = `server {\n  listen 80;\n${paths.map((p) => `  location ${p} { return 200; }`).join('\n')}\n}`;
    const text = `events {}\nhttp {\n${http}\n}\n`;
    const path = '/etc/nginx/nginx.conf';
    const a = analyze(path, singleFileHost(path, text));
    const index = new RequestModel(a.model).locations;
    const seen = new Set<string>();
    for (const s of a.model.scopes.get('location') ?? []) {
      const p = s.directive!.args[0]!.value;
      assert.equal(index.nodeOf(s) !== null, !seen.has(p), `${count} locations, ${p}`);
      seen.add(p);
    }
  }
});

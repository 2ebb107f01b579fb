/**
 * The "WebSocket endpoints" view's data: `nginxWs/workspaceEndpoints` from the
 * real server process over stdio, for a workspace with a root config, an
 * included conf.d file and a config of its own. The list is the one
 * `nginx-ws endpoints` prints (one function, `listEndpoints`, feeds both), an
 * unsaved edit inside a location changes its fingerprint (stale results), and
 * an edit elsewhere does not.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildOnce, ROOT, TempWorkspace, type LspTestClient } from '../support/lsp-client';
import { WORKSPACE_ENDPOINTS_REQUEST, type WorkspaceEndpointsResult } from '../../server/src/lsp/protocol';

const NGINX_CONF = `events {}
http {
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    include conf.d/*.conf;
    server {
        listen 8443 ssl;
        server_name chat.example.com;
        ssl_certificate cert.pem;
        ssl_certificate_key key.pem;
        location /ws/ {
            proxy_pass http://127.0.0.1:3000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }
    }
}
`;
const APP_CONF = `server {
    listen 8080;
    server_name app.example.com;
    location /socket.io/ {
        proxy_pass http://127.0.0.1:3001;
    }
    location ~ ^/live/(\\w+)$ {
        proxy_pass http://127.0.0.1:3002;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
    location /static/ { root /srv; }
}
`;
const OTHER = `events {}
http { server { listen 9000; location /cable { proxy_pass http://127.0.0.1:3003; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; } } }
`;

let ws: TempWorkspace;
let c: LspTestClient;

before(async () => {
  buildOnce();
  ws = new TempWorkspace('nginx-ws-endpoints-');
  ws.write('nginx.conf', NGINX_CONF);
  ws.write('conf.d/app.conf', APP_CONF);
  ws.write('other/site.conf', OTHER);
  c = await ws.start();
});
after(() => ws.dispose());

const list = (baseUrl?: string) => c.request<WorkspaceEndpointsResult>(WORKSPACE_ENDPOINTS_REQUEST, { baseUrl });

test('every WebSocket location of the workspace, grouped by config, with URL, server and findings', async () => {
  const r = await list();
  assert.deepEqual(r.notes, []);
  assert.deepEqual(
    r.configs.map((g) => [g.configPath, g.endpoints.map((e) => [e.location, e.url, e.server.label, e.uri])]),
    [
      [
        join(ws.dir, 'nginx.conf'),
        [
          ['location /socket.io/', 'ws://app.example.com:8080/socket.io/', 'app.example.com · listen 8080', ws.uri('conf.d/app.conf')],
          ['location ~ ^/live/(\\w+)$', null, 'app.example.com · listen 8080', ws.uri('conf.d/app.conf')],
          ['location /ws/', 'wss://chat.example.com:8443/ws/', 'chat.example.com · listen 8443 ssl', ws.uri('nginx.conf')],
        ],
      ],
      [
        join(ws.dir, 'other', 'site.conf'),
        [['location /cable', 'ws://localhost:9000/cable', '(no server_name) · listen 9000', ws.uri('other/site.conf')]],
      ],
    ],
  );
  const socketIo = r.configs[0]!.endpoints[0]!;
  assert.equal(socketIo.findings.warning, 1, 'ws-path-without-recipe');
  assert.equal(r.configs[0]!.endpoints[1]!.needsPath, true);
  assert.equal(r.configs[0]!.endpoints[1]!.findings.error, 1, 'a partial recipe: proxy_http_version missing');
});

test('the CLI prints the same list for the same config', async () => {
  const r = await list();
  const cli = JSON.parse(
    execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'endpoints', join(ws.dir, 'nginx.conf'), '--json'], {
      cwd: ws.dir,
      encoding: 'utf8',
    }),
  ) as {
    line: number;
    location: string;
    url: string | null;
    backendUrl: string | null;
    intent: string;
    notes: string[];
  }[];
  assert.deepEqual(
    cli.map((x) => [x.line, x.location, x.url, x.backendUrl, x.intent, x.notes]),
    r.configs[0]!.endpoints.map((e) => [e.line, e.location, e.url, e.backendUrl, e.intent, e.notes]),
  );
});

test('a base URL applies to every derived URL', async () => {
  const r = await list('wss://staging.example.com');
  assert.equal(r.configs[0]!.endpoints[0]!.url, 'wss://staging.example.com/socket.io/');
});

test('an unsaved edit inside a location changes its fingerprint; one outside it does not', async () => {
  const before = await list();
  const fp = (r: WorkspaceEndpointsResult) => Object.fromEntries(r.configs[0]!.endpoints.map((e) => [e.location, e.fingerprint]));
  const uri = ws.uri('conf.d/app.conf');
  c.open(uri, APP_CONF);
  c.change(
    uri,
    2,
    APP_CONF.replace('proxy_pass http://127.0.0.1:3001;', 'proxy_pass http://127.0.0.1:3001;\n        proxy_read_timeout 1h;'),
  );
  const inside = await list();
  assert.notEqual(fp(inside)['location /socket.io/'], fp(before)['location /socket.io/'], 'the edited location is stale');
  assert.equal(fp(inside)['location /ws/'], fp(before)['location /ws/'], 'the other locations are not');
  c.change(uri, 3, APP_CONF.replace('location /static/ { root /srv; }', 'location /static/ { root /var/www; }'));
  const outside = await list();
  assert.equal(fp(outside)['location /socket.io/'], fp(before)['location /socket.io/'], 'an edit in another location changes nothing');
});

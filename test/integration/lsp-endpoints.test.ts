/**
 * CodeLens and `nginxWs/endpointContext` over the real protocol, and the
 * path the "Test WebSocket endpoint" command takes, proven against real
 * nginx: the server derives the URL from the config nginx is running, the
 * client's location lookup re-finds the engine location, and the real tester
 * passes (or fails with a diagnosis naming the config line).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { CodeLens } from 'vscode-languageserver-protocol/node';
import { runEndpointTest } from '../../server/src/wstest/index';
import type { EndpointContext, EndpointContextResult, TestEndpointArgs } from '../../server/src/lsp/protocol';
import type { Finding } from '../../server/src/engine/types';
import { buildOnce, LspTestClient } from '../support/lsp-client';
import { nginxAvailable, startNginx, type RunningNginx } from '../support/nginx';
import { startWsBackend, type WsBackend } from '../support/ws-backend';

const T = { timeout: 30_000 };

const toFindings = (ep: EndpointContext): Finding[] => ep.findings.map((f) => ({ ...f, fixes: [] }));

const CONF = `http {
    upstream chat_backend {
        server 127.0.0.1:9000;
        server 127.0.0.1:9001;
        ip_hash;
    }
    server {
        listen 443 ssl;
        server_name *.example.com chat.example.com;
        error_log /var/log/nginx/chat.error.log;
        location /ws/ {
            proxy_pass http://chat_backend;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
        location ~ ^/rooms/(\\d+)/socket$ {
            proxy_pass http://127.0.0.1:9100;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 3600s;
        }
        location /api/ {
            proxy_pass http://127.0.0.1:9200;
        }
    }
}
`;

describe('LSP CodeLens and endpoint context', () => {
  let c: LspTestClient;
  const uri = 'file:///virtual/endpoints/nginx.conf';
  before(async () => {
    buildOnce();
    c = await LspTestClient.start();
    c.open(uri, CONF, 1);
    await c.diagnostics(uri, (x) => x.version === 1);
  });
  after(() => c?.kill());

  test('one lens per WebSocket location, none on plain proxy locations', T, async () => {
    const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(
      lenses.map((l) => l.range.start.line),
      [10, 16],
      'the /ws/ and the regex location; not /api/',
    );
    for (const l of lenses) {
      assert.equal(l.command?.title, '▶ Test WebSocket endpoint');
      assert.equal(l.command?.command, 'nginxWs.testEndpoint');
    }
    const args = lenses[0]!.command!.arguments![0] as TestEndpointArgs;
    assert.deepEqual(args, { uri, range: lenses[0]!.range, locationPath: '/ws/', modifier: '' });
    assert.equal((lenses[1]!.command!.arguments![0] as TestEndpointArgs).modifier, '~');
  });

  test('lenses follow an edit without waiting for the debounce', T, async () => {
    const text = CONF.replace(
      '        location /api/ {',
      '        location /cable {\n            proxy_pass http://127.0.0.1:9300;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n        }\n        location /api/ {',
    );
    c.change(uri, 2, text);
    const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(
      lenses.map((l) => l.range.start.line),
      [10, 16, 23],
    );
    c.change(uri, 3, CONF);
    await c.diagnostics(uri, (x) => x.version === 3);
  });

  test('endpoint context at a position: derived URL, backend, findings, error log', T, async () => {
    const r = await c.request<EndpointContextResult>('nginxWs/endpointContext', { uri, position: { line: 13, character: 12 } });
    assert.equal(r.endpoints.length, 1);
    const ep = r.endpoints[0]!;
    assert.equal(ep.url, 'wss://chat.example.com/ws/', 'listen 443 ssl + first concrete server_name + path');
    assert.equal(ep.origin, 'wss://chat.example.com');
    assert.equal(ep.serverName, 'chat.example.com');
    assert.equal(ep.proxyPass, 'http://chat_backend');
    assert.equal(ep.backendUrl, 'ws://127.0.0.1:9000/ws/', 'resolved through the upstream block');
    assert.equal(ep.errorLogPath, '/var/log/nginx/chat.error.log');
    assert.equal(ep.configPath, '/virtual/endpoints/nginx.conf');
    assert.deepEqual(ep.location, {
      path: '/ws/',
      modifier: '',
      isRegex: false,
      needsPath: false,
      range: ep.location.range,
      file: '/virtual/endpoints/nginx.conf',
    });
    assert.equal(ep.location.range.start.line, 10);
    assert.deepEqual(
      ep.findings.map((f) => f.code),
      ['ws-read-timeout-default'],
      'the only finding inside /ws/ (no proxy_read_timeout)',
    );
  });

  test('a regex location needs a concrete path; no position lists every endpoint', T, async () => {
    const r = await c.request<EndpointContextResult>('nginxWs/endpointContext', { uri, position: { line: 16, character: 8 } });
    const ep = r.endpoints[0]!;
    assert.equal(ep.url, null);
    assert.equal(ep.location.needsPath, true);
    assert.equal(ep.location.isRegex, true);
    assert.equal(ep.origin, 'wss://chat.example.com');
    const all = await c.request<EndpointContextResult>('nginxWs/endpointContext', { uri });
    assert.deepEqual(
      all.endpoints.map((e) => e.location.path),
      ['/ws/', '^/rooms/(\\d+)/socket$'],
    );
    const none = await c.request<EndpointContextResult>('nginxWs/endpointContext', { uri, position: { line: 24, character: 8 } });
    assert.deepEqual(none.endpoints, [], 'inside /api/: not a WebSocket location');
  });

  test('the server derives URLs for a concrete path and a base URL, and sends the location as plain data', T, async () => {
    const at = { uri, position: { line: 16, character: 8 } };
    const ep = (await c.request<EndpointContextResult>('nginxWs/endpointContext', { ...at, path: '/rooms/42/socket' })).endpoints[0]!;
    assert.equal(ep.url, 'wss://chat.example.com/rooms/42/socket');
    assert.equal(ep.backendUrl, 'ws://127.0.0.1:9100/rooms/42/socket');
    const based = (
      await c.request<EndpointContextResult>('nginxWs/endpointContext', {
        uri,
        position: { line: 10, character: 8 },
        baseUrl: 'wss://staging.example.net',
      })
    ).endpoints[0]!;
    assert.equal(based.url, 'wss://staging.example.net/ws/');
    // The tester's diagnosis reads directive lines from this; it must survive JSON.
    assert.equal(ep.context.path, '/virtual/endpoints/nginx.conf');
    assert.ok(JSON.stringify(ep.context).includes('proxy_pass'), JSON.stringify(ep.context));
  });
});

describe('endpoint context against real nginx', { skip: nginxAvailable() ? false : 'nginx is not installed' }, () => {
  let c: LspTestClient;
  let backend: WsBackend;
  const running: RunningNginx[] = [];
  before(async () => {
    buildOnce();
    backend = await startWsBackend();
    c = await LspTestClient.start();
  });
  after(async () => {
    c?.kill();
    for (const n of running) await n.stop();
    await backend?.stop();
  });

  async function serve(location: string): Promise<{ ng: RunningNginx; uri: string; text: string }> {
    const ng = await startNginx({
      backendPort: backend.port,
      http: `upstream app { server 127.0.0.1:__BACKEND__; }\nserver {\n    listen 127.0.0.1:__PORT__;\n    location /ws/ {\n${location}\n    }\n}\n`,
    });
    running.push(ng);
    const text = readFileSync(ng.confPath, 'utf8');
    const uri = pathToFileURL(ng.confPath).href;
    c.open(uri, text, 1);
    await c.diagnostics(uri, (x) => x.version === 1);
    return { ng, uri, text };
  }

  async function contextAtWs(uri: string, text: string) {
    const line = text.split('\n').findIndex((l) => l.includes('location /ws/'));
    const r = await c.request<EndpointContextResult>('nginxWs/endpointContext', { uri, position: { line: line + 1, character: 4 } });
    assert.equal(r.endpoints.length, 1, JSON.stringify(r));
    return r.endpoints[0]!;
  }

  test('the derived URL reaches the running nginx and the handshake passes', { timeout: 60_000 }, async () => {
    const { ng, uri, text } = await serve(
      '        proxy_pass http://app;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection "upgrade";\n        proxy_read_timeout 3600s;',
    );
    const ep = await contextAtWs(uri, text);
    assert.equal(ep.url, `ws://127.0.0.1:${ng.port}/ws/`);
    assert.equal(ep.backendUrl, `ws://127.0.0.1:${backend.port}/ws/`);
    // The context crosses the protocol as plain data: exactly what the client passes to the tester.
    const result = await runEndpointTest({
      url: ep.url,
      backendUrl: ep.backendUrl,
      timeoutMs: 5000,
      context: { location: ep.context, findings: toFindings(ep) },
    });
    assert.equal(result.ok, true, `${result.stage}: ${result.error}`);
    assert.equal(result.backend?.ok, true);
  });

  test('a broken location fails, and the diagnosis names the finding the server reported', { timeout: 60_000 }, async () => {
    const { uri, text } = await serve(
      '        proxy_pass http://app;\n        proxy_http_version 1.1;\n        proxy_set_header Connection "upgrade";\n        proxy_read_timeout 3600s;',
    );
    const ep = await contextAtWs(uri, text);
    assert.deepEqual(
      ep.findings.map((f) => f.code),
      ['ws-upgrade-header-missing'],
    );
    const result = await runEndpointTest({ url: ep.url!, timeoutMs: 5000, context: { location: ep.context, findings: toFindings(ep) } });
    assert.equal(result.ok, false);
    assert.equal(result.stage, 'handshake');
    assert.ok(
      result.diagnosis.some((d) => d.code === 'ws-upgrade-header-missing' && d.line !== undefined),
      JSON.stringify(result.diagnosis),
    );
  });
});

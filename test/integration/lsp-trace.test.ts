/**
 * The request model in the editor, over the real protocol: hover on a
 * location and on its proxy_pass shows what a WebSocket handshake there
 * becomes; `nginxWs/trace` prefills the URL of the location under the
 * cursor and traces any URL through the config; the endpoint context carries
 * the prediction the endpoint test shows before it connects. The trace the
 * server sends for a config is then checked against real nginx running it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Hover } from 'vscode-languageserver-protocol/node';
import type { EndpointContextResult, TraceResult } from '../../server/src/lsp/protocol';
import { buildOnce, LspTestClient } from '../support/lsp-client';
import { nginxAvailable, startNginx } from '../support/nginx';
import { startStrictBackend } from '../support/ws-backend';
import { handshake } from '../support/handshake';

const T = { timeout: 30_000 };

const CONF = `http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    server {
        listen 127.0.0.1:18080;
        server_name chat.test;
        proxy_set_header X-Real-IP $remote_addr;
        location /ws/ {
            proxy_pass http://127.0.0.1:19000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
        }
        location /live/ {
            proxy_pass http://127.0.0.1:19000;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
        location ~ ^/live/admin {
            return 403;
        }
    }
}
`;

describe('LSP: the request model in the editor', () => {
  let c: LspTestClient;
  const uri = 'file:///virtual/trace/nginx.conf';
  before(async () => {
    buildOnce();
    c = await LspTestClient.start();
    c.open(uri, CONF, 1);
    await c.diagnostics(uri, (x) => x.version === 1);
  });
  after(() => c?.kill());

  test('hover on a proxying location: the outcome, each header the backend gets with its line, the timeouts', T, async () => {
    const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 9, character: 10 } });
    const md = (h.contents as { value: string }).value;
    assert.match(md, /\*\*WebSocket handshake\*\* `ws:\/\/chat\.test:18080\/ws\/` \*\*upgrades\*\*: 101/);
    assert.match(md, /`Upgrade: websocket` ← `nginx\.conf:13`/);
    assert.match(md, /`Connection: upgrade` ← `nginx\.conf:14`/);
    assert.match(md, /read \*\*3600s\*\* \(`nginx\.conf:15`\)/);
    assert.doesNotMatch(md, /X-Real-IP/, "the location's own list replaces the server's");
    assert.match(md, /ngx_http_core_module/, 'the directive docs follow');
  });

  test('hover on proxy_pass of a failing location names the cause', T, async () => {
    const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 17, character: 14 } });
    const md = (h.contents as { value: string }).value;
    assert.match(md, /\*\*fails\*\*: 400: nginx sends HTTP\/1\.0/);
  });

  test('nginxWs/trace: the URL of the location under the cursor, then the trace of a typed URL', T, async () => {
    const pre = await c.request<TraceResult>('nginxWs/trace', { uri, position: { line: 12, character: 4 } });
    assert.equal(pre.url, 'ws://chat.test:18080/ws/');
    assert.equal(pre.report, null);
    const r = await c.request<TraceResult>('nginxWs/trace', { uri, url: 'ws://chat.test:18080/live/admin/x' });
    assert.equal(r.report?.outcome.kind, 'status');
    assert.equal(r.report?.outcome.status, 403);
    assert.equal(r.report?.location?.text, 'location ~ ^/live/admin');
    assert.equal(r.report?.outcome.at?.line, 23);
    const bad = await c.request<TraceResult>('nginxWs/trace', { uri, url: 'ftp://x/' });
    assert.match(bad.error ?? '', /not a ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/ URL/);
  });

  test('the endpoint context carries the prediction shown before the test connects', T, async () => {
    const r = await c.request<EndpointContextResult>('nginxWs/endpointContext', { uri, position: { line: 18, character: 8 } });
    const p = r.endpoints[0]!.prediction!;
    assert.equal(p.outcome.kind, 'status');
    assert.equal(p.outcome.status, 400);
    assert.equal(p.backend?.requestLine, 'GET /live/ HTTP/1.0');
  });

  test('real nginx agrees with the traces the server sent', { ...T, skip: !nginxAvailable() && 'nginx is not installed' }, async () => {
    const b = await startStrictBackend();
    const ng = await startNginx({
      http: CONF.slice(CONF.indexOf('{') + 1, CONF.lastIndexOf('}'))
        .replace(/127\.0\.0\.1:18080/, '127.0.0.1:__PORT__')
        .replace(/127\.0\.0\.1:19000/g, `127.0.0.1:${b.port}`),
    });
    try {
      for (const [path, want] of [
        ['/ws/', 101],
        ['/live/', 400],
        ['/live/admin/x', 403],
      ] as const) {
        const r = await c.request<TraceResult>('nginxWs/trace', { uri, url: `ws://chat.test:18080${path}` });
        const predicted = r.report!.outcome.kind === 'upgraded' ? 101 : r.report!.outcome.status;
        assert.equal(predicted, want, `model for ${path}`);
        const live = await handshake(`ws://127.0.0.1:${ng.port}${path}`);
        assert.equal(live.status, want, `nginx for ${path}: ${JSON.stringify(live)}`);
      }
    } finally {
      await ng.stop();
      await b.stop();
    }
  });
});

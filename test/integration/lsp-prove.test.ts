/**
 * The path "Prove WebSocket location with local nginx" takes in the editor,
 * over the real protocol and with real nginx: the language server gives the
 * location (`nginxWs/endpointContext`) and the whole config as it analysed it
 * (`nginxWs/configSnapshot`: the including root, its settings, every file with
 * unsaved edits), and the proof runs exactly that.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runProof, snapshotHost } from '../../server/src/prove/index';
import {
  CONFIG_SNAPSHOT_REQUEST,
  ENDPOINT_CONTEXT_REQUEST,
  type ConfigSnapshotResult,
  type EndpointContextResult,
} from '../../server/src/lsp/protocol';
import { buildOnce, TempWorkspace, type LspTestClient } from '../support/lsp-client';
import { NGINX_BINARY, nginxAvailable } from '../support/nginx';
import { leftovers } from '../support/proof-checks';

const ROOT = `events {}
http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    include conf.d/*.conf;
}
`;
const SITE = `server {
    listen 80;
    server_name chat.example.com;
    location /ws/ {
        proxy_pass http://app:3000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
    }
}
`;

describe('configSnapshot + the proof, as the editor runs it', { timeout: 60_000 }, () => {
  let ws: TempWorkspace;
  let c: LspTestClient;
  before(async () => {
    buildOnce();
    ws = new TempWorkspace('lsp-prove-');
    ws.write('nginx.conf', ROOT);
    ws.write('conf.d/chat.conf', SITE);
    c = await ws.start({ workspaceTrusted: true });
  });
  after(() => ws.dispose());

  test(
    'the snapshot is the including config with the unsaved text, and the proof runs that text',
    { skip: nginxAvailable() ? false : 'nginx is not installed' },
    async () => {
      const uri = ws.uri('conf.d/chat.conf');
      c.open(uri, SITE);
      await c.diagnostics(uri, (p) => p.version === 1);
      // The user adds the missing header and does not save.
      const edited = SITE.replace('$http_upgrade;\n', '$http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n');
      c.change(uri, 2, edited);
      await c.diagnostics(uri, (p) => p.version === 2);

      const snap = await c.request<ConfigSnapshotResult>(CONFIG_SNAPSHOT_REQUEST, { uri });
      assert.equal(snap.note, null);
      assert.equal(snap.rootPath, fileURLToPath(ws.uri('nginx.conf')), 'judged in the config that includes it');
      assert.deepEqual(
        snap.files.map((f) => f.path).sort(),
        [fileURLToPath(ws.uri('conf.d/chat.conf')), fileURLToPath(ws.uri('nginx.conf'))].sort(),
      );
      assert.equal(snap.files.find((f) => f.path.endsWith('chat.conf'))!.text, edited, 'the unsaved text');
      assert.ok(snap.settings && typeof snap.settings.prefix === 'string');

      const ctx = await c.request<EndpointContextResult>(ENDPOINT_CONTEXT_REQUEST, { uri, position: { line: 4, character: 8 } });
      const ep = ctx.endpoints[0]!;
      const r = await runProof({
        root: snap.rootPath,
        host: snapshotHost(snap.files),
        settings: snap.settings,
        location: { file: ep.location.file, line: ep.location.range.start.line + 1 },
        nginx: NGINX_BINARY,
        findings: ep.findings,
      });
      assert.equal(r.ok, true, `${r.stage} ${r.error} ${JSON.stringify(r.diagnosis)}`);
      assert.ok(
        r.backend!.requests[0]!.headers.some(([k, v]) => k === 'Connection' && v === 'upgrade'),
        'the unsaved Connection header reached the backend',
      );
      assert.deepEqual(leftovers(r), []);

      // Before the edit (the disk), the same location fails at the handshake, and the server's finding is the diagnosis.
      c.change(uri, 3, SITE);
      await c.diagnostics(uri, (p) => p.version === 3);
      const snap2 = await c.request<ConfigSnapshotResult>(CONFIG_SNAPSHOT_REQUEST, { uri });
      const ep2 = (await c.request<EndpointContextResult>(ENDPOINT_CONTEXT_REQUEST, { uri, position: { line: 4, character: 8 } }))
        .endpoints[0]!;
      const r2 = await runProof({
        root: snap2.rootPath!,
        host: snapshotHost(snap2.files),
        settings: snap2.settings!,
        location: { file: ep2.location.file, line: ep2.location.range.start.line + 1 },
        nginx: NGINX_BINARY,
        findings: ep2.findings,
      });
      assert.equal(r2.status, 426);
      assert.ok(
        r2.diagnosis.some((d) => d.code === 'ws-connection-header' && d.path === fileURLToPath(uri)),
        JSON.stringify(r2.diagnosis),
      );
    },
  );

  test('a document with no analysis gets an empty snapshot with a reason', async () => {
    const snap = await c.request<ConfigSnapshotResult>(CONFIG_SNAPSHOT_REQUEST, { uri: ws.uri('never-opened.conf') });
    assert.equal(snap.rootPath, null);
    assert.deepEqual(snap.files, []);
    assert.match(snap.note!, /no analysis/);
  });
});

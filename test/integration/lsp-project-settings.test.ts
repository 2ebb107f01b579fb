/** The editor reads .nginx-ws.json like the CLI: its settings apply under the editor's own, and a change on disk applies at once. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnce, TempWorkspace } from '../support/lsp-client';

before(() => buildOnce());

const CONF =
  "events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    server {\n        listen 80;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n        }\n    }\n}\n";

test(
  'LSP: .nginx-ws.json rules and version apply, the editor settings win per rule, and an edit of the file on disk re-analyses',
  { timeout: 60_000 },
  async (t) => {
    const ws = new TempWorkspace('nginx-ws-projset-');
    t.after(() => ws.dispose());
    ws.write('nginx.conf', CONF);
    ws.write('.nginx-ws.json', JSON.stringify({ nginxVersion: '1.30.0', rules: { 'ws-read-timeout-default': 'off' } }));
    const c = await ws.start({ settings: { rules: { 'ws-upgrade-header-missing': 'warning' } } });
    const uri = ws.uri('nginx.conf');
    c.open(uri, CONF);
    const first = await c.diagnostics(uri, (p) => p.version === 1);
    // 1.30.0 from the file: no ws-http-version; ws-read-timeout-default off from the file.
    assert.deepEqual(
      first.diagnostics.map((d) => d.code),
      [],
    );
    // The file changes on disk: the version goes, ws-http-version comes back; a bad value is logged and ignored.
    writeFileSync(
      join(ws.dir, '.nginx-ws.json'),
      JSON.stringify({ rules: { 'ws-read-timeout-default': 'off', 'ws-http-version': 'shout' } }),
    );
    const since = c.mark(uri);
    await c.watched([ws.uri('.nginx-ws.json')]);
    const second = await c.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'ws-http-version'), { since });
    assert.deepEqual(
      second.diagnostics.map((d) => d.code),
      ['ws-http-version'],
    );
    await c.log(/\.nginx-ws\.json: rules\.ws-http-version: expected error\|warning\|information\|hint\|off, got "shout"/);
    // The editor's own setting wins over the file's for the same rule.
    const since2 = c.mark(uri);
    await c.setSettings({ rules: { 'ws-http-version': 'off', 'ws-read-timeout-default': 'warning' } });
    const third = await c.diagnostics(uri, (p) => !p.diagnostics.some((d) => d.code === 'ws-http-version'), { since: since2 });
    assert.deepEqual(
      third.diagnostics.map((d) => `${d.code} ${d.severity}`),
      ['ws-read-timeout-default 2'],
    );
  },
);

/**
 * Debian's layout over the real protocol: nginx.conf includes
 * `sites-enabled/*`, whose entries are symlinks to `sites-available/`, and
 * the user opens the real file in sites-available/. It must be judged in
 * nginx.conf's context (not alone), its unsaved edits must reach that
 * analysis, and the diagnostics and fixes must land on the open document.
 */
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DiagnosticSeverity, type CodeAction, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { buildOnce, TempWorkspace, messageText } from '../support/lsp-client';

const ROOT = `events {}
http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    include sites-enabled/*;
}
`;

/** Uses the root's map (fine in context, unknown alone) and a variable nothing defines. */
const SITE = `server {
    listen 127.0.0.1:8080;
    location /ws/ {
        proxy_pass http://127.0.0.1:9000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_read_timeout 3600s;
        add_header X-Trace $nowhere;
    }
}
`;

const undefinedVars = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => d.code === 'undefined-variable');

describe('LSP: a site opened at its real path, enabled through a symlink', () => {
  let ws: TempWorkspace;
  before(() => {
    buildOnce();
    ws = new TempWorkspace('nginx-ws-lsp-symlinks-');
    ws.write('nginx.conf', ROOT);
    ws.write('sites-available/chat', SITE);
    ws.write('sites-enabled/.keep', '');
    symlinkSync(join('..', 'sites-available', 'chat'), join(ws.dir, 'sites-enabled', 'chat'));
  });
  after(() => ws.dispose());

  test('is judged in nginx.conf, sees its unsaved edits there, and gets the diagnostics and fixes', { timeout: 30_000 }, async () => {
    const c = await ws.start();
    const uri = ws.uri('sites-available/chat');
    c.open(uri, SITE, 1);
    const first = await c.diagnostics(uri, (p) => p.version === 1);
    // In context the map defines $connection_upgrade, and an unknown variable is an error (alone: information).
    const vars = undefinedVars(first);
    assert.equal(vars.length, 1, JSON.stringify(first.diagnostics));
    assert.match(messageText(vars[0]!), /\$nowhere/);
    assert.equal(vars[0]!.severity, DiagnosticSeverity.Error);
    assert.equal(vars[0]!.range.start.line, 8);

    // An unsaved edit of the open document reaches the root's analysis (through the symlink).
    const edited = SITE.replace('        proxy_read_timeout 3600s;\n', '');
    c.change(uri, 2, edited);
    const second = await c.diagnostics(uri, (p) => p.version === 2);
    assert.ok(
      second.diagnostics.some((d) => d.code === 'ws-read-timeout-default'),
      JSON.stringify(second.diagnostics),
    );

    // Its quick fix edits the open document, not the symlink.
    const d = second.diagnostics.find((x) => x.code === 'ws-read-timeout-default')!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d] },
    });
    const fix = actions.find((a) => a.edit);
    assert.ok(fix, JSON.stringify(actions));
    const targets = [
      ...Object.keys(fix.edit!.changes ?? {}),
      ...(fix.edit!.documentChanges ?? []).map((x) => ('textDocument' in x ? x.textDocument.uri : '')),
    ];
    assert.deepEqual(targets, [uri]);
  });
});

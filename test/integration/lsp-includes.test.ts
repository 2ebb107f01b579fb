/**
 * Includes through the server's file host: files on disk in a temp dir,
 * globs, open buffers winning over disk, dependents re-analysed when an
 * included file changes in the editor or on disk, and files refused for size
 * or type with a clear diagnostic.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { applyWorkspaceEdit, buildOnce, LspTestClient, messageText } from '../support/lsp-client';

const T = { timeout: 30_000 };

const HEADERS = `proxy_http_version 1.1;
proxy_set_header Upgrade $http_upgrade;
proxy_set_header Connection "upgrade";
proxy_read_timeout 3600s;
`;

const ROOT_CONF = `http {
    include snippets/ws-headers.conf;
    include maps/[a-m]*.map;
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://127.0.0.1:9000;
        }
        location /chat/ {
            proxy_pass http://127.0.0.1:9001;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
        }
    }
}
`;

const MAP = `map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
}
`;

function codes(p: PublishDiagnosticsParams): string[] {
  return p.diagnostics.map((d) => String(d.code)).sort();
}

describe('LSP includes', () => {
  let c: LspTestClient;
  let dir: string;
  const uri = (rel: string) => pathToFileURL(join(dir, rel)).href;
  const write = (rel: string, text: string) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };

  before(async () => {
    buildOnce();
    dir = mkdtempSync(join(tmpdir(), 'nginx-ws-lsp-includes-'));
    write('nginx.conf', ROOT_CONF);
    write('snippets/ws-headers.conf', HEADERS);
    write('maps/connection.map', MAP);
    // Must not be included: outside [a-m], hidden, or another extension.
    write('maps/zz.map', 'this is not nginx syntax {{{\n');
    write('maps/.hidden.map', 'nor this {{{\n');
    write('maps/connection.map.bak', 'nor this {{{\n');
    // The files are in the workspace folder: read in Restricted Mode too (files outside it would not be).
    c = await LspTestClient.start({ workspaceFolders: [dir] });
  });
  after(() => {
    c?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('values inherited from included files on disk are seen (plain path and glob)', T, async () => {
    c.open(uri('nginx.conf'), ROOT_CONF, 1);
    const p = await c.diagnostics(uri('nginx.conf'), (x) => x.version === 1);
    assert.deepEqual(p.diagnostics, [], 'headers come from snippets/, the map from maps/[a-m]*.map');
  });

  test('control: the same text with no directory around it has unresolved includes and findings', T, async () => {
    const untitled = 'untitled:Untitled-1';
    c.open(untitled, ROOT_CONF, 1);
    const p = await c.diagnostics(untitled, (x) => x.version === 1);
    assert.ok(codes(p).includes('include'), `the plain include is reported missing: ${codes(p).join(', ')}`);
    assert.ok(codes(p).includes('undefined-variable'), 'no map without the glob');
    assert.ok(
      p.diagnostics.some((d) => d.range.start.line === 5),
      'location /ws/ lacks the recipe',
    );
    c.close(untitled);
  });

  test('an open buffer of an included file wins over disk, and its edits re-analyse the includer', T, async () => {
    const root = uri('nginx.conf');
    const inc = uri('snippets/ws-headers.conf');
    await c.diagnostics(root, (x) => x.version === 1);
    let since = c.mark(root);
    c.open(inc, HEADERS.replace('proxy_set_header Upgrade $http_upgrade;\n', ''), 1);
    const p = await c.diagnostics(root, (x) => x.diagnostics.length > 0, { since });
    assert.equal(p.version, 1, 'the root did not change; its includer did');
    assert.ok(codes(p).includes('ws-upgrade-header-missing'), 'got: ' + JSON.stringify(p.diagnostics));

    since = c.mark(root);
    c.change(inc, 2, HEADERS);
    const fixed = await c.diagnostics(root, () => true, { since });
    assert.deepEqual(fixed.diagnostics, [], 'edit of the included buffer propagates');

    // The finding belongs where the fix goes: the included buffer, reported from the includer's analysis.
    c.change(inc, 3, HEADERS.replace('"upgrade"', 'close'));
    const broken = await c.diagnostics(inc, (x) => x.version === 3 && x.diagnostics.length > 0);
    const conn = broken.diagnostics.find((d) => d.code === 'ws-connection-header');
    assert.ok(conn, 'got: ' + JSON.stringify(broken.diagnostics));
    assert.equal(conn.range.start.line, 2, 'on the `proxy_set_header Connection close;` line of the snippet');
    assert.equal((conn.data as { root?: string }).root, root, 'the includer is named so the fix can be found');
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: inc },
      range: conn.range,
      context: { diagnostics: [conn], only: ['quickfix'] },
    });
    assert.ok(actions.length >= 1, 'a quick fix for the included file');
    const texts = new Map([[inc, { text: HEADERS.replace('"upgrade"', 'close'), version: 3 }]]);
    applyWorkspaceEdit(texts, actions.find((a) => a.isPreferred)?.edit ?? actions[0]!.edit!);
    c.change(inc, 4, texts.get(inc)!.text);
    // Judged in its includer's context the snippet is clean: the map it now uses lives in maps/.
    const healed = await c.diagnostics(inc, (x) => x.version === 4);
    assert.deepEqual(healed.diagnostics, [], texts.get(inc)!.text);

    since = c.mark(root);
    const incSince = c.mark(inc);
    c.change(inc, 5, HEADERS.replace('"upgrade"', 'close'));
    await c.diagnostics(inc, (x) => x.version === 5 && x.diagnostics.length > 0, { since: incSince });
    const closeSince = c.mark(inc);
    c.close(inc);
    const back = await c.diagnostics(root, () => true, { since });
    assert.deepEqual(back.diagnostics, [], 'closed: the disk content counts again');
    const cleared = await c.diagnostics(inc, (x) => x.diagnostics.length === 0, { since: closeSince });
    assert.equal(cleared.version ?? null, null, 'the closed snippet is reported as a file on disk');
  });

  test('a change on disk (watched file) re-analyses the includer', T, async () => {
    const root = uri('nginx.conf');
    const since = c.mark(root);
    write('snippets/ws-headers.conf', HEADERS.replace('proxy_http_version 1.1;\n', 'proxy_http_version 1.0;\n'));
    await c.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('snippets/ws-headers.conf'), type: 2 }],
    });
    const p = await c.diagnostics(root, (x) => x.diagnostics.length > 0, { since });
    assert.ok(codes(p).includes('ws-http-version'), 'got: ' + JSON.stringify(p.diagnostics));
    assert.match(messageText(p.diagnostics.find((d) => d.code === 'ws-http-version')!), /1\.0/);
    write('snippets/ws-headers.conf', HEADERS);
    const since2 = c.mark(root);
    await c.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uri('snippets/ws-headers.conf'), type: 2 }],
    });
    assert.deepEqual((await c.diagnostics(root, () => true, { since: since2 })).diagnostics, []);
  });

  test('an included file over 20 MB, and a FIFO, are refused on the include line', T, async () => {
    const big = 'x'.repeat(1023) + '\n';
    writeFileSync(join(dir, 'huge.conf'), big.repeat(21 * 1024));
    execFileSync('mkfifo', [join(dir, 'pipe.conf')]);
    const text = `http {\n    include huge.conf;\n    include pipe.conf;\n    server {\n        listen 80\n    }\n}\n`;
    const u = uri('refuse.conf');
    writeFileSync(join(dir, 'refuse.conf'), text);
    c.open(u, text, 1);
    const p = await c.diagnostics(u, (x) => x.version === 1, { timeoutMs: 15_000 });
    const huge = p.diagnostics.find((d) => d.range.start.line === 1);
    assert.ok(huge, JSON.stringify(p.diagnostics));
    assert.equal(huge.code, 'include');
    assert.match(messageText(huge), /huge\.conf: larger than 20 MB, the limit for one file \(raise nginxWs\.limits\.fileMB\)/);
    assert.equal(p.diagnostics.filter((d) => d.range.start.line === 1).length, 1, 'one diagnostic, not also "not found"');
    const dev = p.diagnostics.find((d) => d.range.start.line === 2);
    assert.ok(dev, 'the FIFO include is reported');
    assert.match(messageText(dev), /not a regular file \(a FIFO\)/);
    assert.ok(codes(p).includes('syntax'), 'the rest of the file is still checked');
    assert.ok(c.alive);
    c.close(u);
  });
});

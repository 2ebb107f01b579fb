/**
 * The editor features (engine/features) over the real protocol: hover,
 * completion in context, outline, folding, definition and references across
 * an include on disk, upstream rename (and its refusal of a bad name),
 * include links, and formatting (idempotent).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type {
  CompletionItem,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { applyTextEdits, applyWorkspaceEdit, buildOnce, LspTestClient, rangeOf } from '../support/lsp-client';

const T = { timeout: 30_000 };

const CONF = `http {
    include upstreams.conf;
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://chat;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
        }
        location /api/ {
            proxy_pass http://chat;
        }
    }
}
`;
const UPSTREAMS = 'upstream chat {\n    server 127.0.0.1:9000;\n}\n';

describe('LSP editor features', () => {
  let c: LspTestClient;
  let dir: string;
  let uri: string;
  let upstreamsUri: string;
  const td = () => ({ textDocument: { uri } });

  before(async () => {
    buildOnce();
    dir = mkdtempSync(join(tmpdir(), 'nginx-ws-lsp-features-'));
    writeFileSync(join(dir, 'upstreams.conf'), UPSTREAMS);
    writeFileSync(join(dir, 'nginx.conf'), CONF);
    uri = pathToFileURL(join(dir, 'nginx.conf')).href;
    upstreamsUri = pathToFileURL(join(dir, 'upstreams.conf')).href;
    // The included file is in the workspace folder: read in Restricted Mode too.
    c = await LspTestClient.start({ workspaceFolders: [dir] });
    c.open(uri, CONF, 1);
    await c.diagnostics(uri, (x) => x.version === 1);
  });
  after(() => {
    c?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the server announces every editor feature', T, () => {
    const caps = c.initializeResult.capabilities;
    for (const k of [
      'hoverProvider',
      'completionProvider',
      'documentSymbolProvider',
      'foldingRangeProvider',
      'definitionProvider',
      'referencesProvider',
      'renameProvider',
      'documentLinkProvider',
      'documentFormattingProvider',
    ] as const) {
      assert.ok(caps[k], k);
    }
  });

  test('hover on a directive shows its docs and link', T, async () => {
    const h = await c.request<Hover>('textDocument/hover', { ...td(), position: { line: 13, character: 16 } });
    const value = typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
    assert.match(value, /proxy_read_timeout/);
    assert.match(value, /nginx\.org/);
    assert.equal(rangeOf(h.range!), '13:12-13:30');
  });

  test('completion offers directives valid in a location and upstream names after http://', T, async () => {
    const inLocation = await c.request<CompletionItem[]>('textDocument/completion', { ...td(), position: { line: 13, character: 12 } });
    assert.ok(
      inLocation.some((i) => i.label === 'proxy_pass'),
      'proxy_pass in a location',
    );
    assert.ok(!inLocation.some((i) => i.label === 'worker_processes'), 'no main-context directive in a location');
    const text = CONF.replace('proxy_pass http://chat;\n        }\n    }', 'proxy_pass http://ch;\n        }\n    }');
    c.change(uri, 2, text);
    const line = text.split('\n').findIndex((l) => l.includes('http://ch;'));
    const upstreams = await c.request<CompletionItem[]>('textDocument/completion', {
      ...td(),
      position: { line, character: text.split('\n')[line]!.indexOf(';') },
    });
    assert.ok(
      upstreams.some((i) => i.label === 'chat'),
      `the upstream from the included file: ${upstreams.map((i) => i.label).join(', ')}`,
    );
    c.change(uri, 3, CONF);
    await c.diagnostics(uri, (x) => x.version === 3);
  });

  test('outline and folding follow the blocks', T, async () => {
    const symbols = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', td());
    assert.equal(symbols.length, 1);
    const http = symbols[0]!;
    assert.equal(http.name, 'http');
    const server = http.children!.find((s) => /server/.test(s.name))!;
    assert.ok(server, JSON.stringify(http.children!.map((s) => s.name)));
    assert.deepEqual(
      server.children!.filter((s) => /location/.test(s.name)).map((s) => s.range.start.line),
      [8, 15],
    );
    const folds = await c.request<FoldingRange[]>('textDocument/foldingRange', td());
    assert.ok(
      folds.some((f) => f.startLine === 8 && f.endLine === 13),
      JSON.stringify(folds),
    );
    assert.ok(
      folds.some((f) => f.startLine === 0),
      'http block folds',
    );
  });

  test('definition and references cross the include', T, async () => {
    const def = await c.request<Location[]>('textDocument/definition', { ...td(), position: { line: 9, character: 32 } });
    assert.deepEqual(def, [{ uri: upstreamsUri, range: { start: { line: 0, character: 9 }, end: { line: 0, character: 13 } } }]);
    const varDef = await c.request<Location[]>('textDocument/definition', { ...td(), position: { line: 12, character: 45 } });
    assert.equal(varDef.length, 1);
    assert.equal(varDef[0]!.uri, uri);
    assert.equal(varDef[0]!.range.start.line, 2, 'the map line');
    const refs = await c.request<Location[]>('textDocument/references', {
      ...td(),
      position: { line: 9, character: 32 },
      context: { includeDeclaration: true },
    });
    assert.deepEqual(refs.map((r) => `${r.uri === uri ? 'nginx.conf' : 'upstreams.conf'}:${r.range.start.line}`).sort(), [
      'nginx.conf:16',
      'nginx.conf:9',
      'upstreams.conf:0',
    ]);
    const inc = await c.request<Location[]>('textDocument/definition', { ...td(), position: { line: 1, character: 14 } });
    assert.deepEqual(
      inc.map((l) => l.uri),
      [upstreamsUri],
    );
  });

  test('renaming an upstream edits every file; an invalid name is refused with a message', T, async () => {
    const prep = await c.request<{ placeholder: string }>('textDocument/prepareRename', { ...td(), position: { line: 9, character: 32 } });
    assert.equal(prep.placeholder, 'chat');
    const edit = await c.request<WorkspaceEdit>('textDocument/rename', {
      ...td(),
      position: { line: 9, character: 32 },
      newName: 'chat_v2',
    });
    const texts = new Map([
      [uri, { text: CONF, version: 3 }],
      [upstreamsUri, { text: UPSTREAMS, version: null }],
    ]);
    applyWorkspaceEdit(texts, edit);
    assert.equal(texts.get(upstreamsUri)!.text, UPSTREAMS.replace('chat', 'chat_v2'));
    assert.equal(texts.get(uri)!.text, CONF.replaceAll('http://chat;', 'http://chat_v2;'));
    await assert.rejects(
      c.request('textDocument/rename', { ...td(), position: { line: 9, character: 32 }, newName: 'two words' }),
      /not a valid upstream name/,
    );
    assert.equal(
      await c.request('textDocument/prepareRename', { ...td(), position: { line: 7, character: 9 } }),
      null,
      'nothing to rename on `listen`',
    );
  });

  test('include arguments are links to the file', T, async () => {
    const links = await c.request<DocumentLink[]>('textDocument/documentLink', td());
    assert.deepEqual(
      links.map((l) => [rangeOf(l.range), l.target]),
      [['1:12-1:26', upstreamsUri]],
    );
  });

  test('formatting re-indents and is idempotent', T, async () => {
    const messy = 'http {\n  server {\n listen 80;\n        location /ws/ {\nproxy_pass http://127.0.0.1:9000;\n   }\n}\n}\n';
    const u = 'file:///virtual/format/nginx.conf';
    c.open(u, messy, 1);
    await c.diagnostics(u, (x) => x.version === 1);
    const edits = await c.request<TextEdit[]>('textDocument/formatting', {
      textDocument: { uri: u },
      options: { tabSize: 2, insertSpaces: true },
    });
    const formatted = applyTextEdits(messy, edits);
    assert.equal(
      formatted,
      'http {\n  server {\n    listen 80;\n    location /ws/ {\n      proxy_pass http://127.0.0.1:9000;\n    }\n  }\n}\n',
    );
    c.change(u, 2, formatted);
    const again = await c.request<TextEdit[]>('textDocument/formatting', {
      textDocument: { uri: u },
      options: { tabSize: 2, insertSpaces: true },
    });
    assert.equal(applyTextEdits(formatted, again), formatted, 'formatting a formatted file changes nothing');
  });
});

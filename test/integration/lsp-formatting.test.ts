/**
 * Formatting over the real protocol (`node dist/server.js --stdio`): the
 * capabilities, whole-document formatting as gap edits (what nginx reads
 * is kept: a no-break space in a map key, a comment running past a lone
 * CR), the project's indentation from .nginx-ws.json, range formatting,
 * and on-type formatting when `}` is typed, on the version the editor has
 * just sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TextEdit } from 'vscode-languageserver-protocol/node';
import { applyTextEdits, buildOnce, LspTestClient, TempWorkspace } from '../support/lsp-client';
import { lexemeText, nginxRead } from '../support/nginx-lexer';

const T = { timeout: 30_000 };
const spaces = (n: number) => ({ tabSize: n, insertSpaces: true });
const read = (t: string) => nginxRead(t).lexemes.map(lexemeText);

describe('LSP formatting', () => {
  let c: LspTestClient;
  let n = 0;
  const fresh = async (text: string) => {
    const uri = `file:///virtual/fmt${++n}/nginx.conf`;
    c.open(uri, text, 1);
    await c.diagnostics(uri, (x) => x.version === 1);
    return uri;
  };

  before(async () => {
    buildOnce();
    c = await LspTestClient.start();
  });
  after(() => c?.kill());

  test('the server offers document, range and on-type (`}`) formatting', T, () => {
    const caps = c.initializeResult.capabilities;
    assert.equal(caps.documentFormattingProvider, true);
    assert.equal(caps.documentRangeFormattingProvider, true);
    assert.deepEqual(caps.documentOnTypeFormattingProvider, { firstTriggerCharacter: '}' });
  });

  test('document formatting edits only the whitespace between words, and keeps what nginx reads', T, async () => {
    const text =
      'http {\n  map $host $v {\n\u00a0\u00a0default 1;\n   example.com 2;\n  }\n server {\n  # note\r  listen 80;\n listen  81;\n }\n}\n';
    const uri = await fresh(text);
    const edits = await c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: spaces(4) });
    assert.ok(edits.length > 1, 'gap edits, not one whole-document replacement');
    for (const e of edits) assert.match(e.newText, /^[ \t\r\n]*$/);
    const out = applyTextEdits(text, edits);
    assert.equal(
      out,
      'http {\n    map $host $v {\n        \u00a0\u00a0default 1;\n        example.com 2;\n    }\n    server {\n        # note\r  listen 80;\n        listen 81;\n    }\n}\n',
    );
    assert.deepEqual(read(out), read(text));
  });

  test('tabs when the editor indents with tabs; a file with syntax errors is left alone', T, async () => {
    const uri = await fresh('http { server { listen 80; } }');
    const edits = await c.request<TextEdit[]>('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 8, insertSpaces: false },
    });
    assert.equal(applyTextEdits('http { server { listen 80; } }', edits), 'http {\n\tserver {\n\t\tlisten 80;\n\t}\n}\n');
    const broken = await fresh('http {\n server {\n listen 80\n }\n}\n');
    assert.deepEqual(await c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: broken }, options: spaces(4) }), []);
  });

  test("the indent of the nearest .nginx-ws.json wins over the editor's, as in nginx-ws fmt", T, async () => {
    const ws = new TempWorkspace('nginx-ws-fmt-settings-');
    try {
      ws.write('.nginx-ws.json', JSON.stringify({ indent: 2 }));
      ws.write('conf.d/a.conf', 'server { listen 80; }\n');
      const uri = ws.uri('conf.d/a.conf');
      c.open(uri, 'server { listen 80; }\n', 1);
      await c.diagnostics(uri, (x) => x.version === 1);
      const edits = await c.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: spaces(4) });
      assert.equal(applyTextEdits('server { listen 80; }\n', edits), 'server {\n  listen 80;\n}\n');
      c.close(uri);
    } finally {
      ws.dispose();
    }
  });

  test('range formatting moves the selected lines only', T, async () => {
    const text = 'http {\nserver {\n listen   80;\n      root  /srv;\n index  i;\n}\n}\n';
    const uri = await fresh(text);
    const edits = await c.request<TextEdit[]>('textDocument/rangeFormatting', {
      textDocument: { uri },
      range: { start: { line: 2, character: 0 }, end: { line: 4, character: 0 } },
      options: spaces(2),
    });
    assert.equal(applyTextEdits(text, edits), 'http {\nserver {\n    listen 80;\n    root /srv;\n index  i;\n}\n}\n');
  });

  test('typing } re-indents the block it closes, on the version just typed', T, async () => {
    const before =
      'http {\n    server {\n        location /ws/ {\n  proxy_pass http://127.0.0.1:9000;\n      proxy_read_timeout 1h;\n\n    }\n}\n';
    const uri = await fresh(before);
    // The user types the `}` that closes `server` at the start of line 7, then the editor asks at once.
    c.change(uri, 2, [{ range: { start: { line: 7, character: 0 }, end: { line: 7, character: 0 } }, text: '}\n' }]);
    const typed =
      'http {\n    server {\n        location /ws/ {\n  proxy_pass http://127.0.0.1:9000;\n      proxy_read_timeout 1h;\n\n    }\n}\n}\n';
    const edits = await c.request<TextEdit[]>('textDocument/onTypeFormatting', {
      textDocument: { uri },
      position: { line: 7, character: 1 },
      ch: '}',
      options: spaces(4),
    });
    assert.equal(
      applyTextEdits(typed, edits),
      'http {\n    server {\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000;\n            proxy_read_timeout 1h;\n        }\n    }\n}\n',
    );
    // Any other character formats nothing.
    assert.deepEqual(
      await c.request<TextEdit[]>('textDocument/onTypeFormatting', {
        textDocument: { uri },
        position: { line: 7, character: 1 },
        ch: ';',
        options: spaces(4),
      }),
      [],
    );
  });
});

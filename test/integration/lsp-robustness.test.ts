/**
 * The server never dies on one bad file: hostile documents (10 MB, random
 * bytes, 20,000 levels of nesting, a single 5 MB line) are answered while a
 * normal document keeps getting fresh diagnostics in the same session, and
 * the process still shuts down cleanly afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildOnce, LspTestClient, messageText } from '../support/lsp-client';
import { NORMAL, NormalDocument } from '../support/still-served';

function tenMegabytes(): string {
  const server = (i: number) =>
    `    server {\n        listen ${8000 + (i % 1000)};\n        server_name s${i}.example.com;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:${9000 + (i % 100)};\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n            proxy_read_timeout 3600s;\n        }\n    }\n`;
  const parts = ['http {\n'];
  let size = 0;
  for (let i = 0; size < 10 * 1024 * 1024; i++) {
    const s = server(i);
    parts.push(s);
    size += s.length;
  }
  parts.push('}\n');
  return parts.join('');
}

describe('LSP robustness', () => {
  let c: LspTestClient;
  const normalDoc = new NormalDocument(() => c, 'file:///virtual/robust/normal.conf');
  const normalStillServed = (what: string) => normalDoc.stillServed(what);

  before(async () => {
    buildOnce();
    c = await LspTestClient.start();
    await normalDoc.open();
  });
  after(() => c?.kill());

  test('a 10 MB config is analysed without a crash, in bounded time', { timeout: 60_000 }, async () => {
    const uri = 'file:///virtual/robust/big.conf';
    const text = tenMegabytes();
    const started = Date.now();
    c.open(uri, text, 1);
    const p = await c.diagnostics(uri, (x) => x.version === 1, { timeoutMs: 45_000 });
    const ms = Date.now() - started;
    assert.ok(!p.diagnostics.some((d) => d.code === 'internal'), `analysed, not failed: ${JSON.stringify(p.diagnostics.slice(0, 2))}`);
    assert.ok(!p.diagnostics.some((d) => d.code === 'syntax'), 'a valid config');
    process.stdout.write(`# 10 MB config: ${(text.length / 1e6).toFixed(1)} MB analysed and published in ${ms} ms\n`);
    await normalStillServed('the 10 MB file');
    // An edit of the big file is analysed again (latest version wins).
    c.change(uri, 2, [{ range: { start: { line: 2, character: 19 }, end: { line: 2, character: 20 } }, text: '' }]);
    const p2 = await c.diagnostics(uri, (x) => x.version === 2, { timeoutMs: 45_000 });
    assert.ok(
      p2.diagnostics.some((d) => d.code === 'syntax' && d.range.start.line === 2),
      'the removed `;` is reported',
    );
    c.close(uri);
  });

  test('random bytes', { timeout: 30_000 }, async () => {
    for (let i = 0; i < 5; i++) {
      const uri = `file:///virtual/robust/random${i}.conf`;
      // Raw bytes decoded as UTF-8 (what an editor shows for a binary file), plus NULs and lone braces.
      const text = randomBytes(256 * 1024).toString('utf8') + '\u0000{{{;;;}}}"\'$${';
      c.open(uri, text, 1);
      const p = await c.diagnostics(uri, (x) => x.version === 1, { timeoutMs: 20_000 });
      assert.ok(Array.isArray(p.diagnostics));
      for (const d of p.diagnostics) assert.ok(d.range.start.line >= 0 && d.range.end.line >= d.range.start.line);
      c.close(uri);
    }
    await normalStillServed('random bytes');
  });

  test('20,000 levels of nesting and a single 5 MB line', { timeout: 60_000 }, async () => {
    const deep = 'file:///virtual/robust/deep.conf';
    c.open(deep, 'http {\n' + 'location / {\n'.repeat(20_000) + 'proxy_pass http://x;\n' + '}\n'.repeat(20_000) + '}\n', 1);
    const p = await c.diagnostics(deep, (x) => x.version === 1, { timeoutMs: 30_000 });
    assert.ok(p.diagnostics.length >= 1, 'depth is reported (syntax too-deep) or analysis failure is reported, never silence');
    await normalStillServed('deep nesting');

    const line = 'file:///virtual/robust/line.conf';
    c.open(line, 'http { ' + 'proxy_set_header X-A "b"; '.repeat(200_000) + '}\n', 1);
    const p2 = await c.diagnostics(line, (x) => x.version === 1, { timeoutMs: 30_000 });
    assert.ok(!p2.diagnostics.some((d) => d.code === 'internal'), JSON.stringify(p2.diagnostics.slice(0, 2)));
    await normalStillServed('a 5 MB line');
    c.close(deep);
    c.close(line);
  });

  test('an open document over 20 MB gets one clear diagnostic instead of an analysis', { timeout: 60_000 }, async () => {
    const uri = 'file:///virtual/robust/huge.conf';
    c.open(uri, '# padding\n'.repeat(2_200_000), 1);
    const p = await c.diagnostics(uri, (x) => x.version === 1, { timeoutMs: 30_000 });
    assert.equal(p.diagnostics.length, 1);
    assert.match(messageText(p.diagnostics[0]!), /larger than the 20 MB limit; it is not analysed \(raise nginxWs\.limits\.fileMB\)/);
    c.close(uri);
    await normalStillServed('a 21 MB document');
  });

  test('malformed requests get an answer, not a dead server', { timeout: 30_000 }, async () => {
    const none = await c.request<unknown[]>('textDocument/codeAction', {
      textDocument: { uri: 'file:///never/opened.conf' },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: {
        diagnostics: [
          {
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            message: 'x',
            source: 'nginx-ws',
            data: { version: 'x' },
          },
        ],
      },
    });
    assert.deepEqual(none, []);
    assert.deepEqual(await c.request('textDocument/codeLens', { textDocument: { uri: 'file:///never/opened.conf' } }), []);
    assert.deepEqual(await c.request('nginxWs/endpointContext', { nope: true }), { endpoints: [] });
    await c.connection.sendNotification('nginxWs/workspaceTrust', null);
    await normalStillServed('malformed requests');
  });

  test('shutdown and exit end the process with code 0', { timeout: 15_000 }, async () => {
    assert.equal(await c.stop(), 0);
    assert.ok(!c.alive);
  });
});

describe('LSP over node IPC (the transport VS Code uses)', () => {
  test('initialize, diagnostics for an opened document, clean exit', { timeout: 30_000 }, async (t) => {
    buildOnce();
    const c = await LspTestClient.start({ transport: 'ipc' });
    t.after(() => c.kill());
    const uri = 'file:///virtual/ipc/nginx.conf';
    c.open(uri, NORMAL, 1);
    const p = await c.diagnostics(uri, (x) => x.version === 1);
    assert.ok(p.diagnostics.some((d) => d.code === 'ws-upgrade-header-missing'));
    assert.equal(await c.stop(), 0);
  });
});

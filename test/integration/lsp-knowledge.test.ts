/**
 * The official reference and the version knowledge through the real server
 * process (the bundle as it ships: the reference's Markdown is read from
 * dist/reference-md.json on the first hover): hover with nginx.org's
 * description, completion whose documentation comes on resolve, signature
 * help while typing arguments, NGINX Plus and third-party directives named as
 * such, and a target version that turns `http2 on;` into an error for 1.22.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CompletionItem, Hover, SignatureHelp } from 'vscode-languageserver-protocol/node';
import { buildOnce, LspTestClient, ROOT, messageText } from '../support/lsp-client';

const T = { timeout: 30_000 };
const URI = 'file:///knowledge/nginx.conf';

const CONF = `events {}
http {
    upstream app {
        server 127.0.0.1:9000;
        sticky cookie srv_id;
        ntlm;
    }
    server {
        listen 127.0.0.1:8080;
        http2 on;
        location /ws/ {
            proxy_pass http://app;
            proxy_read_timeout 3600s;
            more_set_headers "X-Powered-By: nginx";
            proxy_set_header Host 
        }
    }
}
stream {
    server {
        listen 9000;
        proxy_pass 127.0.0.1:9001;
        access_log /dev/null $upstream_first_byte_time;
    }
}
`;

const line = (needle: string) => CONF.split('\n').findIndex((l) => l.includes(needle));
const at = (needle: string, delta = 1) => ({ line: line(needle), character: CONF.split('\n')[line(needle)]!.indexOf(needle) + delta });
const text = (h: Hover) => (typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '');

describe('LSP: the official reference and nginx versions', () => {
  let c: LspTestClient;
  const td = { textDocument: { uri: URI } };

  before(async () => {
    buildOnce();
    c = await LspTestClient.start({ settings: { nginxVersion: '1.22.1' } });
    c.open(URI, CONF, 1);
  });
  after(() => c?.kill());

  test("the bundle ships the reference's Markdown beside the server, not its HTML", T, () => {
    const json = join(ROOT, 'dist', 'reference-md.json');
    assert.ok(existsSync(json), 'dist/reference-md.json');
    assert.ok(statSync(json).size < 1024 * 1024, `${statSync(json).size} bytes`);
    const data = JSON.parse(readFileSync(json, 'utf8')) as { d: unknown[][]; v: unknown[][] };
    assert.ok(data.d.length > 900 && data.v.length > 150);
    const server = readFileSync(join(ROOT, 'dist', 'server-main.js'), 'utf8');
    assert.doesNotMatch(server, /description_html|Defines a timeout for reading a response/, 'the reference is not in server.js');
  });

  test('capabilities: completion resolves its documentation, signature help on space', T, () => {
    const caps = c.initializeResult.capabilities;
    assert.equal(caps.completionProvider?.resolveProvider, true);
    assert.deepEqual(caps.signatureHelpProvider?.triggerCharacters, [' ']);
  });

  test("hover: nginx.org's description, default, contexts, module and link", T, async () => {
    const h = await c.request<Hover>('textDocument/hover', { ...td, position: at('proxy_read_timeout') });
    const v = text(h);
    assert.match(v, /```nginx\nproxy_read_timeout time;\n```/);
    assert.match(v, /Defines a timeout for reading a response from the proxied server\./);
    assert.match(v, /\*\*Default:\*\* `60s`/);
    assert.match(v, /\*\*Context:\*\* http, server, location/);
    assert.match(v, /\[nginx\.org documentation\]\(https:\/\/nginx\.org\/en\/docs\/http\/ngx_http_proxy_module\.html#proxy_read_timeout\)/);
    const http2 = text(await c.request<Hover>('textDocument/hover', { ...td, position: at('http2 on') }));
    assert.match(http2, /\*\*Versions:\*\* appeared in 1\.25\.1/);
    const plus = text(await c.request<Hover>('textDocument/hover', { ...td, position: at('ntlm') }));
    assert.match(plus, /NGINX Plus only/);
    const lua = text(await c.request<Hover>('textDocument/hover', { ...td, position: at('more_set_headers') }));
    assert.match(lua, /headers-more-nginx-module \(OpenResty\)\*\*, a third-party module/);
    const v2 = text(await c.request<Hover>('textDocument/hover', { ...td, position: at('$upstream_first_byte_time', 2) }));
    assert.match(v2, /\$upstream_first_byte_time\*\* \(built-in, ngx_stream_upstream_module\)/);
    assert.match(v2, /time to receive the first byte of data/);
  });

  test('completion: every directive valid in the location, documented on resolve', T, async () => {
    const pos = at('proxy_read_timeout', 0);
    const items = await c.request<CompletionItem[]>('textDocument/completion', { ...td, position: pos });
    const byLabel = new Map(items.map((i) => [i.label, i]));
    for (const n of ['proxy_pass', 'proxy_read_timeout', 'gzip', 'mp4', 'add_after_body', 'content_by_lua_block', 'js_content'])
      assert.ok(byLabel.has(n), n);
    assert.ok(!byLabel.has('listen') && !byLabel.has('upstream'));
    assert.ok(items.length > 300, `${items.length} items`);
    const timeout = byLabel.get('proxy_read_timeout')!;
    assert.equal(timeout.documentation, undefined, 'no documentation in the list');
    assert.equal(timeout.textEdit && 'newText' in timeout.textEdit ? timeout.textEdit.newText : '', 'proxy_read_timeout ${1:time};');
    assert.match(byLabel.get('js_content')!.detail!, /\(njs\)$/);
    const resolved = await c.request<CompletionItem>('completionItem/resolve', timeout);
    const doc = resolved.documentation && typeof resolved.documentation === 'object' ? resolved.documentation.value : '';
    assert.match(doc, /Defines a timeout for reading a response from the proxied server/);
    const vars = await c.request<CompletionItem[]>('textDocument/completion', { ...td, position: at('$upstream_first_byte_time', 1) });
    assert.ok(
      vars.some((i) => i.label === '$upstream_session_time'),
      'stream variables in stream {}',
    );
    assert.ok(!vars.some((i) => i.label === '$request_uri'), 'no http variable in stream {}');
  });

  test('signature help: the syntax line, the argument being typed highlighted', T, async () => {
    const l = line('proxy_set_header Host ');
    const sig = await c.request<SignatureHelp>('textDocument/signatureHelp', {
      ...td,
      position: { line: l, character: CONF.split('\n')[l]!.length },
    });
    assert.equal(sig.signatures[0]!.label, 'proxy_set_header field value;');
    assert.equal(sig.activeParameter, 1);
    assert.deepEqual(
      sig.signatures[0]!.parameters!.map((p) => p.label),
      [
        [17, 22],
        [23, 28],
      ],
    );
    const listen = await c.request<SignatureHelp>('textDocument/signatureHelp', {
      ...td,
      position: { line: line('listen 127.0.0.1:8080'), character: 15 },
    });
    assert.equal(listen.signatures.length, 3, 'address, port and unix: forms');
  });

  test('the target version: http2 on is an error for 1.22.1, NGINX Plus directives are named', T, async () => {
    const d = await c.diagnostics(URI, (p) => p.version === 1);
    // The document is being typed (a statement without ';' yet): messages may say that fixes wait for the syntax.
    const got = d.diagnostics.map(
      (x) => `${x.range.start.line}:${x.code} ${messageText(x).replace(/ \(no automatic fix while the file has syntax errors\)$/, '')}`,
    );
    assert.ok(
      got.includes(
        `${line('http2 on')}:needs-newer-nginx "http2" needs nginx 1.25.1 or newer; the target is 1.22.1, where nginx -t fails with: unknown directive "http2"`,
      ),
      got.join('\n'),
    );
    assert.ok(
      got.includes(
        `${line('sticky cookie')}:needs-newer-nginx "sticky" needs nginx 1.29.6 or newer; the target is 1.22.1, where nginx -t fails with: unknown directive "sticky"`,
      ),
      got.join('\n'),
    );
    assert.ok(
      got.includes(
        `${line('ntlm')}:unknown-directive "ntlm" is an NGINX Plus directive (ngx_http_upstream_module): open-source nginx rejects it as an unknown directive`,
      ),
      got.join('\n'),
    );
    assert.ok(
      !got.some((g) => /more_set_headers|upstream_first_byte_time/.test(g)),
      'third-party directives and stream variables are known',
    );
  });
});

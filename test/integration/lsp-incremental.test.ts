/**
 * Incremental analysis over the real protocol: a document edited the way an
 * editor sends it (small incremental changes, one version each) must get
 * exactly the diagnostics and quick fixes that the same text gets when
 * opened fresh, after every edit: edits inside server blocks (analysed
 * incrementally), edits outside any server, a brace that unbalances the file
 * and the one that balances it again (analysed whole).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/engine/syntax/ast';
import { generateConfig } from '../../bench/generate';
import { buildOnce, LspTestClient } from '../support/lsp-client';

const BASE = generateConfig({ servers: 40 }).replace(
  /\n}\n$/,
  `
    server {
        listen 81;
        location /ws/ {
            proxy_pass http://app_3;
            proxy_set_header Upgrade $http_upgrade;
            proxy_read_timeout 20s;
        }
        location /live {
            proxy_pass http://app_4;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "";
            proxy_connect_timeout 300s;
        }
    }
}
`,
);

/** An edit as [anchor text, offset from it, characters to replace, new text]; the anchor's last occurrence is used. */
const EDITS: [string, number, number, string][] = [
  ['proxy_read_timeout 20s', 19, 2, '5'], // a value typed over, inside a server
  ['location /live {', 16, 0, '\n            proxy_read_timeout 1x;'], // a new line, inside a server
  ['server_name site7.example.test;', 31, 0, '\n        add_header X-Late $late;'], // an undefined variable, in another server
  ['proxy_set_header Connection "";', 28, 2, '$connection_upgrade'], // the clash fixed
  ['keepalive 16;', 10, 2, '32'], // outside any server: upstream
  ['listen 81;', 10, 0, '\n        location /x {'], // an unclosed block
  ['location /x {', 13, 0, ' }'], // closed again
  ['location /ws/ {', 15, 0, '\n            proxy_set_header Connection upgrade;'],
  ['add_header X-Late $late;', 0, 24, 'set $late 1;'], // the variable defined where it was used
];

function key(d: Diagnostic): string {
  return JSON.stringify([d.range, d.severity, d.code, typeof d.message === 'string' ? d.message : d.message.value]);
}

describe('LSP incremental analysis', () => {
  let c: LspTestClient;
  before(async () => {
    buildOnce();
    c = await LspTestClient.start({ debounceMs: 0 });
  });
  after(async () => {
    await c.stop();
  });

  test('after every incremental edit, diagnostics and fixes equal those of the same text opened fresh', { timeout: 120_000 }, async () => {
    const uri = 'file:///inc/nginx.conf';
    let text = BASE;
    c.open(uri, text, 1);
    await c.diagnostics(uri, (p) => p.version === 1, { timeoutMs: 30_000 });
    let version = 1;
    for (const [i, [anchor, offset, len, insert]] of EDITS.entries()) {
      const at = text.lastIndexOf(anchor);
      assert.ok(at >= 0, `anchor ${anchor}`);
      const start = at + offset;
      const range = new LineIndex(text).rangeOf(start, start + len);
      text = text.slice(0, start) + insert + text.slice(start + len);
      version++;
      const v = version;
      c.change(uri, v, [{ range, text: insert }]);
      const got = await c.diagnostics(uri, (p) => p.version === v, { timeoutMs: 30_000 });

      const fresh = `file:///inc/fresh-${i}/nginx.conf`;
      c.open(fresh, text, 1);
      const want: PublishDiagnosticsParams = await c.diagnostics(fresh, (p) => p.version === 1, { timeoutMs: 30_000 });
      assert.deepEqual(got.diagnostics.map(key).sort(), want.diagnostics.map(key).sort(), `edit ${i} (${anchor})`);
      assert.ok(got.diagnostics.length > 0);

      // The quick fixes of the incrementally updated analysis edit the same places as the fresh one's.
      const fixes = async (u: string, ds: Diagnostic[]) => {
        const out: string[] = [];
        for (const d of ds.filter((x) => x.code !== 'syntax')) {
          const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
            textDocument: { uri: u },
            range: d.range,
            context: { diagnostics: [d] },
          });
          for (const a of actions)
            out.push(
              JSON.stringify([
                a.title,
                Object.values(a.edit?.changes ?? {}),
                (a.edit?.documentChanges ?? []).map((x) => ('edits' in x ? x.edits : x)),
              ]),
            );
        }
        return out.sort();
      };
      assert.deepEqual(await fixes(uri, got.diagnostics), await fixes(fresh, want.diagnostics), `fixes after edit ${i}`);
      c.close(fresh);
    }
  });
});

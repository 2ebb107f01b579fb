import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/engine/syntax/parser';
import { documentSymbols } from '../../server/src/engine/features/symbols';
import { foldingRanges } from '../../server/src/engine/features/folding';
import type { DocumentSymbol } from '../../server/src/engine/features/types';

const CONF = `# Main config
# for the app
events {
    worker_connections 512;
}
http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
    }
    upstream backend { server 127.0.0.1:1; }
    server {
        listen 443 ssl;
        listen [::]:443 ssl;
        server_name example.com www.example.com;
        location = /ws {
            if ($http_upgrade = "") { return 426; }
        }
        location @fallback { return 502; }
        location /lua {
            content_by_lua_block {
                ngx.say("{")
            }
        }
    }
    server { listen 8080; }
}
stream { server { listen 53 udp; } }
`;

function tree(syms: DocumentSymbol[], depth = 0): string[] {
  return syms.flatMap((s) => [
    `${'  '.repeat(depth)}${s.name} [${s.kind}] ${s.range.start.line}-${s.range.end.line}${s.detail ? ` (${s.detail})` : ''}`,
    ...tree(s.children ?? [], depth + 1),
  ]);
}

test('outline names blocks the way a reader scans them', () => {
  assert.deepEqual(tree(documentSymbols(parse(CONF, 'x'))), [
    'events [3] 2-4',
    'http [3] 5-25',
    '  map $http_upgrade → $connection_upgrade [13] 6-8',
    '  upstream backend [23] 9-9',
    '  server example.com www.example.com [5] 10-23 (listen 443 ssl, [::]:443 ssl)',
    '    location = /ws [6] 14-16',
    '      if ($http_upgrade = "") [12] 15-15',
    '    location @fallback [6] 17-17',
    '    location /lua [6] 18-22',
    '      content_by_lua_block [2] 19-21',
    '  server 8080 [5] 24-24 (listen 8080)',
    'stream [3] 26-26',
    '  server 53 [5] 26-26 (listen 53 udp)',
  ]);
  const ws = documentSymbols(parse(CONF, 'x'))[1]!.children![2]!.children![0]!;
  assert.deepEqual(ws.selectionRange, { start: { line: 14, character: 8 }, end: { line: 14, character: 22 } });
});

test('outline of a broken file still lists what parsed', () => {
  const syms = documentSymbols(parse('http {\n  server {\n    location / {\n', 'x'));
  assert.deepEqual(tree(syms), ['http [3] 0-3', '  server [5] 1-3', '    location / [6] 2-3']);
});

test('folding: blocks keep their closing brace visible, comment runs fold', () => {
  const got = foldingRanges(parse(CONF, 'x')).map((r) => `${r.startLine}-${r.endLine}${r.kind ? ' ' + r.kind : ''}`);
  assert.deepEqual(got, ['0-1 comment', '2-3', '5-24', '6-7', '10-22', '14-15', '18-21', '19-20']);
});

test('folding ignores trailing comments and single comment lines', () => {
  const got = foldingRanges(parse('a 1; # x\nb 2; # y\n# one\nc 3;\n', 'x'));
  assert.deepEqual(got, []);
});

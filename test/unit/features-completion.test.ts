import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completions, resolveCompletion } from '../../server/src/engine/features/completion';
import { memoryAnalysis } from '../support/disk-host';

const P = '/c/nginx.conf';
const BASE = `events {}
http {
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    geo $trusted { default 0; 10.0.0.0/8 1; }
    upstream backend { server 127.0.0.1:8080; }
    upstream api { server 127.0.0.1:9000; }
    server {
        listen 80;
        location / {
            set $tenant x;
            CURSOR
        }
        CURSOR2
    }
    CURSOR3
}
CURSOR4
`;

/** Completions at `@` in `line`, which replaces the CURSOR line of BASE (other CURSOR lines become empty). */
function labels(line: string, cursor = 'CURSOR') {
  const marked = BASE.replace(new RegExp(`\\b${cursor}\\n`), line + '\n').replace(/CURSOR\d?\n/g, '\n');
  const at = marked.indexOf('@');
  const full = marked.slice(0, at) + marked.slice(at + 1);
  const before = full.slice(0, at);
  const pos = { line: before.split('\n').length - 1, character: at - (before.lastIndexOf('\n') + 1) };
  return completions(memoryAnalysis({ [P]: full }, P), P, pos);
}

test('directive names valid in a location, as snippets', () => {
  const items = labels('prox@');
  const names = items.map((i) => i.label);
  assert.ok(names.includes('proxy_pass') && names.includes('proxy_read_timeout') && names.includes('if'));
  assert.ok(!names.includes('listen') && !names.includes('upstream') && !names.includes('worker_processes'));
  const pass = items.find((i) => i.label === 'proxy_pass')!;
  assert.equal(pass.textEdit!.newText, 'proxy_pass ${1:URL};');
  assert.equal(pass.insertTextFormat, 2);
  assert.deepEqual(pass.textEdit!.range.start.character, 12);
  assert.equal(items.find((i) => i.label === 'proxy_buffering')!.textEdit!.newText, 'proxy_buffering ${1|on,off|};');
  assert.equal(items.find((i) => i.label === 'proxy_http_version')!.textEdit!.newText, 'proxy_http_version ${1|1.0,1.1,2|};');
  assert.equal(items.find((i) => i.label === 'location')!.textEdit!.newText, 'location ${1:uri} {\n\t$0\n}');
  assert.equal(items.find((i) => i.label === 'proxy_set_header')!.textEdit!.newText, 'proxy_set_header ${1:field} ${2:value};');
  assert.equal(items.find((i) => i.label === 'try_files')!.textEdit!.newText, 'try_files ${1:file} ${2:uri};');
  assert.equal(items.find((i) => i.label === 'proxy_pass')!.detail, 'proxy_pass URL;');
  // The documentation comes on resolve, not with the list of hundreds.
  const timeout = items.find((i) => i.label === 'proxy_read_timeout')!;
  assert.equal(timeout.documentation, undefined);
  const doc = resolveCompletion(timeout).documentation!.value;
  assert.match(doc, /\*\*Default:\*\* `60s`/);
  assert.match(doc, /Defines a timeout for reading a response from the proxied server/);
});

test('directive names depend on the enclosing block', () => {
  const inServer = labels('@', 'CURSOR2').map((i) => i.label);
  assert.ok(inServer.includes('listen') && inServer.includes('server_name') && inServer.includes('location'));
  assert.ok(!inServer.includes('proxy_pass'));
  const inHttp = labels('@', 'CURSOR3').map((i) => i.label);
  assert.ok(inHttp.includes('upstream') && inHttp.includes('map') && inHttp.includes('server'));
  const top = labels('@', 'CURSOR4').map((i) => i.label);
  assert.ok(top.includes('worker_processes') && top.includes('http') && top.includes('events'));
  assert.ok(!top.includes('listen'));
});

test('in an upstream block: upstream directives', () => {
  const t = 'http {\n    upstream u {\n        \n    }\n}\n';
  const a = memoryAnalysis({ [P]: t });
  const names = completions(a, P, { line: 2, character: 8 }).map((i) => i.label);
  assert.ok(names.includes('server') && names.includes('keepalive') && names.includes('ip_hash') && names.includes('hash'));
  assert.ok(!names.includes('proxy_pass'));
});

test('no directive completion inside map bodies, Lua or comments', () => {
  const t = 'http {\n    map $a $b {\n        \n    }\n    # prox\n}\n';
  const a = memoryAnalysis({ [P]: t });
  assert.deepEqual(completions(a, P, { line: 2, character: 8 }), []);
  assert.deepEqual(completions(a, P, { line: 4, character: 10 }), []);
});

test('a snippet with no includer offers every context', () => {
  const a = memoryAnalysis({ '/s/ws.conf': 'loc\n' }, '/s/ws.conf');
  const names = completions(a, '/s/ws.conf', { line: 0, character: 3 }).map((i) => i.label);
  assert.ok(names.includes('location') && names.includes('proxy_pass') && names.includes('worker_processes'));
});

test('variables: config-defined first, then built-ins and prefixes', () => {
  const items = labels('return 200 $@');
  const names = items.map((i) => i.label);
  for (const n of ['$connection_upgrade', '$trusted', '$tenant', '$host', '$request_uri', '$http_…', '$cookie_…'])
    assert.ok(names.includes(n), n);
  const cu = items.find((i) => i.label === '$connection_upgrade')!;
  assert.equal(cu.sortText![0], '0');
  assert.match(cu.detail!, /defined by map \(nginx\.conf:3\)/);
  assert.equal(cu.textEdit!.newText, '$connection_upgrade');
  assert.equal(cu.textEdit!.range.end.character - cu.textEdit!.range.start.character, 1);
  const braced = labels('return 200 "${ho@');
  assert.equal(braced.find((i) => i.label === '$host')!.textEdit!.newText, '${host}');
});

test('upstream names after http:// in proxy_pass, and bare for fastcgi_pass', () => {
  const items = labels('proxy_pass http://ba@');
  assert.deepEqual(items.map((i) => i.label).sort(), ['api', 'backend']);
  const b = items.find((i) => i.label === 'backend')!;
  assert.equal(b.textEdit!.newText, 'backend');
  assert.match(b.detail!, /upstream backend \(127\.0\.0\.1:8080\)/);
  const bare = labels('proxy_pass @');
  assert.equal(bare.find((i) => i.label === 'api')!.textEdit!.newText, 'http://api');
  assert.deepEqual(
    labels('fastcgi_pass @')
      .map((i) => i.textEdit!.newText)
      .sort(),
    ['api', 'backend'],
  );
});

test('argument values for flags and enums', () => {
  assert.deepEqual(
    labels('proxy_http_version @').map((i) => i.label),
    ['1.0', '1.1', '2'],
  );
  assert.deepEqual(
    labels('gzip o@').map((i) => i.label),
    ['on', 'off'],
  );
  assert.deepEqual(labels('proxy_read_timeout @'), []);
});

test("every directive of the context: nginx's own first, then njs, third-party and NGINX Plus, each labelled", () => {
  const items = labels('@');
  const byLabel = new Map(items.map((i) => [i.label, i]));
  assert.ok(items.length > 300, `${items.length} directives in a location`);
  assert.equal(byLabel.get('proxy_pass')!.sortText, '0proxy_pass');
  assert.match(byLabel.get('js_content')!.detail!, /\(njs\)$/);
  assert.match(byLabel.get('content_by_lua_block')!.detail!, /\(lua-nginx-module \(OpenResty\)\)$/);
  assert.equal(byLabel.get('content_by_lua_block')!.textEdit!.newText, 'content_by_lua_block {\n\t$0\n}');
  assert.equal(byLabel.get('more_set_headers')!.textEdit!.newText, 'more_set_headers $1;');
  assert.match(byLabel.get('health_check')!.detail!, /\(NGINX Plus\)$/);
  assert.ok(byLabel.get('health_check')!.sortText! > byLabel.get('more_set_headers')!.sortText!);
  // Gone from nginx: not offered; deprecated: offered, struck through.
  assert.ok(!byLabel.has('spdy_chunk_size'));
  assert.deepEqual(byLabel.get('http2_push')!.tags, [1]);
  const resolved = resolveCompletion(byLabel.get('http2_push')!);
  assert.match(resolved.documentation!.value, /\*\*Versions:\*\* appeared in 1\.13\.9; deprecated since 1\.25\.1/);
});

test('variables after $ are those of the subsystem the cursor is in', () => {
  const t = 'stream {\n    server {\n        set $x $\n    }\n}\n';
  const items = completions(memoryAnalysis({ [P]: t }), P, { line: 2, character: 16 });
  const names = items.map((i) => i.label);
  assert.ok(
    names.includes('$upstream_session_time') && names.includes('$ssl_preread_server_name') && names.includes('$proxy_protocol_tlv_…'),
  );
  assert.ok(!names.includes('$request_uri') && !names.includes('$arg_…'));
  const doc = resolveCompletion(items.find((i) => i.label === '$upstream_session_time')!).documentation!.value;
  assert.match(doc, /\*\*\$upstream_session_time\*\* \(built-in, ngx_stream_upstream_module\)/);
});

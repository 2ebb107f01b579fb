/**
 * The false alarms nginx's own test suite found (issue 16), each as the
 * smallest config that showed it, and what the linter says instead: the
 * variables nginx defines, files included inside data blocks, code handed to
 * Perl or Lua, NGINX Plus and third-party directives named as such, and
 * stream-worded messages in a stream config. Each "nginx accepts it" claim was
 * measured with nginx 1.22.1 here (`nginx -t`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText, type Finding } from '../../server/src/engine/index';
import { memoryAnalysis } from '../support/disk-host';
import { lookupVariable, builtinVariables, variablePrefixes } from '../../server/src/engine/knowledge/variables';
import { isKnownDirectiveName } from '../../server/src/engine/knowledge/names';

const codes = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.code}: ${f.message}`);
const lint = (text: string) => codes(lintText(text, '/k/nginx.conf'));
const http = (body: string) => `events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n${body}\n        }\n    }\n}\n`;

test('variables nginx defines are not "unknown": slice, legacy DNs, empty-named arg, stream upstream timings', () => {
  // nginx -t accepts every one of these.
  assert.deepEqual(
    lint(
      http(
        '            slice 1m;\n            proxy_set_header Range $slice_range;\n            return 200 "$ssl_client_s_dn_legacy $ssl_client_i_dn_legacy $arg_ $http_ $cookie_";',
      ),
    ),
    [],
  );
  const stream =
    'events {}\nstream {\n    log_format t "$upstream_first_byte_time $upstream_session_time $ssl_preread_server_name";\n    server {\n        listen 9000;\n        proxy_pass 127.0.0.1:1;\n    }\n}\n';
  assert.deepEqual(lint(stream), []);
});

test('a stream config gets a stream-worded message, and an http variable there is named as one', () => {
  const text =
    'events {}\nstream {\n    log_format t "$request_uri $nope";\n    server {\n        listen 9000;\n        proxy_pass 127.0.0.1:1;\n    }\n}\n';
  assert.deepEqual(lint(text), [
    'error undefined-variable: "$request_uri" is an http variable (ngx_http_core_module); stream {} has no such variable, so nginx -t fails with: unknown "request_uri" variable',
    'error undefined-variable: Unknown variable "$nope": nothing defines it (map, set, geo...) and no stream module has it, so nginx -t fails with: unknown "nope" variable',
  ]);
});

test('code handed to Perl or Lua is not read for nginx variables', () => {
  const text = `events {}\nhttp {\n    perl_set $x 'sub { my $r = shift; return $r->uri; }';\n    lua_package_path "$prefix/lua/?.lua;;";\n    server {\n        listen 80;\n        location / { perl 'sub { my $r = shift; return OK; }'; }\n        location /l { set_by_lua $res 'return ngx.arg[1]' $arg_a $nope; content_by_lua 'ngx.say($x)'; }\n    }\n}\n`;
  assert.deepEqual(lint(text), [
    'error undefined-variable: Unknown variable "$nope": nothing defines it (map, set, geo...), so nginx -t fails with: unknown "nope" variable',
  ]);
});

test('standard directives the old table lacked are known; only real strangers get the hint', () => {
  const body = [
    'memcached_pass 127.0.0.1:11211;',
    'add_after_body /after;',
    'userid on;',
    'userid_name uid;',
    'dav_methods PUT;',
    'mp4;',
    'gunzip on;',
    'secure_link $arg_md5;',
    'secure_link_md5 "secret";',
    'proxy_cookie_flags ~ secure;',
    'random_index on;',
    'fastcgi_catch_stderr x;',
  ]
    .map((l) => `            ${l}`)
    .join('\n');
  assert.deepEqual(lint(http(body).replace('        location / {', '        scgi_cache_key $uri;\n        location / {')), []);
  const mail =
    'events {}\nmail {\n    auth_http 127.0.0.1:1/auth;\n    server {\n        listen 127.0.0.1:25;\n        protocol smtp;\n        smtp_auth login plain;\n        starttls on;\n        proxy_pass_error_message on;\n        xclient off;\n    }\n}\n';
  assert.deepEqual(lint(mail), []);
  const stream =
    'events {}\nstream {\n    server {\n        listen 53 udp;\n        proxy_pass 127.0.0.1:1;\n        proxy_responses 1;\n        proxy_requests 1;\n    }\n}\n';
  assert.deepEqual(lint(stream), []);
  assert.deepEqual(lint(http('            proxy_passs http://x;')), [
    'hint unknown-directive: Unknown directive "proxy_passs": not a directive of nginx, NGINX Plus, njs or the common third-party modules (a typo, or another module?)',
  ]);
});

test('NGINX Plus directives are named as such; third-party ones are known', () => {
  assert.deepEqual(
    lint('events {}\nhttp {\n    upstream u {\n        zone u 64k;\n        server 127.0.0.1:1;\n        ntlm;\n    }\n}\n'),
    [
      'hint unknown-directive: "ntlm" is an NGINX Plus directive (ngx_http_upstream_module): open-source nginx rejects it as an unknown directive',
    ],
  );
  assert.deepEqual(
    lint(
      http(
        '            more_set_headers "Server: x";\n            content_by_lua_block { ngx.say("hi") }\n            echo "hello";\n            brotli on;',
      ),
    ),
    [],
  );
  assert.deepEqual(
    lint(
      'events {}\nhttp {\n    js_import main.js;\n    server {\n        listen 80;\n        location / { js_content main.hello; }\n    }\n}\n',
    ),
    [],
  );
  for (const n of ['content_by_lua_block', 'more_set_headers', 'js_content', 'health_check', 'least_time'])
    assert.ok(isKnownDirectiveName(n), n);
});

test('files included inside map, geo, types and split_clients blocks are rows, not directives', () => {
  const a = memoryAnalysis({
    '/d/nginx.conf':
      'events {}\nhttp {\n    map $uri $m {\n        default 0;\n        include /d/map.rows;\n    }\n    geo $g {\n        include /d/geo.rows;\n    }\n    types {\n        include /d/types.rows;\n    }\n    split_clients $remote_addr $s {\n        include /d/split.rows;\n    }\n}\n',
    '/d/map.rows': '/api/ 1;\n~^/ws/(?<room>.+)$ 2;\n',
    '/d/geo.rows': '10.0.0.0/8 1;\n127.0.0.1 2;\ndefault 0;\n',
    '/d/types.rows': 'text/html html htm;\napplication/json json;\n',
    '/d/split.rows': '50% one;\n* two;\n',
  });
  assert.deepEqual(codes(a.findings), []);
});

test('variable knowledge: per subsystem, with module, families and origin', () => {
  assert.equal(lookupVariable('upstream_first_byte_time', 'stream')!.module, 'ngx_stream_upstream_module');
  assert.equal(lookupVariable('upstream_first_byte_time', 'http'), undefined);
  assert.equal(lookupVariable('jwt_claim_sub', 'http')!.origin, 'plus');
  assert.equal(lookupVariable('jwt_claim_sub', 'http')!.name, 'jwt_claim_');
  assert.equal(lookupVariable('upstream_trailer_grpc_status', 'http')!.name, 'upstream_trailer_');
  assert.equal(lookupVariable('upstream_cookie_sid', 'http')!.module, 'ngx_http_upstream_module');
  assert.equal(lookupVariable('sent_http_x', 'stream'), undefined);
  assert.equal(lookupVariable('1', 'stream')!.name, '1');
  assert.match(lookupVariable('slice_range', 'http')!.doc, /the current slice range in\n\[HTTP byte range\]/);
  const http = builtinVariables('http').map((v) => v.name);
  assert.ok(http.includes('request_uri') && !http.includes('upstream_session_time'));
  assert.ok(variablePrefixes('http').some((p) => p.name === 'arg_') && !variablePrefixes('stream').some((p) => p.name === 'arg_'));
});

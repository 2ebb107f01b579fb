import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argCountOk,
  describeArgCount,
  directiveFor,
  directiveNames,
  directivesIn,
  enumValues,
  isAllowedIn,
  lookupDirective,
  syntaxLine,
} from '../../server/src/engine/knowledge/directives';
import { isBuiltinVariable, lookupVariable } from '../../server/src/engine/knowledge/variables';
import { isKnownDirectiveName } from '../../server/src/engine/knowledge/names';

test('directive entries carry contexts, args, default, module and link', () => {
  const d = directiveFor('proxy_read_timeout', 'location')!;
  assert.equal(d.module, 'ngx_http_proxy_module');
  assert.equal(d.default, '60s');
  assert.deepEqual(d.contexts, ['http', 'server', 'location']);
  assert.equal(d.url, 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout');
  assert.equal(syntaxLine(d), 'proxy_read_timeout time;');
  const location = directiveFor('location', 'server')!;
  assert.equal(syntaxLine(location), 'location [ = | ~ | ~* | ^~ ] uri { ... }');
  assert.deepEqual(location.syntaxes, ['[ = | ~ | ~* | ^~ ] uri { ... }', '@name { ... }']);
});

test('names shared by several modules resolve by context', () => {
  assert.equal(lookupDirective('server').length, 5); // http, upstream, stream, stream upstream, mail
  assert.equal(directiveFor('server', 'upstream')!.module, 'ngx_http_upstream_module');
  assert.equal(directiveFor('server', 'http')!.block, true);
  assert.equal(directiveFor('proxy_pass', 'stream-server')!.module, 'ngx_stream_proxy_module');
  assert.equal(directiveFor('proxy_next_upstream', 'stream')!.args.flag, true);
  assert.equal(directiveFor('proxy_next_upstream', 'location')!.args.atLeast, 1);
  assert.ok(isAllowedIn('proxy_pass', 'location-if'));
  assert.ok(!isAllowedIn('proxy_pass', 'server'));
  assert.ok(isAllowedIn('include', 'upstream'));
  assert.ok(!isAllowedIn('no_such_directive', 'http'));
});

test('argument counts follow nginx TAKEn/FLAG/1MORE semantics', () => {
  const cases: [string, number, boolean][] = [
    ['proxy_pass', 1, true],
    ['proxy_pass', 0, false],
    ['proxy_pass', 2, false],
    ['keepalive_timeout', 2, true],
    ['keepalive_timeout', 3, false],
    ['gzip', 1, true],
    ['gzip', 2, false],
    ['try_files', 1, false],
    ['try_files', 7, true],
    ['ip_hash', 0, true],
    ['ip_hash', 1, false],
    ['random', 0, true],
    ['random', 2, true],
    ['random', 3, false],
  ];
  for (const [name, n, ok] of cases) {
    const d = lookupDirective(name)[0]!;
    assert.equal(argCountOk(d.args, n), ok, `${name} with ${n}`);
  }
  assert.equal(describeArgCount(lookupDirective('keepalive_timeout')[0]!.args), '1 or 2 arguments');
});

test('enum values come from single-word alternatives', () => {
  assert.deepEqual(enumValues(directiveFor('proxy_http_version', 'location')!), ['1.0', '1.1', '2']);
  assert.deepEqual(enumValues(directiveFor('proxy_buffering', 'location')!), ['on', 'off']);
  assert.deepEqual(enumValues(directiveFor('satisfy', 'location')!), ['all', 'any']);
  assert.deepEqual(enumValues(directiveFor('proxy_pass', 'location')!), []);
});

test('directivesIn lists one entry per name valid in the context', () => {
  const inUpstream = directivesIn('upstream').map((d) => d.name);
  assert.ok(inUpstream.includes('server') && inUpstream.includes('keepalive') && inUpstream.includes('hash'));
  assert.ok(!inUpstream.includes('proxy_pass'));
  const inLoc = directivesIn('location').map((d) => d.name);
  assert.equal(new Set(inLoc).size, inLoc.length);
  assert.ok(inLoc.includes('proxy_pass') && !inLoc.includes('listen'));
});

test('the table covers the requested modules, HTTP/2 and HTTP/3 included', () => {
  const names = new Set(directiveNames());
  for (const n of [
    'worker_connections',
    'proxy_set_header',
    'upstream',
    'map',
    'ssl_certificate',
    'limit_conn',
    'limit_req_zone',
    'rewrite',
    'log_format',
    'add_header',
    'gzip_types',
    'autoindex',
    'auth_basic',
    'real_ip_header',
    'geo',
    'split_clients',
    'fastcgi_pass',
    'uwsgi_pass',
    'grpc_pass',
    'stream',
    'http2',
    'http3',
  ]) {
    assert.ok(names.has(n), n);
  }
  assert.ok(names.size >= 300, `only ${names.size} names`);
});

test('the parser recovery knows every table name, cheaply', () => {
  for (const n of directiveNames()) assert.ok(isKnownDirectiveName(n), n);
  assert.ok(isKnownDirectiveName('proxy_cache_path'));
  assert.ok(!isKnownDirectiveName('www.example.com'));
});

test('built-in variables, prefixes and captures', () => {
  const cases: [string, boolean][] = [
    ['host', true],
    ['remote_addr', true],
    ['http_upgrade', true],
    ['HTTP_UPGRADE', true],
    ['sent_http_content_type', true],
    ['cookie_session', true],
    ['arg_page', true],
    ['upstream_http_x_id', true],
    ['upstream_cookie_sid', true],
    ['upstream_trailer_x', true],
    ['ssl_protocol', true],
    ['upstream_addr', true],
    ['realip_remote_addr', true],
    ['1', true],
    ['9', true],
    // nginx matches a prefix on `name.len >= prefix.len`: `$http_` and `$arg_` are the empty-named header and argument (nginx -t accepts them).
    ['http_', true],
    ['arg_', true],
    ['connection_upgrade', false],
    ['cookie', false],
    ['my_var', false],
  ];
  for (const [name, builtin] of cases) assert.equal(isBuiltinVariable(name), builtin, name);
  assert.equal(lookupVariable('http_upgrade')!.name, 'http_');
  assert.equal(lookupVariable('upstream_http_server')!.name, 'upstream_http_');
  assert.equal(lookupVariable('request_uri')!.url, 'https://nginx.org/en/docs/http/ngx_http_core_module.html#var_request_uri');
});

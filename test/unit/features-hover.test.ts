import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hover, HOVER_PARTS, type HoverPart } from '../../server/src/engine/features/hover';
import { memoryAnalysis, posOf, siteAnalysis, SITE } from '../support/disk-host';

const APP = join(SITE, 'conf.d/app.conf');
const ROOT = join(SITE, 'nginx.conf');
const WS = join(SITE, 'snippets/ws.conf');
const analysis = siteAnalysis();
const text = (p: string) => readFileSync(p, 'utf8');

function hoverText(path: string, needle: string, delta = 1, nth = 0): string {
  const h = hover(analysis, path, posOf(text(path), needle, delta, nth));
  assert.ok(h, `no hover at ${needle}`);
  return h.contents.value;
}

test('hover on a directive: syntax, default, contexts, module, link', () => {
  const v = hoverText(WS, 'proxy_http_version');
  assert.match(v, /```nginx\nproxy_http_version 1\.0 \| 1\.1 \| 2;\n```/);
  // The official description (@nginx/reference-lib), not a one-liner.
  assert.match(v, /Sets the HTTP protocol version for proxying\./);
  assert.match(v, /\*\*Default:\*\* `1\.1`/);
  assert.match(v, /\*\*Context:\*\* http, server, location/);
  assert.match(v, /\*\*Module:\*\* ngx_http_proxy_module/);
  assert.match(v, /\(https:\/\/nginx\.org\/en\/docs\/http\/ngx_http_proxy_module\.html#proxy_http_version\)/);
});

test('hover picks the entry for the context of shared names', () => {
  assert.match(hoverText(ROOT, 'server 127.0.0.1:8080'), /ngx_http_upstream_module/);
  assert.match(hoverText(APP, 'server {'), /Sets configuration for a virtual server/);
  const a = memoryAnalysis({ '/s/nginx.conf': 'stream { server { listen 1; proxy_pass up; } }' });
  const h = hover(a, '/s/nginx.conf', posOf('stream { server { listen 1; proxy_pass up; } }', 'proxy_pass', 2));
  assert.match(h!.contents.value, /ngx_stream_proxy_module/);
});

test('hover on a built-in variable', () => {
  const v = hoverText(WS, '$http_upgrade', 2);
  assert.match(v, /\*\*\$http_\*name\*\*\* \(built-in, ngx_http_core_module\)/);
  assert.match(v, /arbitrary request header field/);
  assert.match(v, /var_http_/);
  assert.match(hoverText(APP, '$uri', 2), /current URI in request, \[normalized\]/);
});

test('hover on a config variable shows its definition across files', () => {
  const v = hoverText(WS, '$connection_upgrade', 3);
  assert.match(v, /defined in this config/);
  assert.match(v, /`nginx\.conf:6`/);
  assert.match(v, /map \$http_upgrade \$connection_upgrade \{\n {4}default upgrade;\n {4}'' {6}close;\n\}/);
  assert.match(hoverText(APP, '$tenant"', 2), /`app\.conf:8`\n```nginx\nset \$tenant \$arg_t;/);
  assert.match(hoverText(APP, '$uid ', 2), /`app\.conf:12`/);
});

test('hover on an unknown variable says so', () => {
  const t = 'http { server { location / { return 200 $nope; } } }';
  const a = memoryAnalysis({ '/m/nginx.conf': t });
  assert.match(hover(a, '/m/nginx.conf', posOf(t, '$nope', 2))!.contents.value, /neither built in nor defined/);
});

test('hover on an upstream name in proxy_pass lists its servers', () => {
  const h = hover(analysis, APP, posOf(text(APP), 'backend/', 2))!;
  assert.match(h.contents.value, /\*\*upstream backend\*\* — `nginx\.conf:11`/);
  assert.match(h.contents.value, /server 127\.0\.0\.1:8080;\nserver 127\.0\.0\.1:8081 backup;/);
  const at = posOf(text(APP), 'backend/');
  assert.deepEqual(h.range, { start: at, end: { line: at.line, character: at.character + 'backend'.length } });
});

test('no hover on plain arguments, comments or whitespace', () => {
  assert.equal(hover(analysis, APP, posOf(text(APP), 'app.example.com', 2)), null);
  assert.equal(hover(analysis, APP, { line: 3, character: 0 }), null);
  assert.equal(hover(analysis, '/not/in/config', { line: 0, character: 0 }), null);
});

test('hover on a named location and on an include', () => {
  assert.match(hoverText(APP, '@fallback;', 2), /`app\.conf:16`\n\n```nginx\nlocation @fallback \{\n {4}proxy_pass http:\/\/backend;\n\}/);
  assert.match(
    hoverText(APP, 'snippets/ws.conf', 2),
    new RegExp(`include\\*\\* → \`${join(SITE, 'snippets/ws.conf').replace(/[.]/g, '\\.')}\``),
  );
});

test('hover is a list of parts per target: a feature adds its own after the directive documentation', () => {
  const part: HoverPart = (r) =>
    r.target.kind === 'directive' && r.target.directive.name === 'proxy_http_version' ? '**extra part**' : null;
  HOVER_PARTS.directive.push(part);
  try {
    const v = hoverText(WS, 'proxy_http_version');
    assert.match(v, /nginx\.org documentation\]\([^)]+\)\n\n---\n\n\*\*extra part\*\*$/);
    assert.doesNotMatch(hoverText(WS, 'proxy_set_header'), /extra part/);
  } finally {
    HOVER_PARTS.directive.splice(HOVER_PARTS.directive.indexOf(part), 1);
  }
});

test('hover names whose a directive is and its versions', () => {
  const t =
    'http {\n    upstream u { server a; ntlm; }\n    server {\n        listen 443 ssl http2;\n        http2_push_preload on;\n        location / { more_set_headers "A: b"; }\n    }\n}\n';
  const a = memoryAnalysis({ '/h/nginx.conf': t });
  const at = (needle: string) => hover(a, '/h/nginx.conf', posOf(t, needle, 1))!.contents.value;
  assert.match(at('ntlm'), /^```nginx\nntlm;\n```\n\nNGINX Plus only: open-source nginx does not have this directive\./);
  assert.match(at('ntlm'), /\*\*Module:\*\* ngx_http_upstream_module \(NGINX Plus\)/);
  assert.match(at('http2_push_preload'), /\*\*Versions:\*\* appeared in 1\.13\.9; deprecated since 1\.25\.1/);
  assert.match(at('more_set_headers'), /From \*\*headers-more-nginx-module \(OpenResty\)\*\*, a third-party module/);
  assert.match(
    at('more_set_headers'),
    /\[Module documentation\]\(https:\/\/github\.com\/openresty\/headers-more-nginx-module#more_set_headers\)/,
  );
});

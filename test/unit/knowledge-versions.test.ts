/**
 * Versions: the data (what appeared, changed or went away in nginx 1.18 ...),
 * its sources, and what a target version makes of a config: an error naming
 * the version a too-new directive, parameter or variable needs, a warning
 * with the replacement as a fix for a deprecated one, an error for a removed
 * one. The data is checked against its sources when their snapshots are on
 * this machine: a fresh run of the generator must give the committed files,
 * and nginx.org's `<appeared-in>` notes must agree with the release scan.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintText, DEFAULT_SETTINGS, type Finding } from '../../server/src/engine/index';
import { DIRECTIVES, SCANNED_RELEASES, VARIABLES } from '../../server/src/engine/knowledge/data/nginx';
import { CITATIONS } from '../../server/src/engine/knowledge/data/nginx-changes';
import { lookupDirective, stateAt } from '../../server/src/engine/knowledge/directives';
import { compareVersions, normalizeVersion } from '../../server/src/engine/knowledge/versions';
import { lookupVariable } from '../../server/src/engine/knowledge/variables';
import { applyEdits } from '../../server/src/engine/fixes/edits';

const ROOT = join(__dirname, '..', '..');
const MIRROR = '/work/.mirror';
const NGINX_GIT = join(MIRROR, 'nginx+nginx', 'repo');
const ORG_GIT = join(MIRROR, 'nginx+nginx.org', 'repo');
const THIRD_PARTY = [
  'openresty+lua-nginx-module',
  'openresty+stream-lua-nginx-module',
  'openresty+headers-more-nginx-module',
  'openresty+echo-nginx-module',
  'google+ngx_brotli',
];
const mirrors = [NGINX_GIT, ORG_GIT, ...THIRD_PARTY.map((r) => join(MIRROR, r, 'repo'))];
const noMirrors =
  mirrors.some((m) => !existsSync(m)) &&
  `the source snapshots are not on this machine (${mirrors.filter((m) => !existsSync(m)).join(', ')})`;

function lint(text: string, nginxVersion = ''): Finding[] {
  return lintText(text, '/v/nginx.conf', { ...DEFAULT_SETTINGS, nginxVersion });
}
const pick = (fs: Finding[], ...codes: string[]) =>
  fs.filter((f) => codes.includes(f.code)).map((f) => `${f.severity} ${f.code}: ${f.message}`);
const server = (body: string, http = '') => `events {}\nhttp {\n${http}    server {\n${body}\n    }\n}\n`;

test('a fresh run of the generator gives the committed data', { skip: noMirrors, timeout: 120_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'nginx-knowledge-gen-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'gen-nginx-knowledge.ts'), NGINX_GIT, ORG_GIT], {
      cwd: ROOT,
      env: { ...process.env, NGINX_KNOWLEDGE_OUT: out, NGINX_KNOWLEDGE_MIRRORS: MIRROR },
      encoding: 'utf8',
      timeout: 110_000,
    });
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['nginx.ts', 'nginx-changes.ts']) {
      assert.equal(
        readFileSync(join(out, f), 'utf8'),
        readFileSync(join(ROOT, 'server/src/engine/knowledge/data', f), 'utf8'),
        `${f} is stale: run node --import tsx scripts/gen-nginx-knowledge.ts`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("every version after 1.18.0 agrees with nginx.org's <appeared-in> notes", { skip: noMirrors }, () => {
  const git = (...a: string[]) => execFileSync('git', ['-C', ORG_GIT, ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const files = git('ls-tree', '-r', '--name-only', 'HEAD', 'xml/en/docs')
    .split('\n')
    .filter((f) => /\/ngx_[a-z0-9_]+\.xml$/.test(f));
  const disagree: string[] = [];
  let compared = 0;
  for (const f of files) {
    const module = /\/(ngx_[a-z0-9_]+)\.xml$/.exec(f)![1]!;
    for (const m of git('show', `HEAD:${f}`).matchAll(/<directive name="([^"]+)"[^>]*>([\s\S]*?)<\/directive>/g)) {
      const v = /<appeared-in>([\d.]+)<\/appeared-in>/.exec(m[2]!)?.[1];
      const d = DIRECTIVES.find((x) => x[0] === m[1] && x[1] === module);
      if (!v || !d || compareVersions(v, SCANNED_RELEASES[0]!) <= 0) continue;
      compared++;
      if (d[2][0]![0] !== v) disagree.push(`${m[1]} (${module}): docs ${v}, sources ${d[2][0]![0] || `≤ ${SCANNED_RELEASES[0]}`}`);
    }
  }
  assert.deepEqual(disagree, []);
  assert.ok(compared > 50, `only ${compared} compared`);
});

test('every version in the data cites its source', () => {
  const cited = new Set(CITATIONS.map(([n, v]) => `${n}@${v}`));
  const missing: string[] = [];
  for (const [name, , states] of DIRECTIVES)
    for (const [v] of states)
      if (v && compareVersions(v, SCANNED_RELEASES[0]!) > 0 && !cited.has(`${name}@${v}`)) missing.push(`${name}@${v}`);
  for (const [, name, , , states] of VARIABLES)
    for (const [v] of states) if (v && !cited.has(`${name}@${v}`)) missing.push(`$${name}@${v}`);
  assert.deepEqual(missing, []);
  const cite = (n: string, v: string) => CITATIONS.find(([a, b]) => a === n && b === v)?.[2];
  assert.match(cite('http2', '1.25.1')!, /^CHANGES 1\.25\.1: feature: the "http2" directive/);
  assert.match(cite('ssl', '1.25.1')!, /^CHANGES 1\.25\.1: change: the deprecated "ssl" directive is not supported anymore/);
  assert.ok(SCANNED_RELEASES.includes('1.18.0') && SCANNED_RELEASES.includes('1.29.0') && SCANNED_RELEASES.length > 50);
});

test('directive histories: appeared, changed, deprecated, removed', () => {
  const http2 = lookupDirective('http2')[0]!;
  assert.equal(stateAt(http2, '1.22.1'), undefined);
  assert.equal(stateAt(http2, '1.25.1')!.present, true);
  const ssl = lookupDirective('ssl').find((e) => e.module === 'ngx_http_ssl_module')!;
  assert.equal(stateAt(ssl, '1.24.0')!.deprecated, 'listen ... ssl');
  assert.equal(stateAt(ssl, '1.25.1')!.present, false);
  const idle = lookupDirective('http2_idle_timeout')[0]!;
  assert.deepEqual(
    [stateAt(idle, '1.19.6')!.deprecated, stateAt(idle, '1.19.7')!.deprecated, stateAt(idle, '1.19.7')!.ignored],
    [undefined, 'keepalive_timeout', true],
  );
  const ocsp = lookupDirective('ssl_ocsp').find((e) => e.module === 'ngx_stream_ssl_module')!;
  assert.equal(stateAt(ocsp, '1.27.1'), undefined);
  assert.deepEqual(
    lookupDirective('keepalive')
      .find((e) => e.contexts.includes('upstream'))!
      .history.map((s) => [s.since, s.args.counts]),
    [
      ['1.1.4', [1]],
      ['1.29.7', [1, 2]],
    ],
  );
  assert.equal(normalizeVersion('nginx version: nginx/1.24.0'), '1.24.0');
  assert.equal(normalizeVersion('1.25'), '1.25.0');
});

test('variables carry the version they appeared in', () => {
  assert.equal(lookupVariable('ssl_sigalg', 'http')!.since, '1.29.3');
  assert.equal(lookupVariable('proxy_protocol_tlv_aws_vpce_id', 'stream')!.since, '1.23.2');
  assert.equal(lookupVariable('slice_range', 'http')!.since, '');
  assert.equal(lookupVariable('upstream_first_byte_time', 'stream')!.module, 'ngx_stream_upstream_module');
  assert.equal(lookupVariable('upstream_first_byte_time', 'http'), undefined);
});

test('"http2 on" needs 1.25.1: an error naming it, with a fix for TLS servers', () => {
  const tls = server(
    '        listen 443 ssl;\n        listen [::]:443 ssl;\n        http2 on;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;',
  );
  const f = lint(tls, '1.22.1').filter((x) => x.code === 'needs-newer-nginx');
  assert.deepEqual(
    f.map((x) => `${x.severity}: ${x.message}`),
    ['error: "http2" needs nginx 1.25.1 or newer; the target is 1.22.1, where nginx -t fails with: unknown directive "http2"'],
  );
  assert.equal(f[0]!.fixes[0]!.title, 'Use "listen ... ssl http2" (nginx before 1.25.1)');
  const fixed = applyEdits(tls, f[0]!.fixes[0]!.changes[0]!.edits);
  assert.match(fixed, /listen 443 ssl http2;\n {8}listen \[::\]:443 ssl http2;\n {8}ssl_certificate/);
  assert.deepEqual(pick(lint(fixed, '1.22.1'), 'needs-newer-nginx', 'deprecated-directive'), []);
  // Not with a target that has it, nor without one.
  assert.deepEqual(pick(lint(tls, '1.25.1'), 'needs-newer-nginx'), []);
  assert.deepEqual(pick(lint(tls), 'needs-newer-nginx'), []);
  // Cleartext: the old form would serve HTTP/2 only, so the only fix removes it.
  const plain = lint(server('        listen 80;\n        http2 on;'), '1.22.1').find((x) => x.code === 'needs-newer-nginx')!;
  assert.deepEqual(
    plain.fixes.map((x) => x.title),
    ['Remove "http2 on;" (before 1.25.1 a cleartext "listen ... http2" serves HTTP/2 only: no HTTP/1.1, no WebSocket)'],
  );
});

test('"listen ... http2" is deprecated since 1.25.1: a warning whose fix is "http2 on;"', () => {
  const text = server('        listen 443 ssl http2;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;');
  const f = lint(text, '1.25.1').filter((x) => x.code === 'deprecated-directive');
  assert.deepEqual(
    f.map((x) => `${x.severity}: ${x.message}`),
    ['warning: The "http2" parameter of "listen" is deprecated since nginx 1.25.1; use "http2 on;" in the server instead'],
  );
  const fixed = applyEdits(text, f[0]!.fixes[0]!.changes[0]!.edits);
  assert.match(fixed, /listen 443 ssl;\n {8}http2 on;\n {8}ssl_certificate a\.crt;/);
  assert.deepEqual(pick(lint(fixed, '1.25.1'), 'needs-newer-nginx', 'deprecated-directive'), []);
  // The right form for 1.24, and only information when the target is unknown.
  assert.deepEqual(pick(lint(text, '1.24.0'), 'deprecated-directive'), []);
  assert.deepEqual(
    lint(text)
      .filter((x) => x.code === 'deprecated-directive')
      .map((x) => x.severity),
    ['information'],
  );
});

test('"ssl on" is deprecated, then removed in 1.25.1: the fix moves it to listen', () => {
  const text = server(
    '        listen 443;\n        listen [::]:443;\n        ssl on;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;',
  );
  const warn = lint(text, '1.22.1').filter((x) => x.code === 'deprecated-directive');
  assert.deepEqual(
    warn.map((x) => x.severity),
    ['warning'],
  );
  assert.match(warn[0]!.message, /"ssl" is deprecated; use "listen \.\.\. ssl" instead \(nginx 1\.25\.1 and later reject it\)/);
  const err = lint(text, '1.26.0').filter((x) => x.code === 'deprecated-directive');
  assert.deepEqual(
    err.map((x) => `${x.severity}: ${x.message}`),
    ['error: "ssl" was removed in nginx 1.25.1; use "listen ... ssl" instead; nginx 1.26.0 fails with: unknown directive "ssl"'],
  );
  const fixed = applyEdits(text, err[0]!.fixes[0]!.changes[0]!.edits);
  assert.match(fixed, /listen 443 ssl;\n {8}listen \[::\]:443 ssl;\n {8}ssl_certificate a\.crt;/);
  assert.deepEqual(pick(lint(fixed, '1.26.0'), 'needs-newer-nginx', 'deprecated-directive', 'directive-not-allowed'), []);
});

test('parameters, contexts, argument counts and variables newer than the target', () => {
  const f = lint(
    server(
      '        listen 443 quic reuseport;\n        listen 443 ssl;\n        ssl_certificate a.crt;\n        ssl_certificate_key a.key;\n        location / {\n            proxy_pass http://u;\n            proxy_set_header X-Sigalg $ssl_sigalg;\n        }',
      '    upstream u { server 127.0.0.1:1; keepalive 16 local; }\n',
    ) + 'stream {\n    server {\n        listen 9000 ssl;\n        ssl_ocsp on;\n        proxy_pass 127.0.0.1:1;\n    }\n}\n',
    '1.22.1',
  );
  assert.deepEqual(
    f.filter((x) => x.code === 'needs-newer-nginx').map((x) => `${x.severity}: ${x.message}`),
    [
      'error: "keepalive" with 2 arguments needs nginx 1.29.7 or newer; the target is 1.22.1 (nginx -t: invalid number of arguments)',
      'error: The "quic" parameter of "listen" needs nginx 1.25.0 or newer; the target is 1.22.1, where nginx -t fails with: invalid parameter "quic"',
      'error: "$ssl_sigalg" needs nginx 1.29.3 or newer (ngx_http_ssl_module); the target is 1.22.1, where nginx -t fails with: unknown "ssl_sigalg" variable',
      'error: "ssl_ocsp" in server (stream) needs nginx 1.27.2 or newer; in 1.22.1 it is allowed only in http, server (nginx -t: directive is not allowed here)',
    ],
  );
});

test('obsolete directives nginx ignores: removing them is the preferred fix', () => {
  const f = lint(server('        listen 80;\n        location / {\n            http2_push /style.css;\n        }'), '1.25.1').find(
    (x) => x.code === 'deprecated-directive',
  )!;
  assert.equal(f.message, '"http2_push" is obsolete since nginx 1.25.1: nginx ignores it');
  assert.deepEqual(
    f.fixes.map((x) => x.title),
    ['Remove "http2_push" (nginx ignores it)'],
  );
});

test('the target version can be declared at the top of the config, and it wins over the setting', () => {
  const text = `# nginx-ws: nginx-version=1.22.1\n${server('        listen 80;\n        keepalive_min_timeout 10s;')}`;
  assert.deepEqual(pick(lint(text), 'needs-newer-nginx').length, 1);
  assert.deepEqual(pick(lint(text, '1.28.0'), 'needs-newer-nginx').length, 1);
  assert.deepEqual(pick(lint(text.replace('1.22.1', '1.27.4')), 'needs-newer-nginx'), []);
  // Only in the leading comments: a comment after the first directive says nothing.
  assert.deepEqual(
    pick(
      lint(
        `events {}\n# nginx-ws: nginx-version=1.22.1\n${server('        listen 80;\n        keepalive_min_timeout 10s;').replace('events {}\n', '')}`,
      ),
      'needs-newer-nginx',
    ),
    [],
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { RULES } from '../../server/src/engine/rules/index';
import { analyze } from '../../server/src/engine/analyze';
import { FIXTURES, applyFix, fixAll, fixture, key, lint } from '../support/rules';

test('every rule has a bad and a good fixture, and every fixture folder names a rule', () => {
  for (const r of RULES) {
    assert.ok(fixture(r.id, 'bad'), `${r.id}: test/fixtures/rules/${r.id}/bad.conf is missing`);
    assert.ok(fixture(r.id, 'good'), `${r.id}: test/fixtures/rules/${r.id}/good.conf is missing`);
  }
  const ids = new Set(RULES.map((r) => r.id));
  for (const dir of readdirSync(FIXTURES)) assert.ok(ids.has(dir), `fixture folder ${dir} names no rule`);
});

test('every rule has complete metadata', () => {
  const seen = new Set<string>();
  for (const r of RULES) {
    assert.match(r.id, /^[a-z0-9-]+$/);
    assert.ok(!seen.has(r.id), `duplicate rule id ${r.id}`);
    seen.add(r.id);
    assert.ok(['error', 'warning', 'information', 'hint'].includes(r.defaultSeverity));
    assert.ok(r.title.length > 10 && r.why.length > 40, `${r.id}: title/why too thin`);
    assert.match(r.href, /^https:\/\//);
    assert.ok(r.versions.length > 0);
  }
});

for (const rule of RULES) {
  test(`${rule.id}: fires on bad.conf with its default severity, not on good.conf`, () => {
    const bad = lint(fixture(rule.id, 'bad')!);
    const hits = bad.filter((f) => f.code === rule.id);
    assert.ok(hits.length > 0, `${rule.id} did not fire on bad.conf; got ${bad.map((f) => f.code).join(', ')}`);
    for (const h of hits) {
      assert.equal(h.severity, rule.defaultSeverity);
      assert.equal(h.href, rule.href);
      assert.ok(h.message.length > 20);
    }
    const good = lint(fixture(rule.id, 'good')!);
    assert.deepEqual(good.filter((f) => f.code === rule.id).map((f) => f.message), []);
    assert.deepEqual(good.filter((f) => f.severity === 'error').map((f) => `${f.code}: ${f.message}`), [], 'good.conf has errors');
  });

  test(`${rule.id}: each fix removes its finding and adds nothing new`, () => {
    const text = fixture(rule.id, 'bad')!;
    const before = lint(text);
    const fixable = before.filter((f) => f.code === rule.id && f.fixes.length);
    if (rule.noFix) {
      assert.equal(fixable.length, 0, `${rule.id} declares it has no fix (${rule.noFix}) but offers one`);
      return;
    }
    assert.ok(fixable.length > 0, `${rule.id} offers no fix`);
    for (const f of fixable) {
      for (const fx of f.fixes) {
        const after = lint(applyFix(text, fx));
        const beforeKeys = before.map(key);
        const added = after.filter((a) => !beforeKeys.includes(key(a)));
        assert.deepEqual(added.map(key), [], `fix "${fx.title}" introduced new findings`);
        assert.ok(!after.some((a) => key(a) === key(f)), `fix "${fx.title}" did not remove: ${f.message}`);
      }
    }
  });

  test(`${rule.id}: fix-all leaves no finding of the rule`, () => {
    const fixed = fixAll(fixture(rule.id, 'bad')!);
    const left = lint(fixed).filter((f) => f.code === rule.id && f.fixes.length);
    assert.deepEqual(left.map((f) => f.message), []);
  });
}

test('two rules that both need the $connection_upgrade map add the identical block, so fix-all adds it once', () => {
  const text = `http {
    upstream b { server 127.0.0.1:3000; keepalive 8; }
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://b;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1h;
        }
        location /live/ {
            proxy_pass http://b;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "";
            proxy_read_timeout 1h;
        }
    }
}`;
  const codes = lint(text).map((f) => f.code).sort();
  assert.deepEqual(codes, ['undefined-variable', 'ws-keepalive-connection-clash']);
  const fixed = fixAll(text);
  assert.equal(fixed.match(/map \$http_upgrade \$connection_upgrade/g)?.length, 1, fixed);
  assert.match(fixed, /''\s+'';/, "keepalive upstream: the map keeps keep-alive with '' ''");
  assert.deepEqual(lint(fixed), []);
});

test('a snippet included by a snippet of unknown context is not held to the main context', () => {
  const files: Record<string, string> = {
    '/s/fastcgi-php.conf': 'fastcgi_split_path_info ^(.+\\.php)(/.+)$;\ninclude fastcgi.conf;\n',
    '/s/fastcgi.conf': 'fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n',
  };
  const host = {
    readFile: (p: string) => files[p],
    glob: () => [],
    dirname: (p: string) => p.slice(0, p.lastIndexOf('/')),
    resolve: (d: string, r: string) => (r.startsWith('/') ? r : `${d}/${r}`),
  };
  const all = analyze('/s/fastcgi-php.conf', host).findings;
  assert.deepEqual(all.filter((f) => f.severity === 'error').map((f) => `${f.path}: ${f.message}`), []);
  // In a complete config the same directive at the top level is an error.
  const main = analyze('/s/main.conf', { ...host, readFile: (p: string) => (p === '/s/main.conf' ? 'events {}\nfastcgi_param A b;\n' : undefined) }).findings;
  assert.deepEqual(main.map((f) => f.code), ['directive-not-allowed']);
});

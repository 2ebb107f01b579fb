import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../server/src/engine/rules/index';
import { analyze } from '../../server/src/engine/analyze';
import {
  applyFix,
  describeStated,
  EXPECTED_JSON,
  expectations,
  FIXTURE_FILES,
  FIXTURES,
  fixAll,
  fixture,
  formatExpectations,
  key,
  lint,
  observed,
  type StatedFinding,
} from '../support/rules';

const FOLDER = [...FIXTURE_FILES, EXPECTED_JSON].sort();
const HOW = 'node --import tsx test/support/fixture-expectations.ts RULE writes them from the engine; read every line before committing';

/** Stated and observed findings must be the same list: a missing one, an extra one (of any rule) or a moved one fails, and the message names each. */
function assertSameFindings(actual: StatedFinding[], stated: StatedFinding[], what: string): void {
  const a = actual.map(describeStated);
  const s = stated.map(describeStated);
  const missing = s.filter((x) => !a.includes(x));
  const extra = a.filter((x) => !s.includes(x));
  assert.deepEqual(
    a,
    s,
    `${what}: the findings differ from expected.json\n  missing: ${missing.join('\n           ') || 'none'}\n  extra:   ${extra.join('\n           ') || 'none'}`,
  );
}

test('every rule has its fixture folder (bad.conf, good.conf, fixed.conf, expected.json, nothing else), and every folder names a rule', () => {
  for (const r of RULES) {
    const files = readdirSync(join(FIXTURES, r.id)).sort();
    assert.deepEqual(files, FOLDER, `test/fixtures/rules/${r.id}/ (${HOW})`);
  }
  const ids = new Set(RULES.map((r) => r.id));
  for (const dir of readdirSync(FIXTURES)) assert.ok(ids.has(dir), `fixture folder ${dir} names no rule`);
});

test('every expected.json states the three files in its one form (one finding a line, invisible characters escaped)', () => {
  for (const r of RULES) {
    const text = readFileSync(join(FIXTURES, r.id, EXPECTED_JSON), 'utf8');
    const e = expectations(r.id)!;
    assert.deepEqual(Object.keys(e), [...FIXTURE_FILES], `${r.id}/expected.json`);
    assert.equal(text, formatExpectations(e), `${r.id}/expected.json is not in the form the generator writes (${HOW})`);
  }
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
  test(`${rule.id}: bad.conf produces exactly the findings expected.json states, its own with the default severity`, () => {
    const text = fixture(rule.id, 'bad')!;
    const stated = expectations(rule.id)!['bad.conf'];
    assertSameFindings(observed(text), stated, `${rule.id}/bad.conf`);
    // What may be stated: the bad fixture shows its rule, at the rule's default severity.
    const own = stated.filter((f) => f.rule === rule.id);
    assert.ok(own.length > 0, `${rule.id}/expected.json states no ${rule.id} finding on bad.conf`);
    for (const f of own) assert.equal(f.severity, rule.defaultSeverity, `${rule.id}/bad.conf line ${f.line}`);
    for (const h of lint(text).filter((f) => f.code === rule.id)) {
      assert.equal(h.href, rule.href);
      assert.ok(h.message.length > 20, h.message);
    }
  });

  test(`${rule.id}: good.conf produces exactly the findings expected.json states, none of its rule and no error`, () => {
    const stated = expectations(rule.id)!['good.conf'];
    assertSameFindings(observed(fixture(rule.id, 'good')!), stated, `${rule.id}/good.conf`);
    assert.deepEqual(
      stated.filter((f) => f.rule === rule.id || f.severity === 'error').map(describeStated),
      [],
      `${rule.id}/good.conf must be silent about its rule and error-free`,
    );
  });

  test(`${rule.id}: fix-all turns bad.conf into fixed.conf byte for byte, and fixed.conf produces exactly the findings stated`, () => {
    const bad = fixture(rule.id, 'bad')!;
    const fixed = fixture(rule.id, 'fixed')!;
    assert.equal(fixAll(bad), fixed, `${rule.id}: fix-all of bad.conf differs from fixed.conf`);
    assert.equal(fixAll(fixed), fixed, `${rule.id}: fix-all of fixed.conf still changes it`);
    const stated = expectations(rule.id)!['fixed.conf'];
    assertSameFindings(observed(fixed), stated, `${rule.id}/fixed.conf`);
    const left = stated.filter((f) => f.rule === rule.id).map(describeStated);
    if (rule.noFix) {
      assert.equal(fixed, bad, `${rule.id} has no fix (${rule.noFix}), and its bad fixture has nothing else to fix`);
    } else {
      assert.deepEqual(left, [], `${rule.id}: fix-all leaves findings of the rule`);
    }
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
  const codes = lint(text)
    .map((f) => f.code)
    .sort();
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
  assert.deepEqual(
    all.filter((f) => f.severity === 'error').map((f) => `${f.path}: ${f.message}`),
    [],
  );
  // In a complete config the same directive at the top level is an error.
  const main = analyze('/s/main.conf', {
    ...host,
    readFile: (p: string) => (p === '/s/main.conf' ? 'events {}\nfastcgi_param A b;\n' : undefined),
  }).findings;
  assert.deepEqual(
    main.map((f) => f.code),
    ['directive-not-allowed'],
  );
});

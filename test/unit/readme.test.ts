/**
 * The README is the user's guide (and the VSIX's marketplace page); the
 * developer material lives in docs/development.md. These tests keep both
 * honest: generated parts current, pictures present, links resolvable in a
 * clone, the facts table backed by real tests, every dependency explained.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { declaredSettings, README, RULES_DOC, rulesDoc, withSettings } from '../../scripts/rule-docs';

const ROOT = resolve(__dirname, '..', '..');
const readme = readFileSync(README, 'utf8');
const DEVELOPMENT = join(ROOT, 'docs', 'development.md');
const FACTS = join(ROOT, 'docs', 'websocket-facts.md');

/** Markdown links and images `[text](target)` / `![alt](target)` outside code blocks. */
function links(md: string): { image: boolean; target: string }[] {
  const text = md.replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => ({ image: m[1] === '!', target: m[2]! }));
}

test('docs/rules.md is the generated rule reference (run `npm run docs`)', () => {
  assert.equal(readFileSync(RULES_DOC, 'utf8'), rulesDoc());
});

test('the rule examples carry no test placeholders', () => {
  assert.doesNotMatch(rulesDoc(), /__[A-Z][A-Z0-9]*__/);
  assert.doesNotMatch(readme, /__[A-Z][A-Z0-9]*__/);
});

test('the README settings table lists every setting of package.json with its default (run `npm run docs`)', () => {
  assert.equal(readme, withSettings(readme));
  for (const [key, s] of declaredSettings()) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
    assert.ok(row, `${key} has a row`);
    if (key !== 'nginxWs.rules') assert.ok(row.includes(`\`${JSON.stringify(s.default)}\``), `${key}: default ${JSON.stringify(s.default)} in ${row}`);
  }
});

test('the README starts with the two commands, and .ci/run runs its test command', () => {
  const head = readme.slice(0, 1500);
  const start = /^(bash scripts\/setup\.sh && npm start)\b/m.exec(head);
  const tests = /^(bash scripts\/setup\.sh && npm test)\b/m.exec(head);
  assert.ok(start && tests, 'the README opens with the demo and test commands');
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, new RegExp(`^${tests[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), '.ci/run runs the README test line exactly');
});

test('the README shows the product: every picture exists under images/, and every kept screenshot is shown', () => {
  const images = links(readme).filter((l) => l.image).map((l) => l.target);
  for (const wanted of ['images/hover.png', 'images/quick-fix.png', 'images/report-failed.png', 'images/endpoints-view.png']) {
    assert.ok(images.includes(wanted), `the README shows ${wanted}`);
  }
  for (const img of images) {
    assert.match(img, /^images\/[\w.-]+\.png$/, `${img}: pictures are committed under images/`);
    assert.ok(existsSync(join(ROOT, img)), `${img} exists (npm run images takes it)`);
  }
  // The e2e sessions keep their README screenshots with `vs.keep(name)`: each must be shown, or not kept.
  const sessions = join(ROOT, 'test', 'e2e', 'sessions');
  const kept = readdirSync(sessions).flatMap((f) => [...readFileSync(join(sessions, f), 'utf8').matchAll(/vs\.keep\('([\w-]+)'\)/g)].map((m) => `images/${m[1]}.png`));
  assert.ok(kept.length >= 4, 'the e2e sessions keep the README screenshots');
  for (const k of kept) assert.ok(images.includes(k), `${k} is kept by the e2e run but not shown in the README`);
});

test('every relative link in the README and docs/ resolves in a clone, and none leaves the repository', () => {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f));
  for (const file of [README, ...docs]) {
    for (const { target } of links(readFileSync(file, 'utf8'))) {
      if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const path = resolve(dirname(file), target.split('#')[0]!);
      assert.ok(path.startsWith(ROOT + '/'), `${file}: ${target} points outside the repository`);
      assert.ok(existsSync(path), `${file}: ${target} does not exist`);
    }
  }
  assert.doesNotMatch(readme, /\.\.\/shared\//, 'the README links the project\'s own facts, not ../shared');
  for (const doc of ['docs/rules.md', 'docs/websocket-facts.md', 'docs/performance.md', 'docs/development.md']) {
    assert.ok(links(readme).some((l) => l.target === doc), `the README links ${doc}`);
  }
});

test('the user README has no machine-specific figures and no developer reference', () => {
  assert.doesNotMatch(readme, /\b\d+(\.\d+)? ms vs\b|p95|peak memory/i, 'performance figures belong in docs/performance.md');
  assert.doesNotMatch(readme, /## Why each dependency is here|devDependencies/, 'the dependency list belongs in docs/development.md');
  assert.match(readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8'), /npm run bench/, 'performance figures say how to reproduce them');
});

test('every row of docs/websocket-facts.md names a real-nginx test that exists', () => {
  const rows = readFileSync(FACTS, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| config') && !l.startsWith('|---'));
  assert.ok(rows.length >= 20, `${rows.length} rows`);
  for (const row of rows) {
    const cited = [...row.matchAll(/`(test\/[\w/.-]+\.test\.ts)`: ((?:“[^”]+”(?: \+ )?)+)/g)];
    assert.ok(cited.length > 0, `no test named in: ${row}`);
    for (const [, file, fragments] of cited) {
      const source = readFileSync(join(ROOT, file!), 'utf8');
      for (const [, fragment] of fragments!.matchAll(/“([^”]+)”/g)) {
        assert.ok(source.includes(fragment!), `${file} has no test "${fragment}" (row: ${row.slice(0, 80)}…)`);
      }
    }
  }
});

test('every runtime and dev dependency is explained in docs/development.md', () => {
  const dev = readFileSync(DEVELOPMENT, 'utf8');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
    assert.ok(dev.includes(`\`${dep}\``), `docs/development.md does not say why ${dep} is a dependency`);
  }
});

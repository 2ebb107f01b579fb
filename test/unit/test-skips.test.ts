/**
 * A skipped test says why. A test that needs something this machine may lack (nginx, the corpus of real configs,
 * /etc/nginx) is skipped with the reason (`{ skip: 'nginx is not installed' }`, `t.test(part, { skip: reason })`),
 * never passed by returning early or by leaving its assertions out. This reads every test source for the forms that
 * hide a skip: a skip or todo without a reason, and a check for nginx or the corpus that is not a skip reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesUnder } from '../support/corpus';

const ROOT = join(__dirname, '..', '..');
const TEST = join(ROOT, 'test');
const SOURCES = filesUnder(TEST, (name) => /\.(ts|mjs)$/.test(name)).filter((p) => !relative(TEST, p).startsWith('fixtures/'));
const SELF = relative(ROOT, __filename);

/** What hides a skip, and what to write instead. */
const HIDDEN: [RegExp, string][] = [
  [/\b(?:test|it|describe)\.(?:skip|todo)\(/, 'test.skip/it.skip/describe.skip give no reason: pass { skip: "why" }'],
  [/\bskip:\s*true\b|\btodo:\s*true\b/, 'skip: true gives no reason: pass the reason as a string'],
  [/\b(?:t|this)\.skip\(\s*\)/, 'skip() without a reason: pass the reason'],
  [/\bif\s*\(\s*!?\s*nginxAvailable\(\)\s*\)/, 'nginx decides what runs: make that part a test or subtest with { skip: reason }'],
  [
    /\bif\s*\(\s*!?\s*existsSync\(\s*(?:CORPUS|corpus|SUITE)\b/,
    'the corpus decides what runs: use { skip: CORPUS_ABSENT } (test/support/corpus.ts)',
  ],
];

test('no test hides a skip: every skip and todo has its reason, and nginx or the corpus decides only through one', () => {
  assert.ok(SOURCES.length > 50, `${SOURCES.length} test sources`);
  const found: string[] = [];
  for (const file of SOURCES) {
    const rel = relative(ROOT, file);
    if (rel === SELF) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const [re, instead] of HIDDEN) if (re.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}\n    ${instead}`);
      });
  }
  assert.deepEqual(found, []);
});

test('the scan sees each hidden form', () => {
  const hidden = [
    'test.skip("x", () => {})',
    'it("x", { skip: true }, f)',
    't.skip()',
    'if (!nginxAvailable()) return;',
    'if (existsSync(CORPUS)) {',
  ];
  for (const line of hidden)
    assert.ok(
      HIDDEN.some(([re]) => re.test(line)),
      line,
    );
  const fine = [
    "test('x', { skip: nginxAvailable() ? false : 'nginx is not installed' }, f)",
    "t.skip('the corpus is absent')",
    'test("x", { skip: CORPUS_ABSENT }, f)',
  ];
  for (const line of fine) assert.ok(!HIDDEN.some(([re]) => re.test(line)), line);
});

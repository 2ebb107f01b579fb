import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { README, withRuleDocs } from '../../scripts/rule-docs';

const readme = readFileSync(README, 'utf8');

test('the README rule reference matches the rule registry (run `npm run docs`)', () => {
  assert.equal(readme, withRuleDocs(readme));
});

test('the README starts with the two commands, and .ci/run runs its test command', () => {
  const head = readme.slice(0, 1500);
  const start = /^(bash scripts\/setup\.sh && npm start)\b/m.exec(head);
  const tests = /^(bash scripts\/setup\.sh && npm test)\b/m.exec(head);
  assert.ok(start && tests, 'the README opens with the demo and test commands');
  const ci = readFileSync(join(__dirname, '..', '..', '.ci', 'run'), 'utf8');
  assert.match(ci, new RegExp(`^${tests[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), '.ci/run runs the README test line exactly');
});

test('every runtime and dev dependency is explained in the README', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
    assert.ok(readme.includes(`\`${dep}\``), `README does not say why ${dep} is a dependency`);
  }
});

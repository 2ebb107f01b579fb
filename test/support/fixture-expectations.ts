/**
 * Writes a rule fixture's `fixed.conf` and `expected.json` from what the engine does now, for a reader to check
 * line by line before committing them (test/unit/rules.test.ts then holds the engine to them, both ways).
 *
 *   node --import tsx test/support/fixture-expectations.ts           # folders that lack them (a new rule)
 *   node --import tsx test/support/fixture-expectations.ts RULE...   # rewrite these (after a deliberate change)
 *
 * It prints every finding it states and the fix-all diff, so what is frozen is read, not just generated.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import {
  describeStated,
  EXPECTED_JSON,
  FIXTURE_FILES,
  FIXTURES,
  fixAll,
  fixture,
  formatExpectations,
  observed,
  type Expectations,
} from './rules';

/** The expectations the engine meets now, and the fixed text they state. */
export function currentExpectations(ruleId: string): { expected: Expectations; fixed: string } {
  const bad = fixture(ruleId, 'bad');
  const good = fixture(ruleId, 'good');
  if (bad === undefined || good === undefined) throw new Error(`${ruleId}: bad.conf and good.conf come first`);
  const fixed = fixAll(bad);
  return { expected: { 'bad.conf': observed(bad), 'fixed.conf': observed(fixed), 'good.conf': observed(good) }, fixed };
}

function write(ruleId: string): void {
  const dir = join(FIXTURES, ruleId);
  const { expected, fixed } = currentExpectations(ruleId);
  const old = existsSync(join(dir, 'fixed.conf')) ? readFileSync(join(dir, 'fixed.conf'), 'utf8') : undefined;
  writeFileSync(join(dir, 'fixed.conf'), fixed);
  writeFileSync(join(dir, EXPECTED_JSON), formatExpectations(expected));
  console.log(`== ${ruleId}`);
  for (const file of FIXTURE_FILES) {
    console.log(`  ${file}: ${expected[file].length ? '' : 'no finding'}`);
    for (const f of expected[file]) console.log(`    ${describeStated(f)}`);
  }
  const bad = fixture(ruleId, 'bad')!;
  const patch = createTwoFilesPatch('bad.conf', 'fixed.conf', bad, fixed, '', '', { context: 1 })
    .split('\n')
    .slice(3)
    .join('\n    ')
    .trimEnd();
  console.log(fixed === bad ? '  fix-all changes nothing' : `  fix-all:\n    ${patch}`);
  if (old !== undefined && old !== fixed) console.log('  (fixed.conf changed)');
}

if (require.main === module) {
  const named = process.argv.slice(2);
  const ids = named.length
    ? named
    : readdirSync(FIXTURES).filter((id) => !existsSync(join(FIXTURES, id, EXPECTED_JSON)) || !existsSync(join(FIXTURES, id, 'fixed.conf')));
  for (const id of ids) write(id);
  console.log(
    ids.length
      ? `\n${ids.length} fixture folder(s) written: read every finding and the fix above before committing them.`
      : 'every fixture folder has its fixed.conf and expected.json',
  );
}

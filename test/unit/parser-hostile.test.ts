/**
 * Big and hostile inputs: a 10 MB config, 20,000 levels of nesting, a single
 * 5 MB line, random bytes, and shapes that would make a careless parser
 * quadratic. Each must parse and lint without throwing or overflowing the
 * stack, in time linear in its size: every case is timed at size N and 4N
 * (best of a few runs) and the ratio must stay well below the 16 a quadratic
 * algorithm would show. Figures are printed as test diagnostics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/engine/syntax/parser';
import { lintText } from '../../server/src/engine/index';
import { shapes } from '../support/hostile-inputs';

function bestOf(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** Best times for two inputs, measured alternately so a burst of load on a shared machine hits both alike. */
function bestOfPair(runs: number, a: () => void, b: () => void): [number, number] {
  let ta = Infinity;
  let tb = Infinity;
  for (let i = 0; i < runs; i++) {
    ta = Math.min(ta, bestOf(1, a));
    tb = Math.min(tb, bestOf(1, b));
  }
  return [ta, tb];
}

const MB = 1024 * 1024;
/** Linear work gives ~4 for 4x the input; quadratic gives 16. Generous for GC and a busy machine. */
const MAX_RATIO = 12;
/** Below this, timings are noise; the ratio check compares against this floor instead. */
const FLOOR_MS = 20;

for (const s of shapes) {
  test(`hostile: ${s.name}`, { timeout: 120_000 }, (t) => {
    const small = s.make(1);
    const big = s.make(4);
    const runs = s.runs ?? 4;
    const [tSmall, tBig] = bestOfPair(
      runs,
      () => parse(small),
      () => parse(big),
    );
    const f = parse(big);
    assert.equal(typeof f.errors.length, 'number');
    let walked = 0;
    for (const d of f.walk()) {
      walked++;
      void d.name;
    }
    const ratio = tBig / Math.max(tSmall, FLOOR_MS);
    t.diagnostic(
      `parse ${(small.length / MB).toFixed(2)} MB: ${tSmall.toFixed(1)} ms, ${(big.length / MB).toFixed(2)} MB: ${tBig.toFixed(1)} ms ` +
        `(ratio ${(tBig / tSmall).toFixed(1)}, ${(big.length / MB / (tBig / 1000)).toFixed(0)} MB/s), ${walked} directives, ${f.errors.length} errors`,
    );
    assert.ok(ratio < MAX_RATIO, `parse time grew ${ratio.toFixed(1)}x for 4x the input`);
  });

  test(`hostile lint: ${s.name} never throws, in linear time`, { timeout: 120_000, todo: s.lintTodo }, (t) => {
    const small = s.lintMake ? s.lintMake(1) : s.make(1);
    const big = s.lintMake ? s.lintMake(4) : s.make(4);
    // Linting must never throw, whatever the input.
    assert.ok(Array.isArray(lintText(big)));
    const [lSmall, lBig] = bestOfPair(
      2,
      () => lintText(small),
      () => lintText(big),
    );
    const ratio = lBig / Math.max(lSmall, FLOOR_MS * 4);
    t.diagnostic(
      `lintText ${(small.length / MB).toFixed(2)} MB: ${lSmall.toFixed(1)} ms, ${(big.length / MB).toFixed(2)} MB: ${lBig.toFixed(1)} ms (ratio ${(lBig / lSmall).toFixed(1)})`,
    );
    assert.ok(ratio < MAX_RATIO, `lint time grew ${ratio.toFixed(1)}x for 4x the input`);
  });
}

test('hostile: the 20,000-level tree is flattened below the depth limit and still walkable', () => {
  const text = 'a {\n'.repeat(20000) + 'leaf;\n' + '}\n'.repeat(20000);
  const f = parse(text);
  assert.deepEqual(
    f.errors.map((e) => e.code),
    ['too-deep'],
  );
  const leaf = [...f.walk()].find((d) => d.name === 'leaf')!;
  let depth = 0;
  for (let p = leaf.parent; p; p = p.parent) depth++;
  assert.ok(depth <= 256, `leaf at depth ${depth}`);
  assert.equal(f.directiveAt(leaf.start), leaf);
});

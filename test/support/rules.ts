/**
 * Shared by the rule tests and the real-nginx fix proof: loading rule
 * fixtures and applying fixes the way an editor does.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { lintText, type Finding, type Fix, type TextEdit } from '../../server/src/engine/index';
import { applyEdits, sameEdit } from '../../server/src/engine/fixes/edits';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'rules');
export const FIXTURE_PATH = '/fixture/nginx.conf';

export function fixture(ruleId: string, kind: 'bad' | 'good'): string | undefined {
  const p = join(FIXTURES, ruleId, `${kind}.conf`);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

export function lint(text: string): Finding[] {
  return lintText(text, FIXTURE_PATH);
}

export function editsFor(f: Fix, path = FIXTURE_PATH): TextEdit[] {
  return f.changes.filter((c) => c.path === path).flatMap((c) => c.edits);
}

export function applyFix(text: string, f: Fix): string {
  return applyEdits(text, editsFor(f));
}

/**
 * "Fix all": the preferred fix of every finding, identical edits once,
 * overlapping edits skipped (the next round picks them up), repeated until
 * nothing is fixable, as the fix-all source action does.
 */
export function fixAll(text: string, rounds = 5): string {
  for (let i = 0; i < rounds; i++) {
    const edits: TextEdit[] = [];
    for (const f of lint(text)) {
      const fx = f.fixes.find((x) => x.isPreferred) ?? f.fixes[0];
      if (!fx) continue;
      for (const e of editsFor(fx)) {
        if (edits.some((x) => sameEdit(x, e))) continue;
        if (edits.some((x) => overlaps(x, e))) continue;
        edits.push(e);
      }
    }
    if (!edits.length) return text;
    text = applyEdits(text, edits);
  }
  return text;
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character < q.character);
  // Two inserts at the same point do not overlap; replacements overlap when their ranges intersect.
  return before(a.range.start, b.range.end) && before(b.range.start, a.range.end);
}

/** A finding's identity independent of position (lines shift when fixes insert text). */
export function key(f: Finding): string {
  return `${f.code}|${f.severity}|${f.message}`;
}

/**
 * Shared by the rule tests and the real-nginx fix proof: loading rule
 * fixtures and applying fixes the way an editor does.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { lintText, type Finding, type Fix, type TextEdit } from '../../server/src/engine/index';
import { applyEdits } from '../../server/src/engine/fixes/edits';
import { combineFixes } from '../../server/src/engine/fixes/combine';

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
 * "Fix all" exactly as the server's source action does it (combineFixes: the
 * preferred fix of every finding, identical edits once, overlapping fixes left
 * for the next round), repeated until nothing is fixable.
 */
export function fixAll(text: string, rounds = 5): string {
  for (let i = 0; i < rounds; i++) {
    const fixes = lint(text)
      .filter((f) => f.fixes.length)
      .map((f) => f.fixes.find((x) => x.isPreferred) ?? f.fixes[0]!);
    const edits = combineFixes(fixes).changes.filter((c) => c.path === FIXTURE_PATH).flatMap((c) => c.edits);
    if (!edits.length) return text;
    text = applyEdits(text, edits);
  }
  return text;
}

/** A finding's identity independent of position (lines shift when fixes insert text). */
export function key(f: Finding): string {
  return `${f.code}|${f.severity}|${f.message}`;
}

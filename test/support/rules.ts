/**
 * Shared by the rule tests and the real-nginx fix proof: loading rule
 * fixtures, what each fixture states it produces, and applying fixes the way
 * an editor does.
 *
 * Each `test/fixtures/rules/<id>/` holds `bad.conf` (the mistake), `good.conf`
 * (the valid forms that must stay silent), `fixed.conf` (exactly what fix-all
 * makes of `bad.conf`) and `expected.json`: every finding each of the three
 * files produces, as `{ line, severity, rule, text }` (`line` 1-based as an
 * editor counts, `text` the underlined text), nothing left out.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LineIndex, lintText, type Finding, type Fix, type Severity, type TextEdit } from '../../server/src/engine/index';
import { applyEdits } from '../../server/src/engine/fixes/edits';
import { combineFixes } from '../../server/src/engine/fixes/combine';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'rules');
export const FIXTURE_PATH = '/fixture/nginx.conf';

export function fixture(ruleId: string, kind: 'bad' | 'good' | 'fixed'): string | undefined {
  const p = join(FIXTURES, ruleId, `${kind}.conf`);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

/** The files of a rule's fixture folder, in the order expected.json lists them. */
export const FIXTURE_FILES = ['bad.conf', 'fixed.conf', 'good.conf'] as const;
export type FixtureFile = (typeof FIXTURE_FILES)[number];
export const EXPECTED_JSON = 'expected.json';

/** One finding as a fixture states it. */
export interface StatedFinding {
  line: number;
  severity: Severity;
  rule: string;
  /** The text the finding underlines. */
  text: string;
}

export type Expectations = Record<FixtureFile, StatedFinding[]>;

/** What a stated finding is made of: the engine's Finding, or the CLI's JSON finding (the same fields). */
type Reported = Pick<Finding, 'range' | 'severity' | 'code'>;

/** A finding of `text` as expected.json states it. */
export function stated(f: Reported, text: string, lines = new LineIndex(text)): StatedFinding {
  return {
    line: f.range.start.line + 1,
    severity: f.severity,
    rule: f.code,
    text: text.slice(lines.offsetAt(f.range.start), lines.offsetAt(f.range.end)),
  };
}

/** Stated findings in the order expected.json lists them: by line, then column, then rule. */
export function statedAll(findings: Reported[], text: string): StatedFinding[] {
  const lines = new LineIndex(text);
  return findings
    .map((f) => ({ s: stated(f, text, lines), col: f.range.start.character }))
    .sort((a, b) => a.s.line - b.s.line || a.col - b.col || a.s.rule.localeCompare(b.s.rule) || a.s.text.localeCompare(b.s.text))
    .map((x) => x.s);
}

/** Every finding the engine reports on a fixture text, as expected.json states findings. */
export function observed(text: string): StatedFinding[] {
  return statedAll(lint(text), text);
}

/** What `test/fixtures/rules/<id>/expected.json` states, or undefined when it is missing. */
export function expectations(ruleId: string): Expectations | undefined {
  const p = join(FIXTURES, ruleId, EXPECTED_JSON);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Expectations) : undefined;
}

/** A stated finding on one line of text, for messages: `9 error ws-connection-header "proxy_set_header Connection close;"`. */
export function describeStated(f: StatedFinding): string {
  return `${f.line} ${f.severity} ${f.rule} ${jsonAscii(f.text)}`;
}

/** JSON with every character outside printable ASCII escaped: a no-break space or a lone CR stays visible. */
function jsonAscii(v: string | number): string {
  return JSON.stringify(v).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** expected.json's text: one finding a line, keys in a fixed order, invisible characters escaped. */
export function formatExpectations(e: Expectations): string {
  const finding = (f: StatedFinding) =>
    `{ "line": ${f.line}, "severity": ${jsonAscii(f.severity)}, "rule": ${jsonAscii(f.rule)}, "text": ${jsonAscii(f.text)} }`;
  const list = (l: StatedFinding[]) => (l.length ? `[\n${l.map((f) => `    ${finding(f)}`).join(',\n')}\n  ]` : '[]');
  return `{\n${FIXTURE_FILES.map((k) => `  ${JSON.stringify(k)}: ${list(e[k])}`).join(',\n')}\n}\n`;
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
    const edits = combineFixes(fixes)
      .changes.filter((c) => c.path === FIXTURE_PATH)
      .flatMap((c) => c.edits);
    if (!edits.length) return text;
    text = applyEdits(text, edits);
  }
  return text;
}

/** A finding's identity independent of position (lines shift when fixes insert text). */
export function key(f: Finding): string {
  return `${f.code}|${f.severity}|${f.message}`;
}

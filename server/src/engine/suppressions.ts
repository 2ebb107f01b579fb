/**
 * Inline suppressions, applied where an analysis's findings are assembled,
 * so the editor and the CLI honour them alike:
 *
 *     # nginx-ws-ignore ws-read-timeout-default: the app pings every 20 s
 *     location /ws/ {
 *
 * A comment on its own line applies to the next line that is not blank or a
 * comment; at the end of a line (`proxy_read_timeout 5s; # nginx-ws-ignore
 * ws-read-timeout-short: polling client`) it applies to that line. Several
 * rule ids may be listed, separated by commas. The reason after the colon is
 * required. A suppression without a reason (it still applies), one that
 * names no known rule, or one that matched no finding is itself reported,
 * as `suppression` (a warning; `"suppression": "off"` in the rules setting
 * silences these reports). Syntax errors cannot be suppressed.
 */
import type { SourceFile } from './syntax/ast';
import { LineIndex } from './syntax/ast';
import { RULES } from './rules/index';
import type { EngineSettings, Finding, Range } from './types';

export const SUPPRESSION_CODE = 'suppression';
const MARKER = 'nginx-ws-ignore';
/** Codes that are not rules but can be suppressed. */
const OTHER_CODES = new Set(['include']);
/** How many blank or comment lines a suppression may sit above its line. */
const MAX_GAP = 20;

interface Suppression {
  path: string;
  range: Range;
  line: number;
  ids: string[];
  reason: string;
  used: Set<string>;
}

let known: Set<string> | undefined;
function knownCodes(): Set<string> {
  known ??= new Set([...RULES.map((r) => r.id), ...OTHER_CODES]);
  return known;
}

/** The suppressions written in `file`. */
function suppressionsIn(path: string, file: SourceFile): Suppression[] {
  // The comments, not the text: on each edit of a large file this scan is what the incremental path pays.
  const out: Suppression[] = [];
  let lines: LineIndex | undefined;
  for (const c of file.comments) {
    if (!c.value.includes(MARKER)) continue;
    const body = c.value.trim();
    if (!body.startsWith(MARKER)) continue;
    const rest = body.slice(MARKER.length);
    if (rest !== '' && !/^[\s:]/.test(rest)) continue; // `nginx-ws-ignored`, another word
    lines ??= new LineIndex(file.text);
    const colon = rest.indexOf(':');
    const idsPart = colon < 0 ? rest : rest.slice(0, colon);
    const reason = colon < 0 ? '' : rest.slice(colon + 1).trim();
    const ids = idsPart
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const at = lines.positionAt(c.start).line;
    out.push({
      path,
      range: lines.rangeOf(c.start, c.end),
      line: c.trailing ? at : targetLine(lines, file.text, at),
      ids,
      reason,
      used: new Set(),
    });
  }
  return out;
}

/** The first line after `line` that holds something other than blanks and comments. */
function targetLine(lines: LineIndex, text: string, line: number): number {
  for (let l = line + 1; l < lines.lineCount && l <= line + MAX_GAP; l++) {
    const s = lines.lineStarts[l]!;
    const e = l + 1 < lines.lineCount ? lines.lineStarts[l + 1]! : text.length;
    const content = text.slice(s, e).trim();
    if (content !== '' && !content.startsWith('#')) return l;
  }
  return -1;
}

/**
 * Whether a finding of `code` that starts on `line` of `file` is one
 * `applySuppressions` drops (null: the file suppresses nothing). The findings
 * caps (`RuleContext.report`) do not count those, so a suppressed finding
 * never hides one that is not.
 */
export function suppressionCheck(file: SourceFile): ((line: number, code: string) => boolean) | null {
  const byLine = new Map<number, string[]>();
  for (const s of suppressionsIn(file.uri, file)) {
    const ids = byLine.get(s.line);
    if (ids) ids.push(...s.ids);
    else byLine.set(s.line, [...s.ids]);
  }
  if (byLine.size === 0) return null;
  return (line, code) => code !== 'syntax' && (byLine.get(line)?.includes(code) ?? false);
}

/**
 * `findings` without those a suppression covers, followed by a finding for
 * each suppression that is unused, has no reason, or names an unknown rule.
 */
export function applySuppressions(findings: Finding[], files: Map<string, SourceFile>, settings: EngineSettings): Finding[] {
  const byFile = new Map<string, Suppression[]>();
  for (const [path, file] of files) {
    const list = suppressionsIn(path, file);
    if (list.length) byFile.set(path, list);
  }
  if (byFile.size === 0) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    const list = f.code === 'syntax' ? undefined : byFile.get(f.path);
    const s = list?.find((x) => x.line === f.range.start.line && x.ids.includes(f.code));
    if (s) s.used.add(f.code);
    else out.push(f);
  }
  if (settings.rules[SUPPRESSION_CODE] === 'off') return out;
  const codes = knownCodes();
  for (const list of byFile.values()) {
    for (const s of list) {
      const report = (message: string) =>
        out.push({ path: s.path, range: s.range, severity: 'warning', code: SUPPRESSION_CODE, message, fixes: [] });
      if (s.ids.length === 0) {
        report(`${MARKER} names no rule: write "# ${MARKER} RULE-ID: reason"`);
        continue;
      }
      if (!s.reason)
        report(`${MARKER} ${s.ids.join(', ')} gives no reason: say why after a colon ("# ${MARKER} ${s.ids[0]}: why this is fine here")`);
      for (const id of s.ids) {
        if (!codes.has(id)) report(`${MARKER}: there is no rule "${id}"`);
        else if (!s.used.has(id) && settings.rules[id] !== 'off')
          report(
            `Unused suppression: ${id} reports nothing ${s.line < 0 ? 'after this comment' : `on line ${s.line + 1}`}; remove "${id}" from it`,
          );
      }
    }
  }
  return out;
}

/**
 * Offset-based text edits for the proof's copy of a config. Every edit keeps
 * the number of line breaks of the text it replaces, so a line of the copy is
 * the same line of the original and nginx's "in FILE:LINE" points at the
 * user's line. Overlapping edits are a bug of the planner, not of the input:
 * they throw.
 */

export interface OffsetEdit {
  start: number;
  end: number;
  text: string;
}

function breaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

export function applyOffsetEdits(text: string, edits: readonly OffsetEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.start < at || e.end < e.start || e.end > text.length) throw new Error(`overlapping or out-of-range edit at ${e.start}-${e.end}`);
    const old = text.slice(e.start, e.end);
    if (breaks(old) !== breaks(e.text)) throw new Error(`an edit at ${e.start} would move the lines after it`);
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/**
 * The text that makes `[start, end)` of `text` inert while keeping its line
 * breaks: each of its lines commented out; a last line followed by more code
 * on the same line is blanked instead (a `#` there would comment that code out).
 */
export function disableSpan(text: string, start: number, end: number): string {
  const span = text.slice(start, end);
  const lineEnd = text.indexOf('\n', end);
  const after = text.slice(end, lineEnd < 0 ? text.length : lineEnd);
  const codeAfter = after.trim() !== '' && !after.trim().startsWith('#');
  const lines = span.split('\n');
  return lines
    .map((l, i) => {
      const last = i === lines.length - 1;
      if (last && codeAfter) return l.replace(/[^\r]/g, ' ');
      if (l.trim() === '' && !(i === 0)) return l;
      return `#${l}`;
    })
    .join('\n');
}

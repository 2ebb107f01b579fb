/**
 * The formatter (document, range and on-type formatting, `nginx-ws fmt`).
 *
 * What it changes: indentation (one level per block), one statement per
 * line, a single space between a directive's name and its first argument
 * and between arguments on the same line, ` {` on the directive's line,
 * blank-line runs collapsed to one (none right after `{` or before `}`),
 * trailing whitespace, one final line break. What it never changes: any
 * word nginx reads (quotes, escapes, multi-line strings), comment text, the
 * order of anything, Lua block bodies, and the rows of map/types/geo/
 * split_clients bodies (only their indentation). A directive with a comment
 * between its arguments is kept as written.
 *
 * How: the text is cut into the spans the formatter keeps as they are
 * (words, `;`, braces, comments, verbatim directives, Lua bodies, data
 * rows) and the whitespace between them, the gaps; formatting only chooses
 * a new text for each gap. So no word can change, and an edit is exactly a
 * gap that changed: range and on-type formatting keep the gaps that fall in
 * the range. A gap always keeps what nginx needs: a line break (LF) after a
 * comment, which ends it only there, and a separator between two words.
 * Line breaks are LF, or CRLF in a CRLF file, never a lone CR.
 *
 * A file with syntax errors is not formatted as a whole (its tree may not
 * be what the author meant); range and on-type formatting work where the
 * range holds no error, and leave any gap that is not pure whitespace.
 */
import type { Block, Comment, Directive, SourceFile, Statement } from '../syntax/ast';
import { DATA_BLOCKS } from '../knowledge/names';
import type { Range, TextEdit } from './types';

export interface FormatOptions {
  /** Indentation unit; default four spaces. */
  indent?: string;
}

/** More changed gaps than this become one edit (from the first change to the last): cheaper for a client than 100k edits. */
const MAX_EDITS = 2000;

/** The edits that format the whole document (none when it is formatted already or has syntax errors). */
export function formatDocument(file: SourceFile, opts: FormatOptions = {}): TextEdit[] {
  if (file.errors.length) return [];
  const layout = new Layout(file, opts.indent ?? '    ');
  return layout.edits(() => true);
}

/** The formatted text, or null when the file has syntax errors. */
export function formatText(file: SourceFile, opts: FormatOptions = {}): string | null {
  if (file.errors.length) return null;
  return new Layout(file, opts.indent ?? '    ').text();
}

/**
 * The edits that format the statements starting inside `range` (their
 * indentation and spacing); none when a syntax error lies in the range, or
 * when the braces do not balance (the blocks are then a guess).
 */
export function formatRange(file: SourceFile, range: Range, opts: FormatOptions = {}): TextEdit[] {
  const from = file.lines.offsetAt(range.start);
  const to = file.lines.offsetAt(range.end);
  for (const e of file.errors) {
    if (e.code === 'unclosed-block' || e.code === 'unexpected-brace' || (e.end >= from && e.start <= to)) return [];
  }
  return new Layout(file, opts.indent ?? '    ').rangeEdits(from, Math.max(from, to));
}

/**
 * On-type formatting: after a `}` is typed at `position` (the position just
 * after it), the block it closes is formatted, with its directive's line.
 */
export function formatOnType(
  file: SourceFile,
  position: { line: number; character: number },
  ch: string,
  opts: FormatOptions = {},
): TextEdit[] {
  if (ch !== '}') return [];
  const at = file.lines.offsetAt(position);
  if (file.text.charCodeAt(at - 1) !== 125 /* } */) return [];
  let d = file.directiveAt(at - 1);
  while (d && !(d.block && d.block.closed && d.block.end === at)) d = d.parent;
  if (!d) return [];
  return formatRange(file, file.rangeOf(d.start, d.block!.end), opts);
}

/** nginx's whitespace: space, tab, CR, LF (a no-break space is not). */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

const hasBreak = (s: string) => s.includes('\n') || s.includes('\r');
/** Two line breaks in a gap (CRLF is one): a blank line. */
function hasBlankLine(s: string): boolean {
  let breaks = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) breaks++;
  }
  return breaks >= 2;
}

/**
 * The kept spans of a file and the gap chosen before each (`gaps[i]` goes
 * before span i; `gaps[n]` after the last one).
 */
class Layout {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly gaps: string[] = [];
  private readonly text_: string;
  private readonly eol: string;
  /** Directives with a comment between their words: kept as written. */
  private readonly verbatim = new Set<Directive>();

  constructor(
    private readonly file: SourceFile,
    private readonly unit: string,
  ) {
    this.text_ = file.text;
    this.eol = file.text.includes('\r\n') ? '\r\n' : '\n';
    const statementComments = new Set<Comment>();
    for (const c of file.children) if (c.type === 'comment') statementComments.add(c);
    for (const d of file.walk()) if (d.block) for (const c of d.block.children) if (c.type === 'comment') statementComments.add(c);
    for (const c of file.comments) {
      if (statementComments.has(c)) continue;
      const d = file.directiveAt(c.start);
      if (d) this.verbatim.add(d);
    }
    this.build();
  }

  // Output.

  text(): string {
    const t = this.text_;
    const out: string[] = [];
    for (let i = 0; i < this.starts.length; i++) out.push(this.gaps[i]!, t.slice(this.starts[i], this.ends[i]));
    out.push(this.gaps[this.starts.length]!);
    return out.join('');
  }

  /** Original gap i: from the end of span i-1 to the start of span i. */
  private gapStart(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  private gapEnd(i: number): number {
    return i === this.starts.length ? this.text_.length : this.starts[i]!;
  }

  /** Edits for the gaps `want` accepts and that changed (a gap holding anything but whitespace is never touched). */
  edits(want: (i: number) => boolean): TextEdit[] {
    const changed: { s: number; e: number; t: string }[] = [];
    for (let i = 0; i <= this.starts.length; i++) {
      if (!want(i)) continue;
      const s = this.gapStart(i);
      const e = this.gapEnd(i);
      const now = this.text_.slice(s, e);
      if (now !== this.gaps[i] && isBlank(now)) changed.push({ s, e, t: this.gaps[i]! });
    }
    return this.toEdits(changed);
  }

  /** Edits for the gaps before spans that start in [from, to); the last line's trailing whitespace too. */
  rangeEdits(from: number, to: number): TextEdit[] {
    const n = this.starts.length;
    const inRange = (i: number) => (i < n ? this.starts[i]! >= from && this.starts[i]! < to : n > 0 && this.ends[n - 1]! <= to);
    const changed: { s: number; e: number; t: string }[] = [];
    for (let i = 0; i <= n; i++) {
      const s = this.gapStart(i);
      const e = this.gapEnd(i);
      const now = this.text_.slice(s, e);
      const want = this.gaps[i]!;
      if (now === want || !isBlank(now)) continue;
      if (inRange(i)) changed.push({ s, e, t: want });
      else if (s >= from && s < to) {
        // The gap after the range's last span, which places the next line: only its part up to the line break.
        const a = firstBreak(now);
        const b = firstBreak(want);
        if (a >= 0 && b >= 0 && now.slice(0, a) !== want.slice(0, b)) changed.push({ s, e: s + a, t: want.slice(0, b) });
      }
    }
    return this.toEdits(changed);
  }

  private toEdits(changed: { s: number; e: number; t: string }[]): TextEdit[] {
    const file = this.file;
    if (changed.length <= MAX_EDITS) return changed.map((c) => ({ range: file.rangeOf(c.s, c.e), newText: c.t }));
    // One edit from the first change to the last: the spans between are unchanged, the gaps are the new ones.
    const first = changed[0]!;
    const last = changed[changed.length - 1]!;
    const parts: string[] = [];
    let at = first.s;
    for (const c of changed) {
      parts.push(this.text_.slice(at, c.s), c.t);
      at = c.e;
    }
    return [{ range: file.rangeOf(first.s, last.e), newText: parts.join('') }];
  }

  // Building.

  private add(start: number, end: number, gap: string): void {
    this.gaps.push(gap);
    this.starts.push(start);
    this.ends.push(end);
  }

  private origGapBefore(start: number): string {
    const n = this.ends.length;
    return this.text_.slice(n ? this.ends[n - 1]! : 0, start);
  }

  private ind(depth: number): string {
    return this.unit.repeat(depth);
  }

  private line(depth: number): string {
    return this.eol + this.ind(depth);
  }

  private build(): void {
    // Iterative over blocks: "lay out these statements at this depth, then close the block".
    type Work =
      | { kind: 'list'; list: Statement[]; depth: number; i: number; emitted: number; open: Comment | null }
      | { kind: 'close'; d: Directive; depth: number };
    const stack: Work[] = [{ kind: 'list', list: this.file.children, depth: 0, i: 0, emitted: 0, open: null }];
    while (stack.length) {
      const w = stack[stack.length - 1]!;
      if (w.kind === 'close') {
        stack.pop();
        this.add(w.d.block!.end - 1, w.d.block!.end, this.line(w.depth));
        this.trailing(w.d);
        continue;
      }
      if (w.i >= w.list.length) {
        stack.pop();
        continue;
      }
      const s = w.list[w.i++]!;
      if (s.type === 'comment' && (s.trailing || s === w.open)) continue;
      // A statement starts a line: at the start of the file, after the line of `{`, or one blank line after the previous one.
      const top = this.starts.length === 0;
      const blank = w.emitted > 0 && hasBlankLine(this.origGapBefore(s.start));
      const gap = top ? '' : (blank ? this.eol : '') + this.line(w.depth);
      w.emitted++;
      if (s.type === 'comment') {
        this.comment(s, gap);
        continue;
      }
      const b = this.directive(s, w.depth, gap);
      if (b) {
        if (b.closed) stack.push({ kind: 'close', d: s, depth: w.depth });
        stack.push({ kind: 'list', list: b.children, depth: w.depth + 1, i: 0, emitted: 0, open: this.openLineComment(b) });
      }
    }
    this.gaps.push(this.starts.length ? this.eol : '');
  }

  /** A comment without the whitespace at its end (it belongs to the gap after it, which trims it). */
  private comment(c: Comment, gap: string): void {
    let e = c.end;
    for (let ch = this.text_.charCodeAt(e - 1); e > c.start + 1 && (ch === 32 || ch === 9 || ch === 13); ch = this.text_.charCodeAt(e - 1))
      e--;
    this.add(c.start, e, gap);
  }

  private trailing(d: Directive): void {
    if (d.comment) this.comment(d.comment, ' ');
  }

  /** Lays out a directive (its words, then `;` or its block's `{`); returns its block when the children come next. */
  private directive(d: Directive, depth: number, gap: string): Block | null {
    const b = d.block;
    if (this.verbatim.has(d)) {
      // As written, through the `;` (or the `{`).
      this.add(d.start, b ? b.start + 1 : d.end, gap);
    } else {
      const t = this.text_;
      this.add(d.nameToken.start, d.nameToken.end, gap);
      let prev = d.nameToken.end;
      for (const a of d.args) {
        const orig = t.slice(prev, a.start);
        // No gap happens after a quoted string (`"x")` in an `if`): keep the words together.
        this.add(a.start, a.end, orig === '' ? '' : hasBreak(orig) ? this.line(depth + 1) : ' ');
        prev = a.end;
      }
      if (b) this.add(b.start, b.start + 1, ' ');
      else if (d.terminated) this.add(d.end - 1, d.end, '');
    }
    if (!b) {
      this.trailing(d);
      return null;
    }
    if (b.opaque !== undefined) {
      this.lua(d, b, depth);
      return null;
    }
    const open = this.openLineComment(b);
    if (open) this.comment(open, ' ');
    if (DATA_BLOCKS.has(d.name)) {
      this.dataBlock(d, b, depth, open);
      return null;
    }
    if (!b.closed) return b;
    const hasContent = b.children.some((c) => c !== open);
    if (!hasContent && !open && !hasBreak(this.text_.slice(b.start, b.end))) {
      // `events {}` stays on one line.
      this.add(b.end - 1, b.end, '');
      this.trailing(d);
      return null;
    }
    return b;
  }

  /** Lua text stays exactly as written; only the whitespace before the closing brace follows the block's indentation. */
  private lua(d: Directive, b: Block, depth: number): void {
    const body = b.opaque!;
    const lastNl = Math.max(body.lastIndexOf('\n'), body.lastIndexOf('\r'));
    const tailBlank = lastNl >= 0 && isBlank(body.slice(lastNl + 1));
    const keepEnd = tailBlank ? b.bodyStart + lastNl + 1 : b.bodyEnd;
    if (keepEnd > b.bodyStart) this.add(b.bodyStart, keepEnd, '');
    if (b.closed) {
      this.add(b.end - 1, b.end, tailBlank ? this.ind(depth) : '');
      this.trailing(d);
    }
  }

  /** A map/types/geo body: its rows keep their text, one per line, re-indented; kept whole when a row spans lines. */
  private dataBlock(d: Directive, b: Block, depth: number, open: Comment | null): void {
    const t = this.text_;
    const rows = b.children.filter((c) => c !== open);
    const safe = rows.every((e) => e.type === 'comment' || (!hasBreak(t.slice(e.start, e.end)) && !this.verbatim.has(e)));
    if (!safe) {
      this.add(open ? open.end : b.start + 1, b.end, '');
      this.trailing(d);
      return;
    }
    let first = true;
    for (const r of rows) {
      if (r.type === 'comment' && r.trailing) {
        this.comment(r, this.sameRowGap(r.start));
        continue;
      }
      const orig = this.origGapBefore(r.start);
      const gap = first || hasBreak(orig) ? (!first && hasBlankLine(orig) ? this.eol : '') + this.line(depth + 1) : orig;
      first = false;
      if (r.type === 'comment') this.comment(r, gap);
      else this.add(r.start, r.end, gap);
    }
    if (b.closed) {
      this.add(b.end - 1, b.end, this.line(depth));
      this.trailing(d);
    }
  }

  /** A trailing comment in a data row keeps its spacing, unless that spacing was only whitespace at a line's end. */
  private sameRowGap(start: number): string {
    const orig = this.origGapBefore(start);
    return hasBreak(orig) ? ' ' : orig;
  }

  /** A comment right after `{` on the same line (`server { # main`) stays on that line. */
  private openLineComment(b: Block): Comment | null {
    const first = b.children[0];
    if (!first || first.type !== 'comment') return null;
    return hasBreak(this.text_.slice(b.start, first.start)) ? null : first;
  }
}

function firstBreak(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}

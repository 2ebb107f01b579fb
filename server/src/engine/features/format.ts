/**
 * Document formatter. What it changes: indentation (one level per block),
 * one statement per line, a single space between a directive's name and its
 * first argument and between arguments on the same line, ` {` on the
 * directive's line, blank-line runs collapsed to one. What it never changes:
 * argument text (quotes, escapes, multi-line strings), comment text, the
 * order of anything, Lua block bodies, and the entries of map/types/geo/
 * split_clients bodies (only their indentation). A directive with a comment
 * between its arguments is kept as written. A file with syntax errors is not
 * formatted: its tree may not be what the author meant.
 */
import type { Block, Comment, Directive, SourceFile, Statement } from '../syntax/ast';
import { DATA_BLOCKS } from '../knowledge/names';
import type { TextEdit } from './types';

export interface FormatOptions {
  /** Indentation unit; default four spaces. */
  indent?: string;
}

/** A single whole-document edit, or no edits when the file is already formatted or has syntax errors. */
export function formatDocument(file: SourceFile, opts: FormatOptions = {}): TextEdit[] {
  const out = formatText(file, opts);
  if (out === null || out === file.text) return [];
  return [{ range: file.rangeOf(0, file.text.length), newText: out }];
}

/** The formatted text, or null when the file has syntax errors. */
export function formatText(file: SourceFile, opts: FormatOptions = {}): string | null {
  if (file.errors.length) return null;
  return new Formatter(file, opts.indent ?? '    ').run();
}

class Formatter {
  private readonly lines: string[] = [];
  private readonly text: string;
  private readonly eol: string;
  /** Directives with a comment between their arguments: printed as written. */
  private readonly verbatim = new Set<Directive>();

  constructor(
    private readonly file: SourceFile,
    private readonly unit: string,
  ) {
    this.text = file.text;
    this.eol = /\r\n/.test(file.text) ? '\r\n' : '\n';
    const statementComments = new Set<Comment>();
    for (const c of file.children) if (c.type === 'comment') statementComments.add(c);
    for (const d of file.walk()) if (d.block) for (const c of d.block.children) if (c.type === 'comment') statementComments.add(c);
    for (const c of file.comments) {
      if (statementComments.has(c)) continue;
      const d = file.directiveAt(c.start);
      if (d) this.verbatim.add(d);
    }
  }

  run(): string {
    // Iterative over blocks: a work stack of "print these statements at this depth, then close".
    type Work = { kind: 'list'; list: Statement[]; depth: number; i: number; prevEnd: number } | { kind: 'close'; d: Directive; depth: number };
    const stack: Work[] = [{ kind: 'list', list: this.file.children, depth: 0, i: 0, prevEnd: -1 }];
    while (stack.length) {
      const w = stack[stack.length - 1]!;
      if (w.kind === 'close') {
        stack.pop();
        this.lines.push(this.ind(w.depth) + '}' + this.trailing(w.d));
        continue;
      }
      if (w.i >= w.list.length) {
        stack.pop();
        continue;
      }
      const s = w.list[w.i++]!;
      if (s.type === 'comment' && s.trailing) continue;
      if (s.type === 'comment' && w.i === 1 && w.depth > 0 && this.sameLineAsOpen(s)) continue;
      if (w.prevEnd >= 0 && this.blankBetween(w.prevEnd, s.start)) this.lines.push('');
      w.prevEnd = s.type === 'directive' && s.comment ? s.comment.end : s.end;
      if (s.type === 'comment') {
        this.lines.push(this.ind(w.depth) + s.text);
        continue;
      }
      const pushed = this.directive(s, w.depth);
      if (pushed) {
        stack.push({ kind: 'close', d: s, depth: w.depth });
        stack.push({ kind: 'list', list: s.block!.children, depth: w.depth + 1, i: 0, prevEnd: -1 });
      }
    }
    const bom = this.text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
    const body = this.lines.map((l) => l.replace(/[ \t]+$/, '')).join(this.eol);
    return body ? bom + body + this.eol : bom;
  }

  /** Prints a directive; returns true when its block's children must be printed next (then `}`). */
  private directive(d: Directive, depth: number): boolean {
    const pad = this.ind(depth);
    const b = d.block;
    const asWritten = this.verbatim.has(d);
    if (!b) {
      // As written, the text runs through the `;` (a comment may precede it).
      this.pushMulti(pad + (asWritten ? this.text.slice(d.start, d.end) : this.head(d, depth) + ';') + this.trailing(d));
      return false;
    }
    const open = pad + (asWritten ? this.text.slice(d.start, b.start + 1) : this.head(d, depth) + ' {');
    if (b.opaque !== undefined) {
      // Lua text stays exactly as written; only the whitespace before the closing brace follows the block's indentation.
      const lastNl = Math.max(b.opaque.lastIndexOf('\n'), b.opaque.lastIndexOf('\r'));
      const body = lastNl >= 0 && b.opaque.slice(lastNl + 1).trim() === '' ? b.opaque.slice(0, lastNl + 1) + pad : b.opaque;
      this.pushMulti(open + body + '}' + this.trailing(d));
      return false;
    }
    const openComment = this.openLineComment(b);
    if (DATA_BLOCKS.has(d.name)) {
      this.dataBlock(d, b, open, depth);
      return false;
    }
    const hasContent = b.children.some((c) => c !== openComment);
    if (!hasContent && !openComment && !this.text.slice(b.start, b.end).includes('\n')) {
      this.lines.push(open + '}' + this.trailing(d));
      return false;
    }
    this.lines.push(open + (openComment ? ' ' + openComment.text : ''));
    return true;
  }

  private head(d: Directive, depth: number): string {
    let s = d.nameToken.raw;
    let prevEnd = d.nameToken.end;
    for (const a of d.args) {
      const gap = this.text.slice(prevEnd, a.start);
      // No gap happens after a quoted string (`"x")` in an `if`): keep the tokens together.
      s += gap === '' ? a.raw : /[\r\n]/.test(gap) ? this.eol + this.ind(depth + 1) + a.raw : ' ' + a.raw;
      prevEnd = a.end;
    }
    return s;
  }

  private dataBlock(d: Directive, b: Block, openLine: string, depth: number): void {
    const body = this.text.slice(b.bodyStart, b.bodyEnd);
    const entries = b.children.filter((c): c is Directive => c.type === 'directive');
    const safe = entries.every((e) => !/[\r\n]/.test(this.text.slice(e.start, e.end)) && !this.verbatim.has(e));
    if (!safe) {
      this.pushMulti(openLine + body + '}' + this.trailing(d));
      return;
    }
    const open = this.openLineComment(b);
    this.lines.push(openLine + (open ? ' ' + open.text : ''));
    let rows = body.split(/\r\n|\n|\r/).map((l) => l.trim());
    // The `{` line's comment was already printed.
    if (open && rows[0] === open.text) rows = rows.slice(1);
    let blank = false;
    let any = false;
    for (const r of rows) {
      if (!r) {
        blank = any;
        continue;
      }
      if (blank) this.lines.push('');
      this.lines.push(this.ind(depth + 1) + r);
      blank = false;
      any = true;
    }
    this.lines.push(this.ind(depth) + '}' + this.trailing(d));
  }

  /** A comment right after `{` on the same line (`server { # main`) stays on that line. */
  private openLineComment(b: Block): Comment | null {
    const first = b.children[0];
    if (!first || first.type !== 'comment') return null;
    return /[\r\n]/.test(this.text.slice(b.start, first.start)) ? null : first;
  }

  private sameLineAsOpen(c: Comment): boolean {
    const owner = this.ownerBlockOf(c);
    return !!owner && this.openLineComment(owner) === c;
  }

  private ownerBlockOf(c: Comment): Block | null {
    const d = this.file.directiveAt(c.start);
    return d?.block && c.start > d.block.start && c.end <= d.block.end ? d.block : null;
  }

  private trailing(d: Directive): string {
    return d.comment ? ' ' + d.comment.text : '';
  }

  private blankBetween(from: number, to: number): boolean {
    const gap = this.text.slice(from, to);
    return /(\r\n|\n|\r)[ \t]*(\r\n|\n|\r)/.test(gap);
  }

  private pushMulti(s: string): void {
    this.lines.push(s);
  }

  private ind(depth: number): string {
    return this.unit.repeat(depth);
  }
}

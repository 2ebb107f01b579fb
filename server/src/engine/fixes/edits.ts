/**
 * Text edits that fixes are made of. Inserted lines copy the indentation of
 * the block's existing directives (or the owner's indentation plus one unit)
 * and the file's line ending, so a fix looks as if the user had typed it.
 */
import { LineIndex, type Argument, type Block, type Directive, type SourceFile } from '../syntax/ast';
import type { FileEdit, Fix, TextEdit } from '../types';

/** Per-file style, computed once per text (a file updated in place gets a new text): a big file gets thousands of fixes. */
const styles = new WeakMap<SourceFile, { text: string; eol: string; unit: string }>();

function style(file: SourceFile): { eol: string; unit: string } {
  let st = styles.get(file);
  if (!st || st.text !== file.text) styles.set(file, (st = { text: file.text, ...textStyle(file.text) }));
  return st;
}

/** Line ending and indentation unit of a text: the file's own (its first indented line), so fixes look typed by its author. */
export function textStyle(text: string): { eol: string; unit: string } {
  const m = /\n([ \t]+)\S/.exec(text);
  const ws = m ? m[1]! : '    ';
  return { eol: text.includes('\r\n') ? '\r\n' : '\n', unit: ws.startsWith('\t') ? '\t' : ws.length <= 8 ? ws : '    ' };
}

/**
 * Whether a change of [start, oldEnd) into [start, newEnd) keeps the text's
 * style, without scanning megabytes: the line ending can only change where a
 * `\r` was added or removed, and the indentation unit only when the change
 * reaches the first indented line.
 */
export function sameStyle(oldText: string, newText: string, start: number, oldEnd: number, newEnd: number): boolean {
  const hasCr = (t: string, s: number, e: number) => t.slice(Math.max(0, s - 1), e + 1).includes('\r');
  if (hasCr(oldText, start, oldEnd) || hasCr(newText, start, newEnd)) {
    const was = textStyle(oldText);
    const now = textStyle(newText);
    return was.eol === now.eol && was.unit === now.unit;
  }
  const first = /\n([ \t]+)\S/.exec(oldText);
  if (first && start > first.index + first[0].length) return true;
  return textStyle(oldText).unit === textStyle(newText).unit;
}

export function eol(file: SourceFile): string {
  return style(file).eol;
}

/** The indentation unit the file uses (first indented line), default four spaces. */
export function indentUnit(file: SourceFile): string {
  return style(file).unit;
}

/** Indentation for new directives inside `block`. */
export function childIndent(block: Block): string {
  const file = block.file;
  const first = block.children.find((c): c is Directive => c.type === 'directive');
  const ownerIndent = block.parent ? file.lines.indentAt(block.parent.start) : '';
  if (first) {
    const line = file.lines.positionAt(first.start).line;
    const ownerLine = block.parent ? file.lines.positionAt(block.parent.start).line : -1;
    if (line !== ownerLine) return file.lines.indentAt(first.start);
  }
  return ownerIndent + indentUnit(file);
}

/**
 * Where lines go after a directive: after its trailing comment, unless that
 * comment runs past a lone CR (nginx ends comments at LF only, so it holds
 * the editor's next lines): then before it, where nginx reads them whatever
 * becomes of those lines.
 */
function endOfStatement(d: Directive): number {
  return d.comment && !d.comment.text.includes('\r') ? Math.max(d.end, d.comment.end) : d.end;
}

/**
 * Inserts directive lines into a block: after the last directive whose name
 * satisfies `after` (default: the last `proxy_*` one), else after the last
 * directive, else right after `{`.
 */
export function insertLines(
  block: Block,
  lines: string[],
  after: (d: Directive) => boolean = (d) => d.name.startsWith('proxy_'),
): FileEdit {
  const file = block.file;
  const nl = eol(file);
  const indent = childIndent(block);
  const dirs = block.directives();
  const anchor = [...dirs].reverse().find(after) ?? dirs[dirs.length - 1];
  const at = anchor ? endOfStatement(anchor) : block.bodyStart;
  const text = lines.map((l) => nl + indent + l).join('');
  // `location /ws { proxy_pass x; }` on one line: close the block on its own line too.
  const ownerLine = block.parent ? file.lines.positionAt(block.parent.start).line : -1;
  const closeLine = block.closed ? file.lines.positionAt(block.end - 1).line : -1;
  const suffix = closeLine === ownerLine && ownerLine >= 0 ? nl + (block.parent ? file.lines.indentAt(block.parent.start) : '') : '';
  return { path: file.uri, edits: [{ range: file.rangeOf(at, at), newText: text + suffix }] };
}

/** Inserts a whole block (lines already indented relative to the block) at the top of `block`. */
export function insertAtTop(block: Block, lines: string[]): FileEdit {
  const file = block.file;
  const nl = eol(file);
  const indent = childIndent(block);
  const at = block.bodyStart;
  const text = lines.map((l) => nl + (l ? indent + l : '')).join('') + nl;
  return { path: file.uri, edits: [{ range: file.rangeOf(at, at), newText: text }] };
}

export function replaceArg(arg: Argument, newText: string): FileEdit {
  return { path: arg.file.uri, edits: [{ range: arg.range, newText }] };
}

/** Replaces all arguments of a directive (keeps the name and the `;`). */
export function replaceArgs(d: Directive, newText: string): FileEdit {
  const first = d.args[0];
  const last = d.args[d.argCount - 1];
  if (!first || !last) {
    const at = d.nameToken.end;
    return { path: d.file.uri, edits: [{ range: d.file.rangeOf(at, at), newText: ' ' + newText }] };
  }
  return { path: d.file.uri, edits: [{ range: d.file.rangeOf(first.start, last.end), newText }] };
}

/**
 * Removes a directive: its whole line when nothing else (but a trailing
 * comment of its own) shares the line, else just its text and the blanks
 * after it.
 */
export function removeDirective(d: Directive): FileEdit {
  const text = d.file.text;
  let start = d.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  let end = endOfStatement(d);
  const lineStart = start === 0 || text[start - 1] === '\n';
  let after = end;
  while (after < text.length && (text[after] === ' ' || text[after] === '\t')) after++;
  if (lineStart && (after >= text.length || text[after] === '\n' || text[after] === '\r')) {
    end = text.startsWith('\r\n', after) ? after + 2 : after < text.length ? after + 1 : after;
  } else {
    start = d.start;
    end = after;
  }
  return { path: d.file.uri, edits: [{ range: d.file.rangeOf(start, end), newText: '' }] };
}

/** Merges per-file edits into one fix. */
export function fix(title: string, parts: FileEdit[], isPreferred = true): Fix {
  const byPath = new Map<string, TextEdit[]>();
  for (const p of parts) {
    const l = byPath.get(p.path) ?? [];
    for (const e of p.edits) {
      if (!l.some((x) => sameEdit(x, e))) l.push(e);
    }
    byPath.set(p.path, l);
  }
  return { title, isPreferred, changes: [...byPath].map(([path, edits]) => ({ path, edits })) };
}

export function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return (
    a.newText === b.newText &&
    a.range.start.line === b.range.start.line &&
    a.range.start.character === b.range.start.character &&
    a.range.end.line === b.range.end.line &&
    a.range.end.character === b.range.end.character
  );
}

/** Applies edits to a text (edits must not overlap; equal positions keep their order). Used by fix-all and by tests. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const sorted = edits
    .map((e, i) => ({ s: lines.offsetAt(e.range.start), e: lines.offsetAt(e.range.end), t: e.newText, i }))
    .sort((a, b) => b.s - a.s || b.i - a.i);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

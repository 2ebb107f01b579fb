/**
 * Incremental re-parsing: an edit inside one block re-parses that block's
 * body only and splices the result into the existing tree, in place.
 *
 * Why in place: a 1.5 MB config is ~150k nodes; re-parsing it costs tens of
 * milliseconds per keystroke, and every node being new would also force the
 * whole analysis to start over. In place, the nodes outside the edited block
 * keep their identity (the analysis reuses what it knew about them) and only
 * their offsets move.
 *
 * The contract for holders of a SourceFile: after `updateText`, the same
 * object describes the new text; nodes of the replaced block body are
 * detached (their offsets refer to the old text and must not be read);
 * `generationOf(file)` counts the in-place updates and `lastReparse(file)`
 * describes the latest one, so an analysis can tell what it missed.
 *
 * When is a body re-parse exactly what a whole re-parse would give? The
 * parser's state at a block's `{` and `}` is the same whatever the body
 * holds, provided the body is self-contained: its braces balance, no string
 * or Lua block runs past it, and no token touches its end (a bare word
 * there, or a comment with no LF after it, would swallow the `}` in
 * context). The file must also have
 * parsed in the plain one-pass mode (no unbalanced braces anywhere, which
 * would bring the indentation-driven second pass in), and no unclosed string
 * may start before the edit (it looks for its closing quote as far as the
 * end of the file, so later text decides where it ends). Anything else falls
 * back to a whole parse; tests compare both on random edits.
 */
import {
  binarySearchStatement,
  LineIndex,
  type Argument,
  type Block,
  type Comment,
  type Directive,
  type SourceFile,
  type Statement,
  type SyntaxError,
} from './ast';
import { MAX_DEPTH, MAX_ERRORS, parse } from './parser';
import { DATA_BLOCKS } from '../knowledge/names';
import { detach } from './values';

/** What one in-place re-parse changed. */
export interface BlockReparse {
  /** The generation this re-parse produced (the one before it is `generation - 1`). */
  generation: number;
  /** The directive whose block body was re-parsed (kept, with its new children). */
  directive: Directive;
  /** The body's children before the edit (detached; their offsets refer to the old text). */
  removed: Statement[];
  /** Old and new text, and their line tables. */
  oldText: string;
  oldLines: LineIndex;
  /** The changed span: [changeStart, oldChangeEnd) of the old text became [changeStart, newChangeEnd) of the new one. */
  changeStart: number;
  oldChangeEnd: number;
  newChangeEnd: number;
  /** newText.length - oldText.length: how far everything after the change moved. */
  delta: number;
  /** The re-parsed body: [bodyStart, oldBodyEnd) in the old text, [bodyStart, newBodyEnd) in the new one. */
  bodyStart: number;
  oldBodyEnd: number;
  newBodyEnd: number;
}

const generations = new WeakMap<SourceFile, number>();
const reparses = new WeakMap<SourceFile, BlockReparse>();

/** How many times `file` was updated in place (0 for a fresh parse). */
export function generationOf(file: SourceFile): number {
  return generations.get(file) ?? 0;
}

/** The latest in-place update of `file`, if any. */
export function lastReparse(file: SourceFile): BlockReparse | undefined {
  return reparses.get(file);
}

/**
 * The tree for `text`: `file` itself when its text is unchanged, `file`
 * updated in place when the edit stays inside one block, else a new parse.
 */
export function updateText(file: SourceFile | undefined, text: string, uri: string): SourceFile {
  if (file && file.text === text) return file;
  if (file && file.uri === uri && reparseInPlace(file, text)) return file;
  return parse(text, uri);
}

/** Tries the in-place block re-parse; null (file untouched) when only a whole parse is exact. */
export function reparseInPlace(file: SourceFile, text: string): BlockReparse | null {
  const old = file.text;
  if (file.errors.length >= MAX_ERRORS) return null;
  for (const e of file.errors) if (e.code === 'unclosed-block' || e.code === 'unexpected-brace' || e.code === 'too-deep') return null;

  // The changed span, by common prefix and suffix.
  const min = Math.min(old.length, text.length);
  const start = commonPrefix(old, text, min);
  const suffix = commonSuffix(old, text, min - start);
  const oldEnd = old.length - suffix;
  const newEnd = text.length - suffix;
  const delta = text.length - old.length;

  // An unclosed string looks for its closing quote as far as the end of the file, so text after it decides where it ends.
  for (const e of file.errors) if (e.code === 'unterminated-string' && e.start < start) return null;
  const target = innermostBody(file, start, oldEnd);
  if (!target) return null;
  const { directive, depth } = target;
  const block = directive.block!;
  const bodyStart = block.bodyStart;
  const oldBodyEnd = block.bodyEnd;
  const newBodyEnd = oldBodyEnd + delta;

  // Its own copy of the body: the nodes keep strings cut from the piece's text, which must not be a view
  // into (and keep alive) this whole version of the document.
  const piece = parse(detach(text.slice(bodyStart, newBodyEnd)), file.uri);
  for (const e of piece.errors) {
    if (e.code === 'unclosed-block' || e.code === 'unexpected-brace' || e.code === 'unterminated-string' || e.code === 'too-deep')
      return null;
  }
  const nodes = collect(piece);
  if (nodes.maxDepth + depth >= MAX_DEPTH) return null;
  if (nodes.touchesEnd) return null;
  const errorsBefore = file.errors.filter((e) => e.end <= bodyStart);
  const errorsAfter = file.errors.filter((e) => e.start >= oldBodyEnd);
  if (errorsBefore.length + errorsAfter.length + countInside(file.errors, bodyStart, oldBodyEnd) !== file.errors.length) return null;
  if (errorsBefore.length + errorsAfter.length + piece.errors.length > MAX_ERRORS) return null;

  // From here on the update cannot fail: mutate.
  const removed = block.children;
  const comments = file.comments;
  const firstInside = lowerBound(comments, bodyStart);
  const firstAfter = lowerBound(comments, oldBodyEnd);
  if (delta !== 0) for (let i = firstAfter; i < comments.length; i++) shiftBy(comments[i]!, delta);
  shiftAfter(directive, delta);
  for (const n of nodes.all) {
    // Values are cut from the small piece now, not later from the whole document (see `detach`).
    if (n.type === 'argument') void n.value;
    rehome(n, file, bodyStart);
  }
  for (const s of piece.children) if (s.type === 'directive') setParentBlock(s, block);
  (block as { children: Statement[] }).children = piece.children;
  (file as { comments: Comment[] }).comments = [...comments.slice(0, firstInside), ...piece.comments, ...comments.slice(firstAfter)];

  const shiftedErrors = errorsAfter.map((e) => ({ ...e, start: e.start + delta, end: e.end + delta }));
  const newErrors = piece.errors.map((e) => ({ ...e, start: e.start + bodyStart, end: e.end + bodyStart }));
  (file as { errors: SyntaxError[] }).errors = [...errorsBefore, ...newErrors, ...shiftedErrors];

  const oldLines = file.lines;
  (file as { text: string }).text = text;
  (file as { lines: LineIndex }).lines = new LineIndex(text, spliceLineStarts(oldLines.lineStarts, text, start, oldEnd, newEnd));

  const generation = generationOf(file) + 1;
  generations.set(file, generation);
  const change: BlockReparse = {
    generation,
    directive,
    removed,
    oldText: old,
    oldLines,
    changeStart: start,
    oldChangeEnd: oldEnd,
    newChangeEnd: newEnd,
    delta,
    bodyStart,
    oldBodyEnd,
    newBodyEnd,
  };
  reparses.set(file, change);
  return change;
}

/**
 * The new text's line starts from the old ones: a line start at x depends
 * on the characters at x - 1 and x only (`\n`; `\r` not followed by `\n`),
 * so starts before the change stay, those after it move by the length
 * difference, and only the changed span is scanned.
 */
function spliceLineStarts(old: Int32Array, text: string, start: number, oldEnd: number, newEnd: number): Int32Array {
  // Native copies for the two unchanged stretches (tens of thousands of lines); a scan of the change only.
  const before = firstAbove(old, start - 1);
  const after = firstAbove(old, oldEnd);
  const mid: number[] = before === 0 ? [0] : [];
  for (let x = Math.max(1, start); x <= newEnd; x++) {
    const c = text.charCodeAt(x - 1);
    if (c === 10 || (c === 13 && text.charCodeAt(x) !== 10)) mid.push(x);
  }
  const delta = newEnd - oldEnd;
  const out = new Int32Array(before + mid.length + old.length - after);
  out.set(old.subarray(0, before));
  out.set(mid, before);
  const tailAt = before + mid.length;
  out.set(old.subarray(after), tailAt);
  if (delta !== 0) for (let i = tailAt; i < out.length; i++) out[i]! += delta;
  return out;
}

/** Index of the first element greater than `x` in an ascending list. */
function firstAbove(list: Int32Array, x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (list[m]! <= x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function commonPrefix(a: string, b: string, max: number): number {
  // Halving on native substring comparison: far faster than a charCodeAt loop over megabytes.
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function commonSuffix(a: string, b: string, max: number): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.slice(a.length - mid, a.length - lo) === b.slice(b.length - mid, b.length - lo)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The innermost closed, non-opaque block whose body holds [start, end) of
 * the old text, with its nesting depth. Data blocks (`map`, `types`...) are
 * skipped for their parent: the parser's missing-`;` heuristic looks at the
 * enclosing block's name, which a body parsed alone does not have.
 */
function innermostBody(file: SourceFile, start: number, end: number): { directive: Directive; depth: number } | null {
  let found: { directive: Directive; depth: number } | null = null;
  let list: Statement[] = file.children;
  let depth = 0;
  for (;;) {
    // A statement that merely ends at `start` is rejected below: its body cannot hold the edit.
    const d = binarySearchStatement(list, start);
    if (!d || d.type !== 'directive' || !d.block) return found;
    const b = d.block;
    if (!b.closed || b.opaque !== undefined) return found;
    if (start < b.bodyStart || end > b.bodyEnd) return found;
    depth++;
    if (!DATA_BLOCKS.has(d.name)) found = { directive: d, depth };
    list = b.children;
  }
}

type AnyNode = Directive | Argument | Block | Comment;

/** Every node of a freshly parsed piece, its deepest nesting, and whether a token reaches its very end. */
function collect(piece: SourceFile): { all: AnyNode[]; maxDepth: number; touchesEnd: boolean } {
  const all: AnyNode[] = [...piece.comments];
  const len = piece.text.length;
  let maxDepth = 0;
  // A comment, bare word or unterminated string ending exactly at the end would take the `}` into itself in context;
  // a comment runs to the next LF (CRs do not end it), so one with no LF after it in the piece would too.
  const lastComment = piece.comments[piece.comments.length - 1];
  let touchesEnd = !!lastComment && piece.text.indexOf('\n', lastComment.end) < 0;
  const stack: { list: Statement[]; depth: number }[] = [{ list: piece.children, depth: 0 }];
  while (stack.length) {
    const { list, depth } = stack.pop()!;
    if (depth > maxDepth) maxDepth = depth;
    for (const s of list) {
      if (s.type !== 'directive') continue;
      all.push(s);
      const name = s.nameToken;
      all.push(name);
      if (name.end >= len && !(name.quoted && name.terminated)) touchesEnd = true;
      for (const a of s.args) {
        all.push(a);
        if (a.end >= len && !(a.quoted && a.terminated)) touchesEnd = true;
      }
      if (s.block) {
        all.push(s.block);
        if (s.block.children.length) stack.push({ list: s.block.children, depth: depth + 1 });
        else if (depth + 1 > maxDepth) maxDepth = depth + 1;
      }
    }
  }
  return { all, maxDepth, touchesEnd };
}

function rehome(n: AnyNode, file: SourceFile, base: number): void {
  // Arguments not made yet are read from their own file's token table: made before the directive changes file.
  if (n.type === 'directive') void n.args;
  (n as { file: SourceFile }).file = file;
  n.start += base;
  n.end += base;
}

function setParentBlock(d: Directive, block: Block): void {
  (d as { parentBlock: Block | null }).parentBlock = block;
}

/**
 * Moves by `delta` everything after the edited body: the edited directive's
 * and its ancestors' ends, and every later sibling on the way up with its
 * whole subtree (comments are moved by the caller, from `file.comments`).
 */
function shiftAfter(edited: Directive, delta: number): void {
  if (delta === 0) return;
  for (let d: Directive | null = edited; d; d = d.parent) {
    d.end += delta;
    d.block!.end += delta;
    const siblings = d.siblings;
    for (let i = siblings.indexOf(d) + 1; i < siblings.length; i++) {
      const s = siblings[i]!;
      if (s.type === 'directive') shiftSubtree(s, delta);
    }
  }
}

/** Moves a span (a comment or a token) by `delta`. */
function shiftBy(span: { start: number; end: number }, delta: number): void {
  span.start += delta;
  span.end += delta;
}

/** Shifts a directive and everything under it (comments excepted: they are shifted once, from `file.comments`). */
function shiftSubtree(root: Directive, delta: number): void {
  const stack: Directive[] = [root];
  while (stack.length) {
    const d = stack.pop()!;
    d.start += delta;
    d.end += delta;
    const token = (d as unknown as { token: Argument | null }).token;
    if (token) shiftBy(token, delta);
    d.moveArgs(delta);
    const b = d.block;
    if (b) {
      b.start += delta;
      b.end += delta;
      const ch = b.children;
      for (let i = ch.length - 1; i >= 0; i--) {
        const s = ch[i]!;
        if (s.type === 'directive') stack.push(s);
      }
    }
  }
}

function lowerBound(comments: Comment[], offset: number): number {
  let lo = 0;
  let hi = comments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comments[mid]!.start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countInside(errors: SyntaxError[], start: number, end: number): number {
  let n = 0;
  for (const e of errors) if (e.start >= start && e.end <= end) n++;
  return n;
}

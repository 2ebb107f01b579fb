/**
 * The compact syntax tree: what the parser produces, in a few typed arrays
 * instead of one object per node (Lezer / tree-sitter style).
 *
 * Why: a 13 MB config has ~1.5 million nodes. As objects they survive every
 * young-generation GC of the parse and get copied and promoted, which made
 * parsing degrade with size; as typed arrays they are a handful of large
 * allocations the GC never scans. The node classes of ast.ts are views built
 * from this store on first access (see `SourceFile.children`,
 * `Block.children`), so callers keep the object API.
 *
 * Layout:
 * - Statements (directives and the comments that stand between them) in
 *   document order, which is also the tree's pre-order: a directive's block
 *   contents are the statements after it up to its `S_NEXT`. The children of
 *   a block are found by hopping from one child to the next child's `S_NEXT`.
 *   Each statement is `STRIDE` Int32 slots of `stmts`.
 * - Tokens (a directive's name, then its arguments, contiguous) as start/end
 *   pairs in `toks`; an unterminated quoted string stores its end as `~end`.
 * - Names: each directive's name (the name token's value) as an index into
 *   `names`, where a name that repeats is stored once.
 * - Comments are few and linked from several places (file list, a block's
 *   children, a directive's trailing `comment`), so they are objects from the
 *   start; statements refer to them by index.
 *
 * This module holds data only; ast.ts turns it into nodes.
 */

// The layout is private to this module: the parser and the views go through the methods below. (Imported
// constants would cost a getter call per use in the per-file transpiled code the tests and benchmarks run.)

/** Start offset of the statement (a directive's name, a comment's `#`). */
const S_START = 0;
/** End offset (exclusive) of the statement, its block included. */
const S_END = 1;
/** Index of the statement after this one and everything inside its block. */
const S_NEXT = 2;
/** Directive: index of its name token in `toks` (its arguments follow). Comment: index in `comments`. */
const S_TOK = 3;
/** Directive: number of arguments. */
const S_ARGC = 4;
/** Directive: index of its name in `names`. */
const S_NAME = 5;
/** Directive with a block: offset of `{`. */
const S_BSTART = 6;
/** Directive with a block: end offset of the block (after `}` when closed). */
const S_BEND = 7;
/** `F_*` bits. */
const S_FLAGS = 8;
/** Directive: index + 1 of its trailing comment in `comments`, 0 for none. */
const S_COMMENT = 9;
const STRIDE = 10;

/** The statement is a comment. */
const F_COMMENT = 1;
/** The directive lacks its `;`. */
const F_UNTERMINATED = 2;
/** The directive has a block. */
const F_BLOCK = 4;
/** Its block was closed by a `}`. */
const F_CLOSED = 8;
/** Its block is an opaque (`*_by_lua_block`) body. */
const F_OPAQUE = 16;
/** The name token cannot be rebuilt from the name (quoted, escaped or unterminated): read it from `toks`. */
const F_NAME_TOKEN = 32;

export class CompactTree<C = unknown> {
  private stmts: Int32Array;
  /** Statements in use. */
  count = 0;
  private toks: Int32Array;
  private tokCount = 0;
  readonly names: string[] = [];

  constructor(
    /** The parsed text (opaque bodies are sliced from it). */
    readonly text: string,
    /** Comment nodes in document order, shared with the file's initial `comments` list. */
    readonly comments: C[],
  ) {
    // A generated config has ~34 characters per directive and ~14 per token: start near that, so a typical
    // config grows each array at most once or twice (doubling), and a tiny one costs a few hundred bytes.
    this.stmts = new Int32Array(STRIDE * Math.max(16, (text.length / 32) | 0));
    this.toks = new Int32Array(2 * Math.max(32, (text.length / 12) | 0));
  }

  // Building (the parser).

  /** Appends a directive whose name token is `tok` and whose name is `names[name]`; returns its index. */
  addDirective(start: number, end: number, tok: number, name: number, keepNameToken: boolean): number {
    const s = this.addStatement(start, end);
    const o = s * STRIDE;
    this.stmts[o + S_TOK] = tok;
    this.stmts[o + S_NAME] = name;
    if (keepNameToken) this.stmts[o + S_FLAGS] = F_NAME_TOKEN;
    return s;
  }

  /** Appends a comment statement for `comments[index]`; returns its index. */
  addComment(start: number, end: number, index: number): number {
    const s = this.addStatement(start, end);
    this.stmts[s * STRIDE + S_TOK] = index;
    this.stmts[s * STRIDE + S_FLAGS] = F_COMMENT;
    return s;
  }

  /** Appends a token and returns its index. */
  addToken(start: number, end: number, terminated: boolean): number {
    const t = this.tokCount++;
    if (2 * t + 2 > this.toks.length) this.toks = grow(this.toks);
    this.toks[2 * t] = start;
    this.toks[2 * t + 1] = terminated ? end : ~end;
    return t;
  }

  setEnd(s: number, end: number): void {
    this.stmts[s * STRIDE + S_END] = end;
  }

  /** The statements up to `next` (exclusive) are inside `s`'s block. */
  setNext(s: number, next: number): void {
    this.stmts[s * STRIDE + S_NEXT] = next;
  }

  setArgc(s: number, argc: number): void {
    this.stmts[s * STRIDE + S_ARGC] = argc;
  }

  /** Gives directive `s` a block spanning `[start, end)` (not closed, not opaque). */
  setBlock(s: number, start: number, end: number): void {
    const o = s * STRIDE;
    this.stmts[o + S_BSTART] = start;
    this.stmts[o + S_BEND] = end;
    this.stmts[o + S_FLAGS] |= F_BLOCK;
  }

  setBlockEnd(s: number, end: number): void {
    this.stmts[s * STRIDE + S_BEND] = end;
  }

  markUnterminated(s: number): void {
    this.stmts[s * STRIDE + S_FLAGS] |= F_UNTERMINATED;
  }

  markClosed(s: number): void {
    this.stmts[s * STRIDE + S_FLAGS] |= F_CLOSED;
  }

  markOpaque(s: number): void {
    this.stmts[s * STRIDE + S_FLAGS] |= F_OPAQUE;
  }

  setTrailingComment(s: number, index: number): void {
    this.stmts[s * STRIDE + S_COMMENT] = index + 1;
  }

  // Reading (the parser and the views).

  isComment(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_COMMENT) !== 0;
  }

  start(s: number): number {
    return this.stmts[s * STRIDE + S_START]!;
  }

  end(s: number): number {
    return this.stmts[s * STRIDE + S_END]!;
  }

  next(s: number): number {
    return this.stmts[s * STRIDE + S_NEXT]!;
  }

  /** Directive: its name token (arguments follow it). Comment: its index in `comments`. */
  tok(s: number): number {
    return this.stmts[s * STRIDE + S_TOK]!;
  }

  argc(s: number): number {
    return this.stmts[s * STRIDE + S_ARGC]!;
  }

  name(s: number): string {
    return this.names[this.stmts[s * STRIDE + S_NAME]!]!;
  }

  keepsNameToken(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_NAME_TOKEN) !== 0;
  }

  terminated(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_UNTERMINATED) === 0;
  }

  hasBlock(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_BLOCK) !== 0;
  }

  blockStart(s: number): number {
    return this.stmts[s * STRIDE + S_BSTART]!;
  }

  blockEnd(s: number): number {
    return this.stmts[s * STRIDE + S_BEND]!;
  }

  closed(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_CLOSED) !== 0;
  }

  opaque(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_OPAQUE) !== 0;
  }

  /** Index in `comments` of directive `s`'s trailing comment, or -1. */
  trailingComment(s: number): number {
    return this.stmts[s * STRIDE + S_COMMENT]! - 1;
  }

  tokStart(t: number): number {
    return this.toks[2 * t]!;
  }

  tokEnd(t: number): number {
    const e = this.toks[2 * t + 1]!;
    return e < 0 ? ~e : e;
  }

  tokTerminated(t: number): boolean {
    return this.toks[2 * t + 1]! >= 0;
  }

  private addStatement(start: number, end: number): number {
    const s = this.count++;
    const o = s * STRIDE;
    if (o + STRIDE > this.stmts.length) this.stmts = grow(this.stmts);
    // The other slots of a new statement are still zero: no flags, no arguments, no comment.
    this.stmts[o + S_START] = start;
    this.stmts[o + S_END] = end;
    this.stmts[o + S_NEXT] = s + 1;
    return s;
  }
}

function grow(a: Int32Array): Int32Array {
  const grown = new Int32Array(a.length * 2);
  grown.set(a);
  return grown;
}

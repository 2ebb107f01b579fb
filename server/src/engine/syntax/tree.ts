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
 *   contents are the statements after it up to its block's `B_NEXT`. The
 *   children of a block are found by hopping from one child to the next.
 *   Each statement is `STRIDE` Int32 slots of `stmts`; blocks have a table
 *   of their own.
 * - Tokens (a directive's name, then its arguments, contiguous) as start/end
 *   pairs in `toks`; an unterminated quoted string stores its end as `~end`.
 * - Names are looked up on first request (the views ask; the parser rarely
 *   does) and stored once per distinct name.
 * - Comments are few and linked from several places (file list, a block's
 *   children, a directive's trailing `comment`), so they are objects; a
 *   statement or a directive's trailing link refers to one by index.
 *
 * This module holds data only; ast.ts turns it into nodes.
 */

import { argumentValue, detach } from './values';

// The layout is private to this module: the parser and the views go through the methods below. (Imported
// constants would cost a getter call per use in the per-file transpiled code the tests and benchmarks run.)

/** End offset (exclusive) of the statement, its block included. (Its start is its name token's: not stored.) */
const S_END = 0;
/**
 * Directive: index of its name token in `toks`; its arguments are the tokens
 * after it, up to the next statement's `S_TOK` (a comment's is the token
 * count when it was read), so no argument count is stored.
 */
const S_TOK = 1;
/** Directive: 1 + index of its name in `names`, 0 until first asked for (see `name`). Comment: its index in `comments`. */
const S_NAME = 2;
/** `F_*` bits. */
const S_FLAGS = 3;
/** Directive with a block: 1 + index of its block in `blocks`, else 0. */
const S_BLOCK = 4;
const STRIDE = 5;

/**
 * Blocks (a quarter of the directives in a typical config) in their own
 * table, so the other statements do not carry their slots: the index of the
 * statement after the block's contents, the offset of `{`, the block's end.
 */
const B_NEXT = 0;
const B_START = 1;
const B_END = 2;
const B_STRIDE = 3;

/** The statement is a comment. */
const F_COMMENT = 1;
/** The directive lacks its `;`. */
const F_UNTERMINATED = 2;
/** Its block was closed by a `}`. */
const F_CLOSED = 8;
/** Its block is an opaque (`*_by_lua_block`) body. */
const F_OPAQUE = 16;
/** The name token is quoted, escaped or unterminated: the name is its value, and the token is kept as written. */
const F_NAME_TOKEN = 32;

export class CompactTree<C = unknown> {
  private stmts: Int32Array;
  /** Statements in use. */
  count = 0;
  private blocks: Int32Array;
  private blockCount = 0;
  private toks: Int32Array;
  private tokCount = 0;
  /** One bit per token: its text may hold a `$` (see `addToken`). */
  private dollars: Uint8Array;
  /** Distinct names, each stored once (see `name`), and their indices. */
  private readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  /** Trailing comments (index in `comments`) by directive: few directives have one. */
  private readonly trailing = new Map<number, number>();
  /** Comment nodes in document order (a copy of the file's initial `comments` list, which its owner may edit). */
  comments: C[] = [];

  constructor(
    /** The parsed text (names and opaque bodies are sliced from it). */
    readonly text: string,
  ) {
    // A generated config has ~34 characters per directive, ~16 per token and ~140 per block: start near that,
    // so a typical config grows each array at most once or twice (doubling), and a tiny one costs little.
    // (Only the part written costs memory: the rest is pages the system has not handed out yet.)
    this.stmts = new Int32Array(STRIDE * Math.max(16, (text.length / 32) | 0));
    this.toks = new Int32Array(2 * Math.max(32, (text.length / 14) | 0));
    this.dollars = new Uint8Array((this.toks.length + 15) >>> 4);
    this.blocks = new Int32Array(B_STRIDE * Math.max(8, (text.length / 128) | 0));
  }

  // Building (the parser).

  /** Appends a directive whose name token is `tok` (quoted or escaped when `keepNameToken`), ending so far at `end`; returns its index. */
  addDirective(end: number, tok: number, keepNameToken: boolean): number {
    const s = this.addStatement(tok);
    this.stmts[s * STRIDE + S_END] = end;
    if (keepNameToken) this.stmts[s * STRIDE + S_FLAGS] = F_NAME_TOKEN;
    return s;
  }

  /** Appends a comment statement for the comment numbered `index` in document order; returns its index. */
  addComment(index: number): number {
    const s = this.addStatement(this.tokCount);
    this.stmts[s * STRIDE + S_NAME] = index;
    this.stmts[s * STRIDE + S_FLAGS] = F_COMMENT;
    return s;
  }

  /**
   * Appends a token and returns its index. `dollar`: its text may hold a `$` (a `$` found by the scan, escaped or
   * not; an unterminated string's scan may have seen one past the token's end). False means it holds none, which
   * lets the variable uses pass over the `$`-free directives without reading their text (`tokensMayHaveDollar`).
   */
  addToken(start: number, end: number, terminated: boolean, dollar: boolean): number {
    const t = this.tokCount++;
    if (2 * t + 2 > this.toks.length) {
      this.toks = growInt32(this.toks);
      const grown = new Uint8Array((this.toks.length + 15) >>> 4);
      grown.set(this.dollars);
      this.dollars = grown;
    }
    this.toks[2 * t] = start;
    this.toks[2 * t + 1] = terminated ? end : ~end;
    if (dollar) this.dollars[t >>> 3]! |= 1 << (t & 7);
    return t;
  }

  setEnd(s: number, end: number): void {
    this.stmts[s * STRIDE + S_END] = end;
  }

  /** The statements up to `next` (exclusive) are inside `s`'s block. */
  setNext(s: number, next: number): void {
    this.blocks[this.blockOf(s) + B_NEXT] = next;
  }

  /** Gives directive `s` a block spanning `[start, end)` (not closed, not opaque, empty). */
  setBlock(s: number, start: number, end: number): void {
    const b = this.blockCount++;
    if (B_STRIDE * b + B_STRIDE > this.blocks.length) this.blocks = growInt32(this.blocks);
    const o = b * B_STRIDE;
    this.blocks[o + B_NEXT] = s + 1;
    this.blocks[o + B_START] = start;
    this.blocks[o + B_END] = end;
    this.stmts[s * STRIDE + S_BLOCK] = b + 1;
  }

  setBlockEnd(s: number, end: number): void {
    this.blocks[this.blockOf(s) + B_END] = end;
  }

  private addFlag(s: number, flag: number): void {
    const i = s * STRIDE + S_FLAGS;
    this.stmts[i] = this.stmts[i]! | flag;
  }

  markUnterminated(s: number): void {
    this.addFlag(s, F_UNTERMINATED);
  }

  markClosed(s: number): void {
    this.addFlag(s, F_CLOSED);
  }

  markOpaque(s: number): void {
    this.addFlag(s, F_OPAQUE);
  }

  setTrailingComment(s: number, index: number): void {
    this.trailing.set(s, index);
  }

  // Reading (the parser and the views).

  isComment(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_COMMENT) !== 0;
  }

  /** Comment statement: its index in `comments`. */
  commentIndex(s: number): number {
    return this.stmts[s * STRIDE + S_NAME]!;
  }

  /** Directive: its start (its name token's). */
  start(s: number): number {
    return this.toks[2 * this.stmts[s * STRIDE + S_TOK]!]!;
  }

  end(s: number): number {
    return this.stmts[s * STRIDE + S_END]!;
  }

  /** The statement after `s` and its block's contents. */
  next(s: number): number {
    const b = this.stmts[s * STRIDE + S_BLOCK]!;
    return b === 0 ? s + 1 : this.blocks[(b - 1) * B_STRIDE + B_NEXT]!;
  }

  /** Directive: its name token (arguments follow it). */
  tok(s: number): number {
    return this.stmts[s * STRIDE + S_TOK]!;
  }

  /** Arguments of directive `s`, once it is complete: the tokens between its name and the next statement's. */
  argc(s: number): number {
    const end = s + 1 < this.count ? this.stmts[(s + 1) * STRIDE + S_TOK]! : this.tokCount;
    return end - this.stmts[s * STRIDE + S_TOK]! - 1;
  }

  /**
   * Directive `s`'s name (its name token's value). Found on first request,
   * not while parsing (the parser only needs a few): names repeat thousands
   * of times, so each distinct one is stored once, found by its text.
   */
  name(s: number): string {
    const o = s * STRIDE;
    const id = this.stmts[o + S_NAME]!;
    if (id) return this.names[id - 1]!;
    const t = this.stmts[o + S_TOK]!;
    const start = this.toks[2 * t]!;
    const end = this.tokEnd(t);
    let name: string;
    if (this.stmts[o + S_FLAGS]! & F_NAME_TOKEN) name = argumentValue(this.text, start, end, this.tokTerminated(t));
    else {
      // The slice is looked up and dropped (V8 hashes it natively, faster in a cold run than a hash loop here).
      const slice = this.text.slice(start, end);
      const known = this.nameIds.get(slice);
      if (known !== undefined) {
        this.stmts[o + S_NAME] = known + 1;
        return this.names[known]!;
      }
      name = detach(slice);
      this.nameIds.set(name, this.names.length);
    }
    this.stmts[o + S_NAME] = this.names.push(name);
    return name;
  }

  keepsNameToken(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_NAME_TOKEN) !== 0;
  }

  terminated(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_UNTERMINATED) === 0;
  }

  hasBlock(s: number): boolean {
    return this.stmts[s * STRIDE + S_BLOCK] !== 0;
  }

  blockStart(s: number): number {
    return this.blocks[this.blockOf(s) + B_START]!;
  }

  blockEnd(s: number): number {
    return this.blocks[this.blockOf(s) + B_END]!;
  }

  /** Offset in `blocks` of directive `s`'s block record. */
  private blockOf(s: number): number {
    return (this.stmts[s * STRIDE + S_BLOCK]! - 1) * B_STRIDE;
  }

  closed(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_CLOSED) !== 0;
  }

  opaque(s: number): boolean {
    return (this.stmts[s * STRIDE + S_FLAGS]! & F_OPAQUE) !== 0;
  }

  /** Index in `comments` of directive `s`'s trailing comment, or -1. */
  trailingComment(s: number): number {
    // Most files have no trailing comment, or few: skip the probe when there are none.
    return this.trailing.size === 0 ? -1 : (this.trailing.get(s) ?? -1);
  }

  /** The token table (start, then end or `~end`, per token), for the file to read arguments from after the tree is gone. */
  tokens(): Int32Array {
    return this.toks;
  }

  /** The tokens' `$` bits (see `addToken`): bit `t & 7` of byte `t >>> 3`. */
  dollarBits(): Uint8Array {
    return this.dollars;
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

  private addStatement(tok: number): number {
    const s = this.count++;
    const o = s * STRIDE;
    if (o + STRIDE > this.stmts.length) this.stmts = growInt32(this.stmts);
    // The other slots of a new statement are still zero: no flags, no block, name not looked up yet.
    this.stmts[o + S_TOK] = tok;
    return s;
  }
}

/** A copy of `a` with twice the room. */
export function growInt32(a: Int32Array): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(a.length * 2);
  grown.set(a);
  return grown;
}

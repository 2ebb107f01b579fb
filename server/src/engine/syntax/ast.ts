/**
 * The syntax tree of one nginx config file.
 *
 * Every node knows its span as UTF-16 offsets into the document text
 * (`start`, `end`, end exclusive) and its LSP-style range (0-based line and
 * character). Ranges are computed lazily from the file's line table, so a
 * large file costs two numbers per node, not two objects.
 *
 * The parser stores the tree compactly (tree.ts); these classes are views
 * of it, made when a list is first read: `file.children` makes the
 * top-level statements, `block.children` a block's. A view is made complete
 * (a directive with its name, block, trailing comment) and is a plain object
 * from then on: it never reads the compact tree again, and every field of it
 * may be written (in-place editing moves nodes by rewriting `start`/`end`,
 * re-homes them with `file`, replaces lists). A directive's arguments are
 * read from the file's token table (kept when the rest of the compact tree
 * goes) until `args` makes their nodes: `argCount`, `arg`, `argRaw`,
 * `argStart` and `argEnd` answer from either, and `moveArgs` moves them
 * either way; a directive re-homed into another file must have its `args`
 * read first (the in-place editor reads every node it re-homes). Only
 * a block's (or the file's) children list not read yet still points into
 * the compact tree, and is made with the offsets of the parse: code that
 * moves a node must read and move its children too (as any code moving a
 * subtree does), or call `SourceFile.materialize()` first, which reads every
 * list once.
 *
 * This module imports nothing from vscode-languageserver: `Position` and
 * `Range` are structurally identical to the LSP types.
 */
import { type CompactTree, growInt32 } from './tree';
import { ValueTable } from './values';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Maps offsets to positions and back for one text. */
export class LineIndex {
  /** Offset of the first character of each line (exactly `lineCount` entries). */
  readonly lineStarts: Int32Array;

  /**
   * The line table of `text`; with `lineStarts`, that table as already
   * computed (the parser finds it while tokenizing; an in-place update
   * splices the old one instead of scanning megabytes).
   */
  constructor(
    readonly text: string,
    lineStarts?: Int32Array,
  ) {
    this.lineStarts = lineStarts ?? findLineStarts(text);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    offset = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo]! };
  }

  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.text.length;
    const lineStart = this.lineStarts[pos.line]!;
    const nextStart = pos.line + 1 < this.lineStarts.length ? this.lineStarts[pos.line + 1]! : this.text.length;
    return Math.max(lineStart, Math.min(lineStart + pos.character, nextStart));
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** The whitespace that starts the line containing `offset`. */
  indentAt(offset: number): string {
    const line = this.positionAt(offset).line;
    const s = this.lineStarts[line]!;
    let e = s;
    while (e < this.text.length && (this.text.charCodeAt(e) === 32 || this.text.charCodeAt(e) === 9)) e++;
    return this.text.slice(s, e);
  }
}

/** Where each line starts: after `\n`, after `\r\n`, after a lone `\r`. A typed array: a big file has a million lines. */
function findLineStarts(text: string): Int32Array {
  let starts = new Int32Array(Math.max(16, (text.length / 20) | 0));
  let n = 1;
  if (text.indexOf('\r') < 0) {
    // indexOf is native and much faster than a charCodeAt loop on large files.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      if (n === starts.length) starts = growInt32(starts);
      starts[n++] = i + 1;
    }
  } else {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */ && text.charCodeAt(i + 1) === 10) i++;
      else if (c !== 10 /* \n */ && c !== 13) continue;
      if (n === starts.length) starts = growInt32(starts);
      starts[n++] = i + 1;
    }
  }
  return starts.subarray(0, n);
}

export type NodeType = 'directive' | 'comment' | 'block' | 'argument' | 'file';

abstract class NodeBase {
  abstract readonly type: NodeType;
  constructor(
    /** The file this node belongs to (shared line table). */
    readonly file: SourceFile,
    public start: number,
    public end: number,
  ) {}

  get range(): Range {
    return this.file.lines.rangeOf(this.start, this.end);
  }

  get text(): string {
    return this.file.text.slice(this.start, this.end);
  }
}

/**
 * How an argument was written. `variable` is an unquoted word that starts with
 * `$` (`$http_upgrade`, `${host}`); variables inside quoted strings keep the
 * quote kind, see `Argument.variables()`.
 */
export type ArgKind = 'bare' | 'double' | 'single' | 'variable';

export class Argument extends NodeBase {
  // `type`, `kind` and (usually) `terminated` live on the prototype or are derived: a big file has ~100k arguments.
  declare readonly type: 'argument';
  /** False when a quoted string was never closed (recovered at end of line); an own property only on those. */
  declare readonly terminated: boolean;
  private cachedValue: string | undefined;
  constructor(
    file: SourceFile,
    start: number,
    end: number,
    /** The value; undefined to derive it from the text on first read (the parser does, to keep parsing allocation-light). */
    value?: string,
  ) {
    super(file, start, end);
    this.cachedValue = value;
  }

  /** Derived from the first character: the tokenizer only starts a string at a quote, and a variable word at `$`. */
  get kind(): ArgKind {
    const c = this.file.text.charCodeAt(this.start);
    return c === 34 /* " */ ? 'double' : c === 39 /* ' */ ? 'single' : c === 36 /* $ */ ? 'variable' : 'bare';
  }

  /** The value as nginx sees it: quotes removed, escapes resolved. */
  get value(): string {
    return (this.cachedValue ??= this.file.values.value(this.file.text, this.start, this.end, this.terminated));
  }

  /** Source text exactly as written, quotes included. */
  get raw(): string {
    return this.text;
  }

  get quoted(): boolean {
    const c = this.file.text.charCodeAt(this.start);
    return c === 34 || c === 39;
  }

  /** The argument mentions a variable (a `$` in its text); answered without allocating. */
  hasDollar(): boolean {
    return hasDollarIn(this.file.text, this.start, this.end);
  }

  /** Names of the variables referenced in this argument (`$x`, `${x}`), without `$`. Single quotes interpolate too in nginx. */
  variables(): { name: string; start: number; end: number }[] {
    return findVariables(this.raw, this.start);
  }
}
Object.defineProperty(Argument.prototype, 'type', { value: 'argument', writable: false, enumerable: true });
Object.defineProperty(Argument.prototype, 'terminated', { value: true, writable: true, enumerable: true });

export { unescapeNginx } from './values';

/**
 * Whether `text` has a `$` from `start` to `end` (exclusive), without allocating. A bounded scan: indexOf has no
 * end bound and would search the rest of the file for every `$`-free span.
 */
export function hasDollarIn(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 36 /* $ */) return true;
  return false;
}

/** Variable references in a piece of text, with absolute offsets. */
export function findVariables(raw: string, base: number): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  // Once a `${` finds no `}`, none after it will: skipping the search keeps `${${${...` linear.
  let noClose = false;
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) !== 36 /* $ */) continue;
    if (i > 0 && raw.charCodeAt(i - 1) === 92 /* \ */) continue;
    if (raw.charCodeAt(i + 1) === 123 /* { */) {
      const close = noClose ? -1 : raw.indexOf('}', i + 2);
      if (close < 0) noClose = true;
      if (close > i + 2) {
        const name = raw.slice(i + 2, close);
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) out.push({ name, start: base + i, end: base + close + 1 });
        i = close;
      }
      continue;
    }
    let j = i + 1;
    while (j < raw.length && isVarChar(raw.charCodeAt(j))) j++;
    if (j > i + 1) {
      const name = raw.slice(i + 1, j);
      // `$1`..`$9` are regex captures, not named variables.
      if (!/^[0-9]+$/.test(name)) out.push({ name, start: base + i, end: base + j });
      i = j - 1;
    }
  }
  return out;
}

function isVarChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Shared by every directive without arguments and every empty block (frozen: nothing may grow them). */
const NO_ARGS: Argument[] = Object.freeze([]) as unknown as Argument[];
const NO_STATEMENTS: Statement[] = Object.freeze([]) as unknown as Statement[];
const NO_TOKENS = new Int32Array(0);
const NO_BITS = new Uint8Array(0);

export class Comment extends NodeBase {
  declare readonly type: 'comment';
  /** Comment text after `#`. */
  get value(): string {
    return this.file.text.slice(this.start + 1, this.end);
  }
  /** True when code precedes the comment on its line (`listen 80; # note`). */
  trailing = false;
}
Object.defineProperty(Comment.prototype, 'type', { value: 'comment', writable: false, enumerable: true });

export class Block extends NodeBase {
  declare readonly type: 'block';
  /**
   * The children once read (see `children`; shared and frozen while empty), or the compact tree they are still to
   * be made from (at `pendingAt`, the statement index of this block's directive): one slot for both, as a big file
   * has ~100k blocks.
   */
  private list: Statement[] | CompactTree<Comment> = NO_STATEMENTS;
  private pendingAt = 0;
  // `closed` (default true) and `opaque` (default undefined) live on the prototype; the loader sets an own
  // property on the few blocks that differ.
  /** False when the file ended before the closing `}`. */
  declare closed: boolean;
  /**
   * For blocks whose body is not nginx syntax (`content_by_lua_block`), the
   * raw text between the braces; `children` is then empty.
   */
  declare opaque?: string;
  constructor(
    file: SourceFile,
    start: number,
    end: number,
    readonly parent: Directive | null,
  ) {
    super(file, start, end);
  }

  /** Made from the compact tree on first read (an exact-size list), a plain array from then on; may be replaced. */
  get children(): Statement[] {
    const list = this.list;
    if (Array.isArray(list)) return list;
    return (this.list = loadStatements(list, this.file, this, this.pendingAt + 1, list.next(this.pendingAt)));
  }

  set children(list: Statement[]) {
    this.list = list;
  }

  /** Offset just after `{`. */
  get bodyStart(): number {
    return this.start + 1;
  }

  /** Offset of the closing `}` (or end of the block when unclosed). */
  get bodyEnd(): number {
    return this.closed ? this.end - 1 : this.end;
  }

  directives(): Directive[] {
    return this.children.filter((c): c is Directive => c.type === 'directive');
  }

  /** Leaves the children of directive `at` in `tree` to be made on first read. */
  static defer(block: Block, tree: CompactTree<Comment>, at: number): void {
    block.list = tree;
    block.pendingAt = at;
  }
}
Object.defineProperty(Block.prototype, 'type', { value: 'block', writable: false, enumerable: true });
Object.defineProperty(Block.prototype, 'closed', { value: true, writable: true, enumerable: true });
Object.defineProperty(Block.prototype, 'opaque', { value: undefined, writable: true, enumerable: true });

export class Directive extends NodeBase {
  declare readonly type: 'directive';
  /**
   * The arguments once made (see `args`), or null while they are only in the file's token table, at `argSlot`: a
   * big file has ~500k arguments, and most are only ever read through `argCount`, `arg`, `argStart` and `argEnd`.
   */
  private list: Argument[] | null = NO_ARGS;
  /** While `list` is null: (1 + index of the first argument in the file's token table) * 64 + the argument count (1-63). */
  private argSlot = 0;
  block: Block | null = null;
  // `terminated` (default true) and `comment` (default null) live on the prototype; the parser sets an own
  // property on the few directives that differ, so a big file does not pay two fields per directive.
  /** The `;` was present (or the directive ends with a block). */
  declare terminated: boolean;
  /** A comment on the same line after this directive. */
  declare comment: Comment | null;
  /**
   * The name token once made, or the one kept by the parser (quoted, escaped or unterminated names). On the
   * prototype (null) until then: few directives ever have their name token read.
   */
  declare private token: Argument | null;
  constructor(
    file: SourceFile,
    start: number,
    end: number,
    /** The name as nginx sees it (the name token's value). */
    readonly name: string,
    /** The name token when it cannot be rebuilt from `name` (quoted, escaped or unterminated); else made on first read, spanning `name`. */
    nameToken: Argument | null,
    /** The block this directive sits in; null at the top level of the file. */
    readonly parentBlock: Block | null,
  ) {
    super(file, start, end);
    if (nameToken) this.token = nameToken;
  }

  /** The directive's name token; usually bare, but map bodies allow quoted keys (`'' close;`). */
  get nameToken(): Argument {
    return (this.token ??= new Argument(this.file, this.start, this.start + this.name.length, this.name));
  }

  /** The directive that owns the enclosing block (`location` for a directive inside a location). */
  get parent(): Directive | null {
    return this.parentBlock ? this.parentBlock.parent : null;
  }

  /** Siblings including this one. */
  get siblings(): Statement[] {
    return this.parentBlock ? this.parentBlock.children : this.file.children;
  }

  /**
   * The arguments as nodes, made on first read and the same list from then on (it may be replaced). Code that reads
   * every directive's arguments uses `argCount`, `arg`, `argStart` and `argEnd`, which make no node.
   */
  get args(): Argument[] {
    return this.list ?? (this.list = this.makeArgs());
  }

  set args(list: Argument[]) {
    this.list = list;
  }

  /** How many arguments the directive has (`args.length`, without making them). */
  get argCount(): number {
    const list = this.list;
    return list !== null ? list.length : this.argSlot & 63;
  }

  /** The value of argument `i` (quotes removed, escapes resolved), undefined past the last one. */
  arg(i: number): string | undefined {
    const list = this.list;
    if (list !== null) return list[i]?.value;
    const slot = this.argSlot;
    if (!(i >= 0 && i < (slot & 63))) return undefined;
    return this.file.tokenValue((slot >>> 6) - 1 + i);
  }

  /**
   * Whether some argument may hold a `$` (false: none does), without reading their text while they are in the
   * token table (the parser marked each token), else from the made arguments' text.
   */
  argsMayHaveDollar(): boolean {
    const list = this.list;
    if (list === null) return this.file.tokensMayHaveDollar((this.argSlot >>> 6) - 1, this.argSlot & 63);
    for (let i = 0; i < list.length; i++) if (list[i]!.hasDollar()) return true;
    return false;
  }

  /** Argument `i` exactly as written (quotes included), undefined past the last one. */
  argRaw(i: number): string | undefined {
    const list = this.list;
    if (list !== null) return list[i]?.raw;
    if (!(i >= 0 && i < (this.argSlot & 63))) return undefined;
    return this.file.text.slice(this.argStart(i), this.argEnd(i));
  }

  /** Where argument `i` (0 ≤ i < argCount) starts. */
  argStart(i: number): number {
    const list = this.list;
    return list !== null ? list[i]!.start : this.file.tokenStart((this.argSlot >>> 6) - 1 + i);
  }

  /** Where argument `i` (0 ≤ i < argCount) ends (exclusive). */
  argEnd(i: number): number {
    const list = this.list;
    return list !== null ? list[i]!.end : this.file.tokenEnd((this.argSlot >>> 6) - 1 + i);
  }

  /** Moves the arguments by `delta` (in-place editing; see incremental.ts), made or not. */
  moveArgs(delta: number): void {
    const list = this.list;
    if (list === null) {
      this.file.moveTokens((this.argSlot >>> 6) - 1, this.argSlot & 63, delta);
      return;
    }
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      a.start += delta;
      a.end += delta;
    }
  }

  private makeArgs(): Argument[] {
    return this.file.tokenArguments((this.argSlot >>> 6) - 1, this.argSlot & 63);
  }

  /**
   * Leaves the `argc` arguments of `d`, tokens `first`.. of its file's token table, to be made on first read of
   * `args`; false when they do not fit the slot (make them now).
   */
  static deferArgs(d: Directive, first: number, argc: number): boolean {
    if (argc > 63 || first + 1 >= 0x2000000) return false;
    d.list = null;
    d.argSlot = (first + 1) * 64 + argc;
    return true;
  }
}
Object.defineProperty(Directive.prototype, 'type', { value: 'directive', writable: false, enumerable: true });
Object.defineProperty(Directive.prototype, 'terminated', { value: true, writable: true, enumerable: true });
Object.defineProperty(Directive.prototype, 'comment', { value: null, writable: true, enumerable: true });
Object.defineProperty(Directive.prototype, 'token', { value: null, writable: true, enumerable: false });

/** The head of a block directive: name and arguments, without the block. */
export function head(d: Directive): { file: SourceFile; start: number; end: number } {
  const n = d.argCount;
  return { file: d.file, start: d.start, end: n > 0 ? d.argEnd(n - 1) : d.nameToken.end };
}

export type Statement = Directive | Comment;
export type Node = Directive | Comment | Block | Argument;

export type SyntaxErrorCode =
  | 'missing-semicolon'
  | 'unclosed-block'
  | 'unexpected-brace'
  | 'unterminated-string'
  | 'unexpected-semicolon'
  | 'unexpected-token'
  | 'invalid-utf8'
  | 'too-deep';

export interface SyntaxError {
  code: SyntaxErrorCode;
  message: string;
  start: number;
  end: number;
}

export class SourceFile {
  readonly type = 'file' as const;
  /** Every comment in document order, including those between a directive's arguments. */
  readonly comments: Comment[] = [];
  readonly errors: SyntaxError[] = [];
  /** The top-level statements once read (see `children`). */
  private list: Statement[] = NO_STATEMENTS;
  /** The compact tree the top-level statements are still to be made from, until first read. */
  private pending: CompactTree<Comment> | null = null;
  /** The arguments' values, each distinct one stored once (see `ValueTable`). */
  readonly values = new ValueTable();
  /**
   * The parse's token table (start, then end or `~end` when unterminated, per token; see tree.ts), which
   * directives read their arguments from until they are made (see `Directive.args`).
   */
  private tokens: Int32Array = NO_TOKENS;
  /** The parse's `$` bit per token (see `CompactTree.addToken`). */
  private dollars: Uint8Array = NO_BITS;

  constructor(
    /** A path or URI; only used for messages and include resolution. */
    readonly uri: string,
    readonly text: string,
    readonly lines: LineIndex = new LineIndex(text),
  ) {}

  /** Made from the compact tree on first read (an exact-size list), a plain array from then on; may be replaced. */
  get children(): Statement[] {
    const tree = this.pending;
    if (tree !== null) {
      this.pending = null;
      this.list = loadStatements(tree, this, null, 0, tree.count);
    }
    return this.list;
  }

  set children(list: Statement[]) {
    this.pending = null;
    this.list = list;
  }

  /** Called once by the parser: the file's statements are to be made from `tree` when first read. */
  attachTree(tree: CompactTree<Comment>): void {
    this.pending = tree;
    this.tokens = tree.tokens();
    this.dollars = tree.dollarBits();
  }

  /** Whether one of tokens `first`..`first + n - 1` of the parse may hold a `$` (false: none does). */
  tokensMayHaveDollar(first: number, n: number): boolean {
    const bits = this.dollars;
    for (let t = first; t < first + n; t++) if ((bits[t >>> 3]! & (1 << (t & 7))) !== 0) return true;
    return false;
  }

  /** The value of token `t` of the parse (see `tokens`). */
  tokenValue(t: number): string {
    const toks = this.tokens;
    const e = toks[2 * t + 1]!;
    return this.values.value(this.text, toks[2 * t]!, e >= 0 ? e : ~e, e >= 0);
  }

  tokenStart(t: number): number {
    return this.tokens[2 * t]!;
  }

  tokenEnd(t: number): number {
    const e = this.tokens[2 * t + 1]!;
    return e >= 0 ? e : ~e;
  }

  /** Token `t` as a node. */
  tokenArgument(t: number): Argument {
    const e = this.tokens[2 * t + 1]!;
    const a = new Argument(this, this.tokens[2 * t]!, e >= 0 ? e : ~e);
    if (e < 0) (a as { terminated: boolean }).terminated = false;
    return a;
  }

  /** Tokens `first`..`first + n - 1` as nodes, in an exact-size list. */
  tokenArguments(first: number, n: number): Argument[] {
    const list = new Array<Argument>(n);
    for (let i = 0; i < n; i++) list[i] = this.tokenArgument(first + i);
    return list;
  }

  /** Moves tokens `from`..`from + count - 1` by `delta` (see `Directive.moveArgs`). */
  moveTokens(from: number, count: number, delta: number): void {
    const toks = this.tokens;
    for (let t = from; t < from + count; t++) {
      toks[2 * t] = toks[2 * t]! + delta;
      const e = toks[2 * t + 1]!;
      toks[2 * t + 1] = e >= 0 ? e + delta : ~(~e + delta);
    }
  }

  /**
   * Makes every node of the tree now, so that nothing refers to the compact
   * tree any more. Call it before editing the tree in place (moving nodes,
   * re-homing them into another file, replacing lists): a list made later
   * would be made from the original parse. Walking every block's children
   * does the same. Returns the file.
   */
  materialize(): this {
    const stack: Statement[][] = [this.children];
    while (stack.length) {
      for (const s of stack.pop()!) {
        if (s.type === 'directive' && s.block && s.block.children.length) stack.push(s.block.children);
      }
    }
    return this;
  }

  rangeOf(start: number, end: number): Range {
    return this.lines.rangeOf(start, end);
  }

  /** All directives in document order, depth-first. */
  *walk(): Generator<Directive> {
    const stack: Statement[][] = [this.children];
    const idx: number[] = [0];
    while (stack.length) {
      const list = stack[stack.length - 1]!;
      const i = idx[idx.length - 1]!;
      if (i >= list.length) {
        stack.pop();
        idx.pop();
        continue;
      }
      idx[idx.length - 1] = i + 1;
      const s = list[i]!;
      if (s.type !== 'directive') continue;
      yield s;
      if (s.block && s.block.children.length) {
        stack.push(s.block.children);
        idx.push(0);
      }
    }
  }

  /** The innermost directive whose span contains `offset` (its name, args or block). */
  directiveAt(offset: number): Directive | null {
    let list: Statement[] = this.children;
    let found: Directive | null = null;
    for (;;) {
      const hit = binarySearchStatement(list, offset);
      if (!hit || hit.type !== 'directive') return found;
      found = hit;
      if (!hit.block || offset <= hit.block.start || (hit.block.closed && offset >= hit.block.end)) return found;
      list = hit.block.children;
    }
  }
}

/** The statement of a list (in document order) whose span holds `offset`, ends included; binary search. */
export function binarySearchStatement(list: Statement[], offset: number): Statement | null {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = list[mid]!;
    if (offset < s.start) hi = mid - 1;
    else if (offset > s.end) lo = mid + 1;
    else return s;
  }
  return null;
}

/** Scratch list for `loadStatements` (sliced to exact size, then cleared so it holds no nodes). */
const scratch: Statement[] = [];

/**
 * The statements `from`, then each one's `next`, up to `to`, of `tree`: the
 * children of one block (or the file's top level) as complete nodes, their
 * offsets those of the parse. Comments are the tree's own comment objects, so
 * a directive's `comment`, `file.comments` and the children list share them.
 */
function loadStatements(tree: CompactTree<Comment>, file: SourceFile, parent: Block | null, from: number, to: number): Statement[] {
  let n = 0;
  for (let s = from; s < to; s = tree.next(s)) {
    scratch[n++] = tree.isComment(s) ? tree.comments[tree.commentIndex(s)]! : loadDirective(tree, file, parent, s);
  }
  if (n === 0) return NO_STATEMENTS;
  const list = scratch.slice(0, n);
  scratch.fill(NO_NODE, 0, n);
  return list;
}

/** Placeholder that lets `scratch` drop its references without shrinking (which would reallocate it on every list). */
const NO_NODE = null as unknown as Statement;

function loadDirective(tree: CompactTree<Comment>, file: SourceFile, parent: Block | null, s: number): Directive {
  const tok = tree.tok(s);
  const d = new Directive(file, tree.start(s), tree.end(s), tree.name(s), tree.keepsNameToken(s) ? file.tokenArgument(tok) : null, parent);
  const argc = tree.argc(s);
  // Arguments stay in the token table (see `Directive.args`), unless they do not fit its slot.
  if (argc && !Directive.deferArgs(d, tok + 1, argc)) d.args = file.tokenArguments(tok + 1, argc);
  // Own properties only where the prototype's default (terminated, no comment) is wrong.
  if (!tree.terminated(s)) d.terminated = false;
  const c = tree.trailingComment(s);
  if (c >= 0) d.comment = tree.comments[c]!;
  if (tree.hasBlock(s)) {
    const bStart = tree.blockStart(s);
    const bEnd = tree.blockEnd(s);
    const b = new Block(file, bStart, bEnd, d);
    if (!tree.closed(s)) b.closed = false;
    if (tree.opaque(s)) b.opaque = tree.text.slice(bStart + 1, b.closed ? bEnd - 1 : bEnd);
    else if (tree.next(s) > s + 1) Block.defer(b, tree, s);
    d.block = b;
  }
  return d;
}

/**
 * TEST-ONLY ORACLE: the object-tree parser as it was before the compact
 * (typed-array) tree, copied verbatim from server/src/engine/syntax/parser.ts
 * and ast.ts (commit 6f52361) into one module. The differential test
 * (test/unit/parser-differential.test.ts) holds the production parser to
 * exactly this behaviour: same nodes, offsets, flags, links, errors and
 * comments on every input. Never import it from server/src.
 *
 * Changed since, the same way as the production parser, where what the
 * parser reads changed: nginx's whitespace set (space, tab, CR, LF only),
 * comments ending at LF only, every `{` right after a `$` kept in the word,
 * and the forgotten-`;` recovery limited to statements nginx rejects
 * (`nginxRejects`; the split is done on the finished directive object here,
 * where the compact parser splits its token run).
 */
import { DATA_BLOCKS, isKnownDirectiveName } from '../../server/src/engine/knowledge/names';
import { nginxRejects } from '../../server/src/engine/syntax/rejects';

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
  /** Offset of the first character of each line. */
  readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    if (text.indexOf('\r') < 0) {
      // indexOf is native and much faster than a charCodeAt loop on large files.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 /* \n */) starts.push(i + 1);
        else if (c === 13 /* \r */) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
    }
    this.lineStarts = starts;
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
    if (this.cachedValue === undefined) {
      const quoted = this.quoted;
      const raw = this.file.text.slice(quoted ? this.start + 1 : this.start, quoted && this.terminated ? this.end - 1 : this.end);
      this.cachedValue = raw.indexOf('\\') >= 0 ? unescapeNginx(raw) : raw;
    }
    return this.cachedValue;
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
    // A bounded scan: indexOf has no end bound and would search the rest of the file for every `$`-free argument.
    const text = this.file.text;
    for (let i = this.start; i < this.end; i++) if (text.charCodeAt(i) === 36 /* $ */) return true;
    return false;
  }

  /** Names of the variables referenced in this argument (`$x`, `${x}`), without `$`. Single quotes interpolate too in nginx. */
  variables(): { name: string; start: number; end: number }[] {
    return findVariables(this.raw, this.start);
  }
}
Object.defineProperty(Argument.prototype, 'type', { value: 'argument', writable: false, enumerable: true });
Object.defineProperty(Argument.prototype, 'terminated', { value: true, writable: true, enumerable: true });

/** nginx's escape handling (ngx_conf_read_token): \\" \\' \\\\ become the char, \\t \\r \\n become control chars, others stay. */
export function unescapeNginx(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length) {
      const n = s[i + 1]!;
      if (n === '"' || n === "'" || n === '\\') {
        out += n;
        i++;
        continue;
      }
      if (n === 't' || n === 'r' || n === 'n') {
        out += n === 't' ? '\t' : n === 'r' ? '\r' : '\n';
        i++;
        continue;
      }
    }
    out += ch;
  }
  return out;
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
  /** Set once when the parser closes the block (an exact-size list); shared and frozen while empty. */
  readonly children: Statement[] = NO_STATEMENTS;
  /** False when the file ended before the closing `}`. */
  closed = false;
  /**
   * For blocks whose body is not nginx syntax (`content_by_lua_block`), the
   * raw text between the braces; `children` is then empty.
   */
  opaque?: string;
  constructor(
    file: SourceFile,
    start: number,
    end: number,
    readonly parent: Directive | null,
  ) {
    super(file, start, end);
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
}
Object.defineProperty(Block.prototype, 'type', { value: 'block', writable: false, enumerable: true });

export class Directive extends NodeBase {
  declare readonly type: 'directive';
  readonly args: Argument[] = NO_ARGS;
  block: Block | null = null;
  // `terminated` (default true) and `comment` (default null) live on the prototype; the parser sets an own
  // property on the few directives that differ, so a big file does not pay two fields per directive.
  /** The `;` was present (or the directive ends with a block). */
  declare terminated: boolean;
  /** A comment on the same line after this directive. */
  declare comment: Comment | null;
  private token: Argument | null;
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
    this.token = nameToken;
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

  arg(i: number): string | undefined {
    return this.args[i]?.value;
  }
}
Object.defineProperty(Directive.prototype, 'type', { value: 'directive', writable: false, enumerable: true });
Object.defineProperty(Directive.prototype, 'terminated', { value: true, writable: true, enumerable: true });
Object.defineProperty(Directive.prototype, 'comment', { value: null, writable: true, enumerable: true });

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
  /** Set once by the parser when it is done (an exact-size list). */
  readonly children: Statement[] = NO_STATEMENTS;
  /** Every comment in document order, including those between a directive's arguments. */
  readonly comments: Comment[] = [];
  readonly errors: SyntaxError[] = [];
  readonly lines: LineIndex;

  constructor(
    /** A path or URI; only used for messages and include resolution. */
    readonly uri: string,
    readonly text: string,
  ) {
    this.lines = new LineIndex(text);
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

function binarySearchStatement(list: Statement[], offset: number): Statement | null {
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
export const MAX_DEPTH = 256;
/** Syntax errors kept per file (random bytes can produce one per character). */
export const MAX_ERRORS = 1000;

const enum Tok {
  EOF,
  Word,
  DString,
  SString,
  Semi,
  Open,
  Close,
  Comment,
}

const enum Ch {
  Tab = 9,
  LF = 10,
  CR = 13,
  Space = 32,
  DQuote = 34,
  Hash = 35,
  Dollar = 36,
  SQuote = 39,
  RParen = 41,
  Semi = 59,
  Backslash = 92,
  LBrace = 123,
  RBrace = 125,
}

export function parse(text: string, uri = 'untitled'): SourceFile {
  const first = new Parser(text, uri, false).run();
  if (!first.errors.some((e) => e.code === 'unclosed-block' || e.code === 'unexpected-brace')) return first;
  const second = new Parser(text, uri, true).run();
  return second.errors.length <= first.errors.length ? second : first;
}

class Parser {
  private readonly file: SourceFile;
  private readonly text: string;
  private pos = 0;
  // Current token.
  private tok: Tok = Tok.EOF;
  private tokStart = 0;
  private tokEnd = 0;
  /** A newline lies between the previous token and this one. */
  private tokNewline = false;
  private tokTerminated = true;

  /**
   * Open blocks, innermost last, as parallel arrays (no object per level): the block, or null for a phantom
   * level (a stray `{` or one nested too deep, whose children go to the enclosing block); the indentation of
   * the line where the block's directive starts (-1 when it does not start its line, or in brace mode); the
   * indentation of the block's first child that starts a line (-1 until one does).
   */
  private readonly frames: (Block | null)[] = [];
  private readonly frameIndent: number[] = [];
  private readonly frameBodyIndent: number[] = [];
  /** The real blocks among `frames` (phantoms skipped), so the current block is O(1) however many stray `{` there are. */
  private readonly blocks: Block[] = [];
  /**
   * Statements of the file and of every open block, innermost block's last:
   * `pending[blockStarts[i] .. pendingLen)` are the children so far of
   * `blocks[i]`, and the file's own come before the first block's. A block
   * gets an exact-size copy when it ends (push-grown lists would keep up to
   * 17 slots for one child, and most blocks are small).
   */
  private readonly pending: Statement[] = [];
  private pendingLen = 0;
  private readonly blockStarts: number[] = [];
  /**
   * Arguments of the directive being read, `args[0 .. argsLen)`; copied into
   * it when it ends. A length counter, not `args.length = 0`, which would
   * drop the backing store and make every directive allocate a new one.
   */
  private readonly args: Argument[] = [];
  private argsLen = 0;
  /** Indices into `args` of known names starting a line (a forgotten `;` may lie before them). */
  private readonly splits: number[] = [];
  /** Errors reported before the directive being read started. */
  private statementErrors = 0;
  /** Interned names by hash (see `intern`). */
  private readonly names = new Map<number, string>();
  private depth = 0;
  private tooDeepReported = false;

  /** End of the token before the current one (where an implicitly closed block ends). */
  private prevEnd = 0;

  constructor(
    text: string,
    uri: string,
    /** Let indentation decide where unbalanced braces belong (second pass). */
    private readonly indentMode: boolean,
  ) {
    this.text = text;
    this.file = new SourceFile(uri, text);
  }

  run(): SourceFile {
    const file = this.file;
    let cur: Directive | null = null;

    for (;;) {
      this.next();
      const tok = this.tok;
      if (tok === Tok.EOF) break;

      if (tok === Tok.Comment) {
        const c = new Comment(file, this.tokStart, this.tokEnd);
        file.comments.push(c);
        if (cur) {
          // A comment between arguments: nginx allows it; keep the directive going.
          continue;
        }
        const prev = this.pendingLen > this.currentStart() ? this.pending[this.pendingLen - 1] : undefined;
        if (prev && prev.type === 'directive' && !this.tokNewline && prev.end <= c.start) {
          c.trailing = true;
          if (!prev.comment) prev.comment = c;
        }
        this.addStatement(c);
        continue;
      }

      if (tok === Tok.Word || tok === Tok.DString || tok === Tok.SString) {
        if (this.indentMode && this.tokNewline) {
          const col = this.lineIndent(this.tokStart);
          if (col >= 0) {
            if (this.outdentedBelow(col)) {
              if (cur) {
                cur = this.splitIfRejected(cur, false);
                this.missingSemicolon(cur);
                this.finish(cur, cur.end);
                cur = null;
              }
              while (this.outdentedBelow(col)) this.closeImplicitly();
            }
            if (!cur) {
              const top = this.frames.length - 1;
              if (top >= 0 && this.frames[top] && this.frameBodyIndent[top]! < 0) this.frameBodyIndent[top] = col;
            }
          }
        }
        if (cur) {
          if (this.tokNewline && tok === Tok.Word && !this.tokEscaped() && this.looksLikeNewDirective(cur)) this.splits.push(this.argsLen);
          this.args[this.argsLen++] = this.makeArg();
          cur.end = this.tokEnd;
          continue;
        }
        cur = this.makeDirective();
        continue;
      }

      if (tok === Tok.Semi) {
        if (cur) {
          cur = this.splitIfRejected(cur, false);
          this.finish(cur, this.tokEnd);
          cur = null;
        } else {
          this.error('unexpected-semicolon', "Unexpected ';'", this.tokStart, this.tokEnd);
        }
        continue;
      }

      if (tok === Tok.Open) {
        if (!cur) {
          this.error('unexpected-brace', "Unexpected '{': a block needs a directive name before it", this.tokStart, this.tokEnd);
          this.pushFrame(null, -1);
          continue;
        }
        cur = this.splitIfRejected(cur, true);
        const block = new Block(file, this.tokStart, this.tokEnd, cur);
        cur.block = block;
        this.finish(cur, this.tokEnd);
        if (isLuaBlockName(cur.name)) {
          this.readOpaqueLua(block);
          cur.end = block.end;
          cur = null;
          continue;
        }
        if (this.depth >= MAX_DEPTH) {
          if (!this.tooDeepReported) {
            this.tooDeepReported = true;
            this.error(
              'too-deep',
              `Blocks are nested deeper than ${MAX_DEPTH} levels; deeper blocks are not analysed`,
              cur.nameToken.start,
              cur.nameToken.end,
            );
          }
          this.pushFrame(null, -1);
        } else {
          this.pushFrame(block, this.indentMode ? this.lineIndent(cur.start) : -1);
          this.blocks.push(block);
          this.blockStarts.push(this.pendingLen);
          this.depth++;
        }
        cur = null;
        continue;
      }

      // Tok.Close
      if (this.indentMode && this.tokNewline) {
        const col = this.lineIndent(this.tokStart);
        const top = this.frames.length - 1;
        const indent = top >= 0 && this.frames[top] ? this.frameIndent[top]! : -1;
        const bodyIndent = top >= 0 ? this.frameBodyIndent[top]! : -1;
        if (indent >= 0 && bodyIndent > indent && col >= bodyIndent) {
          // Indented like the block's body, not like its directive: this `}` closes nothing.
          if (cur) {
            cur = this.splitIfRejected(cur, false);
            this.missingSemicolon(cur);
            this.finish(cur, cur.end);
            cur = null;
          }
          this.error('unexpected-brace', "Unexpected '}': no block is open here (judging by indentation)", this.tokStart, this.tokEnd);
          continue;
        }
        if (col >= 0 && this.outdentedBelow(col + 1)) {
          if (cur) {
            cur = this.splitIfRejected(cur, false);
            this.missingSemicolon(cur);
            this.finish(cur, cur.end);
            cur = null;
          }
          while (this.outdentedBelow(col + 1)) this.closeImplicitly();
        }
      }
      if (cur) {
        cur = this.splitIfRejected(cur, false);
        this.missingSemicolon(cur);
        this.finish(cur, cur.end);
        cur = null;
      }
      if (!this.frames.length) {
        this.error('unexpected-brace', "Unexpected '}': no block is open here", this.tokStart, this.tokEnd);
        continue;
      }
      const b = this.popFrame();
      if (b) {
        this.endBlock(b);
        this.depth--;
        b.closed = true;
        b.end = this.tokEnd;
        if (b.parent) b.parent.end = this.tokEnd;
      }
    }

    if (cur) {
      cur = this.splitIfRejected(cur, false);
      this.missingSemicolon(cur);
      this.finish(cur, cur.end);
    }
    // Unclosed blocks: report each at its directive's name, extend to end of file.
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const b = this.frames[i];
      if (!b) continue;
      this.endBlock(b);
      b.end = this.text.length;
      if (b.parent) {
        b.parent.end = this.text.length;
        const n = b.parent.nameToken;
        this.error('unclosed-block', `'${b.parent.name}' block is not closed: missing '}'`, n.start, n.end);
      }
    }
    (file as { children: Statement[] }).children = this.pending.slice(0, this.pendingLen);
    return file;
  }

  /** Where the current block's children start in `pending` (0 for the file's top level). */
  private currentStart(): number {
    const s = this.blockStarts;
    return s.length ? s[s.length - 1]! : 0;
  }

  private addStatement(st: Statement): void {
    this.pending[this.pendingLen++] = st;
  }

  /** Gives the innermost open block (`b`) its children and drops it from `blocks`. */
  private endBlock(b: Block): void {
    const start = this.blockStarts.pop()!;
    this.blocks.pop();
    if (this.pendingLen > start) (b as { children: Statement[] }).children = this.pending.slice(start, this.pendingLen);
    this.pendingLen = start;
  }

  /**
   * The innermost open block has an indented body, and a line at `col` is
   * indented no deeper than the block's directive: the block must have ended.
   */
  private outdentedBelow(col: number): boolean {
    const top = this.frames.length - 1;
    if (top < 0 || !this.frames[top]) return false;
    const indent = this.frameIndent[top]!;
    return indent >= 0 && this.frameBodyIndent[top]! > indent && col <= indent;
  }

  private pushFrame(block: Block | null, indent: number): void {
    this.frames.push(block);
    this.frameIndent.push(indent);
    this.frameBodyIndent.push(-1);
  }

  private popFrame(): Block | null {
    this.frameIndent.pop();
    this.frameBodyIndent.pop();
    return this.frames.pop()!;
  }

  /** Ends the innermost block where its last token ends and reports its missing `}`. */
  private closeImplicitly(): void {
    const b = this.popFrame()!;
    this.endBlock(b);
    this.depth--;
    b.end = Math.max(b.start + 1, this.prevEnd);
    const d = b.parent!;
    d.end = b.end;
    this.error('unclosed-block', `'${d.name}' block is not closed: missing '}'`, d.nameToken.start, d.nameToken.end);
  }

  /** Width of the whitespace before `offset` when only whitespace precedes it on its line (a tab counts 4), else -1. */
  private lineIndent(offset: number): number {
    const text = this.text;
    let col = 0;
    for (let p = offset - 1; p >= 0; p--) {
      const c = text.charCodeAt(p);
      if (c === Ch.LF || c === Ch.CR) break;
      if (c === Ch.Space) col++;
      else if (c === Ch.Tab) col += 4;
      else return -1;
    }
    return col;
  }

  /** Heuristic for a forgotten `;`: a known directive name (the current bare word) starting a new line. */
  private looksLikeNewDirective(cur: Directive): boolean {
    if (this.text.charCodeAt(this.tokStart) === Ch.Dollar) return false;
    const name = this.intern(this.tokStart, this.tokEnd) ?? this.makeArg().value;
    if (!isKnownDirectiveName(name)) return false;
    const owner = cur.parent;
    if (owner && DATA_BLOCKS.has(owner.name)) return false;
    return true;
  }

  /** The current word holds a backslash. */
  private tokEscaped(): boolean {
    return this.text.slice(this.tokStart, this.tokEnd).includes('\\');
  }

  /**
   * When nginx rejects the directive being read as a whole (by the directive
   * table), each known name that starts a line among its arguments starts a
   * directive of its own; the pieces before it lack their `;`. Returns the
   * last piece, which is still being read.
   */
  private splitIfRejected(cur: Directive, opensBlock: boolean): Directive {
    const splits = this.splits;
    if (!splits.length) return cur;
    const args = this.args;
    if (!nginxRejects(cur.name, this.argsLen, opensBlock, (i) => args[i]!.value)) {
      splits.length = 0;
      return cur;
    }
    const all = this.args.slice(0, this.argsLen);
    let from = 0;
    let d = cur;
    for (const at of splits) {
      const own = all.slice(from, at);
      const name = all[at]!;
      d.terminated = false;
      const last = own.length ? own[own.length - 1]! : d.nameToken;
      this.insertError('missing-semicolon', `Missing ';' after '${d.name}' directive`, last.start, last.end);
      d.end = last.end;
      if (own.length) (d as { args: Argument[] }).args = own;
      this.addStatement(d);
      d = new Directive(this.file, name.start, name.end, this.intern(name.start, name.end)!, null, this.currentBlock());
      from = at + 1;
    }
    const rest = all.slice(from);
    for (let i = 0; i < rest.length; i++) this.args[i] = rest[i]!;
    this.argsLen = rest.length;
    if (rest.length) d.end = rest[rest.length - 1]!.end;
    splits.length = 0;
    return d;
  }

  private insertError(code: SyntaxErrorCode, message: string, start: number, end: number): void {
    const errors = this.file.errors;
    if (errors.length >= MAX_ERRORS) return;
    let i = errors.length;
    while (i > this.statementErrors && errors[i - 1]!.start > start) i--;
    errors.splice(i, 0, { code, message, start, end });
  }

  /** Start of the directive's last token (name or argument). */
  private lastStart(d: Directive): number {
    if (this.argsLen) return this.args[this.argsLen - 1]!.start;
    return d.args.length ? d.args[d.args.length - 1]!.start : d.start;
  }

  /** End of the directive's last token (name or argument). */
  private lastEnd(d: Directive): number {
    if (this.argsLen) return this.args[this.argsLen - 1]!.end;
    return d.args.length ? d.args[d.args.length - 1]!.end : d.nameToken.end;
  }

  private missingSemicolon(d: Directive): void {
    // Own property only here: the prototype says true, which is what almost every directive is.
    d.terminated = false;
    this.error('missing-semicolon', `Missing ';' after '${d.name}' directive`, this.lastStart(d), this.lastEnd(d));
  }

  private finish(d: Directive, end: number): void {
    d.end = end;
    if (this.argsLen) {
      // An exact-size copy: growing `d.args` by push would over-allocate a backing store per directive.
      (d as { args: Argument[] }).args = this.args.slice(0, this.argsLen);
      this.argsLen = 0;
    }
    this.addStatement(d);
  }

  private currentBlock(): Block | null {
    const b = this.blocks;
    return b.length ? b[b.length - 1]! : null;
  }

  private error(code: SyntaxErrorCode, message: string, start: number, end: number): void {
    // Past this many, more errors help nobody and only cost memory and diagnostics traffic; parsing goes on.
    if (this.file.errors.length < MAX_ERRORS) this.file.errors.push({ code, message, start, end });
  }

  /**
   * The text of `[s, e)` from a shared table, or null when it holds a
   * backslash (its value then differs from its text). Names repeat thousands
   * of times: one string per distinct name, found by hash and compared in
   * place (no slice per lookup), keeps the tree small and parsing light on GC.
   * A hash collision only costs a fresh string.
   */
  private intern(s: number, e: number): string | null {
    const text = this.text;
    let h = e - s;
    for (let i = s; i < e; i++) {
      const c = text.charCodeAt(i);
      if (c === Ch.Backslash) return null;
      h = (Math.imul(h, 31) + c) | 0;
    }
    const known = this.names.get(h);
    if (known !== undefined && known.length === e - s && text.startsWith(known, s)) return known;
    const name = text.slice(s, e);
    if (known === undefined) this.names.set(h, name);
    return name;
  }

  /** A directive whose name is the current token. Bare names get no token object until one is asked for. */
  private makeDirective(): Directive {
    this.statementErrors = this.file.errors.length;
    const s = this.tokStart;
    const e = this.tokEnd;
    const parent = this.currentBlock();
    if (this.tok === Tok.Word) {
      const name = this.intern(s, e);
      if (name !== null) return new Directive(this.file, s, e, name, null, parent);
    }
    const token = this.makeArg();
    return new Directive(this.file, s, e, token.value, token, parent);
  }

  private makeArg(): Argument {
    // Kind comes from the first character and the value (quotes removed, escapes resolved) is derived lazily, both by Argument.
    const a = new Argument(this.file, this.tokStart, this.tokEnd);
    if (!this.tokTerminated) (a as { terminated: boolean }).terminated = false;
    return a;
  }

  /** Advances to the next token. */
  private next(): void {
    const text = this.text;
    const len = text.length;
    let p = this.pos;
    let newline = false;
    this.prevEnd = this.tokEnd;
    // Skip whitespace.
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c === Ch.Space || c === Ch.Tab) p++;
      else if (c === Ch.LF || c === Ch.CR) {
        newline = true;
        p++;
      } else break;
    }
    this.tokNewline = newline;
    this.tokStart = p;
    this.tokTerminated = true;
    if (p >= len) {
      this.tok = Tok.EOF;
      this.tokEnd = this.pos = len;
      return;
    }
    const c = text.charCodeAt(p);
    switch (c) {
      case Ch.Semi:
        this.tok = Tok.Semi;
        this.tokEnd = this.pos = p + 1;
        return;
      case Ch.LBrace:
        this.tok = Tok.Open;
        this.tokEnd = this.pos = p + 1;
        return;
      case Ch.RBrace:
        this.tok = Tok.Close;
        this.tokEnd = this.pos = p + 1;
        return;
      case Ch.Hash: {
        // To the LF (a lone CR is inside the comment), without the CRs right before it.
        let e = text.indexOf('\n', p + 1);
        if (e < 0) e = len;
        while (e > p + 1 && text.charCodeAt(e - 1) === Ch.CR) e--;
        this.tok = Tok.Comment;
        this.tokEnd = this.pos = e;
        return;
      }
      case Ch.DQuote:
      case Ch.SQuote: {
        this.tok = c === Ch.DQuote ? Tok.DString : Tok.SString;
        let e = p + 1;
        for (;;) {
          if (e >= len) {
            // Unterminated: end the string at the end of the line it started on, so the rest of the file still parses.
            let eol = p + 1;
            while (eol < len) {
              const d = text.charCodeAt(eol);
              if (d === Ch.LF || d === Ch.CR) break;
              eol++;
            }
            this.error('unterminated-string', `Unterminated ${c === Ch.DQuote ? 'double' : 'single'}-quoted string`, p, eol);
            this.tokTerminated = false;
            this.tokEnd = this.pos = eol;
            return;
          }
          const d = text.charCodeAt(e);
          if (d === Ch.Backslash) {
            e += 2;
            continue;
          }
          e++;
          if (d === c) break;
        }
        this.tokEnd = this.pos = e;
        // nginx needs a separator after a closing quote; a ')' is allowed (if conditions).
        if (e < len) {
          const d = text.charCodeAt(e);
          if (d === Ch.RParen) {
            // The ')' becomes its own word on the next call.
          } else if (!(
            d === Ch.Space ||
            d === Ch.Tab ||
            d === Ch.LF ||
            d === Ch.CR ||
            d === Ch.Semi ||
            d === Ch.LBrace ||
            d === Ch.RBrace
          )) {
            this.error('unexpected-token', `Unexpected '${text[e]}' after a quoted string: nginx needs a space here`, e, e + 1);
          }
        }
        return;
      }
    }
    // Bare word. Most characters are ordinary: one table lookup each.
    let e = p;
    while (e < len) {
      const d = text.charCodeAt(e);
      const k = d < 128 ? WORD_CLASS[d]! : W_PLAIN;
      if (k === W_PLAIN) e++;
      else if (k === W_END) break;
      else if (k === W_ESCAPE) e += 2;
      else {
        // `$`: the `{`s right after it belong to the variable (`${name}`), they do not open a block.
        e++;
        while (text.charCodeAt(e) === Ch.LBrace) e++;
      }
    }
    if (e > len) e = len;
    this.tok = Tok.Word;
    this.tokEnd = this.pos = e;
  }

  /**
   * Reads a `*_by_lua_block` body as opaque text: Lua strings ('..', "..",
   * [[..]], [==[..]==]) and comments (--, --[[..]]) may contain braces.
   */
  private readOpaqueLua(block: Block): void {
    const text = this.text;
    const len = text.length;
    let p = block.start + 1;
    let depth = 1;
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c === Ch.LBrace) {
        depth++;
        p++;
      } else if (c === Ch.RBrace) {
        depth--;
        p++;
        if (depth === 0) {
          block.opaque = text.slice(block.start + 1, p - 1);
          block.closed = true;
          block.end = p;
          this.pos = p;
          this.tokEnd = p;
          return;
        }
      } else if (c === Ch.DQuote || c === Ch.SQuote) {
        p++;
        while (p < len) {
          const d = text.charCodeAt(p);
          if (d === Ch.Backslash) p += 2;
          else if (d === c) {
            p++;
            break;
          } else if (d === Ch.LF)
            break; // Lua short strings end at newline
          else p++;
        }
      } else if (c === 45 /* - */ && text.charCodeAt(p + 1) === 45) {
        const long = longBracketLevel(text, p + 2);
        if (long >= 0) p = skipLongBracket(text, p + 2, long);
        else {
          while (p < len && text.charCodeAt(p) !== Ch.LF) p++;
        }
      } else if (c === 91 /* [ */) {
        const long = longBracketLevel(text, p);
        if (long >= 0) p = skipLongBracket(text, p, long);
        else p++;
      } else p++;
    }
    block.opaque = text.slice(block.start + 1);
    block.end = len;
    this.pos = len;
    this.tokEnd = len;
    const d = block.parent!;
    this.error('unclosed-block', `'${d.name}' block is not closed: missing '}'`, d.nameToken.start, d.nameToken.end);
  }
}

const W_PLAIN = 0;
const W_END = 1;
const W_ESCAPE = 2;
const W_DOLLAR = 3;
/** Character classes inside a bare word, as ngx_conf_read_token sees them. */
const WORD_CLASS = (() => {
  const t = new Uint8Array(128);
  for (const c of [Ch.Space, Ch.Tab, Ch.LF, Ch.CR, Ch.Semi, Ch.LBrace]) t[c] = W_END;
  t[Ch.Backslash] = W_ESCAPE;
  t[Ch.Dollar] = W_DOLLAR;
  return t;
})();

function isLuaBlockName(name: string): boolean {
  return name.endsWith('_by_lua_block') || name === 'lua_block';
}

/** `[[` → 0, `[==[` → 2, otherwise -1. */
function longBracketLevel(text: string, p: number): number {
  if (text.charCodeAt(p) !== 91) return -1;
  let q = p + 1;
  while (text.charCodeAt(q) === 61 /* = */) q++;
  return text.charCodeAt(q) === 91 ? q - p - 1 : -1;
}

function skipLongBracket(text: string, p: number, level: number): number {
  const close = ']' + '='.repeat(level) + ']';
  const at = text.indexOf(close, p + level + 2);
  return at < 0 ? text.length : at + close.length;
}

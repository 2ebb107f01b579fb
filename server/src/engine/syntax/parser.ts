/**
 * A tolerant, position-keeping nginx config parser for editors.
 *
 * Invariants:
 * - `parse` never throws; it returns the tree and the syntax errors.
 * - It reads what nginx's own tokenizer (ngx_conf_read_token) reads, byte
 *   for byte: whitespace is space, tab, CR and LF only (a no-break space, a
 *   form feed or a byte-order mark is part of a word); `;`, `{` and
 *   whitespace end a bare word, `}` inside a word is literal, the `{`s right
 *   after a `$` belong to the word (`${`), quotes only open a string at the
 *   start of a word, a backslash escapes the next character, `#` starts a
 *   comment only where a word could start, and a comment ends at LF only (a
 *   lone CR is inside it). A statement ends at `;`, `{` or `}`, never at a
 *   line end. test/unit/nginx-lexer-agreement.test.ts holds it to a port of
 *   nginx's reader (test/support/nginx-lexer.ts).
 * - It is iterative (no recursion), so nesting depth cannot overflow the stack;
 *   blocks deeper than MAX_DEPTH are flattened into their ancestor and reported.
 * - At most MAX_ERRORS syntax errors are kept; the tree is still built to the end.
 * - Recovery, only where nginx fails: a missing `;` before `}` or at the end
 *   of the file; one before a known directive name starting a line, when the
 *   statement as nginx reads it is one nginx rejects (see splitIfRejected); a
 *   missing `}` at end of file, an extra `}`, and an unterminated string
 *   (ended at its line's end) are reported and parsing continues.
 * - Braces alone cannot say *which* block lacks its `}` (nginx itself only
 *   says "unexpected end of file" at the last line) nor where an extra `}`
 *   is. When the braces do not balance, a second pass lets indentation decide:
 *   a line indented no deeper than an open block's directive closes that block,
 *   and a `}` indented like the block's body is the extra one. The second pass
 *   wins when it explains the file with no more errors than the first, so
 *   later directives keep their real parent (what the rules need) and the
 *   error lands on the block the user left open. Balanced files take one pass.
 */
import { Comment, LineIndex, SourceFile, type SyntaxError, type SyntaxErrorCode } from './ast';
import { argumentValue } from './values';
import { CompactTree, growInt32 } from './tree';
import { DATA_BLOCKS, isKnownDirectiveName } from '../knowledge/names';
import { nginxRejects } from './rejects';

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

/**
 * Parses `text` into a file whose tree is compact (see tree.ts): directive,
 * argument and block nodes are created when a caller first reads a list of
 * them (`file.children`, `block.children`), so parsing itself allocates
 * almost nothing per node. `file.errors`, `file.comments` and `file.lines`
 * are complete on return.
 */
export function parse(text: string, uri = 'untitled'): SourceFile {
  const first = new Parser(text, uri, false, null).run();
  if (!first.errors.some((e) => e.code === 'unclosed-block' || e.code === 'unexpected-brace')) return first;
  // Same text, same lines: the second pass takes the first pass's line table.
  const second = new Parser(text, uri, true, first.lines).run();
  return second.errors.length <= first.errors.length ? second : first;
}

/** No directive: statement indices are >= 0. */
const NONE = -1;

class Parser {
  private readonly tree: CompactTree<Comment>;
  private readonly text: string;
  private readonly errors: SyntaxError[] = [];
  /** Comments as (start, end, trailing 0/1) triples; they become nodes when the file is made, at the end. */
  private readonly commentSpans: number[] = [];
  /**
   * Line starts found while tokenizing (every character passes the
   * tokenizer once, so this is cheaper than a separate scan); null when
   * the caller supplied the line table.
   */
  private lineStarts: Int32Array | null;
  private lineCount = 1;
  private pos = 0;
  // Current token.
  private tok: Tok = Tok.EOF;
  private tokStart = 0;
  private tokEnd = 0;
  /** A newline lies between the previous token and this one. */
  private tokNewline = false;
  private tokTerminated = true;
  /** The current word holds a backslash (its value differs from its text). */
  private tokEscaped = false;
  /** The current token's text may hold a `$` (false: it holds none); see `CompactTree.addToken`. */
  private tokDollar = false;

  /**
   * Open blocks, innermost last, as parallel arrays: the statement index of
   * the block's directive, or NONE for a phantom level (a stray `{` or one
   * nested too deep, whose children go to the enclosing block); the
   * indentation of the line where the block's directive starts (-1 when it
   * does not start its line, or in brace mode); the indentation of the
   * block's first child that starts a line (-1 until one does).
   */
  private readonly frames: number[] = [];
  private readonly frameIndent: number[] = [];
  private readonly frameBodyIndent: number[] = [];
  /** The real blocks among `frames` (phantoms skipped), so the current block is O(1) however many stray `{` there are. */
  private readonly blocks: number[] = [];
  /**
   * The last statement added to the file's top level (first entry) and to
   * each real open block (one more entry per `blocks` entry), NONE while
   * empty: a comment on the same line trails it.
   */
  private readonly lastAdded: number[] = [NONE];
  /** Arguments read so far for the directive being read (its tokens follow its name token in the tree). */
  private argc = 0;
  /** Tokens of the directive being read that could start a directive of their own (see splitIfRejected). */
  private readonly splits: number[] = [];
  /** Errors reported before the directive being read started. */
  private statementErrors = 0;
  private depth = 0;
  private tooDeepReported = false;

  /** End of the token before the current one (where an implicitly closed block ends). */
  private prevEnd = 0;

  constructor(
    text: string,
    private readonly uri: string,
    /** Let indentation decide where unbalanced braces belong (second pass). */
    private readonly indentMode: boolean,
    /** The line table of `text` when already known. */
    private readonly lines: LineIndex | null,
  ) {
    this.text = text;
    this.tree = new CompactTree<Comment>(text);
    // A generated config has ~27 characters per line: room for ~20 is rarely outgrown.
    this.lineStarts = lines ? null : new Int32Array(Math.max(16, (text.length / 20) | 0));
  }

  run(): SourceFile {
    for (;;) {
      this.next();
      const tok = this.tok;
      if (tok === Tok.EOF) break;
      if (tok === Tok.Comment) this.onComment();
      else if (tok === Tok.Word || tok === Tok.DString || tok === Tok.SString) this.onWord(tok);
      else if (tok === Tok.Semi) this.onSemicolon();
      else if (tok === Tok.Open) this.onOpen();
      else this.onClose();
    }
    this.endOfText();
    return this.makeFile();
  }

  /** The directive being read (name seen, not yet ended by `;`, `{` or recovery), or NONE. */
  private cur = NONE;

  /** A comment: part of the directive being read, trailing the statement before it on its line, or a statement of its own. */
  private onComment(): void {
    const tree = this.tree;
    const spans = this.commentSpans;
    const ci = spans.length / 3;
    spans.push(this.tokStart, this.tokEnd, 0);
    if (this.cur !== NONE) {
      // A comment between arguments: nginx allows it; keep the directive going.
      return;
    }
    const prev = this.lastAdded[this.lastAdded.length - 1]!;
    if (prev !== NONE && !tree.isComment(prev) && !this.tokNewline && tree.end(prev) <= this.tokStart) {
      spans[3 * ci + 2] = 1;
      if (tree.trailingComment(prev) < 0) tree.setTrailingComment(prev, ci);
    }
    this.added(tree.addComment(ci));
  }

  /** A word or a string: in indent mode it may first close blocks its indentation leaves; then an argument or a new directive's name. */
  private onWord(tok: Tok): void {
    const tree = this.tree;
    if (this.indentMode && this.tokNewline) {
      const col = this.lineIndent(this.tokStart);
      if (col >= 0) {
        if (this.outdentedBelow(col)) {
          if (this.cur !== NONE) {
            this.endUnterminated(this.cur);
            this.cur = NONE;
          }
          while (this.outdentedBelow(col)) this.closeImplicitly();
        }
        if (this.cur === NONE) {
          const top = this.frames.length - 1;
          if (top >= 0 && this.frames[top] !== NONE && this.frameBodyIndent[top]! < 0) this.frameBodyIndent[top] = col;
        }
      }
    }
    if (this.cur !== NONE) {
      const t = tree.addToken(this.tokStart, this.tokEnd, this.tokTerminated, this.tokDollar);
      // nginx reads on to the `;`: a known name starting a line is only noted, in case the statement turns out
      // to be one nginx rejects (see splitIfRejected).
      if (this.tokNewline && tok === Tok.Word && !this.tokEscaped && this.looksLikeNewDirective()) this.splits.push(t);
      this.argc++;
      tree.setEnd(this.cur, this.tokEnd);
      return;
    }
    this.cur = this.makeDirective();
  }

  /** `;` ends the directive being read (split first if nginx would reject it whole). */
  private onSemicolon(): void {
    if (this.cur !== NONE) {
      this.cur = this.splitIfRejected(this.cur, false);
      this.finish(this.cur, this.tokEnd);
      this.cur = NONE;
    } else {
      this.error('unexpected-semicolon', "Unexpected ';'", this.tokStart, this.tokEnd);
    }
  }

  /** `{` opens the directive's block (a Lua block is read opaque; past MAX_DEPTH it becomes a phantom level). */
  private onOpen(): void {
    const tree = this.tree;
    if (this.cur === NONE) {
      this.error('unexpected-brace', "Unexpected '{': a block needs a directive name before it", this.tokStart, this.tokEnd);
      this.pushFrame(NONE, -1);
      return;
    }
    this.cur = this.splitIfRejected(this.cur, true);
    tree.setBlock(this.cur, this.tokStart, this.tokEnd);
    this.finish(this.cur, this.tokEnd);
    if (this.isLuaBlock(this.cur)) {
      this.readOpaqueLua(this.cur);
      tree.setEnd(this.cur, tree.blockEnd(this.cur));
      this.cur = NONE;
      return;
    }
    if (this.depth >= MAX_DEPTH) {
      if (!this.tooDeepReported) {
        this.tooDeepReported = true;
        this.errorAtName('too-deep', `Blocks are nested deeper than ${MAX_DEPTH} levels; deeper blocks are not analysed`, this.cur);
      }
      this.pushFrame(NONE, -1);
    } else {
      this.pushFrame(this.cur, this.indentMode ? this.lineIndent(tree.start(this.cur)) : -1);
      this.blocks.push(this.cur);
      this.lastAdded.push(NONE);
      this.depth++;
    }
    this.cur = NONE;
  }

  /** `}` closes the innermost block (in indent mode, the indentation may say it closes more, or nothing). */
  private onClose(): void {
    const tree = this.tree;
    if (this.indentMode && this.tokNewline) {
      const col = this.lineIndent(this.tokStart);
      const top = this.frames.length - 1;
      const indent = top >= 0 && this.frames[top] !== NONE ? this.frameIndent[top]! : -1;
      const bodyIndent = top >= 0 ? this.frameBodyIndent[top]! : -1;
      if (indent >= 0 && bodyIndent > indent && col >= bodyIndent) {
        // Indented like the block's body, not like its directive: this `}` closes nothing.
        if (this.cur !== NONE) {
          this.endUnterminated(this.cur);
          this.cur = NONE;
        }
        this.error('unexpected-brace', "Unexpected '}': no block is open here (judging by indentation)", this.tokStart, this.tokEnd);
        return;
      }
      if (col >= 0 && this.outdentedBelow(col + 1)) {
        if (this.cur !== NONE) {
          this.endUnterminated(this.cur);
          this.cur = NONE;
        }
        while (this.outdentedBelow(col + 1)) this.closeImplicitly();
      }
    }
    if (this.cur !== NONE) {
      this.endUnterminated(this.cur);
      this.cur = NONE;
    }
    if (!this.frames.length) {
      this.error('unexpected-brace', "Unexpected '}': no block is open here", this.tokStart, this.tokEnd);
      return;
    }
    const b = this.popFrame();
    if (b !== NONE) {
      this.endBlock(b);
      this.depth--;
      tree.markClosed(b);
      tree.setBlockEnd(b, this.tokEnd);
      tree.setEnd(b, this.tokEnd);
    }
  }

  /** End of text: the directive being read ends unterminated; each block still open is reported and ends here. */
  private endOfText(): void {
    const tree = this.tree;
    if (this.cur !== NONE) {
      this.endUnterminated(this.cur);
    }
    // Unclosed blocks: report each at its directive's name, extend to end of file.
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const b = this.frames[i]!;
      if (b === NONE) continue;
      this.endBlock(b);
      tree.setBlockEnd(b, this.text.length);
      tree.setEnd(b, this.text.length);
      this.errorAtName('unclosed-block', `'${tree.name(b)}' block is not closed: missing '}'`, b);
    }
  }

  /** The file, with its comments as nodes, its errors and line table, and the compact tree to make the rest from. */
  private makeFile(): SourceFile {
    const lines = this.lines ?? new LineIndex(this.text, this.lineStarts!.subarray(0, this.lineCount));
    const file = new SourceFile(this.uri, this.text, lines);
    const spans = this.commentSpans;
    for (let i = 0; i < spans.length; i += 3) {
      const c = new Comment(file, spans[i]!, spans[i + 1]!);
      if (spans[i + 2]) c.trailing = true;
      file.comments.push(c);
    }
    for (const e of this.errors) file.errors.push(e);
    // A copy: the tree's own list stays valid when a caller edits file.comments in place.
    this.tree.comments = file.comments.slice();
    file.attachTree(this.tree);
    return file;
  }

  /** Records that a line starts at `at` (first pass only). */
  private lineStart(at: number): void {
    let starts = this.lineStarts;
    if (starts === null) return;
    if (this.lineCount === starts.length) this.lineStarts = starts = growInt32(starts);
    starts[this.lineCount++] = at;
  }

  /** Records the line starts inside `[from, to)`, text the whitespace scan did not see (strings, escapes, Lua bodies). */
  private lineStartsIn(from: number, to: number): void {
    if (this.lineStarts === null) return;
    const text = this.text;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      // A `\r` directly followed by `\n` is one line break, recorded at the `\n` (which may lie just past `to`).
      if (c === Ch.LF || (c === Ch.CR && text.charCodeAt(i + 1) !== Ch.LF)) this.lineStart(i + 1);
    }
  }

  /** Records `s` as the latest statement of the innermost open block (or of the file). */
  private added(s: number): void {
    this.lastAdded[this.lastAdded.length - 1] = s;
  }

  /** Ends the innermost real block (the one of directive `b`): its contents are the statements made so far. */
  private endBlock(b: number): void {
    this.blocks.pop();
    this.lastAdded.pop();
    this.tree.setNext(b, this.tree.count);
  }

  /**
   * The innermost open block has an indented body, and a line at `col` is
   * indented no deeper than the block's directive: the block must have ended.
   */
  private outdentedBelow(col: number): boolean {
    const top = this.frames.length - 1;
    if (top < 0 || this.frames[top] === NONE) return false;
    const indent = this.frameIndent[top]!;
    return indent >= 0 && this.frameBodyIndent[top]! > indent && col <= indent;
  }

  private pushFrame(b: number, indent: number): void {
    this.frames.push(b);
    this.frameIndent.push(indent);
    this.frameBodyIndent.push(-1);
  }

  private popFrame(): number {
    this.frameIndent.pop();
    this.frameBodyIndent.pop();
    return this.frames.pop()!;
  }

  /** Ends the innermost block where its last token ends and reports its missing `}`. */
  private closeImplicitly(): void {
    const b = this.popFrame();
    this.endBlock(b);
    this.depth--;
    const end = Math.max(this.tree.blockStart(b) + 1, this.prevEnd);
    this.tree.setBlockEnd(b, end);
    this.tree.setEnd(b, end);
    this.errorAtName('unclosed-block', `'${this.tree.name(b)}' block is not closed: missing '}'`, b);
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

  /**
   * A forgotten `;` after the directive being read may lie before the
   * current token: a known directive name (the current bare word) starting a
   * new line, unless the directive sits in a data block (`map`), whose keys
   * may be any word.
   */
  private looksLikeNewDirective(): boolean {
    if (this.text.charCodeAt(this.tokStart) === Ch.Dollar) return false;
    const name = argumentValue(this.text, this.tokStart, this.tokEnd, this.tokTerminated);
    if (!isKnownDirectiveName(name)) return false;
    // The directive being read belongs to the innermost open block (no block ends while one is being read).
    const owner = this.blocks.length ? this.blocks[this.blocks.length - 1]! : NONE;
    if (owner !== NONE && DATA_BLOCKS.has(this.tree.name(owner))) return false;
    return true;
  }

  /**
   * Ends the directive being read where its last token ends, reporting the
   * missing `;` (nginx rejects it: a `}` or the end of the file came first,
   * or indentation says a block ended).
   */
  private endUnterminated(d: number): void {
    d = this.splitIfRejected(d, false);
    this.missingSemicolon(d);
    this.finish(d, this.lastEnd(d));
  }

  /**
   * Recovery from a forgotten `;`, only where nginx would fail: the
   * directive being read (`d`, `argc` arguments so far) has a known name on
   * a new line among its arguments (`splits`), and nginx rejects the
   * statement as read (see rejects.ts: an argument count or block no entry
   * of the name allows, or a word that is none of `listen`'s parameters).
   * Then each of those
   * names starts a directive of its own, every piece but the last reported
   * as missing its `;`. A statement nginx accepts is never split: nginx's
   * statements end at `;`, `{` and `}` only (`access_log x.log main` with
   * `gzip flush=5m;` on the next line is one directive). Returns the
   * directive that is now being read: the last piece.
   */
  private splitIfRejected(d: number, opensBlock: boolean): number {
    const splits = this.splits;
    if (splits.length === 0) return d;
    const tree = this.tree;
    const first = tree.tok(d) + 1;
    const text = this.text;
    const arg = (i: number) => argumentValue(text, tree.tokStart(first + i), tree.tokEnd(first + i), tree.tokTerminated(first + i));
    if (!nginxRejects(tree.name(d), this.argc, opensBlock, arg)) {
      splits.length = 0;
      return d;
    }
    const last = tree.tok(d) + this.argc;
    for (const t of splits) {
      tree.markUnterminated(d);
      this.insertError('missing-semicolon', `Missing ';' after '${tree.name(d)}' directive`, tree.tokStart(t - 1), tree.tokEnd(t - 1));
      this.finish(d, tree.tokEnd(t - 1));
      d = tree.addDirective(tree.tokEnd(t), t, false);
    }
    this.argc = last - splits[splits.length - 1]!;
    splits.length = 0;
    return d;
  }

  /**
   * Reports an error found after later ones (a split is decided at the
   * statement's end), in offset order among the errors of the statement.
   */
  private insertError(code: SyntaxErrorCode, message: string, start: number, end: number): void {
    const errors = this.errors;
    if (errors.length >= MAX_ERRORS) return;
    let i = errors.length;
    while (i > this.statementErrors && errors[i - 1]!.start > start) i--;
    errors.splice(i, 0, { code, message, start, end });
  }

  /** Token index of the last token (name or argument) of the directive being read. */
  private lastToken(d: number): number {
    return this.tree.tok(d) + this.argc;
  }

  /** End of the directive's last token (name or argument). */
  private lastEnd(d: number): number {
    return this.tree.tokEnd(this.lastToken(d));
  }

  private missingSemicolon(d: number): void {
    this.tree.markUnterminated(d);
    const t = this.lastToken(d);
    this.error('missing-semicolon', `Missing ';' after '${this.tree.name(d)}' directive`, this.tree.tokStart(t), this.tree.tokEnd(t));
  }

  /** Ends the directive being read at `end` and adds it to the innermost open block. */
  private finish(d: number, end: number): void {
    // The argument count is not stored: the tree derives it from where the next statement's tokens start.
    this.tree.setEnd(d, end);
    this.argc = 0;
    this.added(d);
  }

  private error(code: SyntaxErrorCode, message: string, start: number, end: number): void {
    // Past this many, more errors help nobody and only cost memory and diagnostics traffic; parsing goes on.
    if (this.errors.length < MAX_ERRORS) this.errors.push({ code, message, start, end });
  }

  /** An error spanning directive `d`'s name token. */
  private errorAtName(code: SyntaxErrorCode, message: string, d: number): void {
    const t = this.tree.tok(d);
    this.error(code, message, this.tree.tokStart(t), this.tree.tokEnd(t));
  }

  /** Starts a directive whose name is the current token; returns its statement index. */
  private makeDirective(): number {
    this.statementErrors = this.errors.length;
    const s = this.tokStart;
    const e = this.tokEnd;
    const tree = this.tree;
    // The name itself is looked up when first asked for (see CompactTree.name): the parser rarely needs it.
    return tree.addDirective(e, tree.addToken(s, e, this.tokTerminated, this.tokDollar), this.tok !== Tok.Word || this.tokEscaped);
  }

  /** Directive `d` is a `*_by_lua_block` (its name read in the text, without making it a string, for plain names). */
  private isLuaBlock(d: number): boolean {
    const tree = this.tree;
    if (tree.keepsNameToken(d)) return isLuaBlockName(tree.name(d));
    const text = this.text;
    const t = tree.tok(d);
    const s = tree.tokStart(t);
    const e = tree.tokEnd(t);
    // Most names do not end in `k`: one character test rules them out.
    return (
      text.charCodeAt(e - 1) === 107 /* k */ && (text.endsWith('_by_lua_block', e) || (e - s === 9 && text.startsWith('lua_block', s)))
    );
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
      // Spaces first (indentation is most of the whitespace), then one test sends every other printable character out.
      // nginx's whitespace is these four and nothing else: a no-break space, a form feed or a byte-order mark is
      // a word character to it (see the lookalike-whitespace rule).
      if (c === Ch.Space) p++;
      else if (c > Ch.Space) break;
      else if (c === Ch.Tab) p++;
      else if (c === Ch.LF || c === Ch.CR) {
        newline = true;
        p++;
        // `\r\n` is one line break, recorded at the `\n`.
        if (c === Ch.LF || text.charCodeAt(p) !== Ch.LF) this.lineStart(p);
      } else break;
    }
    this.tokNewline = newline;
    this.tokStart = p;
    this.tokTerminated = true;
    this.tokEscaped = false;
    this.tokDollar = false;
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
        // nginx ends a comment at LF only: a lone CR (an old Mac line end) is inside the comment, and so is the
        // text after it. The CRs right before the LF (or the end of the file) are left out, so a CRLF file's
        // comment ends where its line does.
        let e = p + 1;
        let cr = -1;
        while (e < len) {
          const d = text.charCodeAt(e);
          if (d === Ch.LF) break;
          if (d === Ch.CR && cr < 0) cr = e;
          e++;
        }
        if (cr >= 0) {
          while (text.charCodeAt(e - 1) === Ch.CR) e--;
          // Every CR left inside is a lone one: a line break to the editor, not to nginx.
          if (cr < e) this.lineStartsIn(cr, e);
        }
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
            if (text.charCodeAt(e + 1) === Ch.Dollar) this.tokDollar = true;
            e += 2;
            continue;
          }
          e++;
          if (d === c) break;
          if (d === Ch.Dollar) this.tokDollar = true;
        }
        this.tokEnd = this.pos = e;
        this.lineStartsIn(p + 1, e);
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
    // Bare word. Most characters are ordinary: a tight loop of one table lookup each, then the special one.
    let e = p;
    for (;;) {
      while (e < len && WORD_CLASS[text.charCodeAt(e)] === W_PLAIN) e++;
      if (e >= len) break;
      const k = WORD_CLASS[text.charCodeAt(e)]!;
      if (k === W_END) break;
      else if (k === W_ESCAPE) {
        // An escaped line break stays in the word; the whitespace scan never sees it.
        const n = text.charCodeAt(e + 1);
        if (n === Ch.LF || n === Ch.CR) this.lineStartsIn(e + 1, e + 2);
        else if (n === Ch.Dollar) this.tokDollar = true;
        this.tokEscaped = true;
        e += 2;
      } else {
        // `$`: the `{`s right after it belong to the variable (`${name}`; nginx skips every one of them), they
        // open no block.
        this.tokDollar = true;
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
  private readOpaqueLua(d: number): void {
    const text = this.text;
    const len = text.length;
    const body = this.tree.blockStart(d) + 1;
    let p = body;
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
          // The body is not kept: Block.opaque is sliced from the text between the braces when the block is read.
          this.tree.markOpaque(d);
          this.tree.markClosed(d);
          this.tree.setBlockEnd(d, p);
          this.lineStartsIn(body, p);
          this.pos = p;
          this.tokEnd = p;
          return;
        }
      } else if (c === Ch.DQuote || c === Ch.SQuote) {
        p++;
        while (p < len) {
          const e = text.charCodeAt(p);
          if (e === Ch.Backslash) p += 2;
          else if (e === c) {
            p++;
            break;
          } else if (e === Ch.LF)
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
    this.tree.markOpaque(d);
    this.tree.setBlockEnd(d, len);
    this.lineStartsIn(body, len);
    this.pos = len;
    this.tokEnd = len;
    this.errorAtName('unclosed-block', `'${this.tree.name(d)}' block is not closed: missing '}'`, d);
  }
}

const W_PLAIN = 0;
const W_END = 1;
const W_ESCAPE = 2;
const W_DOLLAR = 3;
/** Character classes inside a bare word, as ngx_conf_read_token sees them; for every UTF-16 unit, so a lookup needs no range test. */
const WORD_CLASS = (() => {
  const t = new Uint8Array(65536);
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

/**
 * A tolerant, position-keeping nginx config parser for editors.
 *
 * Invariants:
 * - `parse` never throws; it returns the tree and the syntax errors.
 * - It follows nginx's own tokenizer (ngx_conf_read_token): `;`, `{` and
 *   whitespace end a bare word, `}` inside a word is literal, `${` does not
 *   open a block, quotes only open a string at the start of a word, and a
 *   backslash escapes the next character.
 * - It is iterative (no recursion), so nesting depth cannot overflow the stack;
 *   blocks deeper than MAX_DEPTH are flattened into their ancestor and reported.
 * - At most MAX_ERRORS syntax errors are kept; the tree is still built to the end.
 * - Recovery: a missing `;` before `}` or before a known directive on a new
 *   line, a missing `}` at end of file, an extra `}`, and an unterminated
 *   string (ended at its line's end) are reported and parsing continues.
 * - Braces alone cannot say *which* block lacks its `}` (nginx itself only
 *   says "unexpected end of file" at the last line) nor where an extra `}`
 *   is. When the braces do not balance, a second pass lets indentation decide:
 *   a line indented no deeper than an open block's directive closes that block,
 *   and a `}` indented like the block's body is the extra one. The second pass
 *   wins when it explains the file with no more errors than the first, so
 *   later directives keep their real parent (what the rules need) and the
 *   error lands on the block the user left open. Balanced files take one pass.
 */
import { Comment, SourceFile, argumentValue, type SyntaxErrorCode } from './ast';
import { CompactTree } from './tree';
import { DATA_BLOCKS, isKnownDirectiveName } from '../knowledge/names';

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
  const first = new Parser(text, uri, false).run();
  if (!first.errors.some((e) => e.code === 'unclosed-block' || e.code === 'unexpected-brace')) return first;
  const second = new Parser(text, uri, true).run();
  return second.errors.length <= first.errors.length ? second : first;
}

/** No directive: statement indices are >= 0. */
const NONE = -1;

class Parser {
  private readonly file: SourceFile;
  private readonly tree: CompactTree<Comment>;
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
  /** Name index in `tree.names` by hash (see `intern`). */
  private readonly nameIds = new Map<number, number>();
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
    this.tree = new CompactTree<Comment>(text, this.file.comments);
  }

  run(): SourceFile {
    const file = this.file;
    const tree = this.tree;
    /** The directive being read (name seen, not yet ended by `;`, `{` or recovery), or NONE. */
    let cur = NONE;

    for (;;) {
      this.next();
      const tok = this.tok;
      if (tok === Tok.EOF) break;

      if (tok === Tok.Comment) {
        const c = new Comment(file, this.tokStart, this.tokEnd);
        const ci = file.comments.push(c) - 1;
        if (cur !== NONE) {
          // A comment between arguments: nginx allows it; keep the directive going.
          continue;
        }
        const prev = this.lastAdded[this.lastAdded.length - 1]!;
        if (prev !== NONE && !tree.isComment(prev) && !this.tokNewline && tree.end(prev) <= c.start) {
          c.trailing = true;
          if (tree.trailingComment(prev) < 0) tree.setTrailingComment(prev, ci);
        }
        this.added(tree.addComment(c.start, c.end, ci));
        continue;
      }

      if (tok === Tok.Word || tok === Tok.DString || tok === Tok.SString) {
        if (this.indentMode && this.tokNewline) {
          const col = this.lineIndent(this.tokStart);
          if (col >= 0) {
            if (this.outdentedBelow(col)) {
              if (cur !== NONE) {
                this.missingSemicolon(cur);
                this.finish(cur, this.lastEnd(cur));
                cur = NONE;
              }
              while (this.outdentedBelow(col)) this.closeImplicitly();
            }
            if (cur === NONE) {
              const top = this.frames.length - 1;
              if (top >= 0 && this.frames[top] !== NONE && this.frameBodyIndent[top]! < 0) this.frameBodyIndent[top] = col;
            }
          }
        }
        if (cur !== NONE) {
          if (this.tokNewline && tok === Tok.Word && this.looksLikeNewDirective()) {
            this.missingSemicolon(cur);
            this.finish(cur, this.lastEnd(cur));
            cur = NONE;
          } else {
            tree.addToken(this.tokStart, this.tokEnd, this.tokTerminated);
            this.argc++;
            tree.setEnd(cur, this.tokEnd);
            continue;
          }
        }
        cur = this.makeDirective();
        continue;
      }

      if (tok === Tok.Semi) {
        if (cur !== NONE) {
          this.finish(cur, this.tokEnd);
          cur = NONE;
        } else {
          this.error('unexpected-semicolon', "Unexpected ';'", this.tokStart, this.tokEnd);
        }
        continue;
      }

      if (tok === Tok.Open) {
        if (cur === NONE) {
          this.error('unexpected-brace', "Unexpected '{': a block needs a directive name before it", this.tokStart, this.tokEnd);
          this.pushFrame(NONE, -1);
          continue;
        }
        tree.setBlock(cur, this.tokStart, this.tokEnd);
        this.finish(cur, this.tokEnd);
        if (isLuaBlockName(tree.name(cur))) {
          this.readOpaqueLua(cur);
          tree.setEnd(cur, tree.blockEnd(cur));
          cur = NONE;
          continue;
        }
        if (this.depth >= MAX_DEPTH) {
          if (!this.tooDeepReported) {
            this.tooDeepReported = true;
            this.errorAtName('too-deep', `Blocks are nested deeper than ${MAX_DEPTH} levels; deeper blocks are not analysed`, cur);
          }
          this.pushFrame(NONE, -1);
        } else {
          this.pushFrame(cur, this.indentMode ? this.lineIndent(tree.start(cur)) : -1);
          this.blocks.push(cur);
          this.lastAdded.push(NONE);
          this.depth++;
        }
        cur = NONE;
        continue;
      }

      // Tok.Close
      if (this.indentMode && this.tokNewline) {
        const col = this.lineIndent(this.tokStart);
        const top = this.frames.length - 1;
        const indent = top >= 0 && this.frames[top] !== NONE ? this.frameIndent[top]! : -1;
        const bodyIndent = top >= 0 ? this.frameBodyIndent[top]! : -1;
        if (indent >= 0 && bodyIndent > indent && col >= bodyIndent) {
          // Indented like the block's body, not like its directive: this `}` closes nothing.
          if (cur !== NONE) {
            this.missingSemicolon(cur);
            this.finish(cur, tree.end(cur));
            cur = NONE;
          }
          this.error('unexpected-brace', "Unexpected '}': no block is open here (judging by indentation)", this.tokStart, this.tokEnd);
          continue;
        }
        if (col >= 0 && this.outdentedBelow(col + 1)) {
          if (cur !== NONE) {
            this.missingSemicolon(cur);
            this.finish(cur, tree.end(cur));
            cur = NONE;
          }
          while (this.outdentedBelow(col + 1)) this.closeImplicitly();
        }
      }
      if (cur !== NONE) {
        this.missingSemicolon(cur);
        this.finish(cur, tree.end(cur));
        cur = NONE;
      }
      if (!this.frames.length) {
        this.error('unexpected-brace', "Unexpected '}': no block is open here", this.tokStart, this.tokEnd);
        continue;
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

    if (cur !== NONE) {
      this.missingSemicolon(cur);
      this.finish(cur, tree.end(cur));
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
    file.attachTree(tree);
    return file;
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
   * Heuristic for a forgotten `;` after the directive being read: a known
   * directive name (the current bare word) starting a new line, unless the
   * directive sits in a data block (`map`), whose keys may be any word.
   */
  private looksLikeNewDirective(): boolean {
    if (this.text.charCodeAt(this.tokStart) === Ch.Dollar) return false;
    const id = this.intern(this.tokStart, this.tokEnd);
    const name = id >= 0 ? this.tree.names[id]! : argumentValue(this.text, this.tokStart, this.tokEnd, this.tokTerminated);
    if (!isKnownDirectiveName(name)) return false;
    // The directive being read belongs to the innermost open block (no block ends while one is being read).
    const owner = this.blocks.length ? this.blocks[this.blocks.length - 1]! : NONE;
    if (owner !== NONE && DATA_BLOCKS.has(this.tree.name(owner))) return false;
    return true;
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
    this.tree.setEnd(d, end);
    this.tree.setArgc(d, this.argc);
    this.argc = 0;
    this.added(d);
  }

  private error(code: SyntaxErrorCode, message: string, start: number, end: number): void {
    // Past this many, more errors help nobody and only cost memory and diagnostics traffic; parsing goes on.
    if (this.file.errors.length < MAX_ERRORS) this.file.errors.push({ code, message, start, end });
  }

  /** An error spanning directive `d`'s name token. */
  private errorAtName(code: SyntaxErrorCode, message: string, d: number): void {
    const t = this.tree.tok(d);
    this.error(code, message, this.tree.tokStart(t), this.tree.tokEnd(t));
  }

  /**
   * The index in `tree.names` of the text of `[s, e)`, or -1 when it holds a
   * backslash (its value then differs from its text). Names repeat
   * thousands of times: one string per distinct name, found by hash and
   * compared in place (no slice per lookup), keeps the tree small and
   * parsing light on GC. A hash collision only costs a fresh entry.
   */
  private intern(s: number, e: number): number {
    const text = this.text;
    let h = e - s;
    for (let i = s; i < e; i++) {
      const c = text.charCodeAt(i);
      if (c === Ch.Backslash) return -1;
      h = (Math.imul(h, 31) + c) | 0;
    }
    const names = this.tree.names;
    const id = this.nameIds.get(h);
    if (id !== undefined) {
      const known = names[id]!;
      if (known.length === e - s && text.startsWith(known, s)) return id;
    }
    const fresh = names.push(text.slice(s, e)) - 1;
    if (id === undefined) this.nameIds.set(h, fresh);
    return fresh;
  }

  /** Starts a directive whose name is the current token; returns its statement index. */
  private makeDirective(): number {
    const s = this.tokStart;
    const e = this.tokEnd;
    const tree = this.tree;
    const tok = tree.addToken(s, e, this.tokTerminated);
    const id = this.tok === Tok.Word ? this.intern(s, e) : -1;
    if (id >= 0) return tree.addDirective(s, e, tok, id, false);
    // Quoted, escaped or unterminated: the name is the token's value, and the token is kept as written.
    return tree.addDirective(s, e, tok, tree.names.push(argumentValue(this.text, s, e, this.tokTerminated)) - 1, true);
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
      } else if (c === 0xfeff || c === 0x0c || c === 0x0b) p++;
      else break;
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
        let e = p + 1;
        while (e < len) {
          const d = text.charCodeAt(e);
          if (d === Ch.LF || d === Ch.CR) break;
          e++;
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
          } else if (!(d === Ch.Space || d === Ch.Tab || d === Ch.LF || d === Ch.CR || d === Ch.Semi || d === Ch.LBrace || d === Ch.RBrace)) {
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
        // `$`: a following `{` belongs to the variable (`${name}`), it does not open a block.
        e += text.charCodeAt(e + 1) === Ch.LBrace ? 2 : 1;
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
    let p = this.tree.blockStart(d) + 1;
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
          } else if (e === Ch.LF) break; // Lua short strings end at newline
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
    this.pos = len;
    this.tokEnd = len;
    this.errorAtName('unclosed-block', `'${this.tree.name(d)}' block is not closed: missing '}'`, d);
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

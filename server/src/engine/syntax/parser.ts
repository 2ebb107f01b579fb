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
 * - Recovery: a missing `;` before `}` or before a known directive on a new
 *   line, a missing `}` at end of file, an extra `}`, and an unterminated
 *   string (ended at its line's end) are reported and parsing continues.
 */
import { Argument, Block, Comment, Directive, SourceFile, type ArgKind, type SyntaxErrorCode } from './ast';
import { DATA_BLOCKS, isKnownDirectiveName } from '../knowledge/names';

export const MAX_DEPTH = 256;

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

interface Frame {
  /** Null for a phantom frame (a stray `{` or one nested too deep): its children go to the enclosing block. */
  block: Block | null;
}

export function parse(text: string, uri = 'untitled'): SourceFile {
  return new Parser(text, uri).run();
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

  private readonly frames: Frame[] = [];
  private depth = 0;
  private tooDeepReported = false;

  constructor(text: string, uri: string) {
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
        const list = this.currentList();
        const prev = list.length ? list[list.length - 1] : undefined;
        if (prev && prev.type === 'directive' && !this.tokNewline && prev.end <= c.start) {
          c.trailing = true;
          if (!prev.comment) prev.comment = c;
        }
        list.push(c);
        continue;
      }

      if (tok === Tok.Word || tok === Tok.DString || tok === Tok.SString) {
        const arg = this.makeArg();
        if (cur) {
          if (this.tokNewline && tok === Tok.Word && this.looksLikeNewDirective(cur, arg)) {
            this.missingSemicolon(cur);
            this.finish(cur, cur.args.length ? cur.args[cur.args.length - 1]!.end : cur.nameToken.end);
            cur = null;
          } else {
            cur.args.push(arg);
            cur.end = arg.end;
            continue;
          }
        }
        cur = new Directive(file, arg.start, arg.end, arg, this.currentBlock());
        continue;
      }

      if (tok === Tok.Semi) {
        if (cur) {
          cur.terminated = true;
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
          this.frames.push({ block: null });
          continue;
        }
        cur.terminated = true;
        const block = new Block(file, this.tokStart, this.tokEnd, cur);
        cur.block = block;
        this.finish(cur, this.tokEnd);
        if (/_by_lua_block$/.test(cur.name) || cur.name === 'lua_block') {
          this.readOpaqueLua(block);
          cur.end = block.end;
          cur = null;
          continue;
        }
        if (this.depth >= MAX_DEPTH) {
          if (!this.tooDeepReported) {
            this.tooDeepReported = true;
            this.error('too-deep', `Blocks are nested deeper than ${MAX_DEPTH} levels; deeper blocks are not analysed`, cur.nameToken.start, cur.nameToken.end);
          }
          this.frames.push({ block: null });
        } else {
          this.frames.push({ block });
          this.depth++;
        }
        cur = null;
        continue;
      }

      // Tok.Close
      if (cur) {
        this.missingSemicolon(cur);
        this.finish(cur, cur.end);
        cur = null;
      }
      const frame = this.frames.pop();
      if (!frame) {
        this.error('unexpected-brace', "Unexpected '}': no block is open here", this.tokStart, this.tokEnd);
        continue;
      }
      if (frame.block) {
        this.depth--;
        const b = frame.block;
        b.closed = true;
        b.end = this.tokEnd;
        if (b.parent) b.parent.end = this.tokEnd;
      }
    }

    if (cur) {
      this.missingSemicolon(cur);
      this.finish(cur, cur.end);
    }
    // Unclosed blocks: report each at its directive's name, extend to end of file.
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const b = this.frames[i]!.block;
      if (!b) continue;
      b.end = this.text.length;
      if (b.parent) {
        b.parent.end = this.text.length;
        const n = b.parent.nameToken;
        this.error('unclosed-block', `'${b.parent.name}' block is not closed: missing '}'`, n.start, n.end);
      }
    }
    return file;
  }

  /** Heuristic for a forgotten `;`: a known directive name starting a new line. */
  private looksLikeNewDirective(cur: Directive, arg: Argument): boolean {
    if (arg.kind !== 'bare' || !isKnownDirectiveName(arg.value)) return false;
    const owner = cur.parent;
    if (owner && DATA_BLOCKS.has(owner.name)) return false;
    return true;
  }

  private lastToken(d: Directive): Argument {
    return d.args.length ? d.args[d.args.length - 1]! : d.nameToken;
  }

  private missingSemicolon(d: Directive): void {
    const t = this.lastToken(d);
    this.error('missing-semicolon', `Missing ';' after '${d.name}' directive`, t.start, t.end);
  }

  private finish(d: Directive, end: number): void {
    d.end = end;
    this.currentList().push(d);
  }

  private currentBlock(): Block | null {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const b = this.frames[i]!.block;
      if (b) return b;
    }
    return null;
  }

  private currentList() {
    const b = this.currentBlock();
    return b ? b.children : this.file.children;
  }

  private error(code: SyntaxErrorCode, message: string, start: number, end: number): void {
    this.file.errors.push({ code, message, start, end });
  }

  private makeArg(): Argument {
    const { text, tokStart: s, tokEnd: e } = this;
    let kind: ArgKind;
    let value: string;
    if (this.tok === Tok.DString || this.tok === Tok.SString) {
      kind = this.tok === Tok.DString ? 'double' : 'single';
      const inner = text.slice(s + 1, this.tokTerminated ? e - 1 : e);
      value = inner.indexOf('\\') >= 0 ? unescape(inner) : inner;
    } else {
      const raw = text.slice(s, e);
      value = raw.indexOf('\\') >= 0 ? unescape(raw) : raw;
      kind = text.charCodeAt(s) === Ch.Dollar ? 'variable' : 'bare';
    }
    return new Argument(this.file, s, e, kind, value, this.tokTerminated);
  }

  /** Advances to the next token. */
  private next(): void {
    const text = this.text;
    const len = text.length;
    let p = this.pos;
    let newline = false;
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
    // Bare word.
    let e = p;
    let variable = false;
    while (e < len) {
      const d = text.charCodeAt(e);
      if (d === Ch.LBrace && variable) {
        e++;
        variable = false;
        continue;
      }
      variable = false;
      if (d === Ch.Backslash) {
        e += 2;
        continue;
      }
      if (d === Ch.Dollar) {
        variable = true;
        e++;
        continue;
      }
      if (d === Ch.Space || d === Ch.Tab || d === Ch.LF || d === Ch.CR || d === Ch.Semi || d === Ch.LBrace) break;
      e++;
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
          } else if (d === Ch.LF) break; // Lua short strings end at newline
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

/** nginx's escape handling: \" \' \\ become the char, \t \r \n become control chars, others stay. */
function unescape(s: string): string {
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
      if (n === 't') {
        out += '\t';
        i++;
        continue;
      }
      if (n === 'r') {
        out += '\r';
        i++;
        continue;
      }
      if (n === 'n') {
        out += '\n';
        i++;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

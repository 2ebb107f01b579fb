/**
 * TEST-ONLY ORACLE: nginx's own config reader, ported statement for
 * statement from `ngx_conf_read_token` and the block structure of
 * `ngx_conf_parse` (src/core/ngx_conf_file.c, nginx 1.22-1.29: the function
 * has not changed in those versions), so tests can ask "what does nginx
 * read here?" without a binary. The port keeps nginx's variable names and
 * the order of its tests; every special character is ASCII, so running it
 * over UTF-16 code units reads exactly what nginx reads over UTF-8 bytes
 * (a non-ASCII character is a word character either way).
 *
 * What it does not do: run directive handlers (so no "unknown directive",
 * no argument counts) and no `*_by_lua_block` bodies (ngx_lua replaces the
 * reader for those). Never import it from server/src.
 */

export type Lexeme =
  { kind: 'word'; raw: string; value: string; start: number; end: number } | { kind: ';' | '{' | '}'; start: number; end: number };

export interface NginxRead {
  /** Every word and structure character nginx read, in order, up to the first error. */
  lexemes: Lexeme[];
  /** nginx's message for the first error (as `nginx -t` prints it, without the file), or null. */
  error: { message: string; line: number; offset: number } | null;
}

const LF = 10;
const CR = 13;

const OK = 0;
const BLOCK_START = 1;
const BLOCK_DONE = 2;
const FILE_DONE = 3;
const ERROR = 4;

function isSpace(ch: number): boolean {
  return ch === 32 || ch === 9 || ch === CR || ch === LF;
}

/** nginx's unescaping of a word (the copy loop at the end of ngx_conf_read_token). */
export function nginxUnescape(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    if (src[i] === '\\') {
      const n = src[i + 1];
      if (n === '"' || n === "'" || n === '\\') {
        i++;
      } else if (n === 't' || n === 'r' || n === 'n') {
        out += n === 't' ? '\t' : n === 'r' ? '\r' : '\n';
        i += 2;
        continue;
      }
    }
    out += src[i]!;
    i++;
  }
  return out;
}

class Reader {
  pos = 0;
  line = 1;
  readonly lexemes: Lexeme[] = [];
  error: NginxRead['error'] = null;
  private args = 0;

  constructor(private readonly text: string) {}

  private fail(message: string): number {
    this.error = { message, line: this.line, offset: this.pos };
    return ERROR;
  }

  private push(kind: ';' | '{' | '}', at: number): void {
    this.lexemes.push({ kind, start: at, end: at + 1 });
  }

  /** ngx_conf_read_token. */
  readToken(): number {
    const text = this.text;
    let found = 0;
    let need_space = 0;
    let last_space = 1;
    let sharp_comment = 0;
    let variable = 0;
    let quoted = 0;
    let s_quoted = 0;
    let d_quoted = 0;
    let start = this.pos;
    this.args = 0;

    for (;;) {
      if (this.pos >= text.length) {
        if (this.args > 0 || !last_space) return this.fail('unexpected end of file, expecting ";" or "}"');
        return FILE_DONE;
      }
      const ch = text.charCodeAt(this.pos++);

      if (ch === LF) {
        this.line++;
        if (sharp_comment) sharp_comment = 0;
      }
      if (sharp_comment) continue;
      if (quoted) {
        quoted = 0;
        continue;
      }
      if (need_space) {
        if (isSpace(ch)) {
          last_space = 1;
          need_space = 0;
          continue;
        }
        if (ch === 59 /* ; */) {
          this.push(';', this.pos - 1);
          return OK;
        }
        if (ch === 123 /* { */) {
          this.push('{', this.pos - 1);
          return BLOCK_START;
        }
        if (ch === 41 /* ) */) {
          last_space = 1;
          need_space = 0;
        } else {
          return this.fail(`unexpected "${String.fromCharCode(ch)}"`);
        }
      }

      if (last_space) {
        start = this.pos - 1;
        if (isSpace(ch)) continue;
        switch (ch) {
          case 59 /* ; */:
          case 123 /* { */:
            if (this.args === 0) return this.fail(`unexpected "${String.fromCharCode(ch)}"`);
            this.push(ch === 123 ? '{' : ';', this.pos - 1);
            return ch === 123 ? BLOCK_START : OK;
          case 125 /* } */:
            if (this.args !== 0) return this.fail('unexpected "}"');
            this.push('}', this.pos - 1);
            return BLOCK_DONE;
          case 35 /* # */:
            sharp_comment = 1;
            continue;
          case 92 /* \ */:
            quoted = 1;
            last_space = 0;
            continue;
          case 34 /* " */:
            start++;
            d_quoted = 1;
            last_space = 0;
            continue;
          case 39 /* ' */:
            start++;
            s_quoted = 1;
            last_space = 0;
            continue;
          case 36 /* $ */:
            variable = 1;
            last_space = 0;
            continue;
          default:
            last_space = 0;
        }
      } else {
        if (ch === 123 && variable) continue;
        variable = 0;
        if (ch === 92) {
          quoted = 1;
          continue;
        }
        if (ch === 36) {
          variable = 1;
          continue;
        }
        if (d_quoted) {
          if (ch === 34) {
            d_quoted = 0;
            need_space = 1;
            found = 1;
          }
        } else if (s_quoted) {
          if (ch === 39) {
            s_quoted = 0;
            need_space = 1;
            found = 1;
          }
        } else if (isSpace(ch) || ch === 59 || ch === 123) {
          last_space = 1;
          found = 1;
        }

        if (found) {
          const end = this.pos - 1;
          const quotedWord = need_space === 1;
          const raw = quotedWord ? text.slice(start - 1, end + 1) : text.slice(start, end);
          this.lexemes.push({
            kind: 'word',
            raw,
            value: nginxUnescape(text.slice(start, end)),
            start: quotedWord ? start - 1 : start,
            end: quotedWord ? end + 1 : end,
          });
          this.args++;
          if (ch === 59) {
            this.push(';', end);
            return OK;
          }
          if (ch === 123) {
            this.push('{', end);
            return BLOCK_START;
          }
          found = 0;
        }
      }
    }
  }
}

/**
 * What nginx reads from a config text: its words and `;` `{` `}` in order,
 * with the block structure checked as ngx_conf_parse checks it (a `}` with
 * no open block, end of file inside a block), stopping at the first error
 * with nginx's own message and line (nginx counts lines at LF only).
 */
export function nginxRead(text: string): NginxRead {
  const r = new Reader(text);
  let depth = 0;
  for (;;) {
    const rc = r.readToken();
    if (rc === ERROR) break;
    if (rc === BLOCK_DONE) {
      if (depth === 0) {
        r.error = { message: 'unexpected "}"', line: r.line, offset: r.pos };
        break;
      }
      depth--;
      continue;
    }
    if (rc === FILE_DONE) {
      if (depth > 0) r.error = { message: 'unexpected end of file, expecting "}"', line: r.line, offset: r.pos };
      break;
    }
    if (rc === BLOCK_START) depth++;
  }
  return { lexemes: r.lexemes, error: r.error };
}

/** A lexeme as a short string (`w:raw`, `;`, `{`, `}`), for comparing streams in assertions. */
export function lexemeText(l: Lexeme): string {
  return l.kind === 'word' ? `w:${l.raw}` : l.kind;
}

/**
 * nginx's tokenizer over a fragment, without the statement rules (a `;` with
 * no words before it is just a `;` here): what a piece of inserted text adds
 * to the stream when it starts at a token boundary. Returns the lexemes and
 * whether the fragment ends inside a comment, a word, a string or an escape
 * (then what follows it would be read as part of that; `openAt` is where
 * that word starts).
 */
export function nginxTokens(text: string): { lexemes: Lexeme[]; open: 'comment' | 'word' | 'string' | null; openAt?: number } {
  const out: Lexeme[] = [];
  let p = 0;
  const n = text.length;
  while (p < n) {
    const ch = text.charCodeAt(p);
    if (isSpace(ch)) {
      p++;
      continue;
    }
    if (ch === 59 || ch === 123 || ch === 125) {
      out.push({ kind: ch === 59 ? ';' : ch === 123 ? '{' : '}', start: p, end: p + 1 });
      p++;
      continue;
    }
    if (ch === 35) {
      const lf = text.indexOf('\n', p);
      if (lf < 0) return { lexemes: out, open: 'comment' };
      p = lf + 1;
      continue;
    }
    if (ch === 34 || ch === 39) {
      let q = p + 1;
      for (;;) {
        if (q >= n) return { lexemes: out, open: 'string' };
        const c = text.charCodeAt(q);
        if (c === 92) {
          q += 2;
          continue;
        }
        q++;
        if (c === ch) break;
      }
      if (q > n) return { lexemes: out, open: 'string' };
      out.push({ kind: 'word', raw: text.slice(p, q), value: nginxUnescape(text.slice(p + 1, q - 1)), start: p, end: q });
      p = q;
      continue;
    }
    // A bare word (or one starting with `)` after a quoted string).
    let q = p;
    let variable = false;
    for (;;) {
      if (q >= n) return { lexemes: out, open: 'word', openAt: p };
      const c = text.charCodeAt(q);
      if (q > p && c === 123 && variable) {
        q++;
        continue;
      }
      if (q > p && (isSpace(c) || c === 59 || c === 123)) break;
      variable = c === 36;
      if (c === 92) {
        if (q + 1 >= n) return { lexemes: out, open: 'word', openAt: p };
        variable = false;
        q += 2;
        continue;
      }
      q++;
    }
    out.push({ kind: 'word', raw: text.slice(p, q), value: nginxUnescape(text.slice(p, q)), start: p, end: q });
    p = q;
  }
  return { lexemes: out, open: null };
}

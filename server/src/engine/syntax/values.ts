/**
 * Token values as nginx sees them (quotes removed, escapes resolved), shared
 * by the compact tree (directive names) and the Argument view.
 */

/** The value of the token `[start, end)` of `text` as nginx sees it: quotes removed, escapes resolved. */
export function argumentValue(text: string, start: number, end: number, terminated: boolean): string {
  const c = text.charCodeAt(start);
  const quoted = c === 34 /* " */ || c === 39; /* ' */
  const raw = text.slice(quoted ? start + 1 : start, quoted && terminated ? end - 1 : end);
  return raw.indexOf('\\') >= 0 ? unescapeNginx(raw) : detach(raw);
}

/**
 * Token values stored once each: a big config repeats the same few hundred
 * values (`Host`, `$host`, `1.1`, `upgrade`) tens of thousands of times, and
 * each Argument keeps its value once read. A value is looked up by its
 * slice of the text (a short-lived copy, or a view for 13+ characters,
 * hashed natively) and kept detached from the text. At most `limit`
 * distinct values are kept (a file of unique values, or an editor session
 * of edits, does not grow it without end); past that a value is simply
 * made anew.
 */
export class ValueTable {
  private readonly values = new Map<string, string>();
  constructor(private readonly limit = 1 << 16) {}

  /** `argumentValue(text, start, end, terminated)`, the same string for the same characters. */
  value(text: string, start: number, end: number, terminated: boolean): string {
    const c = text.charCodeAt(start);
    const quoted = c === 34 /* " */ || c === 39; /* ' */
    // A slice to look up with (V8 hashes it natively; 13+ characters are a view, not a copy), kept only detached.
    const raw = text.slice(quoted ? start + 1 : start, quoted && terminated ? end - 1 : end);
    if (raw.indexOf('\\') >= 0) return unescapeNginx(raw);
    const known = this.values.get(raw);
    if (known !== undefined) return known;
    const v = detach(raw);
    if (this.values.size < this.limit) this.values.set(v, v);
    return v;
  }
}

/**
 * `s` in memory of its own. V8 makes a slice of 13 or more characters a view
 * into the string it was cut from, so a value cut from a 1.5 MB config keeps
 * that whole text alive; in an editor, where every edit makes a new text and
 * the tree is updated in place, each text a cached value was cut from would
 * stay alive. Flattening `s + ' '` copies the characters out.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

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

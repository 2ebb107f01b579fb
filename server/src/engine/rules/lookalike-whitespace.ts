import type { Comment, Directive, SourceFile } from '../syntax/ast';
import { DATA_BLOCKS } from '../knowledge/names';
import { eol, fix } from '../fixes/edits';
import type { TextEdit } from '../types';
import type { Rule, RuleContext } from './rule';

/**
 * Characters an editor shows as (or hides like) whitespace that nginx reads
 * as part of a word: nginx's whitespace is space, tab, CR and LF only
 * (ngx_conf_read_token). With their names and what a fix puts instead.
 */
const LOOKALIKES: Record<number, [name: string, replacement: string]> = {
  0x0b: ['vertical tab', ' '],
  0x0c: ['form feed', ' '],
  0x85: ['next-line character', ' '],
  0xa0: ['no-break space', ' '],
  0x1680: ['Ogham space mark', ' '],
  0x2000: ['en quad', ' '],
  0x2001: ['em quad', ' '],
  0x2002: ['en space', ' '],
  0x2003: ['em space', ' '],
  0x2004: ['three-per-em space', ' '],
  0x2005: ['four-per-em space', ' '],
  0x2006: ['six-per-em space', ' '],
  0x2007: ['figure space', ' '],
  0x2008: ['punctuation space', ' '],
  0x2009: ['thin space', ' '],
  0x200a: ['hair space', ' '],
  0x200b: ['zero-width space', ''],
  0x2028: ['line separator', ' '],
  0x2029: ['paragraph separator', ' '],
  0x202f: ['narrow no-break space', ' '],
  0x205f: ['medium mathematical space', ' '],
  0x2060: ['word joiner', ''],
  0x3000: ['ideographic space', ' '],
  0xfeff: ['byte-order mark', ''],
};
const CLASS = '[\\u000b\\u000c\\u0085\\u00a0\\u1680\\u2000-\\u200b\\u2028\\u2029\\u202f\\u205f\\u2060\\u3000\\ufeff]+';
/** Scans the text (its own regex object: `lastIndex` is the scan's state). */
const RUN = new RegExp(CLASS, 'g');

const hex = (c: number) => 'U+' + c.toString(16).toUpperCase().padStart(4, '0');
/** A word as nginx reads it, its lookalikes made visible: `<U+00A0>default`. */
const visible = (s: string) => s.replace(new RegExp(CLASS, 'g'), (m) => [...m].map((c) => `<${hex(c.charCodeAt(0))}>`).join(''));
const MAX_SHOWN = 60;
const clip = (s: string) => (s.length > MAX_SHOWN ? s.slice(0, MAX_SHOWN) + '…' : s);

export const lookalikeWhitespace: Rule = {
  id: 'lookalike-whitespace',
  defaultSeverity: 'warning',
  title: 'A space or line break that nginx reads differently than the editor shows',
  why:
    "nginx's whitespace is space, tab, CR and LF, nothing else: a no-break space (U+00A0, as pasted from a web page), an ideographic " +
    'space (U+3000), a zero-width space or a byte-order mark is part of the word it stands in, so `proxy_buffering off;` written with a ' +
    'no-break space is one word, an unknown directive, to nginx, and a map row indented with no-break spaces has a key that starts with ' +
    'them. And nginx ' +
    'ends a comment at a line feed only: after a comment, a line that ends with a lone CR (an old Mac line ending) does not end the ' +
    'comment, so the lines after it, down to the next LF, are part of the comment and nginx never reads them (measured with nginx 1.22: ' +
    '`nginx -t` accepts `# note` CR `no_such_directive;`). Inside quoted strings and comments such characters are left alone.',
  href: 'https://nginx.org/en/docs/beginners_guide.html#conf_structure',
  versions: 'all',
  check(ctx) {
    for (const { file, start, end } of spans(ctx)) {
      lookalikes(ctx, file, start, end);
      crComments(ctx, file, start, end);
    }
  },
};

/** The text to check: every file of the config, or the edited server of an incremental run. */
function spans(ctx: RuleContext): { file: SourceFile; start: number; end: number }[] {
  const d = ctx.focus?.scope.directive;
  if (d) return [{ file: d.file, start: d.start, end: d.end }];
  return [...ctx.model.files.values()].map((file) => ({ file, start: 0, end: file.text.length }));
}

function lookalikes(ctx: RuleContext, file: SourceFile, from: number, to: number): void {
  // A slice of a long string is a view, not a copy; the scan stops at the span's end.
  const text = from === 0 && to === file.text.length ? file.text : file.text.slice(from, to);
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m; m = RUN.exec(text)) {
    const start = from + m.index;
    const end = start + m[0].length;
    if (inComment(file, start)) continue;
    const where = wordAt(file, start);
    // Inside a quoted string the character is part of the value, as written; inside a Lua body Lua reads it.
    if (where === 'skip') continue;
    // A pasted page can hold thousands: past the rule's cap per file (one summary finding counts the rest), no message or fix is built.
    if (ctx.atCap(file)) {
      ctx.report({ at: { file, start, end }, message: '' });
      continue;
    }
    const run = m[0];
    const counts = new Map<number, number>();
    let replacement = '';
    for (let i = 0; i < run.length; i++) {
      const c = run.charCodeAt(i);
      counts.set(c, (counts.get(c) ?? 0) + 1);
      replacement += LOOKALIKES[c]![1];
    }
    const names = [...counts].map(([c, n]) => `${n > 1 ? `${n} ${LOOKALIKES[c]![0]}s` : LOOKALIKES[c]![0]} (${hex(c)})`).join(', ');
    const what = where
      ? `nginx reads ${where.role} as "${shown(file.text, where.start, where.end, start)}"`
      : 'nginx reads it as part of a word';
    const plural = run.length > 1;
    const edit: TextEdit = { range: file.rangeOf(start, end), newText: replacement };
    const title = replacement
      ? replacement.length > 1
        ? 'Replace with plain spaces'
        : 'Replace with a plain space'
      : `Remove the invisible character${plural ? 's' : ''}`;
    ctx.report({
      at: { file, start, end },
      message: `${what}: ${names} ${plural ? 'are' : 'is'} not whitespace to nginx`,
      fixes: [{ ...fix(title, [{ path: file.uri, edits: [edit] }]), rereads: true }],
    });
  }
}

/** The word [ws, we) as nginx reads it, its lookalikes made visible; a long word is cut to a window around the run at `rs`. */
function shown(text: string, ws: number, we: number, rs: number): string {
  if (we - ws <= MAX_SHOWN) return visible(text.slice(ws, we));
  const a = Math.max(ws, rs - 20);
  const b = Math.min(we, a + MAX_SHOWN);
  return (a > ws ? '…' : '') + visible(text.slice(a, b)) + (b < we ? '…' : '');
}

/** The comment holding `offset`, by binary search over the file's comments (document order). */
function inComment(file: SourceFile, offset: number): boolean {
  const cs = file.comments;
  let lo = 0;
  let hi = cs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = cs[mid]!;
    if (offset < c.start) hi = mid - 1;
    else if (offset >= c.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The word (directive name or argument) that holds `offset`, with its role; 'skip' inside a quoted string or Lua. */
function wordAt(file: SourceFile, offset: number): { role: string; start: number; end: number } | 'skip' | null {
  const d: Directive | null = file.directiveAt(offset);
  if (!d) return null;
  if (d.block?.opaque !== undefined && offset > d.block.start) return 'skip';
  const name = d.nameToken;
  if (offset >= name.start && offset < name.end) {
    if (name.quoted) return 'skip';
    const data = d.parent && DATA_BLOCKS.has(d.parent.name);
    return { role: data ? `the ${d.parent.name} entry's first word` : 'the directive name', start: name.start, end: name.end };
  }
  for (let i = 0; i < d.argCount; i++) {
    const a = d.args[i]!;
    if (offset >= a.start && offset < a.end)
      return a.quoted ? 'skip' : { role: `argument ${i + 1} of "${visible(clip(d.name))}"`, start: a.start, end: a.end };
  }
  return null;
}

/**
 * A comment with a lone CR in it: the editor ends the line there, nginx
 * does not. Reported when the lines it swallows hold more than comments.
 */
function crComments(ctx: RuleContext, file: SourceFile, from: number, to: number): void {
  const text = file.text;
  // Cheap test first: most files have no CR at all.
  const cr0 = text.indexOf('\r', from);
  if (cr0 < 0 || cr0 >= to) return;
  for (const c of file.comments) {
    if (c.start < from || c.start >= to) continue;
    const cr = text.indexOf('\r', c.start);
    if (cr < 0 || cr >= c.end) continue;
    const swallowed = swallowedLines(c);
    const code = swallowed.filter((l) => l !== '' && !l.startsWith('#'));
    if (!code.length) continue;
    const nl = eol(file);
    const edits: TextEdit[] = [];
    for (let i = text.indexOf('\r', c.start); i >= 0 && i < c.end; i = text.indexOf('\r', i + 1)) {
      edits.push({ range: file.rangeOf(i, i + 1), newText: nl });
    }
    const n = swallowed.length;
    ctx.report({
      at: { file, start: c.start, end: cr },
      message:
        `this line ends with a lone CR, which does not end a comment for nginx (only LF does): nginx reads the next ${n === 1 ? 'line' : `${n} lines`} ` +
        `as part of this comment, so it never reads "${visible(clip(code[0]!))}"`,
      fixes: [
        {
          ...fix(`End ${edits.length === 1 ? 'the line' : 'these lines'} with a line feed, as the editor shows`, [
            { path: file.uri, edits },
          ]),
          rereads: true,
        },
      ],
    });
  }
}

/** The lines after the first lone CR of a comment, as the editor shows them, trimmed. */
function swallowedLines(c: Comment): string[] {
  const t = c.text;
  return t
    .slice(t.indexOf('\r') + 1)
    .split('\r')
    .map((l) => l.replace(/^[ \t]+|[ \t]+$/g, ''));
}

/**
 * The formatter: expected output for each style rule, and the properties
 * that make it safe to run on any config. For any input, formatting (whole,
 * by range, on typing `}`) leaves the words nginx reads unchanged (checked
 * with the port of nginx's reader, test/support/nginx-lexer.ts), keeps
 * every comment, and formatting twice changes nothing more. The corpus
 * (../shared/corpus, read in place, and Debian's /etc/nginx) is held to the
 * same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { parse } from '../../server/src/engine/syntax/parser';
import { printPlain } from '../../server/src/engine/syntax/print';
import { formatDocument, formatOnType, formatRange, formatText } from '../../server/src/engine/features/format';
import { applyEdits } from '../../server/src/engine/fixes/edits';
import { lexemeText, nginxRead, type Lexeme } from '../support/nginx-lexer';
import { treeLexemes } from '../support/tree-lexemes';
import { TRAPS } from '../support/nginx-traps';
import { CORPUS, CORPUS_ABSENT, filesUnder } from '../support/corpus';

const FIX = resolve(__dirname, '../fixtures/features');
const RUNS = Number(process.env.PROPERTY_RUNS) || 400;
const fmt = (t: string, indent?: string) => formatText(parse(t, 'x'), indent === undefined ? {} : { indent });

test('format: fixture in, expected text out', () => {
  const input = readFileSync(join(FIX, 'format-input.conf'), 'utf8');
  assert.equal(fmt(input), readFileSync(join(FIX, 'format-expected.conf'), 'utf8'));
});

const CASES: [string, string, string][] = [
  ['one directive per line, single spaces', 'a  1;b 2 ;\n', 'a 1;\nb 2;\n'],
  ['brace on the directive line', 'http\n{\n}\n', 'http {\n}\n'],
  ['empty one-line block stays compact', 'events {}\n', 'events {}\n'],
  ['quoted strings untouched', "add_header  X   'a  b;{}'  always;\n", "add_header X 'a  b;{}' always;\n"],
  ['multi-line quoted string kept', 'log_format x "a\n   b";\n', 'log_format x "a\n   b";\n'],
  ['blank runs collapse to one, none after {', 'http {\n\n  a 1;\n\n\n  b 2;\n\n}\n', 'http {\n    a 1;\n\n    b 2;\n}\n'],
  ['tab indentation', 'http { server { a 1; } }', 'http {\n\tserver {\n\t\ta 1;\n\t}\n}\n'],
  ['CRLF is kept', 'http {\r\na 1;\r\n}\r\n', 'http {\r\n    a 1;\r\n}\r\n'],
  ['map one-liner is split but entries kept', "map $a $b { default 0; '~x  y' 1; }\n", "map $a $b {\n    default 0; '~x  y' 1;\n}\n"],
  ['if condition spacing inside args kept per token', 'if ($a  =  "x") { return  403; }\n', 'if ($a = "x") {\n    return 403;\n}\n'],
  ['variables with braces', 'return 200 "${host}x";\n', 'return 200 "${host}x";\n'],
  ['trailing whitespace and comment ends trimmed', 'a 1;   \n# note   \nb 2; # c \t\n', 'a 1;\n# note\nb 2; # c\n'],
  // What nginx reads differently: these must survive formatting as nginx reads them.
  [
    'a map row indented with no-break spaces keeps them (nginx: part of the key)',
    'map $a $b {\n\u00a0\u00a0default 1;\n  default 2;\n}\n',
    'map $a $b {\n    \u00a0\u00a0default 1;\n    default 2;\n}\n',
  ],
  ['an ideographic space in a name is kept', 'http {\n\u3000listen 80;\n}\n', 'http {\n    \u3000listen 80;\n}\n'],
  [
    'a lone CR inside a comment stays inside it',
    'http {\n  # note\r  listen 80;\n  root x;\n}\n',
    'http {\n    # note\r  listen 80;\n    root x;\n}\n',
  ],
  ['a CR-only file gets LF line breaks, its comments keep their CRs', 'a 1;\rb 2;\r# c\rd 4;\r', 'a 1;\nb 2;\n# c\rd 4;\n'],
  ['a byte-order mark stays glued to the first word', '\ufeffuser  x;\n', '\ufeffuser x;\n'],
  ['every { after $ stays in the word', 'set $a  x${{;\n', 'set $a x${{;\n'],
  ['a form feed stays in its word', 'a  b\fc;\n', 'a b\fc;\n'],
  [
    'a directive over two lines keeps its second line as arguments',
    'access_log x.log main\ngzip flush=5m;\n',
    'access_log x.log main\n    gzip flush=5m;\n',
  ],
];

for (const [name, input, want] of CASES) {
  test(`format: ${name}`, () => {
    assert.equal(fmt(input, name === 'tab indentation' ? '\t' : undefined), want);
    assertSameReading(input, want, name);
  });
}

test('format: refuses files with syntax errors; edits are the gaps that change, nothing when formatted', () => {
  assert.equal(fmt('http {\n  a 1\n}\n'), null);
  assert.deepEqual(formatDocument(parse('http {\n  server {\n', 'x')), []);
  assert.deepEqual(formatDocument(parse('a 1;\n', 'x')), []);
  const edits = formatDocument(parse('a  1;', 'x'));
  assert.deepEqual(edits, [
    { range: { start: { line: 0, character: 1 }, end: { line: 0, character: 3 } }, newText: ' ' },
    { range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 } }, newText: '\n' },
  ]);
});

test('format: a huge number of changes becomes one edit from the first change to the last', () => {
  const text = 'a  1;\n'.repeat(3000);
  const edits = formatDocument(parse(text, 'x'));
  assert.equal(edits.length, 1);
  assert.equal(applyEdits(text, edits), 'a 1;\n'.repeat(3000));
});

test('range formatting: only the statements starting in the range move; the rest is untouched', () => {
  const text = 'http {\nserver {\n  listen  80;\n      root   x;\n  index  i;\n}\n}\n';
  const f = parse(text, 'x');
  // Lines 2 and 3 (0-based): `listen` and `root`.
  const out = applyEdits(text, formatRange(f, { start: { line: 2, character: 0 }, end: { line: 4, character: 0 } }));
  assert.equal(out, 'http {\nserver {\n        listen 80;\n        root x;\n  index  i;\n}\n}\n');
  assertSameReading(text, out, 'range');
  // A range inside a syntax error formats nothing.
  const broken = parse('http {\n  listen   80\n}\n', 'x');
  assert.equal(broken.errors.length, 1);
  assert.deepEqual(formatRange(broken, { start: { line: 1, character: 0 }, end: { line: 3, character: 0 } }), []);
  // An error elsewhere does not stop a range that is clear of it.
  const elsewhere = 'http {\n  ;  listen   80;\n}\nevents {\n  x   1;\n}\n';
  const e = parse(elsewhere, 'x');
  assert.equal(e.errors.length, 1);
  assert.deepEqual(formatRange(e, { start: { line: 0, character: 0 }, end: { line: 6, character: 0 } }), []);
  const fixed = applyEdits(elsewhere, formatRange(e, { start: { line: 3, character: 0 }, end: { line: 6, character: 0 } }));
  assert.equal(fixed, 'http {\n  ;  listen   80;\n}\nevents {\n    x 1;\n}\n');
});

test('on-type formatting: typing } re-indents the block it closes, and only that block', () => {
  const text = 'http {\nserver {\n  listen 80;\n      location / {\n   root x;\n}\n}\n}\n';
  const f = parse(text, 'x');
  // The `}` closing `location` is on line 5 (0-based), typed at character 0; the position is after it.
  const edits = formatOnType(f, { line: 5, character: 1 }, '}');
  assert.equal(applyEdits(text, edits), 'http {\nserver {\n  listen 80;\n        location / {\n            root x;\n        }\n}\n}\n');
  // While the braces do not balance, which block a `}` closes is a guess: nothing moves.
  assert.deepEqual(formatOnType(parse(text.slice(0, -2), 'x'), { line: 5, character: 1 }, '}'), []);
  assert.deepEqual(formatOnType(f, { line: 5, character: 1 }, ';'), []);
  assert.deepEqual(formatOnType(f, { line: 2, character: 3 }, '}'), []);
});

// Properties.

/** Comments as nginx would skip them: their text without the whitespace at its end (the formatter trims it). */
function comments(text: string): string[] {
  return parse(text, 'x').comments.map((c) => c.text.replace(/[ \t\r]+$/, ''));
}

/** Lua bodies, which ngx_lua reads: their text without the whitespace before the closing brace. */
function luaBodies(text: string): string[] {
  return [...parse(text, 'x').walk()].filter((d) => d.block?.opaque !== undefined).map((d) => d.block!.opaque!.replace(/[ \t]+$/, ''));
}

const words = (ls: Lexeme[]) => ls.map((l) => (l.kind === 'word' ? `${l.raw}\u0000${l.value}` : l.kind));

/**
 * The words, `;`, `{` and `}` nginx reads from `a` and `b` are the same, and
 * so are the comments and Lua bodies (which ngx_lua reads, not nginx's
 * reader: for a file with a Lua block the parser's reading is compared).
 */
function assertSameReading(a: string, b: string, what: string): void {
  if (!/lua_block/.test(a)) {
    const ra = nginxRead(a);
    const rb = nginxRead(b);
    assert.deepEqual(rb.lexemes.map(lexemeText), ra.lexemes.map(lexemeText), `${what}: nginx reads other words after formatting`);
    assert.deepEqual(words(rb.lexemes), words(ra.lexemes));
    assert.equal(rb.error?.message ?? null, ra.error?.message ?? null, `${what}: nginx's verdict changed`);
  }
  const pa = parse(a, 'x');
  if (!pa.errors.length)
    assert.deepEqual(words(treeLexemes(parse(b, 'x'))), words(treeLexemes(pa)), `${what}: the parser reads other words`);
  assert.deepEqual(comments(b), comments(a), `${what}: comments changed`);
  assert.deepEqual(luaBodies(b), luaBodies(a), `${what}: Lua bodies changed`);
}

const PIECES = [
  ' ',
  '  ',
  '\t',
  '\n',
  '\n',
  '\n\n',
  '\r\n',
  '\r',
  ';',
  ';',
  '{',
  '{',
  '}',
  '}',
  '"a  b"',
  "'x;y'",
  '\\ ',
  '$',
  '${x}',
  '${{',
  '#c',
  '# d\n',
  '#e\r',
  'a',
  'bb',
  'if (',
  ')',
  '"q")',
  'map $a $b',
  'types',
  'default',
  'listen',
  'access_log',
  'gzip',
  'proxy_pass',
  'root',
  '\u00a0',
  '\u3000',
  '\ufeff',
  '\f',
  '\u00e9',
  'content_by_lua_block {',
  ' x = "}" ',
  '-- }\n',
];
const pieceText = fc.array(fc.constantFrom(...PIECES), { maxLength: 90 }).map((p) => p.join(''));
/** Well-formed trees printed with messy whitespace, so many inputs format. */
const messy = fc
  .tuple(
    fc.array(fc.constantFrom('a 1;', 'b "x y" z;', 'c {', '}', 'map $x $y {', "'' 1;", '# note', 'd $v${w};', 'e\u00a0f g;'), {
      maxLength: 30,
    }),
    fc.array(fc.constantFrom(' ', '  ', '\n', '\n\n', '\r\n', '\t', '\r'), { minLength: 30, maxLength: 30 }),
  )
  .map(([parts, seps]) => parts.map((p, i) => p + seps[i]).join(''));

test('property: formatting keeps what nginx reads, every comment and Lua body, and is idempotent', () => {
  let formatted = 0;
  fc.assert(
    fc.property(fc.oneof(pieceText, messy, fc.string({ maxLength: 120 })), (text) => {
      const once = fmt(text);
      if (once === null) return;
      formatted++;
      assertSameReading(text, once, JSON.stringify(text));
      assert.deepEqual(parse(once, 'x').errors, [], 'formatting introduced syntax errors');
      assert.equal(fmt(once), once, 'formatting twice changes more');
      assert.equal(applyEdits(text, formatDocument(parse(text, 'x'))), once, 'the edits make the formatted text');
    }),
    { numRuns: RUNS * 3 },
  );
  assert.ok(formatted > RUNS / 2, `only ${formatted} inputs were formattable`);
});

test('property: range and on-type formatting keep what nginx reads, even in files with syntax errors', () => {
  fc.assert(
    fc.property(fc.oneof(pieceText, messy), fc.nat(), fc.nat(), (text, x, y) => {
      const f = parse(text, 'x');
      const a = Math.min(x, y) % (text.length + 1);
      const b = Math.max(x, y) % (text.length + 1);
      const out = applyEdits(text, formatRange(f, f.rangeOf(Math.min(a, b), Math.max(a, b))));
      assertSameReading(text, out, JSON.stringify(text));
      for (let i = text.indexOf('}'); i >= 0; i = text.indexOf('}', i + 1)) {
        assertSameReading(text, applyEdits(text, formatOnType(f, f.lines.positionAt(i + 1), '}')), JSON.stringify(text));
      }
    }),
    { numRuns: RUNS },
  );
});

test('the traps format without changing what nginx reads', () => {
  for (const trap of TRAPS) {
    const once = fmt(trap.text);
    if (once !== null) assertSameReading(trap.text, once, trap.name);
  }
});

test('the reading check can fail: a formatter that trimmed a no-break space would be caught', () => {
  const text = 'map $a $b {\n\u00a0default 1;\n}\n';
  assert.throws(() => assertSameReading(text, text.replace('\u00a0', ' '), 'trim'));
  assert.throws(() => assertSameReading('# a\rb;\n', '# a\nb;\n', 'cr'));
});

// The corpus.

const configFiles = (dir: string) => filesUnder(dir, (n) => /\.conf$|nginx\.conf$|\.types$|params$|^default$/.test(n));

const DEBIAN_ABSENT = existsSync('/etc/nginx') ? false : "/etc/nginx is absent (Debian's nginx package is not installed)";
const corpusFiles = [...(CORPUS_ABSENT ? [] : configFiles(CORPUS)), ...(DEBIAN_ABSENT ? [] : configFiles('/etc/nginx'))];

test(
  'format: every corpus file keeps what nginx reads, its comments and Lua, stays error-free and is idempotent',
  { skip: corpusFiles.length === 0 && `${CORPUS_ABSENT}; ${DEBIAN_ABSENT}` },
  async (t) => {
    // One of the two sources missing: the other still runs, and the missing one is reported skipped with the reason.
    if (CORPUS_ABSENT) await t.test('the corpus files', { skip: CORPUS_ABSENT }, () => {});
    if (DEBIAN_ABSENT) await t.test("Debian's /etc/nginx", { skip: DEBIAN_ABSENT }, () => {});
    let formatted = 0;
    const refused: string[] = [];
    for (const p of corpusFiles) {
      const t = readFileSync(p).toString('utf8');
      const f = parse(t, p);
      const once = formatText(f);
      if (once === null) {
        refused.push(p);
        continue;
      }
      formatted++;
      assertSameReading(t, once, p);
      assert.deepEqual(parse(once, p).errors, [], `${p}: formatting introduced syntax errors`);
      assert.equal(formatText(parse(once, p)), once, `${p}: not idempotent`);
      // Range formatting of the whole file is whole formatting.
      assert.equal(applyEdits(t, formatRange(f, f.rangeOf(0, t.length))), once, `${p}: range formatting of everything differs`);
    }
    // Only the files broken on purpose are refused (they have syntax errors); a guard against a formatter that refuses everything.
    for (const p of refused) assert.ok(parse(readFileSync(p).toString('utf8'), p).errors.length > 0, p);
    assert.ok(
      formatted >= corpusFiles.length - 10,
      `only ${formatted} of ${corpusFiles.length} real-world files were formatted; refused: ${refused.join(', ')}`,
    );
  },
);

test('printed generated trees are already formatted', () => {
  const text = printPlain([{ name: 'http', args: [], block: [{ name: 'server', args: [], block: [{ name: 'listen', args: ['80'] }] }] }]);
  assert.equal(fmt(text), text);
});

/**
 * Fixes agree with nginx's reader: a fix changes what nginx reads by its
 * own words and nothing else. For every finding's every fix (and for
 * fix-all), what nginx's tokenizer (test/support/nginx-lexer.ts) reads from
 * the fixed text is what it read before, minus the words an edit replaced,
 * plus the words of the edit's own text, read on their own: an insertion
 * never lands in a comment (nginx ends a comment at LF only, so after a
 * lone CR it still runs), never glues onto a word, never leaves a comment
 * or string open that would swallow what follows. Inputs: every rule's bad
 * fixture as written, with CRLF, CR-only and mixed line ends, with comments
 * after its lines, and fast-check mutations of those.
 * lookalike-whitespace is left out: its fixes change what nginx reads on
 * purpose, to what the editor shows (its own test checks that).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RULES } from '../../server/src/engine/rules/index';
import { LineIndex } from '../../server/src/engine/syntax/ast';
import { applyEdits } from '../../server/src/engine/fixes/edits';
import type { TextEdit } from '../../server/src/engine/index';
import { editsFor, fixAll, fixture, lint } from '../support/rules';
import { nginxRead, nginxTokens, type Lexeme } from '../support/nginx-lexer';

const RUNS = Number(process.env.PROPERTY_RUNS) || 60;
const EXEMPT = new Set(['lookalike-whitespace']);

const show = (ls: Lexeme[]) => ls.map((l) => `${l.start}:${l.kind === 'word' ? l.raw : l.kind}`);
const shifted = (l: Lexeme, by: number): Lexeme => ({ ...l, start: l.start + by, end: l.end + by });

/** Throws unless applying `edits` to `text` changes nginx's reading by exactly the edits' own words. */
export function assertComposes(text: string, edits: TextEdit[], what: string): void {
  const lines = new LineIndex(text);
  const spans = edits
    .map((e) => ({ s: lines.offsetAt(e.range.start), e: lines.offsetAt(e.range.end), t: e.newText }))
    .sort((a, b) => a.s - b.s || 0);
  const before = nginxTokens(text).lexemes;
  const expected: Lexeme[] = [];
  let k = 0;
  let shift = 0;
  for (const sp of spans) {
    while (k < before.length && before[k]!.end <= sp.s && !(before[k]!.end === sp.s && sp.e > sp.s && before[k]!.start >= sp.s))
      expected.push(shifted(before[k++]!, shift));
    while (k < before.length && before[k]!.start < sp.e) {
      const l = before[k++]!;
      assert.ok(l.start >= sp.s && l.end <= sp.e, `${what}: an edit at ${sp.s}-${sp.e} cuts into ${JSON.stringify(l)}`);
    }
    const own = nginxTokens(sp.t);
    for (const l of own.lexemes) expected.push(shifted(l, sp.s + shift));
    if (own.open === 'word' && /^[ \t\r\n;{]/.test(text.slice(sp.e, sp.e + 1))) {
      // A replaced word (`1.0` -> `1.1`): the original's `;` or space after it ends it.
      const w = sp.t.slice(own.openAt);
      expected.push({ kind: 'word', raw: w, value: w, start: sp.s + shift + own.openAt!, end: sp.s + shift + sp.t.length });
    } else {
      assert.equal(own.open, null, `${what}: the edit ${JSON.stringify(sp.t)} leaves a ${own.open} open`);
    }
    shift += sp.t.length - (sp.e - sp.s);
  }
  while (k < before.length) expected.push(shifted(before[k++]!, shift));
  const after = applyEdits(text, edits);
  assert.deepEqual(show(nginxTokens(after).lexemes), show(expected), `${what}: nginx reads more or other words than the edit wrote`);
  // A config nginx read whole stays one nginx reads whole.
  if (!nginxRead(text).error) assert.equal(nginxRead(after).error, null, `${what}: the fix leaves a config nginx cannot read`);
}

/** Every fix of every finding (but the exempt rules'), then fix-all. */
function checkFixes(text: string, what: string): number {
  let n = 0;
  for (const f of lint(text)) {
    if (EXEMPT.has(f.code)) continue;
    for (const fx of f.fixes) {
      assertComposes(text, editsFor(fx), `${what}: ${f.code} "${fx.title}"`);
      n++;
    }
  }
  return n;
}

/** The bad fixtures in the line-end and comment variants a fix must survive. */
function variants(text: string): [string, string][] {
  const commented = text.replace(/;\n/g, '; # note\n').replace(/\{\n/g, '{ # open\n');
  return [
    ['as written', text],
    ['CRLF', text.replace(/\n/g, '\r\n')],
    ['CR-only', text.replace(/\n/g, '\r')],
    ['trailing comments', commented],
    ['trailing comments, CRLF', commented.replace(/\n/g, '\r\n')],
    // nginx reads everything after the first comment as that comment: a fix must not write into it as if it had lines.
    ['trailing comments, CR-only', commented.replace(/\n/g, '\r')],
    ['mixed: CR after comments', commented.replace(/(# note|# open)\n/g, '$1\r')],
  ];
}

const fixtures = RULES.filter((r) => !r.noFix && !EXEMPT.has(r.id)).map((r) => [r.id, fixture(r.id, 'bad')!] as const);

test("every fix of every bad fixture, in every line-end and comment variant, changes nginx's reading by its own words only", () => {
  let checked = 0;
  for (const [id, bad] of fixtures) for (const [v, text] of variants(bad)) checked += checkFixes(text, `${id} (${v})`);
  assert.ok(checked > 50, `only ${checked} fixes checked`);
});

test("fix-all, in every variant, changes nginx's reading by the fixes' words only and leaves a config nginx reads", () => {
  for (const [id, bad] of fixtures) {
    for (const [v, text] of variants(bad)) {
      const fixed = fixAll(text);
      if (!nginxRead(text).error) assert.equal(nginxRead(fixed).error, null, `${id} (${v}): ${JSON.stringify(fixed)}`);
    }
  }
});

test('fast-check: mutated bad fixtures (lone CRs, comments, blank lines, tabs at random places)', () => {
  const mutation = fc.record({
    fixture: fc.nat({ max: fixtures.length - 1 }),
    edits: fc.array(fc.tuple(fc.nat(), fc.constantFrom('\r', '\r\n', ' # c', '# c\r', '\t', '\n\n', ' ', '\u00a0')), { maxLength: 6 }),
  });
  fc.assert(
    fc.property(mutation, ({ fixture: i, edits }) => {
      let text = fixtures[i]![1];
      // Insert at line ends (where a comment or a line break is plausible).
      const ends: number[] = [];
      for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) ends.push(p);
      for (const [at, piece] of edits) {
        const p = ends[at % ends.length]!;
        text = text.slice(0, p) + piece + text.slice(p);
      }
      checkFixes(text, JSON.stringify(text));
    }),
    { numRuns: RUNS },
  );
});

test('the composition check can fail: an insertion after a comment that ends at a lone CR is swallowed', () => {
  const text = 'location / { # c\r}\n';
  assert.throws(() =>
    assertComposes(text, [{ range: { start: { line: 0, character: 16 }, end: { line: 0, character: 16 } }, newText: '\r    x 1;' }], 'cr'),
  );
  assert.throws(() =>
    assertComposes('a b;\n', [{ range: { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } }, newText: 'c' }], 'glued'),
  );
  assertComposes('a b;\n', [{ range: { start: { line: 0, character: 4 }, end: { line: 0, character: 4 } }, newText: '\nc d;' }], 'fine');
});

test('a CR-only file whose comment swallows the rest: fix-all ends the comment where the editor shows and adds lines inside the location', () => {
  const text =
    'http {\r    server {\r        listen 80;\r        location /ws/ {\r            proxy_pass http://127.0.0.1:3000; # app\r            proxy_set_header Connection "upgrade";\r        }\r    }\r}\r';
  // nginx reads up to the comment, then nothing: the blocks never close.
  assert.equal(nginxRead(text).error?.message, 'unexpected end of file, expecting "}"');
  const fixed = fixAll(text);
  const r = nginxRead(fixed);
  assert.equal(r.error, null, fixed);
  const words = r.lexemes.map((l) => (l.kind === 'word' ? l.raw : l.kind)).join(' ');
  assert.match(
    words,
    /^http \{ server \{ listen 80 ; location \/ws\/ \{ proxy_pass http:\/\/127\.0\.0\.1:3000 ; (proxy_\w+ [^;]+ ; )+\} \} \}$/,
  );
  assert.match(words, /proxy_set_header Upgrade \$http_upgrade ;/);
  assert.equal(words.match(/proxy_set_header Connection/g)?.length, 1, words);
});

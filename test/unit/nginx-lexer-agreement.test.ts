/**
 * The parser reads what nginx reads, byte for byte: its words (raw text and
 * value), `;`, `{` and `}` are the ones a port of nginx's own reader
 * (test/support/nginx-lexer.ts, `ngx_conf_read_token` statement for
 * statement) finds, at the same offsets, on every input nginx reads without
 * error; and where nginx fails, the parser reports a syntax error. Inputs:
 * every corpus file, traps (lone CRs, lookalike spaces, `${{`, BOMs,
 * directives over two lines), and fast-check texts built from the
 * characters nginx treats specially. Lua blocks are left out: ngx_lua reads
 * their bodies with a reader of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from '../../server/src/engine/syntax/parser';
import { lexemeText, nginxRead } from '../support/nginx-lexer';
import { treeLexemes } from '../support/tree-lexemes';
import { TRAPS } from '../support/nginx-traps';
import { CORPUS, CORPUS_ABSENT, filesUnder } from '../support/corpus';

const RUNS = Number(process.env.PROPERTY_RUNS) || 1000;

const hasLua = (t: string) => /lua_block/.test(t);

type Verdict = 'same' | 'both-fail' | 'split';

/** Compares one text; returns what was compared. Throws on disagreement. */
function agree(text: string, what: string): Verdict {
  const ours = parse(text, 'x.conf');
  const theirs = nginxRead(text);
  if (theirs.error) {
    assert.ok(
      ours.errors.length > 0,
      `${what}: nginx fails (${theirs.error.message}, line ${theirs.error.line}) but the parser reports nothing`,
    );
    return 'both-fail';
  }
  if (ours.errors.length && ours.errors.every((e) => e.code === 'missing-semicolon')) {
    // nginx reads the statement, then rejects it by its argument count: the parser's recovery split it.
    return 'split';
  }
  assert.deepEqual(ours.errors, [], `${what}: nginx reads it without error`);
  const a = treeLexemes(ours);
  const b = theirs.lexemes;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y || JSON.stringify(x) !== JSON.stringify(y)) {
      assert.fail(
        `${what}: lexeme ${i} differs: parser ${x ? JSON.stringify(x) : 'none'}, nginx ${y ? JSON.stringify(y) : 'none'}\n` +
          `around: parser ${a
            .slice(Math.max(0, i - 3), i + 2)
            .map(lexemeText)
            .join(' ')} | nginx ${b
            .slice(Math.max(0, i - 3), i + 2)
            .map(lexemeText)
            .join(' ')}`,
      );
    }
  }
  return 'same';
}

const corpusFiles = () => filesUnder(CORPUS, (name) => !/\.(md|json|txt|py|pem|key|crt)$|LICENSE/i.test(name));

test('every corpus file: the parser reads the words nginx reads, at the same offsets', { skip: CORPUS_ABSENT }, () => {
  const tally: Record<Verdict, number> = { same: 0, 'both-fail': 0, split: 0 };
  for (const p of corpusFiles()) {
    const text = readFileSync(p).toString('utf8');
    if (hasLua(text)) continue;
    tally[agree(text, p)]++;
  }
  // Real configs nginx reads must never be split by the missing-`;` recovery: that would be a false alarm.
  assert.equal(tally.split, 0, 'a corpus file nginx reads was split by the recovery');
  assert.ok(tally.same > 250, JSON.stringify(tally));
});

test('traps: the parser reads what nginx reads', () => {
  for (const trap of TRAPS) agree(trap.text, trap.name);
});

/** Characters and pieces nginx's reader treats specially, and the lookalikes it does not. */
const PIECES = [
  ' ',
  ' ',
  '\t',
  '\n',
  '\n',
  '\r',
  '\r\n',
  ';',
  ';',
  '{',
  '{',
  '}',
  '}',
  '"',
  "'",
  '\\',
  '$',
  '#',
  '(',
  ')',
  'a',
  'b',
  'xy',
  'zz q',
  '\u00a0',
  '\u3000',
  '\ufeff',
  '\f',
  '\v',
  '\u0085',
  '\u2028',
  '\u00e9',
  '\ud83d\ude00',
  '\u0000',
  '${',
  '${{',
  '#c\r',
  '# c\n',
  '"a b"',
  "'x;y'",
  '"\\""',
  'proxy_pass',
  'root',
  'listen',
  'access_log',
  'gzip',
  'x.log',
  'http://u',
];
const pieceText = fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }).map((p) => p.join(''));

test('fast-check: on texts of nginx-special characters the parser reads what nginx reads', () => {
  const tally: Record<Verdict, number> = { same: 0, 'both-fail': 0, split: 0 };
  fc.assert(
    fc.property(pieceText, (text) => {
      tally[agree(text, JSON.stringify(text))]++;
    }),
    { numRuns: RUNS * 3 },
  );
  // Both sides of the property must be exercised.
  assert.ok(tally.same > RUNS / 10 && tally['both-fail'] > RUNS / 10, JSON.stringify(tally));
});

test('fast-check: arbitrary strings', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      if (!hasLua(text)) agree(text, JSON.stringify(text));
    }),
    { numRuns: RUNS },
  );
});

test('the agreement check can fail: a parser that ended comments at CR would disagree', () => {
  const text = 'user a;\n# c\ruser b;\n';
  // What the old parser read: `user b` as a directive. nginx reads one directive.
  assert.deepEqual(nginxRead(text).lexemes.map(lexemeText), ['w:user', 'w:a', ';']);
  assert.deepEqual(treeLexemes(parse(text)).map(lexemeText), ['w:user', 'w:a', ';']);
  assert.notDeepEqual(treeLexemes(parse(text.replace('\r', '\n'))).map(lexemeText), nginxRead(text).lexemes.map(lexemeText));
});

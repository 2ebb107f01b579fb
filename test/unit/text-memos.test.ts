/**
 * Readers of config text that keep what they read by the text (a config repeats `1h` or
 * `~ ^/api/` on thousands of locations): the answer from the memo is the answer of a fresh read.
 * A time too long for the memo is always parsed afresh, so each generated time is compared with a
 * variant of it that says the same thing but is too long to be kept; a literal with the definition it had.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseNginxTime } from '../../server/src/engine/model/time';
import { anchoredLiteral } from '../../server/src/engine/request/locations';
import { targetHost } from '../../server/src/engine/model/websocket';
import { TextMemo } from '../../server/src/engine/model/text-memo';

test('parseNginxTime: known values, and the memo answers what a fresh parse does', () => {
  assert.equal(parseNginxTime('1h30m'), 5_400_000);
  assert.equal(parseNginxTime(' 60 '), 60_000);
  assert.equal(parseNginxTime('500ms'), 500);
  assert.equal(parseNginxTime('30m1h'), null);
  assert.equal(parseNginxTime('1x'), null);
  const piece = fc.constantFrom('1', '30', '0', 'h', 'm', 's', 'ms', 'd', 'M', 'y', 'w', ' ', 'x', '');
  const value = fc.array(piece, { maxLength: 6 }).map((p) => p.join(''));
  fc.assert(
    fc.property(value, (v) => {
      // Trailing spaces past the memo's key limit: the same time, never kept.
      const fresh = parseNginxTime(`${v}${' '.repeat(80)}`);
      assert.equal(parseNginxTime(v), fresh, JSON.stringify(v));
      assert.equal(parseNginxTime(v), fresh, JSON.stringify(v));
    }),
    { numRuns: 1000 },
  );
});

/** anchoredLiteral as it was before its memo and hoisted expressions: the reference. */
function referenceLiteral(pattern: string): string | null {
  if (!pattern.startsWith('^') || pattern.includes('(?')) return null;
  let depth = 0;
  let inClass = false;
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return null;
  }
  let lit = '';
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length && /[./\-_~@:!,]/.test(pattern[i + 1]!)) {
      lit += pattern[++i];
      continue;
    }
    if (/[.*+?()[\]{}|$^\\]/.test(c)) {
      if (/[*?{]/.test(c) && lit) lit = lit.slice(0, -1);
      break;
    }
    lit += c;
  }
  return lit;
}

test('anchoredLiteral: known patterns, and the same literal as before for generated ones, first read and from the memo', () => {
  assert.equal(anchoredLiteral('^/api/v[0-9]+/'), '/api/v');
  assert.equal(anchoredLiteral('^/ws\\.x?'), '/ws.');
  assert.equal(anchoredLiteral('^/(a|b)'), '/');
  assert.equal(anchoredLiteral('^/a|/b'), null);
  assert.equal(anchoredLiteral('/x'), null);
  const piece = fc.constantFrom('^', '/', 'a', 'b', '\\.', '\\-', '\\d', '.', '*', '?', '{1}', '(', ')', '|', '[', ']', '(?i)', '$', '\\');
  const pattern = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
  fc.assert(
    fc.property(pattern, (p) => {
      const expected = referenceLiteral(p);
      assert.equal(anchoredLiteral(p), expected, p);
      assert.equal(anchoredLiteral(p), expected, p);
    }),
    { numRuns: 1000 },
  );
});

test('targetHost takes what the proxy_pass pattern captured, and nothing where it did not match', () => {
  const reference = (t: string) => /^[a-z]+:\/\/([^/:$]+)(?::\d+)?/i.exec(t)?.[1] ?? null;
  assert.equal(targetHost('http://backend_0'), 'backend_0');
  assert.equal(targetHost('HTTPS://b:8080/x'), 'b');
  assert.equal(targetHost('http://$upstream'), null);
  assert.equal(targetHost('unix:/tmp/s'), null);
  const piece = fc.constantFrom('http', 'HTTPS', 'grpc', 'h2', ':', '//', '/', '$', 'b', 'é', ' ', '8080', 'K', '\u212a', '\u017f');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 8 }), (p) => {
      const t = p.join('');
      assert.equal(targetHost(t), reference(t), t);
    }),
    { numRuns: 2000 },
  );
});

test('TextMemo keeps short texts up to its number of entries, and nothing past either bound', () => {
  const memo = new TextMemo<number>(4, 3);
  assert.equal(memo.remember('abcd', 1), 1);
  assert.equal(memo.remember('abcde', 2), 2, 'a key over the length bound is answered');
  assert.equal(memo.get('abcd'), 1);
  assert.equal(memo.get('abcde'), undefined, 'and not kept');
  memo.remember('b', 3);
  memo.remember('c', 4);
  memo.remember('d', 5);
  assert.deepEqual(
    ['b', 'c', 'd'].map((k) => memo.get(k)),
    [3, 4, undefined],
    'full after three entries',
  );
  assert.equal(memo.remember('e', 6), 6, 'a full memo still answers');
  assert.equal(memo.get('abcd'), 1, 'and keeps what it held');
});

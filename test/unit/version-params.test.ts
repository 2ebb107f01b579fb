/**
 * The version check passes over a directive's arguments with a memo per argument text (which
 * texts some parameter note of the name can be about, at any position): it must say what
 * `parameterNotes` says of each argument at its position, on every name with notes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '../../server/src/engine/syntax/parser';
import type { Directive } from '../../server/src/engine/syntax/ast';
import { parameterNotes, PARAMETERS } from '../../server/src/engine/knowledge/versions';
import { parameterNoted } from '../../server/src/engine/model/version-check';

const names = [...new Set(PARAMETERS.map((p) => p.directive))];
// Every note's word, cut and extended (prefix notes take a value after `=` or `:`), and words no note is about.
const words = [
  ...new Set([
    ...PARAMETERS.flatMap((p) => [p.param, `${p.param}x`, `x${p.param}`, p.param.slice(0, -1)]),
    '80',
    '443',
    '127.0.0.1:8080',
    'ssl',
    'on',
    'off',
    '1.1',
    '2',
  ]),
].filter((w) => w !== '' && /^[^\s;{}"'#$\\]+$/.test(w));

test('parameterNoted says what parameterNotes says of each argument at its position', () => {
  fc.assert(
    fc.property(fc.constantFrom(...names), fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 4 }), (name, args) => {
      // Twice: the first answer comes from the notes, the second from the memo.
      for (let i = 0; i < 2; i++) {
        const d = parse(`${name} ${args.join(' ')};`, '/t/nginx.conf').children[0] as Directive;
        const notes = PARAMETERS.filter((p) => p.directive === name);
        const expected = d.args.some((a, k) => parameterNotes(notes, 'core', a.value, k, d.args.length).length > 0);
        assert.equal(parameterNoted(name, d.args), expected, `${name} ${args.join(' ')}`);
      }
    }),
    { numRuns: 2000 },
  );
  // Both answers occur.
  const yes = parse('listen 443 quic;', '/t/nginx.conf').children[0] as Directive;
  const no = parse('listen 443 ssl;', '/t/nginx.conf').children[0] as Directive;
  assert.equal(parameterNoted('listen', yes.args), true);
  assert.equal(parameterNoted('listen', no.args), false);
});

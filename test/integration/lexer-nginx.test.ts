/**
 * The traps of test/support/nginx-traps.ts under the real nginx binary:
 * `nginx -t` says what the trap records (so the recorded readings are
 * nginx's, not ours), and the parser agrees with it: no syntax error where
 * nginx reads the file, a syntax error on nginx's line where nginx fails
 * while reading, and the very word nginx names (`unknown directive "X"`)
 * as a directive of the tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/engine/syntax/parser';
import { nginxAvailable, nginxTest } from '../helpers/nginx';
import { TRAPS } from '../support/nginx-traps';

const skip = nginxAvailable() ? false : 'nginx is not installed (apt-get install nginx-light)';

/** nginx's line of an offset: it counts LF only. */
const nginxLine = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

for (const trap of TRAPS) {
  test(`nginx -t on ${trap.name}: ${trap.nginx}`, { skip }, async () => {
    const r = await nginxTest({ conf: trap.text });
    const ours = parse(trap.text, 'nginx.conf');
    if (trap.nginx === 'ok') {
      assert.ok(r.ok, r.output);
      assert.deepEqual(ours.errors, []);
      return;
    }
    assert.equal(r.ok, false);
    const m = /\[emerg\] (.*) in nginx\.conf:(\d+)/.exec(r.output);
    assert.ok(m, r.output);
    assert.equal(m[1], trap.nginx);
    assert.equal(Number(m[2]), trap.line);
    const named = /^(?:unknown directive "(.*)"|"(.*)" directive invalid value|directive "(.*)" has no opening "\{")$/.exec(trap.nginx);
    if (named) {
      // nginx read the statement and its handler refused it (nginx stops there): the parser reads the same
      // statement, with that name, and no syntax error up to it.
      const name = named[1] ?? named[2] ?? named[3]!;
      const d = [...ours.walk()].find((x) => x.name === name);
      assert.ok(d, `no directive named ${JSON.stringify(name)}: ${[...ours.walk()].map((x) => JSON.stringify(x.name)).join(', ')}`);
      assert.equal(nginxLine(trap.text, d.start), trap.line);
      assert.deepEqual(ours.errors.filter((e) => e.start < d.end), []);
    } else {
      // nginx failed while reading: so does the parser, on the same line.
      assert.ok(
        ours.errors.some((e) => nginxLine(trap.text, e.start) === trap.line),
        `no syntax error on line ${trap.line}: ${JSON.stringify(ours.errors)}`,
      );
    }
  });
}

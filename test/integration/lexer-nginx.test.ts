/**
 * The traps of test/support/nginx-traps.ts under the real nginx binary:
 * `nginx -t` says what the trap records (so the recorded readings are
 * nginx's, not ours), and the parser agrees with it: no syntax error where
 * nginx reads the file, a syntax error on nginx's line where nginx fails
 * while reading, and the very word nginx names (`unknown directive "X"`)
 * as a directive of the tree. And the claim of lookalike-whitespace's bad
 * fixture, that nginx never reads a line after a lone CR in a comment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../server/src/engine/syntax/parser';
import { lintText } from '../../server/src/engine/index';
import { nginxAvailable, nginxTest } from '../support/nginx';
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
    const parameter = /^(?:invalid parameter|invalid log level) "(.*)"$/.exec(trap.nginx);
    if (parameter) {
      // nginx read a forgotten `;` away and failed on the next directive's name as a parameter: the parser reports the
      // missing `;` and reads that name as a directive, on nginx's line.
      const d = [...ours.walk()].find((x) => x.name === parameter[1]);
      assert.ok(d, `no directive named ${parameter[1]}`);
      assert.equal(nginxLine(trap.text, d.start), trap.line);
      assert.deepEqual(
        ours.errors.map((e) => e.code),
        ['missing-semicolon'],
      );
      assert.ok(ours.errors[0]!.end <= d.start);
    } else if (named) {
      // nginx read the statement and its handler refused it (nginx stops there): the parser reads the same
      // statement, with that name, and no syntax error up to it.
      const name = named[1] ?? named[2] ?? named[3]!;
      const d = [...ours.walk()].find((x) => x.name === name);
      assert.ok(d, `no directive named ${JSON.stringify(name)}: ${[...ours.walk()].map((x) => JSON.stringify(x.name)).join(', ')}`);
      assert.equal(nginxLine(trap.text, d.start), trap.line);
      assert.deepEqual(
        ours.errors.filter((e) => e.start < d.end),
        [],
      );
    } else {
      // nginx failed while reading: so does the parser, on the same line.
      assert.ok(
        ours.errors.some((e) => nginxLine(trap.text, e.start) === trap.line),
        `no syntax error on line ${trap.line}: ${JSON.stringify(ours.errors)}`,
      );
    }
  });
}

test(
  "lookalike-whitespace's bad fixture: nginx never reads the line after the lone CR, and reads it once the CR is an LF",
  { skip },
  async () => {
    const bad = readFileSync(join(__dirname, '../fixtures/rules/lookalike-whitespace/bad.conf'), 'utf8');
    assert.match(bad, /ways\r {12}proxy_request_buffering off;/, 'the fixture keeps its lone CR');
    // The no-break space fixed by hand, the swallowed line made invalid: nginx -t passes, so it never read that line.
    const swallowed = bad.replaceAll('\u00a0', ' ').replace('proxy_request_buffering off;', 'proxy_request_buffering maybe;');
    const body = (t: string) => {
      const http = parse(t).children.find((c) => c.type === 'directive' && c.name === 'http');
      assert.ok(http && http.type === 'directive' && http.block);
      return t.slice(http.block.bodyStart, http.block.bodyEnd);
    };
    const vars = { BACKEND: '9' };
    const unread = await nginxTest({ http: body(swallowed), vars });
    assert.ok(unread.ok, unread.output);
    // The parser agrees: no directive of that name, and the rule says which line nginx does not read.
    assert.equal(
      [...parse(swallowed).walk()].some((d) => d.name === 'proxy_request_buffering'),
      false,
    );
    const findings = lintText(swallowed, '/t/nginx.conf').filter((f) => f.code === 'lookalike-whitespace');
    assert.deepEqual(
      findings.map((f) => f.message),
      [
        'this line ends with a lone CR, which does not end a comment for nginx (only LF does): nginx reads the next line as part of this comment, so it never reads "proxy_request_buffering maybe;"',
      ],
    );
    // With an LF in place of the CR nginx reads the line, and fails on it.
    const read = await nginxTest({ http: body(swallowed.replace('\r', '\n')), vars });
    assert.equal(read.ok, false);
    assert.match(read.output, /invalid value "maybe" in "proxy_request_buffering" directive|"proxy_request_buffering" directive/);
  },
);

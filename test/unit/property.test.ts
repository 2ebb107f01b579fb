/**
 * Property tests for the parser (fast-check). For any input: parse never
 * throws, every node's range lies inside the document with start <= end,
 * children nest inside their block in order without overlap, positions and
 * offsets agree, and an error-free parse accounts for every non-blank
 * character. For generated well-formed configs: parse(print(tree)) gives the
 * tree back, with no errors.
 *
 * Runs are sized to keep the file under ~10 s; set PROPERTY_RUNS=5000 for a
 * longer local run. A failure prints fast-check's seed and shrunk
 * counterexample; rerun with that seed to reproduce.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '../../server/src/engine/syntax/parser';
import { toPlain, printPlain, printFile, type PlainDirective } from '../../server/src/engine/syntax/print';
import type { Block, Directive, SourceFile, Statement } from '../../server/src/engine/syntax/ast';
import { lintText } from '../../server/src/engine/index';

const RUNS = Number(process.env.PROPERTY_RUNS) || 1000;

/** Checks the structural invariants of a parse result; throws (via assert) on the first violation. */
function checkInvariants(f: SourceFile): void {
  const len = f.text.length;
  const inDoc = (what: string, s: number, e: number) => {
    assert.ok(Number.isInteger(s) && Number.isInteger(e), `${what}: integer offsets`);
    assert.ok(0 <= s && s <= e && e <= len, `${what}: 0 <= ${s} <= ${e} <= ${len}`);
  };
  const checkPos = (offset: number) => {
    const p = f.lines.positionAt(offset);
    assert.ok(p.line >= 0 && p.line < f.lines.lineCount && p.character >= 0);
    // Inside a \r\n pair the offset maps to the line end; everywhere else it maps back exactly.
    if (!(f.text.charCodeAt(offset) === 10 && f.text.charCodeAt(offset - 1) === 13)) {
      assert.equal(f.lines.offsetAt(p), offset, `offset ${offset} round-trips through its position`);
    }
  };

  let visited = 0;
  const stack: { list: Statement[]; block: Block | null; lo: number; hi: number }[] = [{ list: f.children, block: null, lo: 0, hi: len }];
  while (stack.length) {
    const { list, block, lo, hi } = stack.pop()!;
    let prevEnd = lo;
    for (const s of list) {
      inDoc(s.type, s.start, s.end);
      assert.ok(s.start >= prevEnd, `${s.type} at ${s.start} starts after its previous sibling ends (${prevEnd})`);
      assert.ok(s.end <= hi, `${s.type} [${s.start},${s.end}) ends inside its block (${hi})`);
      prevEnd = s.end;
      checkPos(s.start);
      checkPos(s.end);
      if (s.type === 'comment') {
        assert.equal(f.text[s.start], '#');
        continue;
      }
      visited++;
      const d: Directive = s;
      assert.equal(d.parentBlock, block);
      assert.equal(d.nameToken.start, d.start);
      let tokEnd = d.nameToken.end;
      inDoc('name', d.nameToken.start, d.nameToken.end);
      assert.ok(d.nameToken.end > d.nameToken.start, 'a name is never empty');
      void d.name;
      for (const a of d.args) {
        inDoc('argument', a.start, a.end);
        assert.ok(a.start >= tokEnd, 'arguments are ordered and do not overlap');
        assert.ok(a.end > a.start, 'an argument is never empty');
        assert.equal(typeof a.value, 'string');
        tokEnd = a.end;
      }
      assert.ok(d.end >= tokEnd, 'a directive ends after its last argument');
      // directiveAt treats ends as inclusive (a cursor just after `;` is still on the directive), so a
      // sibling that ends exactly where this one starts may answer instead.
      const hit = f.directiveAt(d.start);
      assert.ok(hit === d || (hit !== null && hit.end === d.start), 'directiveAt(name start) finds the directive');
      if (d.block) {
        const b = d.block;
        inDoc('block', b.start, b.end);
        assert.equal(b.parent, d);
        assert.ok(b.start >= tokEnd, 'the block starts after the arguments');
        assert.equal(f.text[b.start], '{');
        assert.ok(d.end >= b.end, 'the directive spans its block');
        assert.ok(b.bodyStart <= b.bodyEnd || (!b.closed && b.bodyEnd === b.end));
        if (b.closed) assert.equal(f.text[b.end - 1], '}');
        if (b.opaque !== undefined) assert.equal(b.children.length, 0);
        stack.push({ list: b.children, block: b, lo: b.bodyStart, hi: b.bodyEnd });
      }
    }
  }
  assert.equal([...f.walk()].length, visited, 'walk() visits every directive once');

  let prev = 0;
  for (const c of f.comments) {
    inDoc('comment', c.start, c.end);
    assert.ok(c.start >= prev, 'comments are in document order');
    prev = c.end;
  }
  for (const e of f.errors) {
    inDoc(`error ${e.code}`, e.start, e.end);
    assert.ok(e.message.length > 0);
  }
}

/**
 * An error-free parse must not have skipped anything: every character outside
 * names, arguments, comments, block braces and `;` terminators is whitespace.
 */
function checkCoverage(f: SourceFile): void {
  const covered = new Uint8Array(f.text.length + 1);
  const mark = (s: number, e: number) => covered.fill(1, s, e);
  for (const c of f.comments) mark(c.start, c.end);
  for (const d of f.walk()) {
    mark(d.nameToken.start, d.nameToken.end);
    for (const a of d.args) mark(a.start, a.end);
    if (d.block) {
      mark(d.block.start, d.block.start + 1);
      if (d.block.opaque !== undefined) mark(d.block.start, d.block.end);
      if (d.block.closed) mark(d.block.end - 1, d.block.end);
    } else if (d.terminated) {
      assert.equal(f.text[d.end - 1], ';', `directive '${d.name}' ends with ';'`);
      mark(d.end - 1, d.end);
    }
  }
  for (let i = 0; i < f.text.length; i++) {
    if (covered[i]) continue;
    const c = f.text.charCodeAt(i);
    // nginx's whitespace, and nothing else: a form feed or a no-break space is part of a word.
    assert.ok(c === 32 || c === 9 || c === 10 || c === 13, `uncovered ${JSON.stringify(f.text[i])} at ${i}`);
  }
}

// Generators for well-formed configs.
const wordChar = fc.constantFrom(...'abcxyz019_-./:*~^()=!?%@,&+|<>[]'.split(''));
/** A bare word: no whitespace, `;` or `{`; does not start with a quote, `#` or `}`; `\` escapes the next character. */
const bareWord = fc
  .tuple(
    fc.constantFrom(...'abcmxz/~^@*$'.split('')),
    fc.array(
      fc.oneof(
        { weight: 8, arbitrary: wordChar },
        fc.constant('}'),
        fc.constant('\\;'),
        fc.constant('\\ '),
        fc.constant('"'),
        fc.constant('#'),
      ),
      {
        maxLength: 12,
      },
    ),
  )
  .map(([a, rest]) => a + rest.join(''));
const variable = fc.oneof(fc.stringMatching(/^\$[a-z_][a-z0-9_]{0,10}$/), fc.stringMatching(/^\$\{[A-Z_][A-Z0-9_]{0,8}\}[a-z.]{0,5}$/));
const strBody = (q: string) =>
  fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...'ab $x{};#\n\t'.split('')) },
        fc.constant('\\' + q),
        fc.constant('\\\\'),
        fc.constant(q === '"' ? "'" : '"'),
      ),
      {
        maxLength: 15,
      },
    )
    .map((a) => q + a.join('') + q);
const arg = fc.oneof({ weight: 4, arbitrary: bareWord }, variable, strBody('"'), strBody("'"));
const name = fc.oneof({ weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z_]{0,14}$/) }, strBody('"'), fc.constant("''"));
/** Lua bodies with balanced braces outside strings and comments; comments end at a newline so the printed `}` survives. */
const luaBody = fc
  .array(
    fc.constantFrom(
      ' local t = { a = 1 } ',
      ' s = "}" ',
      " s = '{' ",
      ' -- } comment\n',
      ' --[[ { ]] ',
      ' x = [==[ }} ]==] ',
      '\n',
      ' f({}) ',
    ),
    {
      maxLength: 8,
    },
  )
  .map((a) => a.join(''));

const { tree } = fc.letrec<{ tree: PlainDirective[]; directive: PlainDirective }>((tie) => ({
  tree: fc.array(tie('directive'), { maxLength: 5 }),
  directive: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ name, args: fc.array(arg, { maxLength: 4 }) }),
    fc.record({ name, args: fc.array(arg, { maxLength: 3 }), block: tie('tree') }),
    fc.record({
      name: fc.constantFrom('content_by_lua_block', 'access_by_lua_block'),
      args: fc.constant<string[]>([]),
      block: luaBody.map((opaque) => ({ opaque })),
    }),
  ),
}));

const FRAGMENTS = [
  'server',
  'location',
  'http',
  'map $a $b',
  'upstream u',
  'proxy_pass http://u',
  'listen 80',
  'default',
  "''",
  '""',
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '{',
  '{',
  '}',
  '}',
  ';',
  ';',
  ';',
  '"',
  "'",
  '#',
  '# c\n',
  '\\',
  '$',
  '${',
  '${x}',
  'if (',
  ')',
  '~*',
  '"a;b{c}"',
  "'x y'",
  'content_by_lua_block {',
  '-- }',
  '--[[ { ]]',
  '[==[',
  ']==]',
  'x',
  'proxy_set_header',
  'Upgrade',
  '$http_upgrade',
  'é',
  '🌍',
  '\uFFFD',
  '\uD800',
  '\u0000',
  '\f',
  '\uFEFF',
];
const nginxish = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 120 }).map((a) => a.join(''));

/** Config-shaped lines, mostly well-formed, some broken, with random indentation and line endings. */
const LINES = [
  'http {',
  'server {',
  'location /ws/ {',
  'location ~* "^/(a|b){2}$" {',
  'upstream app {',
  '}',
  '}',
  '}',
  'listen 80;',
  'server 127.0.0.1:8080;',
  'proxy_pass http://app;',
  'proxy_pass http://app',
  'proxy_http_version 1.1;',
  'proxy_set_header Upgrade $http_upgrade;',
  'proxy_set_header Connection "upgrade";',
  'proxy_read_timeout 1h30m;',
  'map $http_upgrade $connection_upgrade {',
  "'' close;",
  'default upgrade;',
  'if ($http_upgrade ~* "websocket") {',
  'return 200 "a;b{c}";',
  '# a comment { ;',
  'listen 443 ssl; # trailing',
  'content_by_lua_block { ngx.say("}") -- }\n }',
  "log_format main '$remote_addr'",
  '    \'"$request"\';',
  'set $x "unterminated',
  '"',
  "'",
  '{',
  ';',
  'server_name ${HOST};',
  'add_header X-A "é🌍";',
  'types { text/html html; }',
];
const linesy = fc
  .array(
    fc.tuple(fc.constantFrom('', '  ', '    ', '\t', '        '), fc.constantFrom(...LINES), fc.constantFrom('\n', '\n', '\r\n', ' ')),
    {
      maxLength: 60,
    },
  )
  .map((a) => a.map(([i, l, e]) => i + l + e).join(''));

test('parse never throws and keeps its invariants: arbitrary strings', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => checkInvariants(parse(s))),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => checkInvariants(parse(s))),
    { numRuns: RUNS },
  );
});

test('parse never throws and keeps its invariants: random bytes as latin1 and utf8', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const buf = Buffer.from(bytes);
      checkInvariants(parse(buf.toString('latin1')));
      checkInvariants(parse(buf.toString('utf8')));
    }),
    { numRuns: RUNS },
  );
});

test('parse never throws and keeps its invariants: nginx-ish fragments', () => {
  fc.assert(
    fc.property(nginxish, (s) => {
      const f = parse(s);
      checkInvariants(f);
      if (f.errors.length === 0) checkCoverage(f);
    }),
    { numRuns: RUNS * 3 },
  );
});

test('parse never throws and keeps its invariants: config-shaped lines', () => {
  fc.assert(
    fc.property(linesy, (s) => {
      const f = parse(s);
      checkInvariants(f);
      if (f.errors.length === 0) checkCoverage(f);
    }),
    { numRuns: RUNS * 2 },
  );
});

/** Printed generated trees, indented differently and with comments, so many inputs are error-free. */
const printedTree = fc.tuple(tree, fc.constantFrom('    ', '\t', '  '), fc.boolean()).map(([t, indent, comments]) => {
  const text = printPlain(t, indent);
  // Comments after `;` only outside Lua bodies, which are printed verbatim on the `{...}` line.
  return comments ? text.replace(/;\n/g, '; # note\n') : text;
});

test('an error-free parse prints to text that parses to the same tree', () => {
  let meaningful = 0;
  fc.assert(
    fc.property(fc.oneof(nginxish, linesy, printedTree), (s) => {
      const f = parse(s);
      if (f.errors.length) return;
      if ([...f.walk()].length >= 3) meaningful++;
      const again = parse(printFile(f));
      assert.deepEqual(again.errors, []);
      assert.deepEqual(toPlain(again), toPlain(f));
    }),
    { numRuns: RUNS * 3 },
  );
  // Guard against a vacuous property: enough inputs must be error-free with real content.
  assert.ok(meaningful >= RUNS / 20, `only ${meaningful} error-free inputs with 3+ directives`);
});

test('lintText never throws on nginx-ish input', () => {
  fc.assert(
    fc.property(fc.oneof(nginxish, linesy), (s) => {
      const findings = lintText(s);
      assert.ok(Array.isArray(findings));
    }),
    { numRuns: RUNS },
  );
});

test('generated well-formed configs round-trip: parse(print(tree)) == tree, no errors', () => {
  fc.assert(
    fc.property(tree, (t) => {
      const text = printPlain(t);
      const f = parse(text);
      assert.deepEqual(f.errors, [], text);
      // fast-check builds null-prototype records; compare as plain JSON data.
      assert.deepEqual(toPlain(f), JSON.parse(JSON.stringify(t)));
      checkInvariants(f);
      checkCoverage(f);
    }),
    { numRuns: RUNS },
  );
});

test('invariant checker catches a broken tree (it can fail)', () => {
  const f = parse('a { b; }');
  const b = [...f.walk()][1]!;
  b.end = f.text.length + 5;
  assert.throws(() => checkInvariants(f));
});

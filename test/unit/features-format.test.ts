import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from '../../server/src/engine/syntax/parser';
import { formatDocument, formatText } from '../../server/src/engine/features/format';

const FIX = resolve(__dirname, '../fixtures/features');
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
];

for (const [name, input, want] of CASES) {
  test(`format: ${name}`, () => {
    assert.equal(fmt(input, name === 'tab indentation' ? '\t' : undefined), want);
  });
}

test('format: refuses files with syntax errors, and reports no edit when already formatted', () => {
  assert.equal(fmt('http {\n  a 1\n}\n'), null);
  assert.deepEqual(formatDocument(parse('http {\n  server {\n', 'x')), []);
  assert.deepEqual(formatDocument(parse('a 1;\n', 'x')), []);
  const edits = formatDocument(parse('a  1;', 'x'));
  assert.deepEqual(edits, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } }, newText: 'a 1;\n' }]);
});

/** Directive names, argument texts, Lua bodies and comments, in order: what formatting must never change. */
function content(t: string): string {
  const f = parse(t, 'x');
  return [...f.walk()].map((d) => [d.name, ...d.args.map((a) => a.raw), d.block?.opaque?.trim() ?? ''].join('\u0001')).join('\n') + '\n' + f.comments.map((c) => c.text).join('\n');
}

function configFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.conf$|nginx\.conf$|\.types$|params$|^default$/.test(n)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const CORPUS = resolve(__dirname, '../../../shared/corpus');
const corpusFiles = [...(existsSync(CORPUS) ? configFiles(CORPUS) : []), ...(existsSync('/etc/nginx') ? configFiles('/etc/nginx') : [])];

test('format: real-world configs stay parseable, keep their content and are idempotent', { skip: corpusFiles.length === 0 && `no corpus at ${CORPUS} and no /etc/nginx` }, () => {
  let formatted = 0;
  for (const p of corpusFiles) {
    const t = readFileSync(p, 'utf8');
    const once = fmt(t);
    if (once === null) continue;
    formatted++;
    const f = parse(once, p);
    assert.deepEqual(f.errors, [], `${p}: formatting introduced syntax errors`);
    assert.equal(content(once), content(t), `${p}: formatting changed content`);
    assert.equal(fmt(once), once, `${p}: not idempotent`);
  }
  // Most files must be formattable (the rest have syntax errors on purpose); a guard against a formatter that refuses everything.
  assert.ok(formatted >= corpusFiles.length * 0.6, `only ${formatted} of ${corpusFiles.length} real-world files were formatted`);
});

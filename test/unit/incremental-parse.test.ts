/**
 * The in-place block re-parse (syntax/incremental.ts) against a fresh parse:
 * random edits of generated configs and of every corpus file, one at a time
 * and in chains on the same tree, must give a tree identical to parsing the
 * new text from scratch (offsets, links, comments, errors). The edits mix
 * what typing does (a character, a word, a line) with what breaks structure
 * (braces, quotes, `#`, `\`), so both the in-place path and the fallback
 * are taken; the test checks that each is taken often enough to be tested.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../server/src/engine/syntax/parser';
import { generationOf, lastReparse, updateText } from '../../server/src/engine/syntax/incremental';
import { generateConfig } from '../../bench/generate';
import { dumpTree } from '../support/tree-dump';
import { rng } from '../support/rng';

import { CORPUS, CORPUS_ABSENT } from '../support/corpus';

/** What typing inserts most of the time, and (less often) what breaks structure. */
const TYPING = [
  'x',
  ' ',
  'e',
  '5s',
  ' 3600s',
  '\n    proxy_read_timeout 10s;',
  '\n    location /ws/ { proxy_pass http://b; }',
  'set $v 1;',
  '\n',
];
const INSERTS = [
  ...TYPING,
  ...TYPING,
  ...TYPING,
  'x',
  ' ',
  ';',
  '{',
  '}',
  '"',
  "'",
  '#',
  '\\',
  '$',
  '\n',
  '\r\n',
  '5s',
  ' 3600s',
  '\n    proxy_read_timeout 10s;',
  '\n    location /ws/ { proxy_pass http://b; }',
  'proxy_set_header Connection ""',
  '${',
  '# note }',
  ' "a;b{c}"',
  '\n}',
  '{\n',
  'content_by_lua_block { ngx.say("}") }',
  'map $a $b { default 1; }',
  // What nginx reads differently from an editor: a lone CR (inside a comment it ends nothing), lookalike spaces, `${{`.
  '\r',
  '# c\r',
  '\r# c\r',
  '\u00a0',
  '\u3000',
  '\ufeff',
  '${{',
  '\f',
];

/** One random edit: insert, delete or replace at a random place (biased towards the inside of lines). */
function randomEdit(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  const kind = r();
  if (kind < 0.45) return text.slice(0, at) + INSERTS[Math.floor(r() * INSERTS.length)] + text.slice(at);
  const len = 1 + Math.floor(r() * (r() < 0.8 ? 6 : 60));
  if (kind < 0.75) return text.slice(0, at) + text.slice(at + len);
  return text.slice(0, at) + INSERTS[Math.floor(r() * INSERTS.length)] + text.slice(at + len);
}

interface Tally {
  inPlace: number;
  whole: number;
}

/** Applies `steps` random edits to one tree, checking it against a fresh parse after each. */
function chain(label: string, text: string, seed: number, steps: number, tally: Tally): void {
  const r = rng(seed);
  let file = parse(text, '/t/nginx.conf');
  for (let i = 0; i < steps; i++) {
    const next = randomEdit(file.text, r);
    const before = generationOf(file);
    const updated = updateText(file, next, '/t/nginx.conf');
    if (updated === file && generationOf(file) === before + 1) {
      tally.inPlace++;
      assert.equal(lastReparse(file)!.generation, before + 1);
    } else {
      tally.whole++;
    }
    const fresh = parse(next, '/t/nginx.conf');
    assert.deepEqual(dumpTree(updated), dumpTree(fresh), `${label}, seed ${seed}, step ${i}: in-place tree equals a fresh parse`);
    file = updated;
  }
}

test('random edits of generated configs: the updated tree equals a fresh parse, in chains of 15 edits', () => {
  const tally: Tally = { inPlace: 0, whole: 0 };
  const text = generateConfig({ servers: 8 });
  for (let seed = 1; seed <= 120; seed++) chain('generated', text, seed, 15, tally);
  // Both paths must be exercised for the comparison to mean something.
  assert.ok(tally.inPlace > tally.whole / 2, `in-place ${tally.inPlace}, whole ${tally.whole}`);
  assert.ok(tally.whole > 50, `whole re-parses ${tally.whole}`);
});

test('random edits of every corpus file: the updated tree equals a fresh parse', { skip: CORPUS_ABSENT }, () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.conf$|nginx|\.txt$/.test(name) || !name.includes('.')) files.push(p);
    }
  };
  walk(CORPUS);
  assert.ok(files.length > 20, `corpus files found: ${files.length}`);
  const tally: Tally = { inPlace: 0, whole: 0 };
  files.forEach((p, i) => chain(p, readFileSync(p, 'latin1'), 1000 + i, 12, tally));
  assert.ok(tally.inPlace > 100, `in-place ${tally.inPlace}, whole ${tally.whole}`);
});

test('an edit inside one location of a large config re-parses that block only', () => {
  const text = generateConfig({ servers: 200 });
  const file = parse(text, '/t/nginx.conf');
  const at = text.indexOf('proxy_read_timeout 3600s', text.length / 2);
  const next = text.slice(0, at) + 'proxy_read_timeout 10s' + text.slice(at + 'proxy_read_timeout 3600s'.length);
  const keep = [...file.walk()].filter((d) => d.start > at + 100).slice(0, 50);
  assert.equal(updateText(file, next, '/t/nginx.conf'), file);
  const change = lastReparse(file)!;
  assert.equal(change.directive.name, 'location');
  assert.equal(change.delta, -2);
  // Nodes after the edit are the same objects, moved.
  assert.deepEqual(dumpTree(file), dumpTree(parse(next, '/t/nginx.conf')));
  for (const d of keep) assert.equal(next.slice(d.start, d.start + d.name.length), d.name);
});

test('edits that change the structure fall back to a whole parse', () => {
  const text = 'http {\n    server {\n        listen 80;\n    }\n}\n';
  for (const [what, next] of [
    ['an extra }', text.replace('listen 80;', 'listen 80; }')],
    ['an open string', text.replace('listen 80;', 'listen "80;')],
    ['a word glued to the closing brace', text.replace('listen 80;\n    }', 'listen 80;\n    x}')],
    ['a comment before the closing brace', text.replace('listen 80;\n    }', 'listen 80;\n    # }')],
    // nginx ends a comment at LF only: `# c\r}` swallows the brace, though the piece's comment ends before the CR.
    ['a comment and a lone CR before the closing brace', text.replace('listen 80;\n    }', 'listen 80;\n    # c\r}')],
  ] as const) {
    const file = parse(text, '/t/a.conf');
    const updated = updateText(file, next, '/t/a.conf');
    assert.notEqual(updated, file, what);
    assert.deepEqual(dumpTree(updated), dumpTree(parse(next, '/t/a.conf')), what);
  }
});

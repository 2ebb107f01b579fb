/**
 * Differential test: the compact parser (server/src/engine/syntax) must give
 * exactly the tree the object-tree parser it replaced gave (kept as a
 * test-only oracle in test/support/reference-parser.ts). Both trees are
 * dumped to one line per node: type, name, raw text, kind, value, offsets,
 * flags (terminated, closed, opaque, trailing), the links (parent block,
 * owning directive, trailing comment, siblings, file) and every comment,
 * syntax error and line start; the dumps must be equal line for line.
 *
 * Inputs: every file of ../shared/corpus (skipped with a message when the
 * folder is absent), generated configs of several sizes (also with CRLF and
 * with braces and semicolons knocked out), the hostile inputs of the hostile
 * test, and fast-check inputs built from nginx fragments or by mutating the
 * corpus. A mismatch prints the first differing line with its neighbours.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from '../../server/src/engine/syntax/parser';
import { parse as referenceParse } from '../support/reference-parser';
import { generateConfig } from '../../bench/generate';
import { rng, shapes } from '../support/hostile-inputs';

import { CORPUS, CORPUS_ABSENT, filesUnder } from '../support/corpus';
const RUNS = Number(process.env.PROPERTY_RUNS) || 500;

/** What both trees have in common (the public API), typed loosely so one dumper reads either. */
interface AnyNode {
  type: string;
  start: number;
  end: number;
  file: unknown;
  text: string;
  range: unknown;
}
interface AnyArg extends AnyNode {
  kind: string;
  raw: string;
  value: string;
  quoted: boolean;
  terminated: boolean;
  hasDollar(): boolean;
}
interface AnyComment extends AnyNode {
  type: 'comment';
  trailing: boolean;
  value: string;
}
interface AnyBlock extends AnyNode {
  children: AnyStatement[];
  closed: boolean;
  opaque?: string;
  parent: AnyDirective | null;
  bodyStart: number;
  bodyEnd: number;
}
interface AnyDirective extends AnyNode {
  type: 'directive';
  name: string;
  nameToken: AnyArg;
  args: AnyArg[];
  block: AnyBlock | null;
  parentBlock: AnyBlock | null;
  parent: AnyDirective | null;
  comment: AnyComment | null;
  terminated: boolean;
  siblings: AnyStatement[];
}
type AnyStatement = AnyDirective | AnyComment;
interface AnyFile {
  text: string;
  children: AnyStatement[];
  comments: AnyComment[];
  errors: { code: string; message: string; start: number; end: number }[];
  lines: { lineStarts: ArrayLike<number>; lineCount: number };
  walk(): Iterable<AnyDirective>;
  directiveAt(offset: number): AnyDirective | null;
}

const j = JSON.stringify;

function arg(tag: string, a: AnyArg, f: AnyFile): string {
  return `${tag} ${a.start}-${a.end} ${a.kind} ${j(a.raw)} ${j(a.value)} q=${a.quoted} t=${a.terminated} $=${a.hasDollar()} file=${a.file === f}`;
}

/** One line per node, comment, error and line start, in document order. Iterative: trees can be 256 levels deep. */
function dump(f: AnyFile): string[] {
  const out: string[] = [];
  const commentIndex = new Map<unknown, number>();
  f.comments.forEach((c, i) => commentIndex.set(c, i));
  for (const c of f.comments) out.push(`comment ${c.start}-${c.end} trailing=${c.trailing} ${j(c.value)} file=${c.file === f}`);
  for (const e of f.errors) out.push(`error ${e.code} ${e.start}-${e.end} ${e.message}`);
  out.push(`lines ${f.lines.lineCount}: ${Array.from(f.lines.lineStarts).join(',')}`);
  const stack: { list: AnyStatement[]; block: AnyBlock | null; i: number }[] = [{ list: f.children, block: null, i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    const s = top.list[top.i++]!;
    const depth = stack.length - 1;
    if (s.type !== 'directive') {
      const c = s;
      out.push(`${depth} C #${commentIndex.get(c)} ${c.start}-${c.end} trailing=${c.trailing}`);
      continue;
    }
    const d = s;
    out.push(
      `${depth} D ${j(d.name)} ${d.start}-${d.end} terminated=${d.terminated} comment=#${d.comment ? commentIndex.get(d.comment) : 'none'} ` +
        `parentBlock=${d.parentBlock === top.block} parent=${d.parent === (top.block ? top.block.parent : null)} siblings=${d.siblings === top.list} file=${d.file === f}`,
    );
    out.push(arg('  name', d.nameToken, f));
    for (const a of d.args) out.push(arg('  arg', a, f));
    if (d.block) {
      const b = d.block;
      out.push(
        `  block ${b.start}-${b.end} body=${b.bodyStart}-${b.bodyEnd} closed=${b.closed} opaque=${b.opaque === undefined ? '-' : j(b.opaque)} ` +
          `parent=${b.parent === d} children=${b.children.length} file=${b.file === f}`,
      );
      stack.push({ list: b.children, block: b, i: 0 });
    }
  }
  const walked = [...f.walk()];
  out.push(`walk ${walked.length}: ${walked.map((d) => d.start).join(',')}`);
  // directiveAt at every directive's start and end, and at a spread of other offsets.
  const probes = walked.flatMap((d) => [d.start, d.end]);
  for (let p = 0; p <= f.text.length; p += Math.max(1, Math.floor(f.text.length / 97))) probes.push(p);
  out.push(`directiveAt: ${probes.map((p) => f.directiveAt(p)?.start ?? -1).join(',')}`);
  return out;
}

/** Asserts equal dumps, printing the first difference with a little context (the full dumps can be megabytes). */
function assertSameTree(text: string, what: string): void {
  const expected = dump(referenceParse(text));
  const actual = dump(parse(text));
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== actual[i]) {
      const ctx = (l: string[]) => l.slice(Math.max(0, i - 3), i + 2).map((x) => (x.length > 300 ? x.slice(0, 300) + '…' : x));
      assert.fail(
        `${what}: trees differ at dump line ${i}\nreference:\n  ${ctx(expected).join('\n  ')}\ncompact:\n  ${ctx(actual).join('\n  ')}\n` +
          `input (first 300 chars): ${j(text.slice(0, 300))}`,
      );
    }
  }
}

/** Knocks out every `step`-th occurrence of `ch` (deterministic damage for the recovery paths). */
function knockOut(text: string, ch: string, step: number): string {
  let n = 0;
  return text.replace(new RegExp(`\\${ch}`, 'g'), (m) => (++n % step === 0 ? '' : m));
}

test('differential: every corpus file, read as UTF-8 and as latin1', { skip: CORPUS_ABSENT }, (t) => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(CORPUS);
  for (const file of files) {
    const bytes = readFileSync(file);
    assertSameTree(bytes.toString('utf8'), file);
    assertSameTree(bytes.toString('latin1'), `${file} (latin1)`);
  }
  t.diagnostic(`${files.length} files`);
});

test('differential: generated configs of several sizes, CRLF, and with braces and semicolons knocked out', () => {
  // The big sizes come with the hostile inputs (a 2.5 MB generated config).
  for (const servers of [1, 7, 60, 400]) {
    const text = generateConfig({ servers });
    assertSameTree(text, `${servers} servers`);
    assertSameTree(generateConfig({ servers, wrapper: false }), `${servers} servers, no wrapper`);
    if (servers > 60) continue;
    assertSameTree(text.replace(/\n/g, '\r\n'), `${servers} servers, CRLF`);
    assertSameTree(text.replace(/\n/g, '\r'), `${servers} servers, CR`);
    for (const step of [2, 3, 7]) {
      assertSameTree(knockOut(text, '}', step), `${servers} servers, every ${step}th '}' removed`);
      assertSameTree(knockOut(text, '{', step), `${servers} servers, every ${step}th '{' removed`);
      assertSameTree(knockOut(text, ';', step), `${servers} servers, every ${step}th ';' removed`);
    }
    // Tabs instead of spaces, and no indentation at all: the indentation pass reads both.
    assertSameTree(knockOut(text, '}', 3).replace(/ {4}/g, '\t'), `${servers} servers, tabs, '}' removed`);
    assertSameTree(knockOut(text, '}', 3).replace(/^ +/gm, ''), `${servers} servers, unindented, '}' removed`);
  }
});

for (const s of shapes) {
  test(`differential: hostile input ${s.name}`, () => {
    assertSameTree(s.make(1), s.name);
  });
}

/** Pieces of nginx syntax that reach every branch of the tokenizer and the recovery. */
const FRAGMENTS = [
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '    ',
  ';',
  ';',
  '{',
  '{',
  '}',
  '}',
  '"',
  "'",
  '\\',
  '\\"',
  '$',
  '${',
  '#',
  '# c\n',
  '(',
  ')',
  'a',
  'x',
  'server',
  'location',
  'listen',
  'proxy_pass',
  'map',
  'types',
  'if',
  'http',
  'events',
  'default',
  "''",
  '""',
  '"a b"',
  "'}'",
  'content_by_lua_block',
  'lua_block',
  'access_by_lua_block',
  '--',
  '--[[',
  ']]',
  '[[',
  '[==[',
  ']==]',
  '\ufeff',
  '\u00e9',
  '\ud83d\ude00',
  '\u000b',
  '\u000c',
  '\u0000',
  'proxy_set_header',
  'Upgrade',
  '$http_upgrade',
  'include',
  '~*',
  '^~',
  '/ws/',
  '\u00a0',
  '\u3000',
  '# c\r',
  '\r# c',
  '${{',
  'access_log',
  'gzip',
  'root',
  'http://x',
];
const fragmentText = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 120 }).map((parts) => parts.join(''));

test('differential (fast-check): texts built from nginx fragments', () => {
  fc.assert(
    fc.property(fragmentText, (text) => {
      assertSameTree(text, 'fragments');
    }),
    { numRuns: RUNS * 4 },
  );
});

test('differential (fast-check): arbitrary strings', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      assertSameTree(text, 'arbitrary string');
    }),
    { numRuns: RUNS },
  );
});

test('differential (fast-check): mutated corpus and generated configs', async (t) => {
  const seeds = [generateConfig({ servers: 3 })];
  // Without the corpus the generated seed still runs, and the corpus part is reported skipped with the reason.
  if (CORPUS_ABSENT) await t.test('corpus seeds', { skip: CORPUS_ABSENT }, () => {});
  else for (const f of filesUnder(CORPUS, (name) => name.endsWith('.conf'))) seeds.push(readFileSync(f, 'utf8'));
  // A mutation: at a few random places, delete a span, or insert a fragment, or duplicate a span.
  const mutation = fc.record({
    seed: fc.nat({ max: seeds.length - 1 }),
    edits: fc.array(
      fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom('delete', 'insert', 'duplicate'), fc.constantFrom(...FRAGMENTS)),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
  });
  fc.assert(
    fc.property(mutation, ({ seed, edits }) => {
      let text = seeds[seed]!;
      for (const [at, len, op, frag] of edits) {
        const p = text.length ? at % text.length : 0;
        if (op === 'delete') text = text.slice(0, p) + text.slice(p + len);
        else if (op === 'insert') text = text.slice(0, p) + frag + text.slice(p);
        else text = text.slice(0, p) + text.slice(p, p + len) + text.slice(p);
      }
      assertSameTree(text, 'mutated');
    }),
    { numRuns: RUNS },
  );
});

test('differential: random byte soups with nginx structure (deterministic)', () => {
  const r = rng(2024);
  for (let n = 0; n < 200; n++) {
    let text = '';
    const len = Math.floor(r() * 400);
    for (let i = 0; i < len; i++) text += FRAGMENTS[Math.floor(r() * FRAGMENTS.length)];
    assertSameTree(text, `soup ${n}`);
  }
});

/**
 * The node objects are views of the compact tree, made when a list is first
 * read. What callers rely on: the same object every time a node is reached,
 * plain writable objects once made, nothing left pointing into the compact
 * tree after `materialize()`, and in-place editing (move a subtree, re-home
 * a parsed piece) giving the tree a fresh parse of the edited text gives,
 * whether the lists were read before the edit or not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/engine/syntax/parser';
import type { Block, Directive, SourceFile, Statement } from '../../server/src/engine/syntax/ast';
import { generateConfig } from '../../bench/generate';
import { dumpTree } from '../support/tree-dump';
import { argumentValue, ValueTable } from '../../server/src/engine/syntax/values';

const TEXT = [
  '# top comment',
  'events { worker_connections 1024; }',
  'http {',
  "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
  '    server {',
  '        listen 80; # trailing',
  '        location /ws/ {',
  '            proxy_pass http://app;',
  '            proxy_set_header Upgrade $http_upgrade;',
  '        }',
  '        content_by_lua_block { ngx.say("}") }',
  '    }',
  '}',
  '',
].join('\n');

/** Every block of a file, reading each list once. */
function blocks(file: SourceFile): Block[] {
  const out: Block[] = [];
  const stack: Statement[][] = [file.children];
  while (stack.length) {
    for (const s of stack.pop()!) {
      if (s.type === 'directive' && s.block) {
        out.push(s.block);
        stack.push(s.block.children);
      }
    }
  }
  return out;
}

test('views: a node is the same object however it is reached', () => {
  const f = parse(TEXT);
  assert.equal(f.children, f.children);
  const first = [...f.walk()];
  const again = [...f.walk()];
  assert.equal(first.length, again.length);
  first.forEach((d, i) => assert.equal(d, again[i]));
  const listen = first.find((d) => d.name === 'listen')!;
  assert.equal(f.directiveAt(listen.start + 2), listen);
  // The trailing comment is one object: in file.comments, in the block's children, and as the directive's comment.
  assert.equal(listen.comment, f.comments[1]);
  assert.ok(listen.parentBlock!.children.includes(listen.comment));
  assert.equal(listen.comment.trailing, true);
});

test('views: materialize() leaves nothing pointing into the compact tree', () => {
  const f = parse(generateConfig({ servers: 5 }));
  const pending = (o: object) => (o as unknown as { pending: unknown }).pending;
  // A block keeps its children list, or the compact tree it is still to be made from, in one slot.
  const blockPending = (b: object) => !Array.isArray((b as unknown as { list: unknown }).list);
  assert.notEqual(pending(f), null, 'a fresh parse has made no node yet');
  assert.equal(f.materialize(), f);
  assert.equal(pending(f), null);
  const all = blocks(f);
  assert.ok(all.length > 20);
  for (const b of all) assert.equal(blockPending(b), false, `block at ${b.start} still refers to the compact tree`);
});

test('views: every field an in-place editor writes is writable, and reads back what was written', () => {
  const f = parse(TEXT);
  const other = parse('x;');
  const loc = [...f.walk()].find((d) => d.name === 'location')!;
  const block = loc.block!;
  const args = [...loc.args];
  const w = loc as { -readonly [K in keyof Directive]: Directive[K] };
  w.start += 1;
  w.end += 1;
  w.file = other;
  w.parentBlock = null;
  w.args = args.slice(0, 0);
  w.comment = f.comments[0]!;
  w.block = null;
  assert.deepEqual(
    [loc.start, loc.file, loc.parentBlock, loc.args, loc.comment, loc.block],
    [w.start, other, null, [], f.comments[0], null],
  );
  const children: Statement[] = [];
  block.children = children;
  assert.equal(block.children, children);
  f.children = children;
  assert.equal(f.children, children);
  const a = args[0]!;
  a.start += 3;
  assert.equal(a.start, args[0]!.start);
});

/**
 * Inserts `insert` at `at` (inside the body of the block that holds it) the way an in-place editor does:
 * move everything after the edit by walking it (a node first, then its children), without re-parsing.
 */
function shiftInPlace(file: SourceFile, at: number, insert: string): void {
  const delta = insert.length;
  const shift = (span: { start: number; end: number }) => {
    span.start += delta;
    span.end += delta;
  };
  const text = file.text.slice(0, at) + insert + file.text.slice(at);
  for (const c of file.comments) if (c.start >= at) shift(c);
  const stack: Statement[][] = [file.children];
  while (stack.length) {
    for (const s of stack.pop()!) {
      if (s.type !== 'directive') continue;
      // A plain name token is made from the directive's start when first read: read it before moving the directive.
      const name = s.nameToken;
      if (s.start >= at) s.start += delta;
      if (s.end > at) s.end += delta;
      if (name.start >= at) shift(name);
      for (const a of s.args) if (a.start >= at) shift(a);
      if (s.block) {
        if (s.block.start >= at) s.block.start += delta;
        if (s.block.end > at) s.block.end += delta;
        // Read after the block moved: lists made now must not be moved twice.
        stack.push(s.block.children);
      }
    }
  }
  (file as { text: string }).text = text;
  (file as { lines: SourceFile['lines'] }).lines = parse(text).lines;
}

test('views: moving nodes in place gives the fresh parse of the edited text, lists read before the edit or not', () => {
  const text = generateConfig({ servers: 4 });
  // Blank lines inserted between directives: the tree keeps its shape, everything after moves.
  for (const at of [text.indexOf('    server {'), text.indexOf('        location / {'), text.lastIndexOf('    upstream')]) {
    for (const readFirst of [false, true]) {
      const f = parse(text);
      if (readFirst) f.materialize();
      shiftInPlace(f, at, '\n\n');
      const edited = text.slice(0, at) + '\n\n' + text.slice(at);
      assert.deepEqual(dumpTree(f), dumpTree(parse(edited)), `insert at ${at}, lists ${readFirst ? 'read' : 'not read'} before`);
    }
  }
});

test('views: a piece parsed alone and re-homed at an offset matches the same text parsed in place', () => {
  const body = '\n    listen 80; # c\n    location / { proxy_pass http://a; }\n';
  const prefix = 'server {';
  const whole = parse(prefix + body + '}\n');
  const piece = parse(body);
  // Walk the whole piece (as an editor does before moving it), then move it into the big file.
  const nodes: { start: number; end: number; file: SourceFile }[] = [...piece.comments];
  for (const d of piece.walk()) {
    nodes.push(d, d.nameToken, ...d.args);
    if (d.block) nodes.push(d.block);
  }
  for (const n of nodes) {
    n.start += prefix.length;
    n.end += prefix.length;
    (n as { file: SourceFile }).file = whole;
  }
  const server = whole.children[0] as Directive;
  const fresh = server.block!.children;
  const moved = piece.children;
  assert.deepEqual(
    moved.map((s) => [s.type, s.start, s.end]),
    fresh.map((s) => [s.type, s.start, s.end]),
  );
});

test('views: argCount, arg, argRaw, argStart and argEnd answer as the argument nodes do, made or not, and after moveArgs', () => {
  const many = Array.from({ length: 70 }, (_, i) => `n${i}`).join(' ');
  const text = [
    generateConfig({ servers: 3 }),
    `server_name ${many};`,
    `set $a "x\\"y" 'z' \\$q;`,
    'map $a $b { "~(?<p>.)" 1; default 0; }',
    'log_format f "unterminated',
  ].join('\n');
  const facts = (d: Directive) => {
    const n = d.argCount;
    const out: unknown[] = [d.name, n, d.arg(n), d.arg(-1), d.argRaw(n)];
    for (let i = 0; i < n; i++) out.push(d.arg(i), d.argRaw(i), d.argStart(i), d.argEnd(i));
    return out;
  };
  const fromNodes = (d: Directive) => {
    const a = d.args;
    const out: unknown[] = [d.name, a.length, undefined, undefined, undefined];
    for (const x of a) out.push(x.value, x.raw, x.start, x.end);
    return out;
  };
  const unmade = [...parse(text).walk()];
  const made = [...parse(text).walk()];
  assert.ok(
    made.some((d) => d.argCount > 63),
    'a directive past the slot is made at once',
  );
  for (let i = 0; i < made.length; i++) {
    const want = fromNodes(made[i]!);
    assert.deepEqual(facts(unmade[i]!), want, `unmade ${unmade[i]!.name}`);
    assert.deepEqual(facts(made[i]!), want, `made ${made[i]!.name}`);
  }
  // Moved in the token table (unmade) or node by node (made): the same offsets, the same nodes once made. (The
  // text stays: only offsets are compared.)
  const spans = (d: Directive) => Array.from({ length: d.argCount }, (_, k) => [d.argStart(k), d.argEnd(k)]);
  for (let i = 0; i < made.length; i++) {
    const before = spans(made[i]!);
    unmade[i]!.moveArgs(5);
    made[i]!.moveArgs(5);
    assert.deepEqual(spans(unmade[i]!), spans(made[i]!));
    assert.deepEqual(
      spans(made[i]!),
      before.map(([s, e]) => [s! + 5, e! + 5]),
    );
    assert.deepEqual(
      unmade[i]!.args.map((a) => [a.start, a.end, a.terminated]),
      made[i]!.args.map((a) => [a.start, a.end, a.terminated]),
    );
  }
});

test('values: a file keeps each distinct value once and gives argumentValue its answer, past its limit too', () => {
  // Quoted, unterminated, escaped (never kept), long (a view of the text unless detached) and repeated values.
  const long = `/${'x'.repeat(40)}`;
  const text = `a "q" 'q' q "un\\"esc" ${long} ${long} $v $v "${long}" 'open\n`;
  const spans: [number, number][] = [];
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|'[^'\n]*'?|[^\s"']+/g)) spans.push([m.index, m.index + m[0].length]);
  for (const limit of [1 << 16, 2, 0]) {
    const table = new ValueTable(limit);
    for (const [s, e] of spans) {
      const terminated = !(text[s] === "'" && !text.slice(s + 1, e).endsWith("'"));
      assert.equal(table.value(text, s, e, terminated), argumentValue(text, s, e, terminated), `${limit}: ${text.slice(s, e)}`);
      // Asked again (a hit when kept): the same answer.
      assert.equal(table.value(text, s, e, terminated), argumentValue(text, s, e, terminated));
    }
  }
  // Through the parser: every argument's value is the one the text spells.
  const file = parse(text.replace(/'open\n$/, ';\n'));
  const values = (file.children[0] as Directive).args.map((a) => a.value);
  assert.deepEqual(values, ['q', 'q', 'q', 'un"esc', long, long, '$v', '$v', long]);
});

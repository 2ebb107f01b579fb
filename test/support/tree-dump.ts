/**
 * A normalised dump of a parse tree, for tests that compare two trees of the
 * same text (an in-place update against a fresh parse): every node's kind,
 * text and offsets, the links between nodes, the comments and the errors.
 * Link checks (parent, file) throw at once, naming the broken node.
 */
import assert from 'node:assert/strict';
import type { Argument, Block, SourceFile, Statement } from '../../server/src/engine/syntax/ast';

export function dumpTree(file: SourceFile): unknown {
  const arg = (a: Argument) => {
    assert.equal(a.file, file, `argument at ${a.start} belongs to the file`);
    return [a.start, a.end, a.kind, a.terminated, a.raw, a.value];
  };
  const list = (items: Statement[], block: Block | null): unknown[] =>
    items.map((s) => {
      assert.equal(s.file, file, `${s.type} at ${s.start} belongs to the file`);
      if (s.type === 'comment') return ['#', s.start, s.end, s.trailing, s.value];
      assert.equal(s.parentBlock, block, `directive ${s.name} at ${s.start} has the right parent block`);
      const b = s.block;
      if (b) {
        assert.equal(b.parent, s, `block of ${s.name} at ${s.start} points back to it`);
        assert.equal(b.file, file);
      }
      return [
        s.name,
        s.start,
        s.end,
        s.terminated,
        s.comment ? s.comment.start : null,
        arg(s.nameToken),
        s.args.map(arg),
        b ? [b.start, b.end, b.closed, b.opaque ?? null, list(b.children, b)] : null,
      ];
    });
  const errors = [...file.errors]
    .map((e) => [e.start, e.end, e.code, e.message])
    .sort((x, y) => (x[0] as number) - (y[0] as number) || String(x[2]).localeCompare(String(y[2])));
  return {
    text: file.text,
    lines: file.lines.lineStarts,
    children: list(file.children, null),
    comments: file.comments.map((c) => [c.start, c.end, c.trailing]),
    errors,
  };
}

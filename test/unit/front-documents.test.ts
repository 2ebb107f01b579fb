/**
 * The server front's copy of an open document (server/src/lsp/front/documents.ts)
 * keeps edits as notes and applies them when its text is read: the text must be
 * what the client has, however many notes were kept, read at any point.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { MirrorDocument } from '../../server/src/lsp/front/documents';

/** A random edit of `text`: a range replaced (line/character positions), or the whole text. */
function edit(text: string, r: { a: number; b: number; insert: string; whole: boolean }): TextDocumentContentChangeEvent {
  if (r.whole) return { text: r.insert };
  const doc = TextDocument.create('file:///x', 'nginx', 0, text);
  const from = Math.min(r.a, r.b) % (text.length + 1);
  const to = Math.max(r.a, r.b) % (text.length + 1);
  return { range: { start: doc.positionAt(Math.min(from, to)), end: doc.positionAt(Math.max(from, to)) }, text: r.insert };
}

test('the copy reads as the document the client edited, read after every edit, at the end, or past 256 notes', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 200 }),
      fc.array(
        fc.record({ a: fc.nat(400), b: fc.nat(400), insert: fc.string({ maxLength: 12 }), whole: fc.boolean(), read: fc.boolean() }),
        { maxLength: 300 },
      ),
      (initial, edits) => {
        const truth = TextDocument.create('file:///x', 'nginx', 1, initial);
        const copy = new MirrorDocument('file:///x', 'nginx', 1, initial);
        let version = 1;
        for (const e of edits) {
          const change = edit(truth.getText(), e);
          version++;
          TextDocument.update(truth, [change], version);
          copy.change([change], version);
          assert.equal(copy.version, version);
          if (e.read) assert.equal(copy.text(), truth.getText());
        }
        assert.equal(copy.text(), truth.getText());
      },
    ),
    { numRuns: 200 },
  );
});

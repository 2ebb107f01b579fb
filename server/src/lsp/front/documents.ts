/**
 * The front's copy of the open documents (front.ts): what a restarted thread,
 * or the replica when it is next asked something, is given. Edits are kept as
 * they arrive and applied only when the text is read, so a keystroke in a big
 * file costs the front nothing but a note (at most `MAX_PENDING` of them are
 * kept before they are applied).
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';

const MAX_PENDING = 256;

export class MirrorDocument {
  private readonly doc: TextDocument;
  private pending: { changes: TextDocumentContentChangeEvent[]; version: number }[] = [];
  version: number;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.doc = TextDocument.create(uri, languageId, version, text);
    this.version = version;
  }

  change(changes: TextDocumentContentChangeEvent[], version: number): void {
    this.pending.push({ changes, version });
    this.version = version;
    if (this.pending.length > MAX_PENDING) this.apply();
  }

  text(): string {
    this.apply();
    return this.doc.getText();
  }

  private apply(): void {
    for (const p of this.pending) TextDocument.update(this.doc, p.changes, p.version);
    this.pending = [];
  }
}

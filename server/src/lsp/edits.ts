/** Engine edits (per path) → LSP WorkspaceEdit (per URI, versioned when the client supports it). */
import { TextDocumentEdit, type ClientCapabilities, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { FileEdit } from '../engine/index';

export function toWorkspaceEdit(
  caps: ClientCapabilities,
  uriOf: (path: string) => string,
  versionOf: (path: string) => number | null,
  changes: FileEdit[],
): WorkspaceEdit {
  const edits = changes.map((c) => ({ uri: uriOf(c.path), version: versionOf(c.path), edits: c.edits }));
  if (caps.workspace?.workspaceEdit?.documentChanges) {
    return { documentChanges: edits.map((e) => TextDocumentEdit.create({ uri: e.uri, version: e.version }, e.edits)) };
  }
  const out: Record<string, TextEdit[]> = {};
  for (const e of edits) out[e.uri] = [...(out[e.uri] ?? []), ...e.edits];
  return { changes: out };
}

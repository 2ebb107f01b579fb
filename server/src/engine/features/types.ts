/**
 * LSP-shaped results of the editor features, defined structurally so the
 * engine does not depend on vscode-languageserver. Field names and numeric
 * enums match the LSP 3.17 specification, so an adapter passes them through.
 */
import type { Position, Range } from '../syntax/ast';
import type { TextEdit } from '../types';

export type { Position, Range };

export interface MarkupContent {
  kind: 'markdown' | 'plaintext';
  value: string;
}

export interface Hover {
  contents: MarkupContent;
  range?: Range;
}

/** The engine's edit (types.ts): the same shape as LSP's. */
export type { TextEdit };

/** LSP CompletionItemKind values used here. */
export const CompletionItemKind = {
  Function: 3,
  Variable: 6,
  Module: 9,
  Property: 10,
  Value: 12,
  Keyword: 14,
  Snippet: 15,
  Reference: 18,
  EnumMember: 20,
  Struct: 22,
} as const;

/** LSP InsertTextFormat. */
export const InsertTextFormat = { PlainText: 1, Snippet: 2 } as const;

/** LSP CompletionItemTag. */
export const CompletionItemTag = { Deprecated: 1 } as const;

export interface CompletionItem {
  label: string;
  kind: number;
  detail?: string;
  documentation?: MarkupContent;
  insertText?: string;
  insertTextFormat?: number;
  textEdit?: TextEdit;
  sortText?: string;
  filterText?: string;
  tags?: number[];
  /** Kept by the client and sent back with `completionItem/resolve`. */
  data?: unknown;
}

/** LSP SignatureHelp: the directive's syntax lines, the argument under the cursor as the active parameter. */
export interface ParameterInformation {
  /** Offsets [start, end) into the signature's label. */
  label: [number, number];
  documentation?: MarkupContent;
}

export interface SignatureInformation {
  label: string;
  documentation?: MarkupContent;
  parameters: ParameterInformation[];
  activeParameter?: number;
}

export interface SignatureHelp {
  signatures: SignatureInformation[];
  activeSignature: number;
  activeParameter: number;
}

/** LSP SymbolKind values used here. */
export const SymbolKind = {
  File: 1,
  Module: 2,
  Namespace: 3,
  Class: 5,
  Method: 6,
  Property: 7,
  Field: 8,
  Function: 12,
  Variable: 13,
  Object: 19,
  Key: 20,
  Event: 24,
  Struct: 23,
} as const;

export interface DocumentSymbol {
  name: string;
  detail?: string;
  kind: number;
  range: Range;
  selectionRange: Range;
  children?: DocumentSymbol[];
}

export interface FoldingRange {
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'imports' | 'region';
}

/** A place in a file of the config; `path` is the path/URI string the engine was given. */
export interface Location {
  path: string;
  range: Range;
}

export interface DocumentLink {
  range: Range;
  /** The resolved path (the adapter turns it into a URI). */
  target: string;
  tooltip?: string;
}

/** Edits grouped per file, like the engine's `FileEdit`. */
export interface WorkspaceEdit {
  changes: { path: string; edits: TextEdit[] }[];
}

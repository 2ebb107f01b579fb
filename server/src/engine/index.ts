/**
 * The engine's facade: everything an adapter (LSP server, CLI, tests) needs.
 * Pure: no I/O except through the `FileHost` it is given, no LSP imports.
 */
export { parse } from './syntax/parser';
export { updateText } from './syntax/incremental';
export * from './syntax/ast';
export * from './types';
export { analyze, lintText, singleFileHost, type Analysis, type WsLocation } from './analyze';

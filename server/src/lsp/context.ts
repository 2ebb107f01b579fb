/**
 * What every protocol handler gets, and the seam for new features: a feature
 * is one file under `handlers/` exporting a `Feature` (its capabilities and
 * its handler registration), listed in `handlers/index.ts`. Engine features
 * (hover, completion, symbols, ... from `engine/features/`) plug in the same
 * way: take `ctx.analyzer.current(uri)`, call the pure function, convert.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ClientCapabilities, Connection, ServerCapabilities, TextDocuments } from 'vscode-languageserver/node';
import type { Analysis, SourceFile } from '../engine/index';
import type { Analyzer, DocAnalysis } from './analyzer';
import type { ServerSettings } from './settings';

export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  analyzer: Analyzer;
  clientCapabilities: ClientCapabilities;
  settings(): ServerSettings;
  log(message: string): void;
}

export interface Feature {
  name: string;
  capabilities(client: ClientCapabilities): ServerCapabilities;
  register(ctx: ServerContext): void;
}

/**
 * Wraps a request handler so an exception is logged and answered with
 * `fallback` instead of an error reply (or, worse, a dead server).
 */
export function guard<P, R>(
  ctx: Pick<ServerContext, 'log'>,
  name: string,
  fallback: R,
  fn: (params: P) => R | Promise<R>,
): (params: P) => Promise<R> {
  return async (params: P) => {
    try {
      return await fn(params);
    } catch (e) {
      ctx.log(`nginx-ws: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  };
}

export interface OpenAnalysis {
  state: DocAnalysis;
  analysis: Analysis;
  /** The document's own parsed file. */
  file: SourceFile;
  /** No `http {}` in sight: a snippet whose includer is unknown, so its top level may be any context. */
  lenient: boolean;
}

/** The current analysis of an open document, for the editor features; undefined when it has none. */
export async function openAnalysis(ctx: ServerContext, uri: string): Promise<OpenAnalysis | undefined> {
  const state = await ctx.analyzer.current(uri);
  const analysis = state?.analysis;
  const file = analysis?.files.get(state!.analysedPath);
  if (!state || !analysis || !file) return undefined;
  return { state, analysis, file, lenient: !analysis.model.scopes.has('http') };
}

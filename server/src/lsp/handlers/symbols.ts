/** Outline: http/server/location/upstream/map with names (engine/features/symbols). */
import type { DocumentSymbol, DocumentSymbolParams } from 'vscode-languageserver/node';
import { documentSymbols } from '../../engine/index';
import { guard, openAnalysis, type Feature } from '../context';

export const symbolsFeature: Feature = {
  name: 'documentSymbol',
  capabilities: () => ({ documentSymbolProvider: { label: 'nginx' } }),
  register(ctx) {
    ctx.connection.onDocumentSymbol(
      guard(ctx, 'documentSymbol', [], async (p: DocumentSymbolParams): Promise<DocumentSymbol[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? (documentSymbols(a.file) as DocumentSymbol[]) : [];
      }),
    );
  },
};

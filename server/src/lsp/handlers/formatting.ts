/** Document formatting: block indentation, one directive per line, Lua and map bodies untouched (engine/features/format). */
import type { DocumentFormattingParams, TextEdit } from 'vscode-languageserver/node';
import { formatDocument } from '../../engine/features/index';
import { guard, openAnalysis, type Feature } from '../context';

export const formattingFeature: Feature = {
  name: 'formatting',
  capabilities: () => ({ documentFormattingProvider: true }),
  register(ctx) {
    ctx.connection.onDocumentFormatting(
      guard(ctx, 'formatting', [], async (p: DocumentFormattingParams): Promise<TextEdit[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        if (!a) return [];
        const indent = p.options.insertSpaces ? ' '.repeat(Math.max(1, Math.min(16, p.options.tabSize || 4))) : '\t';
        return formatDocument(a.file, { indent });
      }),
    );
  },
};

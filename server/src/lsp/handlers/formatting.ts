/**
 * Formatting: the whole document, a range, and on typing `}` (the block it
 * closes). The engine's formatter (engine/features/format) only changes the
 * whitespace between the words nginx reads; the edits are those gaps.
 */
import type { DocumentFormattingParams, DocumentOnTypeFormattingParams, DocumentRangeFormattingParams, FormattingOptions, TextEdit } from 'vscode-languageserver/node';
import { formatDocument, formatOnType, formatRange, type FormatOptions } from '../../engine/features/index';
import { guard, openAnalysis, type Feature } from '../context';

/** The editor's indentation: `tabSize` spaces (1 to 16), or a tab. */
function options(o: FormattingOptions): FormatOptions {
  return { indent: o.insertSpaces ? ' '.repeat(Math.max(1, Math.min(16, o.tabSize || 4))) : '\t' };
}

export const formattingFeature: Feature = {
  name: 'formatting',
  capabilities: () => ({
    documentFormattingProvider: true,
    documentRangeFormattingProvider: true,
    documentOnTypeFormattingProvider: { firstTriggerCharacter: '}' },
  }),
  register(ctx) {
    ctx.connection.onDocumentFormatting(
      guard(ctx, 'formatting', [], async (p: DocumentFormattingParams): Promise<TextEdit[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? formatDocument(a.file, options(p.options)) : [];
      }),
    );
    ctx.connection.onDocumentRangeFormatting(
      guard(ctx, 'range formatting', [], async (p: DocumentRangeFormattingParams): Promise<TextEdit[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? formatRange(a.file, p.range, options(p.options)) : [];
      }),
    );
    ctx.connection.onDocumentOnTypeFormatting(
      guard(ctx, 'on-type formatting', [], async (p: DocumentOnTypeFormattingParams): Promise<TextEdit[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? formatOnType(a.file, p.position, p.ch, options(p.options)) : [];
      }),
    );
  },
};

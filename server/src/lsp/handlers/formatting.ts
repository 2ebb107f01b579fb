/**
 * Formatting: the whole document, a range, and on typing `}` (the block it
 * closes). The engine's formatter (engine/features/format) only changes the
 * whitespace between the words nginx reads; the edits are those gaps.
 */
import type {
  DocumentFormattingParams,
  DocumentOnTypeFormattingParams,
  DocumentRangeFormattingParams,
  FormattingOptions,
  TextEdit,
} from 'vscode-languageserver/node';
import { formatDocument, formatOnType, formatRange, type FormatOptions } from '../../engine/index';
import { DiskReader } from '../../node/file-host';
import { isDiskPath, uriToPath } from '../../node/paths';
import { SettingsFiles } from '../../node/settings-file';
import { guard, openAnalysis, type Feature } from '../context';

/**
 * The indentation: the `indent` of the nearest `.nginx-ws.json` when it sets
 * one (so the editor and `nginx-ws fmt --check` in CI agree), else the
 * editor's: `tabSize` spaces (1 to 16), or a tab. The settings file is read
 * afresh each time (a few stat calls; formatting is a user action).
 */
function options(uri: string, o: FormattingOptions): FormatOptions {
  const path = uriToPath(uri);
  const project = isDiskPath(path) ? new SettingsFiles(new DiskReader()).forFile(path)?.settings.indent : undefined;
  return { indent: project ?? (o.insertSpaces ? ' '.repeat(Math.max(1, Math.min(16, o.tabSize || 4))) : '\t') };
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
        return a ? formatDocument(a.file, options(p.textDocument.uri, p.options)) : [];
      }),
    );
    ctx.connection.onDocumentRangeFormatting(
      guard(ctx, 'range formatting', [], async (p: DocumentRangeFormattingParams): Promise<TextEdit[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? formatRange(a.file, p.range, options(p.textDocument.uri, p.options)) : [];
      }),
    );
    ctx.connection.onDocumentOnTypeFormatting(
      guard(ctx, 'on-type formatting', [], async (p: DocumentOnTypeFormattingParams): Promise<TextEdit[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? formatOnType(a.file, p.position, p.ch, options(p.textDocument.uri, p.options)) : [];
      }),
    );
  },
};

/** Completion: directives valid in context, variables, upstream names (engine/features/completion). */
import type { CompletionItem, CompletionParams } from 'vscode-languageserver/node';
import { completions } from '../../engine/features/index';
import { guard, openAnalysis, type Feature } from '../context';

export const completionFeature: Feature = {
  name: 'completion',
  capabilities: () => ({ completionProvider: { triggerCharacters: ['$', '/'], resolveProvider: false } }),
  register(ctx) {
    ctx.connection.onCompletion(
      guard(ctx, 'completion', [], async (p: CompletionParams): Promise<CompletionItem[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? (completions(a.analysis, a.state.analysedPath, p.position, { lenient: a.lenient }) as CompletionItem[]) : [];
      }),
    );
  },
};

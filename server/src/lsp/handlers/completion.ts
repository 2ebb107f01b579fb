/** Completion: directives valid in context, variables, upstream names (engine/features/completion); docs on resolve. */
import type { CompletionItem, CompletionParams } from 'vscode-languageserver/node';
import { completions, resolveCompletion } from '../../engine/index';
import { guard, openAnalysis, type Feature } from '../context';

export const completionFeature: Feature = {
  name: 'completion',
  capabilities: () => ({ completionProvider: { triggerCharacters: ['$', '/'], resolveProvider: true } }),
  register(ctx) {
    ctx.connection.onCompletion(
      guard(ctx, 'completion', [], async (p: CompletionParams): Promise<CompletionItem[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? (completions(a.analysis, a.state.analysedPath, p.position, { lenient: a.lenient }) as CompletionItem[]) : [];
      }),
    );
    // The documentation of the item the user looks at: not sent with the list, which can hold hundreds of directives.
    ctx.connection.onCompletionResolve((item: CompletionItem): CompletionItem => {
      try {
        return resolveCompletion(item as Parameters<typeof resolveCompletion>[0]) as CompletionItem;
      } catch (e) {
        ctx.log(`nginx-ws: completion resolve failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return item;
      }
    });
  },
};

/** Folding ranges for blocks and comment runs (engine/features/folding). */
import type { FoldingRange, FoldingRangeParams } from 'vscode-languageserver/node';
import { foldingRanges } from '../../engine/index';
import { guard, openAnalysis, type Feature } from '../context';

export const foldingFeature: Feature = {
  name: 'foldingRange',
  capabilities: () => ({ foldingRangeProvider: true }),
  register(ctx) {
    ctx.connection.onFoldingRanges(
      guard(ctx, 'foldingRange', [], async (p: FoldingRangeParams): Promise<FoldingRange[]> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? foldingRanges(a.file) : [];
      }),
    );
  },
};

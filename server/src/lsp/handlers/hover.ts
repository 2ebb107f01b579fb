/** Hover: directive docs, variables, upstreams, includes (engine/features/hover). */
import type { Hover, HoverParams } from 'vscode-languageserver/node';
import { hover } from '../../engine/index';
import { guard, openAnalysis, type Feature } from '../context';

export const hoverFeature: Feature = {
  name: 'hover',
  capabilities: () => ({ hoverProvider: true }),
  register(ctx) {
    ctx.connection.onHover(
      guard(ctx, 'hover', null, async (p: HoverParams): Promise<Hover | null> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a
          ? hover(a.analysis, a.state.analysedPath, p.position, {
              lenient: a.lenient,
              nginxVersion: ctx.analyzer.engineSettings(a.state.analysedPath).nginxVersion,
            })
          : null;
      }),
    );
  },
};

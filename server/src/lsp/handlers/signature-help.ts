/** Signature help: a directive's syntax lines with the argument being typed highlighted (engine/features/signature-help). */
import type { SignatureHelp, SignatureHelpParams } from 'vscode-languageserver/node';
import { signatureHelp } from '../../engine/index';
import { guard, openAnalysis, type Feature } from '../context';

export const signatureHelpFeature: Feature = {
  name: 'signature-help',
  capabilities: () => ({ signatureHelpProvider: { triggerCharacters: [' '], retriggerCharacters: [' ', '\t'] } }),
  register(ctx) {
    ctx.connection.onSignatureHelp(
      guard(ctx, 'signature help', null, async (p: SignatureHelpParams): Promise<SignatureHelp | null> => {
        const a = await openAnalysis(ctx, p.textDocument.uri);
        return a ? signatureHelp(a.analysis, a.state.analysedPath, p.position, { lenient: a.lenient }) : null;
      }),
    );
  },
};

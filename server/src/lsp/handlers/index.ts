/**
 * Every protocol feature the server offers, one file each. To add one:
 * write `handlers/<feature>.ts` exporting a `Feature` (its capabilities and
 * its handler registration; engine features take `openAnalysis(ctx, uri)`
 * and pass results through), and list it here.
 */
import type { Feature } from '../context';
import { codeActionsFeature } from './code-actions';
import { codeLensFeature } from './code-lens';
import { completionFeature } from './completion';
import { configSnapshotFeature } from './config-snapshot';
import { endpointContextFeature } from './endpoint-context';
import { foldingFeature } from './folding';
import { formattingFeature } from './formatting';
import { hoverFeature } from './hover';
import { navigationFeature } from './navigation';
import { signatureHelpFeature } from './signature-help';
import { symbolsFeature } from './symbols';
import { workspaceEndpointsFeature } from './workspace-endpoints';
import { traceFeature } from './trace';

export const FEATURES: readonly Feature[] = [
  codeActionsFeature,
  codeLensFeature,
  endpointContextFeature,
  hoverFeature,
  completionFeature,
  signatureHelpFeature,
  symbolsFeature,
  foldingFeature,
  navigationFeature,
  formattingFeature,
  workspaceEndpointsFeature,
  configSnapshotFeature,
  traceFeature,
];

/**
 * Every protocol feature the server offers, one file each. To add one (hover,
 * completion, symbols, folding, definition, references, rename, document
 * links, formatting from engine/features/): write `handlers/<feature>.ts`
 * exporting a `Feature`, and list it here.
 */
import type { Feature } from '../context';
import { codeActionsFeature } from './code-actions';
import { codeLensFeature } from './code-lens';
import { endpointContextFeature } from './endpoint-context';

export const FEATURES: readonly Feature[] = [codeActionsFeature, codeLensFeature, endpointContextFeature];

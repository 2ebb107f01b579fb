/**
 * Loads dist/client-tools.js (tools.ts) on first use. The path is computed,
 * so esbuild leaves the `require` alone and the tools stay out of
 * dist/client.js; run from the sources (tests), the same call loads tools.ts.
 */
import * as nodePath from 'node:path';
import type * as Tools from './tools';

let loaded: typeof Tools | undefined;

/** The endpoint tester and the local proof. */
export function tools(): typeof Tools {
  const file = nodePath.join(__dirname, __filename.endsWith('.ts') ? 'tools.ts' : 'client-tools.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle of its own, loaded when first needed
  return (loaded ??= require(file) as typeof Tools);
}

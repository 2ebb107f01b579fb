/**
 * Loads dist/client-tools.js (tools.ts) on first use, from the folder of the
 * bundle that runs this (dist/client.js). The path is computed, so esbuild
 * leaves the `require` alone and the tools stay out of dist/client.js.
 */
import * as nodePath from 'node:path';
import type * as Tools from './tools';

let loaded: typeof Tools | undefined;

/** The endpoint tester and the local proof. */
export function tools(): typeof Tools {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle of its own, loaded when first needed
  return (loaded ??= require(nodePath.join(__dirname, 'client-tools.js')) as typeof Tools);
}

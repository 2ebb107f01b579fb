// Compiles test/vscode/suite/*.ts into out/vscode-test/suite/*.js for an
// extension host to load. `vscode` and `mocha` stay external: the host
// provides the first, and the runner and the test files must share one mocha.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const SUITE_OUT = join(REPO, 'out', 'vscode-test', 'suite');
export const SUITE_INDEX = join(SUITE_OUT, 'index.js');
export const SUITE_WORKSPACE = join(REPO, 'test', 'vscode', 'workspace');

export async function buildSuite() {
  const src = join(REPO, 'test', 'vscode', 'suite');
  await esbuild.build({
    entryPoints: readdirSync(src)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(src, f)),
    outdir: SUITE_OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return SUITE_INDEX;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await buildSuite());
}

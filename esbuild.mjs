// Bundles the extension client and the language server (the files the
// VSIX ships) plus the command-line tool. Types are checked by `tsc`, not here.
import * as esbuild from 'esbuild';
import { referenceMarkdownOnly } from './scripts/esbuild-reference.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * `ws` (the local proof's echo backend) tries `require('bufferutil')` and `require('utf-8-validate')`, optional
 * native speed-ups it does without when they are missing. The bundles carry none: each resolves to a module
 * that throws at load, which `ws` catches, so no require of a package outside the bundle is left.
 */
const noOptionalNative = {
  name: 'no-optional-native',
  setup(build) {
    build.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (a) => ({ path: a.path, namespace: 'absent' }));
    build.onLoad({ filter: /.*/, namespace: 'absent' }, (a) => ({
      contents: `throw new Error('${a.path} is not bundled');`,
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
  plugins: [noOptionalNative, referenceMarkdownOnly],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
};

const builds = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  // The endpoint tester and the local proof, loaded by the extension on their first use (client/src/tools-loader.ts).
  { entryPoints: ['client/src/tools.ts'], outfile: 'dist/client-tools.js', external: ['vscode'] },
  { entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server-main.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli-main.js' },
  // The language server's main thread, which runs dist/server-main.js in two worker threads (server/src/lsp/front/).
  { entryPoints: ['server/src/lsp/front/main.ts'], outfile: 'dist/server-front.js' },
  // The entries Node starts: small launchers that load the two bundles above through a V8 code cache.
  { entryPoints: ['server/src/lsp/launch.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/cli/launch.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context({ ...common, ...b });
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build({ ...common, ...b })));
}

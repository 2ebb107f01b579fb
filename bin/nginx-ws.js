#!/usr/bin/env node
// The command-line tool is bundled by `npm run build` into dist/cli.js.
try {
  // A path built at run time: the type checker must not follow it into the bundle.
  require(require('node:path').join(__dirname, '..', 'dist', 'cli.js'));
} catch (e) {
  const err = /** @type {{ code?: string, message?: string } | undefined} */ (e);
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    process.stderr.write('nginx-ws: not built yet; run `npm run build` first\n');
    process.exit(2);
  }
  throw e;
}

#!/usr/bin/env node
// The command-line tool is bundled by `npm run build` into dist/cli.js.
try {
  require('../dist/cli.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('dist/cli.js')) {
    process.stderr.write('nginx-ws: not built yet; run `npm run build` first\n');
    process.exit(2);
  }
  throw e;
}

/**
 * Entry of dist/cli.js (the `nginx-ws` command): loads the CLI bundle,
 * dist/cli-main.js, through the V8 code cache (node/code-cache.ts).
 */
import * as nodePath from 'node:path';
import { loadWithCodeCache } from '../node/code-cache';

loadWithCodeCache(nodePath.join(__dirname, 'cli-main.js'), 'cli');

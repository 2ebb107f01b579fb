/**
 * Entry of dist/server.js (what VS Code and the tests start): loads the
 * language server's bundle, dist/server-main.js, through the V8 code cache
 * (node/code-cache.ts).
 */
import * as nodePath from 'node:path';
import { loadWithCodeCache } from '../node/code-cache';

loadWithCodeCache(nodePath.join(__dirname, 'server-main.js'), 'server');

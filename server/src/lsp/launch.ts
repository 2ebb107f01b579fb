/**
 * Entry of dist/server.js (what VS Code and the tests start). On the main
 * thread, with a transport the front speaks (--stdio, --node-ipc), it loads
 * the front, dist/server-front.js, which starts the server proper in two
 * worker threads (front/front.ts); in those threads, or with another
 * transport, or with NGINX_WS_THREADS=off, the server itself,
 * dist/server-main.js. Both through the V8 code cache (node/code-cache.ts).
 */
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { loadWithCodeCache } from '../node/code-cache';

const argv = process.argv;
const frontFile = nodePath.join(__dirname, 'server-front.js');
const front =
  isMainThread &&
  process.env.NGINX_WS_THREADS !== 'off' &&
  (argv.includes('--stdio') || (argv.includes('--node-ipc') && !!process.send)) &&
  existsSync(frontFile);
if (front) loadWithCodeCache(frontFile, 'server-front');
else loadWithCodeCache(nodePath.join(__dirname, 'server-main.js'), 'server');

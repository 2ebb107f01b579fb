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

/**
 * As for the CLI (cli/launch.ts), the JIT waits longer before it optimizes a function: a fresh server's first
 * analysis is a cold run of a few hundred milliseconds, where early optimizations (and their deoptimizations)
 * cost more than they save; hot code is still optimized within the first edits. Measured on the 1.4 MB config,
 * fresh servers in turns: first diagnostics 321-333 ms without it, 285-310 ms with it; edit p50 and p95 the same.
 * V8's flags are the process's, so the front's setting reaches the threads it starts. NGINX_WS_SERVER_INTERRUPT_BUDGET
 * overrides it for measuring.
 */
const budget = /^\d{4,8}$/.test(process.env.NGINX_WS_SERVER_INTERRUPT_BUDGET ?? '')
  ? process.env.NGINX_WS_SERVER_INTERRUPT_BUDGET
  : '400000';
const flags = [`--interrupt-budget=${budget}`];

const argv = process.argv;
const frontFile = nodePath.join(__dirname, 'server-front.js');
const front =
  isMainThread &&
  process.env.NGINX_WS_THREADS !== 'off' &&
  (argv.includes('--stdio') || (argv.includes('--node-ipc') && !!process.send)) &&
  existsSync(frontFile);
if (front) loadWithCodeCache(frontFile, 'front', flags);
else loadWithCodeCache(nodePath.join(__dirname, 'server-main.js'), 'server', flags);

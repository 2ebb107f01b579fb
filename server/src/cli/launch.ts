/**
 * Entry of dist/cli.js (the `nginx-ws` command): loads the CLI bundle,
 * dist/cli-main.js, through the V8 code cache (node/code-cache.ts).
 *
 * A command runs once and exits, so the JIT is told to wait longer before it
 * optimizes a function: V8's default budget (67,584 bytecodes run) suits a
 * long-lived program, but in a run of a few hundred milliseconds the
 * optimizing compiler's work on the one CPU the run has (and the
 * deoptimizations of code optimized on too little feedback) cost more than
 * the optimized code saves. NGINX_WS_CLI_INTERRUPT_BUDGET overrides it for
 * measuring (`npm run bench` prints the one-shot figures it changes).
 */
import * as nodePath from 'node:path';
import { loadWithCodeCache } from '../node/code-cache';

const budget = /^\d{4,8}$/.test(process.env.NGINX_WS_CLI_INTERRUPT_BUDGET ?? '') ? process.env.NGINX_WS_CLI_INTERRUPT_BUDGET : '400000';
loadWithCodeCache(nodePath.join(__dirname, 'cli-main.js'), 'cli', [`--interrupt-budget=${budget}`]);

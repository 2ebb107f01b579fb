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
 *
 * The young generation is kept at its starting size (V8 doubles it, up to
 * 16 MB a semi-space, while a run keeps allocating): what a lint allocates
 * is mostly the syntax tree and the model, which live to the end, so a
 * larger young generation only copies them more before they are promoted,
 * and its pages stay part of the process's memory. On the 15 MB config:
 * peak RSS 258 → 221 MB at the same CPU time. (`--max-semi-space-size` does
 * the same only on Node's command line; the growth factor is read each time
 * V8 would grow the space.) NGINX_WS_CLI_YOUNG_GROWTH overrides it (1-4).
 */
import * as nodePath from 'node:path';
import { loadWithCodeCache } from '../node/code-cache';

const budget = /^\d{4,8}$/.test(process.env.NGINX_WS_CLI_INTERRUPT_BUDGET ?? '') ? process.env.NGINX_WS_CLI_INTERRUPT_BUDGET : '400000';
const growth = /^[1-4]$/.test(process.env.NGINX_WS_CLI_YOUNG_GROWTH ?? '') ? process.env.NGINX_WS_CLI_YOUNG_GROWTH : '1';
loadWithCodeCache(nodePath.join(__dirname, 'cli-main.js'), 'cli', [`--interrupt-budget=${budget}`, `--semi-space-growth-factor=${growth}`]);

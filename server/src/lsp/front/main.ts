/**
 * Entry of dist/server-front.js: the language server's main thread (front.ts),
 * which runs the server proper in two worker threads (dist/server.js again,
 * which loads dist/server-main.js there).
 */
import * as nodePath from 'node:path';
import { clientTransport, Front } from './front';

const transport = clientTransport(process.argv);
if (!transport) throw new Error('nginx-ws: the server front speaks --stdio and --node-ipc only');
// Last line of defence, as in the single-threaded server: a stray exception is written to stderr, not fatal.
process.on('uncaughtException', (e) => process.stderr.write(`nginx-ws: uncaught exception in the server front: ${e.stack ?? e.message}\n`));
new Front({ ...transport, workerFile: nodePath.join(__dirname, 'server.js') }).start();

/**
 * Entry of dist/server.js. The transport comes from the command line
 * (`--stdio`, `--node-ipc`, `--socket=N`), as vscode-languageclient and the
 * protocol tests start it.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);

// Last line of defence: a stray exception in a callback is logged, not fatal.
process.on('uncaughtException', (e) => connection.console.error(`nginx-ws: uncaught exception: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => connection.console.error(`nginx-ws: unhandled rejection: ${String(e)}`));

startServer(connection);

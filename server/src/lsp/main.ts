/**
 * Entry of dist/server-main.js, the server proper. In an analysis thread of
 * the front (front/front.ts) it talks to the front over the thread's port and
 * reports each analysis it starts and ends; on its own (NGINX_WS_THREADS=off,
 * or a transport the front does not speak) the transport comes from the
 * command line (`--stdio`, `--node-ipc`, `--socket=N`).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createConnection, PortMessageReader, PortMessageWriter, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer, type ThreadRole } from './server';
import { isWorkerData, type WorkerStatus } from './front/status';

const data = !isMainThread && isWorkerData(workerData) ? workerData : null;
const port = data ? parentPort : null;
const connection = port
  ? createConnection(ProposedFeatures.all, new PortMessageReader(port), new PortMessageWriter(port))
  : createConnection(ProposedFeatures.all);

// Last line of defence: a stray exception in a callback is logged, not fatal.
process.on('uncaughtException', (e) => connection.console.error(`nginx-ws: uncaught exception: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => connection.console.error(`nginx-ws: unhandled rejection: ${String(e)}`));

let thread: ThreadRole | undefined;
if (data && port) {
  const busy = new Float64Array(data.busy);
  thread = {
    role: data.role,
    analysing(doc) {
      busy[0] = doc ? Date.now() : 0;
      const status: WorkerStatus = { nginxWsStatus: true, analysing: doc };
      port.postMessage(status);
    },
  };
}
startServer(connection, thread);

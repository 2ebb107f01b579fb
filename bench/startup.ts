/**
 * What the official reference costs the editor: the language server's start
 * (spawn to `initialize` answered, which is what the extension's activation
 * waits for), its first diagnostics on a small config, the first hover on a
 * directive (the moment the reference's Markdown is parsed, once) and a
 * second one, and the size of the bundle and of the VSIX.
 *
 *   node --import tsx bench/startup.ts [SERVER.js ...]   # alone; several builds take turns, to compare
 *   npm run bench                                            # as part of the whole bench
 *
 * Best and median of several runs, each in a fresh server process.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const ROOT = join(__dirname, '..');

const CONFIG = `events {}
http {
    server {
        listen 127.0.0.1:8080;
        location /ws/ {
            proxy_pass http://127.0.0.1:3000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 3600s;
        }
    }
}
`;

export interface StartupRun {
  initializeMs: number;
  diagnosticsMs: number;
  firstHoverMs: number;
  secondHoverMs: number;
}

export interface StartupResult {
  server: string;
  runs: StartupRun[];
  best: StartupRun;
  median: StartupRun;
  serverBytes: number;
  vsixBytes: number | null;
}

async function once(serverJs: string): Promise<StartupRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  try {
    const uri = 'file:///bench-startup/nginx.conf';
    let gotDiagnostics: () => void = () => {};
    const diagnostics = new Promise<void>((r) => (gotDiagnostics = r));
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      if (p.uri === uri) gotDiagnostics();
    });
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    conn.onRequest('client/registerCapability', () => undefined);
    conn.listen();
    await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: null,
      capabilities: {},
      initializationOptions: { debounceMs: 0, workspaceTrusted: false },
    });
    const initializeMs = performance.now() - t0;
    await conn.sendNotification(InitializedNotification.type, {});
    const t1 = performance.now();
    await conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'nginx', version: 1, text: CONFIG },
    });
    await diagnostics;
    const diagnosticsMs = performance.now() - t1;
    const hoverAt = (line: number, character: number) =>
      conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
    const t2 = performance.now();
    const h = await hoverAt(9, 14); // proxy_read_timeout
    const firstHoverMs = performance.now() - t2;
    if (!h) throw new Error('no hover on proxy_read_timeout');
    const t3 = performance.now();
    await hoverAt(6, 14); // proxy_http_version
    const secondHoverMs = performance.now() - t3;
    return { initializeMs, diagnosticsMs, firstHoverMs, secondHoverMs };
  } finally {
    conn.dispose();
    child.kill();
  }
}

function pick(runs: StartupRun[], f: (xs: number[]) => number): StartupRun {
  const k = (key: keyof StartupRun) => f(runs.map((r) => r[key]));
  return {
    initializeMs: k('initializeMs'),
    diagnosticsMs: k('diagnosticsMs'),
    firstHoverMs: k('firstHoverMs'),
    secondHoverMs: k('secondHoverMs'),
  };
}

/** Runs each server's startup `runs` times, the servers taking turns round by round (a slow spell hits all alike). */
export async function benchStartup(
  servers: string[] = [join(ROOT, 'dist', 'server.js')],
  runs = Number(process.env.STARTUP_RUNS) || 7,
): Promise<StartupResult[]> {
  const all: StartupRun[][] = servers.map(() => []);
  for (let i = 0; i < runs; i++) for (let k = 0; k < servers.length; k++) all[k]!.push(await once(servers[k]!));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const vsix = join(ROOT, 'nginx-websocket.vsix');
  return servers.map((server, k) => ({
    server,
    runs: all[k]!,
    best: pick(all[k]!, (xs) => Math.min(...xs)),
    median: pick(all[k]!, median),
    // dist/server.js is the launcher; the bundle it loads (through the code cache) sits beside it.
    serverBytes: statSync(existsSync(join(dirname(server), 'server-main.js')) ? join(dirname(server), 'server-main.js') : server).size,
    vsixBytes: k === 0 && existsSync(vsix) ? statSync(vsix).size : null,
  }));
}

export function startupRows(r: StartupResult): [string, string][] {
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  return [
    ['server start (spawn → initialize answered)', `best ${f(r.best.initializeMs)}, median ${f(r.median.initializeMs)}`],
    ['first diagnostics of a small config', `best ${f(r.best.diagnosticsMs)}, median ${f(r.median.diagnosticsMs)}`],
    ['first hover (parses the reference once)', `best ${f(r.best.firstHoverMs)}, median ${f(r.median.firstHoverMs)}`],
    ['second hover', `best ${f(r.best.secondHoverMs)}, median ${f(r.median.secondHoverMs)}`],
    ['server bundle (dist/server-main.js)', `${(r.serverBytes / 1024).toFixed(0)} KB`],
    ['VSIX (npm run package)', r.vsixBytes === null ? 'not built' : `${(r.vsixBytes / 1024).toFixed(0)} KB (limit 1024 KB)`],
  ];
}

if (require.main === module) {
  void (async () => {
    const servers = process.argv.length > 2 ? process.argv.slice(2).map((p) => resolve(p)) : undefined;
    for (const r of await benchStartup(servers)) {
      console.log(`== ${r.server}`);
      for (const [k, v] of startupRows(r)) console.log(`${k.padEnd(46)} ${v}`);
    }
  })();
}

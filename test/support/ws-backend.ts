/**
 * Real WebSocket backends for tests, on free loopback ports.
 *
 *   const b = await startWsBackend({ pingIntervalMs: 1000, allowedOrigins: ['https://app.example'], protocols: ['chat'] });
 *   b.port, b.url                 // ws://127.0.0.1:PORT
 *   b.requests                    // every upgrade request seen: { url, headers } (what nginx forwarded)
 *   await b.stop()
 *
 * The Node `ws` backend is lenient (it accepts an HTTP/1.0 upgrade). It echoes
 * every message; `allowedOrigins` makes it refuse other Origins with 403;
 * `protocols` picks the first offered subprotocol it knows; `pingIntervalMs`
 * makes it ping every client (keeps nginx's proxy_read_timeout from firing).
 *
 *   const s = await startStrictBackend({ pingIntervalSeconds: null });
 *   s.port, s.url; await s.stop()
 *
 * The strict backend is Python `websockets` 10.4 (Debian's python3-websockets)
 * run with the system interpreter: it enforces RFC 6455 and answers 400 to
 * the HTTP/1.0 request nginx sends upstream without `proxy_http_version 1.1`.
 * It binds port 0 itself and prints the port, so there is no port race.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WsBackendOptions {
  /** Server pings every client this often. Default: never. */
  pingIntervalMs?: number;
  /** When set, upgrades with any other Origin header (or none) are refused with 403. */
  allowedOrigins?: string[];
  /** Subprotocols the server accepts (first offered that is in the list wins). */
  protocols?: string[];
  host?: string;
}

export interface WsBackend {
  port: number;
  url: string;
  requests: { url: string; headers: IncomingHttpHeaders }[];
  stop(): Promise<void>;
}

export function startWsBackend(opts: WsBackendOptions = {}): Promise<WsBackend> {
  const host = opts.host ?? '127.0.0.1';
  const requests: WsBackend['requests'] = [];
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({
      host,
      port: 0,
      verifyClient: (info, cb) => {
        requests.push({ url: info.req.url ?? '', headers: info.req.headers });
        if (opts.allowedOrigins && !opts.allowedOrigins.includes(info.origin ?? '')) cb(false, 403, 'Origin not allowed');
        else cb(true);
      },
      handleProtocols: (offered) => {
        for (const p of offered) if (opts.protocols?.includes(p)) return p;
        return false;
      },
    });
    const timers = new Set<NodeJS.Timeout>();
    wss.on('connection', (ws: WebSocket) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('error', () => ws.terminate());
      if (opts.pingIntervalMs) {
        const t = setInterval(() => ws.ping(), opts.pingIntervalMs);
        timers.add(t);
        ws.on('close', () => {
          clearInterval(t);
          timers.delete(t);
        });
      }
    });
    wss.once('error', reject);
    wss.once('listening', () => {
      const addr = wss.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      let stopped: Promise<void> | undefined;
      resolve({
        port,
        url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
        requests,
        stop: () =>
          (stopped ??= new Promise<void>((res) => {
            for (const t of timers) clearInterval(t);
            for (const c of wss.clients) c.terminate();
            wss.close(() => res());
          })),
      });
    });
  });
}

/** The system interpreter: a pyenv/venv `python3` earlier on PATH does not see Debian's python3-websockets. */
export const SYSTEM_PYTHON = ['/usr/bin/python3', 'python3'].find((p) => !p.startsWith('/') || existsSync(p))!;

const STRICT_SERVER = `
import asyncio, sys, websockets
ping = None if sys.argv[1] == 'none' else float(sys.argv[1])
async def echo(ws):
    async for m in ws:
        await ws.send(m)
async def main():
    async with websockets.serve(echo, '127.0.0.1', 0, ping_interval=ping) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()
asyncio.run(main())
`;

export interface StrictBackend {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export function startStrictBackend(opts: { pingIntervalSeconds?: number | null; startTimeoutMs?: number } = {}): Promise<StrictBackend> {
  const ping = opts.pingIntervalSeconds == null ? 'none' : String(opts.pingIntervalSeconds);
  const child = spawn(SYSTEM_PYTHON, ['-c', STRICT_SERVER, ping], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = (): void => void child.kill('SIGKILL');
  // A test that times out or crashes must not leave the interpreter running.
  process.once('exit', killOnExit);
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      r();
    }),
  );
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timeoutMs = opts.startTimeoutMs ?? 10_000;
    const timer = setTimeout(() => fail(new Error(`python websockets backend did not start within ${timeoutMs} ms: ${err}`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.once('error', (e) => fail(new Error(`cannot run ${SYSTEM_PYTHON}: ${e.message}`)));
    const onStartupExit = (code: number | null): void => fail(new Error(`python websockets backend exited (${code}): ${err}`));
    child.once('exit', onStartupExit);
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^(\d+)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      // Only the startup listener: `exited` (awaited by stop) listens for 'exit' too.
      child.removeListener('exit', onStartupExit);
      const port = Number(m[1]);
      let stopped: Promise<void> | undefined;
      resolve({
        port,
        url: `ws://127.0.0.1:${port}`,
        stop: () =>
          (stopped ??= (async () => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              await exited;
            }
          })()),
      });
    });
  });
}

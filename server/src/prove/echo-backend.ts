/**
 * The stand-in backend of a local proof: a WebSocket echo server on
 * loopback, strict about the opening handshake as RFC 6455 §4.2.1 words it
 * (and as strict servers such as Python's `websockets` enforce it), that
 * records every request nginx forwarded and what it answered:
 *
 * - `Upgrade: websocket` (else it is no handshake)         → else 426
 * - HTTP/1.1 or later, method GET, a Host header          → else 400
 * - `Connection: upgrade`                                 → else 426
 * - `Sec-WebSocket-Key`: base64 of 16 bytes               → else 400
 * - `Sec-WebSocket-Version: 13`                           → else 426 (with the version it speaks)
 *
 * A valid handshake is completed by `ws` (which checks the same again) and
 * every message is echoed. It never pings: nginx's proxy_read_timeout shows
 * as it would behind a quiet backend.
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BackendRequest } from './types';

export interface EchoBackend {
  port: number;
  tls: boolean;
  requests: BackendRequest[];
  stop(): Promise<void>;
}

const MAX_REQUESTS = 50;
const MAX_HEADERS = 100;

function tokens(v: string | string[] | undefined): string[] {
  const s = Array.isArray(v) ? v.join(',') : (v ?? '');
  return s
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * The RFC 6455 §4.2.1 checks: null when the request is a valid opening handshake, else the refusal.
 * A request that does not ask for the upgrade at all is not a handshake: 426 Upgrade Required names what
 * is missing whatever its HTTP version (Python's `websockets` answers 400 to such an HTTP/1.0 request);
 * an unknown Sec-WebSocket-Version gets 426 with the version spoken, as §4.4 asks (`websockets`: 400).
 */
export function checkHandshake(
  req: Pick<IncomingMessage, 'httpVersionMajor' | 'httpVersionMinor' | 'method' | 'headers'>,
): { status: number; reason: string } | null {
  if (!tokens(req.headers.upgrade).includes('websocket')) {
    return {
      status: 426,
      reason: req.headers.upgrade
        ? `Upgrade: ${String(req.headers.upgrade)} is not websocket`
        : 'no Upgrade header: not a WebSocket handshake',
    };
  }
  if (req.httpVersionMajor < 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor < 1)) {
    return {
      status: 400,
      reason: `HTTP/${req.httpVersionMajor}.${req.httpVersionMinor} request: a WebSocket handshake needs HTTP/1.1 or later (RFC 6455 §4.2.1)`,
    };
  }
  if (req.method !== 'GET') return { status: 400, reason: `method ${req.method}: a WebSocket handshake is a GET` };
  if (!req.headers.host) return { status: 400, reason: 'no Host header' };
  if (!tokens(req.headers.connection).includes('upgrade')) {
    return {
      status: 426,
      reason: req.headers.connection
        ? `Connection: ${String(req.headers.connection)} does not ask for the upgrade`
        : 'no Connection: upgrade header',
    };
  }
  // The key before the version, as Python's `websockets` and Node's `ws` check them: a request with neither gets 400.
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(key.trim()) || Buffer.from(key.trim(), 'base64').length !== 16) {
    return { status: 400, reason: 'Sec-WebSocket-Key is missing or not 16 bytes of base64' };
  }
  if (req.headers['sec-websocket-version'] !== '13')
    return { status: 426, reason: `Sec-WebSocket-Version ${req.headers['sec-websocket-version'] ?? '(none)'}: only 13 is spoken` };
  return null;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 426: 'Upgrade Required' };

export function startEchoBackend(o: { tls?: { cert: string; key: string }; port?: number } = {}): Promise<EchoBackend> {
  const requests: BackendRequest[] = [];
  const record = (req: IncomingMessage, answer: { status: number; reason: string }): void => {
    if (requests.length >= MAX_REQUESTS) return;
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length && headers.length < MAX_HEADERS; i += 2)
      headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    requests.push({ line: `${req.method} ${req.url} HTTP/${req.httpVersion}`, httpVersion: req.httpVersion, headers, answer });
  };
  const refuse = (status: number, reason: string): { head: string; body: string } => {
    const body = `${status} ${STATUS_TEXT[status] ?? ''}: ${reason}\n`;
    const extra = status === 426 ? 'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' : '';
    return {
      head: `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n${extra}Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
      body,
    };
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => ws.terminate());
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    // No upgrade at all (nginx did not pass one): the same checks name what is missing.
    const bad = checkHandshake(req) ?? { status: 426, reason: 'not an upgrade request' };
    record(req, bad);
    const r = refuse(bad.status, bad.reason);
    res.writeHead(bad.status, {
      ...(bad.status === 426 ? { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13' } : {}),
      'Content-Type': 'text/plain',
      Connection: 'close',
    });
    res.end(r.body);
  };
  const sockets = new Set<Socket>();
  const onUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    const bad = checkHandshake(req);
    if (bad) {
      record(req, bad);
      const r = refuse(bad.status, bad.reason);
      socket.end(r.head + r.body);
      return;
    }
    record(req, { status: 101, reason: 'switched to WebSocket; echoing' });
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };

  const server: Server = o.tls ? createHttps({ cert: o.tls.cert, key: o.tls.key }) : createHttp();
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Nothing slow is expected from nginx on loopback; do not let a stuck connection hold the proof.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      let stopped: Promise<void> | undefined;
      resolve({
        port,
        tls: !!o.tls,
        requests,
        stop: () =>
          (stopped ??= new Promise<void>((res) => {
            for (const c of wss.clients) c.terminate();
            for (const s of sockets) s.destroy();
            wss.close();
            server.close(() => res());
            server.closeAllConnections?.();
          })),
      });
    });
  });
}

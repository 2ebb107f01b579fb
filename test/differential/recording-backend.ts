/**
 * A strict WebSocket backend that records the request head nginx sends it
 * (request line and every header, in order), for the request-model
 * differential test. It judges the handshake by RFC 6455 section 4.2.1 as
 * Python `websockets` does (HTTP/1.1 and GET required: else 400; Upgrade
 * websocket and Connection upgrade: else 426; Host, a 16-byte base64 key:
 * else 400; version 13: else 426), answers 101 with a correct
 * Sec-WebSocket-Accept plus `X-Backend: echo`, and then holds the
 * connection until either side closes. `test/differential/backend-agreement`
 * holds its verdicts to the real Python backend's.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';

export interface Recorded {
  line: string;
  headers: [string, string][];
  status: number;
}

export interface RecordingBackend {
  port: number;
  /** Requests by the `X-Req` header's value (the harness numbers its requests). */
  byReq: Map<string, Recorded>;
  all: Recorded[];
  stop(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

export function judge(line: string, headers: [string, string][]): { status: number; extra: string } {
  const get = (n: string) => headers.find(([k]) => k.toLowerCase() === n)?.[1];
  const tokens = (v: string | undefined) => (v ?? '').split(',').map((t) => t.trim().toLowerCase());
  const [method, , version] = line.split(' ');
  if (version !== 'HTTP/1.1') return { status: 400, extra: '' };
  if (method !== 'GET') return { status: 400, extra: '' };
  if (!tokens(get('upgrade')).includes('websocket')) return { status: 426, extra: 'Upgrade: websocket\r\n' };
  if (!tokens(get('connection')).includes('upgrade')) return { status: 426, extra: 'Upgrade: websocket\r\n' };
  if (get('host') === undefined) return { status: 400, extra: '' };
  const key = get('sec-websocket-key')?.trim();
  if (!key || !/^[A-Za-z0-9+/]{22}==$/.test(key)) return { status: 400, extra: '' };
  if (get('sec-websocket-version')?.trim() !== '13') return { status: 426, extra: 'Sec-WebSocket-Version: 13\r\n' };
  return {
    status: 101,
    extra: `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\nX-Backend: echo\r\n`,
  };
}

const REASONS: Record<number, string> = { 101: 'Switching Protocols', 400: 'Bad Request', 426: 'Upgrade Required' };

export function startRecordingBackend(): Promise<RecordingBackend> {
  const byReq = new Map<string, Recorded>();
  const all: Recorded[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    let done = false;
    sock.on('data', (d) => {
      if (done) return;
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 65536) sock.destroy();
        return;
      }
      done = true;
      const head = buf.subarray(0, end).toString('latin1').split('\r\n');
      const line = head[0] ?? '';
      const headers: [string, string][] = head.slice(1).map((h) => {
        const c = h.indexOf(':');
        return [h.slice(0, c), h.slice(c + 1).trim()];
      });
      const { status, extra } = judge(line, headers);
      const rec = { line, headers, status };
      all.push(rec);
      const id = headers.find(([k]) => k.toLowerCase() === 'x-req')?.[1];
      if (id) byReq.set(id, rec);
      if (status === 101) sock.write(`HTTP/1.1 101 ${REASONS[101]}\r\n${extra}\r\n`);
      else sock.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        port,
        byReq,
        all,
        stop: () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}

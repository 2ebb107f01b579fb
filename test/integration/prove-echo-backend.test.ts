/**
 * The proof's stand-in backend against the strict backend the facts were
 * measured with (Python `websockets`, Debian's python3-websockets): the same
 * raw handshakes, the same answers, except where the RFC words it otherwise
 * (listed). It records what it received, echoes, and serves TLS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startEchoBackend } from '../../server/src/prove/echo-backend';
import { generateCert } from '../../server/src/prove/certs';
import { startStrictBackend } from '../support/ws-backend';

const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
const REQUESTS: { name: string; raw: string; differs?: { ours: number; python: number; why: string } }[] = [
  {
    name: 'HTTP/1.0 upgrade (nginx without proxy_http_version 1.1)',
    raw: `GET /ws/ HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\n${KEY}\r\n`,
  },
  { name: 'plain HTTP/1.1 GET (nginx dropped both headers)', raw: 'GET /ws/ HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'Connection without Upgrade', raw: `GET /ws/ HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\n${KEY}\r\n` },
  { name: 'Upgrade without Connection (keepalive recipe)', raw: `GET /ws/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n${KEY}\r\n` },
  { name: 'Connection: close', raw: `GET /ws/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: close\r\n${KEY}\r\n` },
  {
    name: 'a bad key',
    raw: 'GET /ws/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: abc\r\n\r\n',
  },
  { name: 'POST', raw: `POST /ws/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\n${KEY}\r\n` },
  { name: 'a valid handshake', raw: `GET /ws/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${KEY}\r\n` },
  {
    name: 'plain HTTP/1.0 GET',
    raw: 'GET /ws/ HTTP/1.0\r\nHost: x\r\n\r\n',
    differs: { ours: 426, python: 400, why: 'no upgrade asked: 426 Upgrade Required names what is missing' },
  },
  {
    name: 'Sec-WebSocket-Version 12',
    raw: 'GET /ws/ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Version: 12\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    differs: { ours: 426, python: 400, why: 'RFC 6455 §4.4: 426 with the versions spoken' },
  },
  {
    name: 'no Host header',
    raw: `GET /ws/ HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n${KEY}\r\n`,
    differs: { ours: 400, python: 101, why: 'RFC 6455 §4.2.1 requires Host' },
  },
];

function statusOf(port: number, raw: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(raw));
    let data = '';
    s.on('data', (b) => {
      data += b.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m && data.includes('\r\n\r\n')) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error(`no status from ${port}: ${JSON.stringify(data)}`)));
  });
}

test(
  'the echo backend answers raw handshakes as Python websockets does, except where the RFC says otherwise',
  { timeout: 60_000 },
  async () => {
    const ours = await startEchoBackend();
    const py = await startStrictBackend();
    try {
      for (const r of REQUESTS) {
        const [a, b] = [await statusOf(ours.port, r.raw), await statusOf(py.port, r.raw)];
        if (r.differs) assert.deepEqual([a, b], [r.differs.ours, r.differs.python], `${r.name}: ${r.differs.why}`);
        else assert.equal(a, b, `${r.name}: ours ${a}, python ${b}`);
      }
      // What it received, with the reason it gave.
      assert.equal(ours.requests.length, REQUESTS.length);
      const first = ours.requests[0]!;
      assert.equal(first.line, 'GET /ws/ HTTP/1.0');
      assert.equal(first.answer.status, 400);
      assert.match(first.answer.reason, /HTTP\/1\.1 or later/);
      assert.deepEqual(
        first.headers.find(([k]) => k === 'Connection'),
        ['Connection', 'upgrade'],
      );
      assert.match(ours.requests[3]!.answer.reason, /Connection/);
    } finally {
      await ours.stop();
      await py.stop();
    }
  },
);

test('the echo backend echoes, never pings, and serves TLS with a generated certificate', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'echo-tls-'));
  try {
    await generateCert(join(dir, 'c.pem'), join(dir, 'k.pem'), ['ws.internal', '127.0.0.1'], 10_000);
    for (const tls of [undefined, { cert: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(join(dir, 'k.pem'), 'utf8') }]) {
      const b = await startEchoBackend({ tls });
      try {
        const ws = new WebSocket(`${tls ? 'wss' : 'ws'}://127.0.0.1:${b.port}/ws/`, { rejectUnauthorized: false });
        let pings = 0;
        ws.on('ping', () => pings++);
        await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
        const echo = new Promise<string>((res) => ws.once('message', (m) => res((m as Buffer).toString())));
        ws.send('hello');
        assert.equal(await echo, 'hello');
        await new Promise((res) => setTimeout(res, 300));
        assert.equal(pings, 0);
        ws.close();
        assert.equal(b.requests[0]!.answer.status, 101);
        assert.equal(b.tls, !!tls);
      } finally {
        await b.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

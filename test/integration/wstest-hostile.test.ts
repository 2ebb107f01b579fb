/**
 * Hostile endpoints written here, on loopback: each must give its own verdict
 * within the (short) timeout, never hang and never throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { runEndpointTest, type EndpointTestResult } from '../../server/src/wstest/index';
import { closedPort } from '../support/nginx';
import { startWsBackend } from '../support/ws-backend';

const TIMEOUT = 1500;

function accept(key: string): string {
  return createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
}

/** A TCP server whose every connection gets `behave(socket, requestHead)`. */
async function hostile(behave: (s: Socket, head: string, port: number) => void, waitForHead = true): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    if (!waitForHead) return behave(s, '', port);
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n')) {
        s.off('data', onData);
        behave(s, buf, port);
      }
    };
    s.on('data', onData);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    port,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

function keyOf(head: string): string {
  return /Sec-WebSocket-Key: (\S+)/i.exec(head)?.[1] ?? '';
}

async function probe(port: number, extra: Partial<Parameters<typeof runEndpointTest>[0]> = {}): Promise<{ r: EndpointTestResult; ms: number }> {
  const t0 = Date.now();
  const r = await runEndpointTest({ url: `ws://127.0.0.1:${port}/ws`, timeoutMs: TIMEOUT, ...extra });
  return { r, ms: Date.now() - t0 };
}

test('no answer at all: handshake times out at the deadline', { timeout: 10_000 }, async (t) => {
  const h = await hostile(() => {});
  t.after(() => h.stop());
  const { r, ms } = await probe(h.port);
  assert.equal(r.ok, false);
  assert.equal(r.stage, 'handshake');
  assert.equal(r.kind, 'handshake-timeout');
  assert.match(r.error!, /no answer to the handshake within 1500 ms/);
  assert.ok(ms >= TIMEOUT - 50 && ms < TIMEOUT + 1500, `took ${ms} ms`);
});

test('plain 200: not an upgrade, body shown', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\n<h1>hi</h1>\n'));
  t.after(() => h.stop());
  const { r } = await probe(h.port);
  assert.equal(r.stage, 'handshake');
  assert.equal(r.status, 200);
  assert.equal(r.kind, 'http-status');
  assert.equal(r.response?.body, '<h1>hi</h1>\n');
  assert.match(r.diagnosis[0]!.message, /did not see an upgrade request/);
});

test('wrong Sec-WebSocket-Accept', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: dGhpcyBpcyB3cm9uZw==\r\n\r\n'));
  t.after(() => h.stop());
  const { r } = await probe(h.port);
  assert.equal(r.stage, 'handshake');
  assert.equal(r.kind, 'bad-accept');
  assert.match(r.error!, /Sec-WebSocket-Accept is dGhpcyBpcyB3cm9uZw==, expected/);
  assert.match(r.diagnosis[0]!.message, /middlebox|not a WebSocket server/);
});

test('101 without an Upgrade header', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s, head) => s.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(keyOf(head))}\r\n\r\n`));
  t.after(() => h.stop());
  const { r } = await probe(h.port);
  assert.equal(r.kind, 'bad-upgrade');
  assert.equal(r.error, '101 without an Upgrade header');
});

test('garbage bytes', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s) => s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x13, 0x37])));
  t.after(() => h.stop());
  const { r, ms } = await probe(h.port);
  assert.equal(r.stage, 'handshake');
  assert.equal(r.kind, 'not-http');
  assert.match(r.error!, /not HTTP/);
  assert.ok(ms < TIMEOUT, `verdict from the first bytes, not the deadline (${ms} ms)`);
});

test('connection closed mid-handshake', { timeout: 10_000 }, async (t) => {
  const partial = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: webs';
  const h = await hostile((s) => s.end(partial));
  t.after(() => h.stop());
  const { r } = await probe(h.port);
  assert.equal(r.kind, 'closed-before-response');
  assert.match(r.error!, new RegExp(`in the middle of its response head, after ${partial.length} bytes`));
});

test('headers trickled one byte per second: clean timeout at the deadline', { timeout: 10_000 }, async (t) => {
  const timers: NodeJS.Timeout[] = [];
  const h = await hostile((s) => {
    const text = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n';
    let i = 0;
    const tick = setInterval(() => (i < text.length && !s.destroyed ? s.write(text[i++]!) : clearInterval(tick)), 1000);
    timers.push(tick);
    s.write(text[i++]!);
  });
  t.after(() => {
    timers.forEach(clearInterval);
    return h.stop();
  });
  const { r, ms } = await probe(h.port, { timeoutMs: 2500 });
  assert.equal(r.kind, 'handshake-timeout');
  assert.match(r.error!, /still incomplete after 2500 ms: only [23] bytes received/);
  assert.ok(ms >= 2450 && ms < 4000, `took ${ms} ms`);
});

test('1 MB header block: refused at the 64 KiB cap', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s) => {
    s.write('HTTP/1.1 101 Switching Protocols\r\n');
    s.write(`X-Big: ${'a'.repeat(1024 * 1024)}\r\n\r\n`);
  });
  t.after(() => h.stop());
  const before = process.memoryUsage().rss;
  const { r } = await probe(h.port);
  assert.equal(r.kind, 'headers-too-large');
  assert.match(r.error!, /larger than 64 KiB/);
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024);
});

test('redirect loop', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s, head) => {
    const path = /^GET (\S+)/.exec(head)![1]!;
    s.end(`HTTP/1.1 302 Found\r\nLocation: ${path === '/ws' ? '/other' : '/ws'}\r\nContent-Length: 0\r\n\r\n`);
  });
  t.after(() => h.stop());
  const { r } = await probe(h.port);
  assert.equal(r.stage, 'handshake');
  assert.equal(r.status, 302);
  assert.equal(r.kind, 'redirect-loop');
  assert.match(r.error!, /redirect loop: ws:\/\/127\.0\.0\.1:\d+\/ws → ws:\/\/127\.0\.0\.1:\d+\/other → ws:\/\/127\.0\.0\.1:\d+\/ws/);
});

test('101 then immediate close: fails at message', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s, head) => s.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(keyOf(head))}\r\n\r\n`));
  t.after(() => h.stop());
  const { r } = await probe(h.port);
  assert.equal(r.stage, 'message');
  assert.equal(r.kind, 'closed-after-handshake');
  assert.match(r.error!, /closed \d+ ms after the upgrade, without a close frame/);
});

test('101 then a close frame with a code', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s, head) => {
    s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(keyOf(head))}\r\n\r\n`);
    s.end(Buffer.concat([Buffer.from([0x88, 0x08, 0x0f, 0xa0]), Buffer.from('denied')]));
  });
  t.after(() => h.stop());
  const { r } = await probe(h.port);
  assert.equal(r.kind, 'closed-after-handshake');
  assert.match(r.error!, /close code 4000 "denied"/);
  assert.deepEqual({ code: r.close?.code, reason: r.close?.reason }, { code: 4000, reason: 'denied' });
});

test('port closed: connection refused at connect', { timeout: 10_000 }, async () => {
  const port = await closedPort();
  const { r, ms } = await probe(port);
  assert.equal(r.stage, 'connect');
  assert.equal(r.kind, 'refused');
  assert.match(r.error!, /connection refused/);
  assert.match(r.diagnosis[0]!.message, /nothing listens at 127\.0\.0\.1:\d+/);
  assert.ok(ms < TIMEOUT);
});

test('unresolvable host (.invalid): stage dns', { timeout: 10_000 }, async () => {
  const r = await runEndpointTest({ url: 'ws://no-such-host.invalid/ws', timeoutMs: 3000 });
  assert.equal(r.stage, 'dns');
  assert.equal(r.kind, 'dns');
  assert.match(r.error!, /cannot resolve no-such-host\.invalid/);
});

test('TLS to a plain-HTTP port: stage tls says the port does not speak TLS', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'), false);
  t.after(() => h.stop());
  const r = await runEndpointTest({ url: `wss://127.0.0.1:${h.port}/ws`, timeoutMs: TIMEOUT });
  assert.equal(r.stage, 'tls');
  assert.match(r.kind!, /tls-not-tls|tls-error/);
});

test('cancellation through the AbortSignal ends the test promptly', { timeout: 10_000 }, async (t) => {
  const h = await hostile(() => {});
  t.after(() => h.stop());
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  const t0 = Date.now();
  const r = await runEndpointTest({ url: `ws://127.0.0.1:${h.port}/ws`, timeoutMs: 5000, signal: ac.signal });
  assert.equal(r.kind, 'aborted');
  assert.ok(Date.now() - t0 < 1500);
});

test('bad input never throws', async () => {
  for (const url of ['', 'not a url', 'ftp://x/', 'ws://']) {
    const r = await runEndpointTest({ url, timeoutMs: 500 });
    assert.equal(r.ok, false);
    assert.equal(r.kind, 'bad-url', url);
  }
  const r = await runEndpointTest({ url: 'ws://127.0.0.1:1/', timeoutMs: -1 });
  assert.equal(r.kind, 'bad-url');
});

test('IPv6 loopback literal, subprotocol negotiated: passes with an echo', { timeout: 10_000 }, async (t) => {
  const b = await startWsBackend({ host: '::1', protocols: ['chat.v2'] });
  t.after(() => b.stop());
  assert.match(b.url, /^ws:\/\/\[::1\]:\d+$/);
  const r = await runEndpointTest({ url: `${b.url}/x`, timeoutMs: TIMEOUT, protocols: ['chat.v1', 'chat.v2'] });
  assert.equal(r.ok, true, r.error ?? '');
  assert.equal(r.remoteAddress, `[::1]:${b.port}`);
  assert.equal(r.negotiated?.protocol, 'chat.v2');
  assert.equal(r.reply, 'echo');
  assert.equal(b.requests[0]?.headers['sec-websocket-protocol'], 'chat.v1, chat.v2');
});

/**
 * Hostile endpoints written here, on loopback: each must give its own verdict
 * within the (short) timeout, never hang and never throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { formatReport, runEndpointTest, summaryLine, type EndpointTestResult } from '../../server/src/wstest/index';
import { closedPort, selfSignedCert } from '../support/nginx';
import { startWsBackend } from '../support/ws-backend';

const TIMEOUT = 1500;

function accept(key: string): string {
  return createHash('sha1')
    .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    .digest('base64');
}

/** A TCP server whose every connection gets `behave(socket, requestHead)`. */
async function hostile(
  behave: (s: Socket, head: string, port: number) => void,
  waitForHead = true,
): Promise<{ port: number; stop(): Promise<void> }> {
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

async function probe(
  port: number,
  extra: Partial<Parameters<typeof runEndpointTest>[0]> = {},
): Promise<{ r: EndpointTestResult; ms: number }> {
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
  const h = await hostile((s) =>
    s.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: dGhpcyBpcyB3cm9uZw==\r\n\r\n',
    ),
  );
  t.after(() => h.stop());
  const { r } = await probe(h.port);
  assert.equal(r.stage, 'handshake');
  assert.equal(r.kind, 'bad-accept');
  assert.match(r.error!, /Sec-WebSocket-Accept is dGhpcyBpcyB3cm9uZw==, expected/);
  assert.match(r.diagnosis[0]!.message, /middlebox|not a WebSocket server/);
});

test('101 without an Upgrade header', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s, head) =>
    s.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(keyOf(head))}\r\n\r\n`),
  );
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
  const h = await hostile((s, head) =>
    s.end(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(keyOf(head))}\r\n\r\n`,
    ),
  );
  t.after(() => h.stop());
  const { r } = await probe(h.port);
  assert.equal(r.stage, 'message');
  assert.equal(r.kind, 'closed-after-handshake');
  assert.match(r.error!, /closed \d+ ms after the upgrade, without a close frame/);
});

test('101 then a close frame with a code', { timeout: 10_000 }, async (t) => {
  const h = await hostile((s, head) => {
    s.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(keyOf(head))}\r\n\r\n`,
    );
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

/* ------------------------------------------------------------------------------------------------
 * The security review's additions (issue 11): a server that floods, a redirect that would carry
 * credentials elsewhere, options that would inject headers, an error_log that is a FIFO. Each has a
 * bound (generous: the assertion is "finishes", not "is fast") and leaks nothing.
 * ---------------------------------------------------------------------------------------------- */

const SECRETS = {
  bearer: 'SECRETTOKEN1234567890abcdef',
  apiKey: 'APIKEY9876543210zyxwvu',
  cookie: 'COOKIEVAL4242424242',
  password: 'p4ssw0rdHunter2',
  protocol: 'tok3nABCDEFGHIJKL123',
};

/** A TCP server that counts connections and hands each one to `behave` (with the request head, if it sends one). */
async function counting(
  behave: (s: Socket, head: string) => void,
): Promise<{ port: number; connections: () => number; heads: string[]; stop(): Promise<void> }> {
  let n = 0;
  const heads: string[] = [];
  const h = await hostile((s) => {
    n++;
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n')) {
        s.off('data', onData);
        heads.push(buf);
        behave(s, buf);
      }
    };
    s.on('data', onData);
  }, false);
  return { port: h.port, connections: () => n, heads, stop: () => h.stop() };
}

function upgrade(s: Socket, head: string): void {
  s.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(keyOf(head))}\r\n\r\n`,
  );
}

const PING = Buffer.concat([Buffer.from([0x89, 125]), Buffer.alloc(125, 0x61)]);
const PINGS = Buffer.concat(Array.from({ length: 512 }, () => PING));

/** Writes pings as fast as the socket takes them, reading nothing. */
function floodPings(s: Socket): void {
  s.pause();
  const go = (): void => {
    while (!s.destroyed && s.write(PINGS));
    if (!s.destroyed) s.once('drain', go);
  };
  go();
}

/** Peak growth of Buffer memory (arrayBuffers) while `run` runs, sampled every 20 ms. */
async function peakBufferGrowth<T>(run: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 20);
  try {
    const value = await run();
    return { value, peakMb: (Math.max(peak, process.memoryUsage().arrayBuffers) - base) / 1e6 };
  } finally {
    clearInterval(timer);
  }
}

test('ping flood while the connection is held idle: memory stays bounded, the hold ends on time', { timeout: 60_000 }, async (t) => {
  const h = await counting((s, head) => {
    upgrade(s, head);
    s.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // "hi": the exchange gets a reply
    setTimeout(() => floodPings(s), 100);
  });
  t.after(() => h.stop());
  const t0 = Date.now();
  const { value: r, peakMb } = await peakBufferGrowth(() =>
    runEndpointTest({ url: `ws://127.0.0.1:${h.port}/ws`, timeoutMs: 3000, idleSeconds: 4 }),
  );
  const ms = Date.now() - t0;
  assert.ok(r.stage === 'done' || r.stage === 'idle', `${r.stage}: ${r.error}`);
  assert.ok(ms < 3000 + 4000 + 3000 + 10_000, `ended within the idle hold and its deadlines: ${ms} ms`);
  // Unbounded, pongs queued for a server that reads nothing grew ~45 MB a second here; bounded, what remains is garbage.
  assert.ok(peakMb < 64, `Buffer memory grew by ${peakMb.toFixed(1)} MB at most`);
  const idle = r.steps.find((s) => s.step === 'idle');
  if (r.ok) assert.match(idle!.detail, /pings were not answered: it sent them faster than it read the pongs/);
  process.stdout.write(`# ping flood: ${r.ok ? 'held' : r.kind}, ${ms} ms, Buffer memory +${peakMb.toFixed(1)} MB\n`);
});

test('a server that keeps sending keeps no stage past its deadline', { timeout: 60_000 }, async (t) => {
  const h = await counting((s, head) => {
    upgrade(s, head);
    floodPings(s); // pings, never a reply to the message
  });
  t.after(() => h.stop());
  const t0 = Date.now();
  const r = await runEndpointTest({ url: `ws://127.0.0.1:${h.port}/ws`, timeoutMs: 1500 });
  const ms = Date.now() - t0;
  assert.equal(r.kind, 'message-timeout');
  assert.ok(ms < 1500 * 2 + 5000, `${ms} ms`);
});

test('a redirect to another host: followed without any credential, and nothing secret in the result', { timeout: 60_000 }, async (t) => {
  const other = await counting((s, head) => (upgrade(s, head), s.end()));
  t.after(() => other.stop());
  const first = await counting((s) =>
    s.end(`HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:${other.port}/landing?token=SERVERSECRET99x&room=1\r\nContent-Length: 0\r\n\r\n`),
  );
  t.after(() => first.stop());
  const r = await runEndpointTest({
    url: `ws://alice:${SECRETS.password}@127.0.0.1:${first.port}/ws?api_key=${SECRETS.apiKey}`,
    timeoutMs: TIMEOUT,
    headers: [
      ['Authorization', `Bearer ${SECRETS.bearer}`],
      ['X-Api-Key', SECRETS.apiKey],
      ['Cookie', `session=${SECRETS.cookie}`],
      ['X-Trace', 'visible-value'],
    ],
    protocols: ['chat', SECRETS.protocol],
  });
  assert.equal(r.kind, 'redirect');
  assert.equal(other.connections(), 1, 'the other host was visited once');
  const sent = other.heads[0]!;
  for (const s of Object.values(SECRETS)) assert.ok(!sent.includes(s), `not sent to the other host: ${s}\n${sent}`);
  assert.ok(!/^Authorization:|^Cookie:|^X-Api-Key:/im.test(sent), sent);
  assert.match(sent, /^X-Trace: visible-value\r$/m, 'other headers still go');
  assert.match(sent, /^Sec-WebSocket-Protocol: chat\r$/m, 'a plain subprotocol still goes');
  const step = r.steps.find((s) => s.step === 'redirect');
  assert.match(
    step!.detail,
    /another host, followed without credentials \(not sent: Authorization, X-Api-Key, Cookie, token-like subprotocols, the URL's user:password\)/,
  );
  // The first host got them (the user sent them there); no string of the result or the report shows them.
  const everything = JSON.stringify(r) + formatReport(r) + summaryLine(r);
  for (const s of [...Object.values(SECRETS), 'SERVERSECRET99x']) assert.ok(!everything.includes(s), `${s} is masked everywhere`);
  assert.match(JSON.stringify(r.response?.headers), /token=\*\*\*/, 'the Location line is masked too');
});

test(
  'a redirect to another host the user declines, and one from wss:// to ws://: not followed, nothing sent',
  { timeout: 60_000 },
  async (t) => {
    const other = await counting((s, head) => (upgrade(s, head), s.end()));
    t.after(() => other.stop());
    const first = await counting((s) =>
      s.end(`HTTP/1.1 301 Moved\r\nLocation: ws://127.0.0.1:${other.port}/x\r\nContent-Length: 0\r\n\r\n`),
    );
    t.after(() => first.stop());
    const asked: string[] = [];
    const r = await runEndpointTest({
      url: `ws://127.0.0.1:${first.port}/ws`,
      timeoutMs: TIMEOUT,
      confirmRedirect: (u) => (asked.push(u), false),
    });
    assert.equal(r.kind, 'redirect');
    assert.deepEqual(asked, [`ws://127.0.0.1:${other.port}/x`]);
    assert.equal(other.connections(), 0, 'no connection to the other host');
    assert.match(r.error!, /redirect to another host, ws:\/\/127\.0\.0\.1:\d+\/x: not followed/);

    const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-downgrade-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { key, cert } = await selfSignedCert(dir, '127.0.0.1');
    const tlsServer = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => {
      s.on('error', () => s.destroy());
      s.once('data', () => s.end(`HTTP/1.1 301 Moved\r\nLocation: ws://127.0.0.1:${other.port}/plain\r\nContent-Length: 0\r\n\r\n`));
    });
    await new Promise<void>((res) => tlsServer.listen(0, '127.0.0.1', res));
    t.after(() => new Promise<void>((res) => tlsServer.close(() => res())));
    const port = (tlsServer.address() as { port: number }).port;
    const d = await runEndpointTest({
      url: `wss://127.0.0.1:${port}/ws`,
      timeoutMs: TIMEOUT,
      insecure: true,
      headers: [['Authorization', `Bearer ${SECRETS.bearer}`]],
    });
    assert.equal(d.kind, 'redirect');
    assert.match(d.error!, /from wss:\/\/ to plain ws:\/\//);
    assert.equal(other.connections(), 0, 'nothing was sent in plain text');
  },
);

test(
  'CR/LF, NUL, bad names and non-Latin-1 in Origin, subprotocols or headers: refused before anything is sent',
  { timeout: 60_000 },
  async (t) => {
    const h = await counting((s, head) => upgrade(s, head));
    t.after(() => h.stop());
    const url = `ws://127.0.0.1:${h.port}/ws`;
    const bad: [Partial<Parameters<typeof runEndpointTest>[0]>, RegExp][] = [
      [{ origin: 'https://a.example\r\nX-Injected: 1' }, /the Origin contains a line break/],
      [{ protocols: ['chat\r\nX-Injected: 1'] }, /subprotocol .* is not a valid token/],
      [{ protocols: ['chat, other'] }, /not a valid token/],
      [{ headers: [['X-Token', 'a\r\nX-Injected: 1']] }, /the value of header X-Token contains a line break/],
      [{ headers: [['X-Token', 'a\u0000b']] }, /contains a NUL byte/],
      [{ headers: [['X Bad', 'v']] }, /header name "X Bad" is not a valid HTTP header name/],
      [{ headers: [['X-Token', 'a\u010d\u010aX-Injected: 1']] }, /Latin-1 only/],
    ];
    for (const [extra, why] of bad) {
      const r = await runEndpointTest({ url, timeoutMs: TIMEOUT, ...extra });
      assert.equal(r.stage, 'setup', JSON.stringify(extra));
      assert.equal(r.kind, 'bad-option');
      assert.match(r.error!, why);
      assert.match(r.error!, /nothing was sent/);
    }
    assert.equal(h.connections(), 0, 'no connection was even opened');
  },
);

test('an unparseable URL does not echo its password', async () => {
  const r = await runEndpointTest({ url: `ws://alice:${SECRETS.password}@[::1/ws`, timeoutMs: 500 });
  assert.equal(r.kind, 'bad-url');
  assert.ok(!(JSON.stringify(r) + formatReport(r)).includes(SECRETS.password), r.error ?? '');
});

test('an error_log that is a FIFO: the test finishes and says it was not read (editor API and CLI)', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-fifo-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'error.log');
  execFileSync('mkfifo', [fifo]);
  const b = await startWsBackend();
  t.after(() => b.stop());
  const r = await runEndpointTest({ url: `${b.url}/ws`, timeoutMs: TIMEOUT, errorLogPath: fifo });
  assert.equal(r.ok, true, r.error ?? '');
  assert.equal(r.errorLog, null);
  assert.match(r.errorLogNote ?? '', /is a FIFO, not a regular file: not read/);
  assert.match(formatReport(r), /is a FIFO, not a regular file/);
  // The CLI finds the error_log in the config: a FIFO there used to hang it, whatever --timeout said.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `error_log ${fifo};\nevents {}\nhttp {\n    server {\n        listen 127.0.0.1:${b.port};\n        location /ws {\n            proxy_pass http://127.0.0.1:${b.port};\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n        }\n    }\n}\n`,
  );
  const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        join(__dirname, '..', '..', 'dist', 'cli.js'),
        'test',
        '--config',
        join(dir, 'nginx.conf'),
        '--location',
        '/ws',
        '--timeout',
        '2000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => (clearTimeout(timer), resolve({ code, stdout })));
  });
  assert.equal(out.code, 0, out.stdout);
  assert.match(out.stdout, /error_log .*error\.log is a FIFO, not a regular file: not read/);
});

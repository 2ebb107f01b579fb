/**
 * A TLS failure against a real socket: OpenSSL's message ends with a newline
 * (and may hold more), which used to break the one-line result and the toast.
 * A plain HTTP server on loopback answers a wss:// test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { runEndpointTest } from '../../server/src/wstest/index';
import { formatReport, summaryLine } from '../../server/src/wstest/report';
import { fromEndpointTest, toastLine } from '../../client/src/report/model';
import { renderReport } from '../../client/src/report/html';

test('a TLS error is one line in the summary, the toast, the verdict and the report', { timeout: 20_000 }, async (t) => {
  const srv = createServer((s) => {
    s.on('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => srv.close(() => r())));
  const port = (srv.address() as { port: number }).port;
  const r = await runEndpointTest({ url: `wss://127.0.0.1:${port}/ws/`, timeoutMs: 5000 });
  assert.equal(r.ok, false);
  assert.equal(r.stage, 'tls');
  assert.match(r.error ?? '', /\n/, "OpenSSL's message carries a newline: the case this test is about");
  assert.doesNotMatch(summaryLine(r), /\n/);
  const m = fromEndpointTest(r);
  assert.doesNotMatch(toastLine(m), /\n/);
  assert.doesNotMatch(m.verdict.detail, /\n/);
  assert.equal(m.stages.find((s) => s.id === 'tls')!.state, 'failed');
  assert.doesNotMatch(m.stages.find((s) => s.id === 'tls')!.detail, /\n/);
  const result = formatReport(r)
    .split('\n')
    .find((l) => l.startsWith('Result:'))!;
  assert.match(result, /^Result: FAILED at tls: .*\S$/);
  assert.match(formatReport(r), /Result: FAILED at tls: [^\n]+\nLocation|Result: FAILED at tls: [^\n]+\n\n/);
  assert.match(renderReport(m, { nonce: 'n', cspSource: 'x' }), /Failed at TLS/);
});

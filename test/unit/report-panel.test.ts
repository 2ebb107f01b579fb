/**
 * The report panel's model and page (client/src/report), and the endpoints
 * view's result store, without an editor: what the webview would be given.
 * The real editor runs the same code in test/e2e/sessions/04-endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyResult } from '../../server/src/wstest/probe';
import { formatReport, summaryLine } from '../../server/src/wstest/report';
import type { EndpointTestResult } from '../../server/src/wstest/types';
import { contentSecurityPolicy, renderReport } from '../../client/src/report/html';
import { fromEndpointTest, isReportModel, stageRows, toastLine, type Prediction } from '../../client/src/report/model';
import { ago, MAX_RESULTS, ResultStore, type StoredResult } from '../../client/src/endpoints/results';
import { resultText, stateOf, type Endpoint } from '../../client/src/endpoints/view-state';
import { summaryText } from '../../client/src/endpoints/summary';

function failed426(): EndpointTestResult {
  const r = emptyResult('ws://localhost:8080/ws/?token=abcdef0123456789abcdef');
  return {
    ...r,
    ok: false,
    stage: 'handshake',
    kind: 'http-status',
    status: 426,
    error: 'answered 426 Upgrade Required instead of 101 Switching Protocols\n',
    timings: { dns: 1, connect: 2, tls: null, handshake: 5, roundTrip: null },
    request: {
      line: 'GET /ws/?token=abcdef0123456789abcdef HTTP/1.1',
      headers: [
        ['Host', 'localhost:8080'],
        ['Authorization', 'Bearer s3cr3t-t0ken-value'],
        ['X-Evil', '<script>alert(1)</script>'],
      ],
    },
    response: {
      statusLine: 'HTTP/1.1 426 Upgrade Required',
      status: 426,
      headers: [
        ['Server', 'nginx/1.22.1'],
        ['Set-Cookie', 'sid=abcdef0123456789; Path=/'],
      ],
      body: '<html>\r\n<body>426</body></script><script>alert(2)</script>\r\n</html>\r\n',
    },
    steps: [
      { step: 'dns', ok: true, detail: 'localhost → 127.0.0.1' },
      { step: 'connect', ok: true, detail: 'TCP connected' },
      { step: 'handshake', ok: false, detail: 'answered 426' },
    ],
    diagnosis: [
      {
        message: 'location /ws/ never sets "proxy_set_header Connection"',
        path: '/etc/nginx/nginx.conf',
        line: 12,
        code: 'ws-connection-header',
      },
    ],
    backend: null,
    crossOrigin: null,
    nginxTest: { ok: true, output: 'nginx: configuration file /etc/nginx/nginx.conf test is successful' },
    errorLog: [],
    findings: [],
    location: { path: '/etc/nginx/nginx.conf', line: 12, text: 'location /ws/' },
  };
}

const NONCE = 'bm9uY2Utbm9uY2Utbm9uY2U=';

test('the page has a strict CSP: only its nonce runs or styles, nothing is loaded from anywhere', () => {
  const html = renderReport(fromEndpointTest(failed426()), { nonce: NONCE, cspSource: 'vscode-webview://x' });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.equal(csp, contentSecurityPolicy(NONCE, 'vscode-webview://x'));
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, new RegExp(`script-src 'nonce-${NONCE}'(;|$)`));
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  for (const tag of html.match(/<script\b[^>]*>/g)!)
    assert.ok(tag.includes(`nonce="${NONCE}"`) || tag.includes('type="application/json"'), tag);
  for (const tag of html.match(/<style\b[^>]*>/g)!) assert.ok(tag.includes(`nonce="${NONCE}"`), tag);
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /\sstyle="/, 'no style attributes (the CSP would block them)');
  assert.doesNotMatch(html, /(src|href)="https?:/, 'no remote content');
  assert.doesNotMatch(html, /#[0-9a-f]{6}\b(?![^;]*\))/i, 'colours come from the theme variables (a fallback inside var() aside)');
});

test('whatever the endpoint answered is text on the page, never markup', () => {
  const m = fromEndpointTest(failed426());
  const html = renderReport(m, { nonce: NONCE, cspSource: 'x' });
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  const json = /<script type="application\/json" id="model">([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.doesNotMatch(json, /<\//, 'the state block cannot be closed by the data');
  assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(m)));
});

test('the model masks credentials and keeps every line on one line', () => {
  const m = fromEndpointTest(failed426());
  const headers = Object.fromEntries(m.exchange.request!.headers);
  assert.doesNotMatch(headers.Authorization!, /s3cr3t/);
  assert.match(headers.Authorization!, /^Bearer /);
  assert.doesNotMatch(Object.fromEntries(m.exchange.response!.headers)['Set-Cookie']!, /abcdef0123456789/);
  assert.doesNotMatch(m.target, /abcdef0123456789/);
  assert.doesNotMatch(m.exchange.request!.line, /abcdef0123456789/);
  assert.equal(m.verdict.detail, 'answered 426 Upgrade Required instead of 101 Switching Protocols');
  assert.equal(m.verdict.headline, 'Failed at handshake');
  assert.equal(toastLine(m), 'WebSocket failed at handshake (HTTP 426): ws://localhost:8080/ws/?token=***');
  assert.doesNotMatch(summaryLine(failed426()), /\n/);
  assert.deepEqual(m.diagnosis, [
    {
      message: 'location /ws/ never sets "proxy_set_header Connection"',
      at: { file: '/etc/nginx/nginx.conf', line: 12 },
      code: 'ws-connection-header',
    },
  ]);
});

test('the timeline marks the failing stage, skips TLS on ws://, and leaves later stages not reached', () => {
  const rows = stageRows(failed426());
  assert.deepEqual(
    rows.map((r) => [r.id, r.state, r.ms]),
    [
      ['dns', 'ok', 1],
      ['connect', 'ok', 2],
      ['tls', 'skipped', null],
      ['handshake', 'failed', 5],
      ['message', 'not-run', null],
      ['idle', 'skipped', null],
    ],
  );
  const html = renderReport(fromEndpointTest(failed426()), { nonce: NONCE, cspSource: 'x' });
  assert.match(html, /<li class="stage failed" aria-current="step">[\s\S]*?WebSocket handshake/);
});

test('a 502 page with CRLF lines prints no stray dot per line', () => {
  const r = failed426();
  r.status = 502;
  r.response = {
    statusLine: 'HTTP/1.1 502 Bad Gateway',
    status: 502,
    headers: [],
    body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>\r\n',
  };
  const body = formatReport(r)
    .split('\n')
    .filter((l) => l.startsWith('  | '));
  assert.deepEqual(body, ['  | <html>', '  | <head><title>502 Bad Gateway</title></head>', '  | </html>']);
});

test('the diagnosis links its config line; fix buttons only where the server has a fix; nginx -t collapsed', () => {
  const m = fromEndpointTest(failed426());
  const plain = renderReport(m, { nonce: NONCE, cspSource: 'x' });
  assert.match(plain, /<a href="#" class="cfg-link" data-action="open" data-file="\/etc\/nginx\/nginx.conf" data-line="12"/);
  assert.doesNotMatch(plain, /data-action="fix"/);
  const withFix = renderReport(m, { nonce: NONCE, cspSource: 'x', fixes: { 0: 'Add "proxy_set_header Connection "upgrade";"' } });
  assert.match(
    withFix,
    /<button type="button" data-action="fix" data-index="0"[^>]*>Add &quot;proxy_set_header Connection &quot;upgrade&quot;;&quot; and re-run<\/button>/,
  );
  assert.match(plain, /<details data-key="nginx-t"><summary>/, 'nginx -t output is collapsed (no open attribute)');
  assert.match(plain, /<button type="button" data-action="rerun"/);
  assert.match(plain, /<button type="button" data-action="copy"/);
});

test('the prediction slot: rendered beside the observed outcome when present, absent otherwise', () => {
  const prediction: Prediction = {
    outcome: 'status',
    status: 426,
    summary: 'Connection is not passed to the backend',
    steps: [{ message: 'location /ws/ chosen', at: { file: '/etc/nginx/nginx.conf', line: 12 } }],
  };
  const without = renderReport(fromEndpointTest(failed426()), { nonce: NONCE, cspSource: 'x' });
  assert.doesNotMatch(without, /Predicted/);
  const agree = renderReport(fromEndpointTest(failed426(), { prediction }), { nonce: NONCE, cspSource: 'x' });
  assert.match(agree, /Predicted from the config[\s\S]*HTTP 426[\s\S]*Observed[\s\S]*HTTP 426/);
  assert.match(agree, /class="compare agree"/);
  const differ = renderReport(fromEndpointTest(failed426(), { prediction: { ...prediction, outcome: 'upgrade', status: 101 } }), {
    nonce: NONCE,
    cspSource: 'x',
  });
  assert.match(differ, /class="compare differ"[\s\S]*differs from the prediction/);
});

test('a state restored by the serializer is accepted only when it is a report model', () => {
  const m = fromEndpointTest(failed426(), {
    rerun: { uri: 'file:///etc/nginx/nginx.conf', position: { line: 11, character: 8 }, url: 'ws://localhost:8080/ws/' },
  });
  assert.ok(isReportModel(JSON.parse(JSON.stringify(m))));
  for (const bad of [null, 1, 'x', {}, { ...m, version: 2 }, { ...m, stages: 'no' }]) assert.equal(isReportModel(bad), false);
});

function memento(): { get<T>(k: string): T | undefined; update(k: string, v: unknown): Promise<void> } {
  const m = new Map<string, unknown>();
  return {
    get: <T>(k: string) => m.get(k) as T | undefined,
    update: (k, v) => {
      if (v === undefined) m.delete(k);
      else m.set(k, JSON.parse(JSON.stringify(v)));
      return Promise.resolve();
    },
  };
}

const result = (fingerprint: string, ok = true): StoredResult => ({
  ok,
  stage: ok ? 'done' : 'handshake',
  status: ok ? 101 : 426,
  headline: ok ? 'Passed' : 'Failed at handshake',
  at: '2026-01-01T10:00:00.000Z',
  url: 'ws://x/ws/',
  fingerprint,
});

test('endpoint results: kept per endpoint, bounded, stale once the location changed', async () => {
  const store = new ResultStore(memento());
  await store.set('a', result('f1'));
  await store.set('b', result('f2', false));
  const endpoint = { fingerprint: 'f1' } as Endpoint;
  assert.deepEqual(stateOf(endpoint, store.get('a')), { kind: 'passed', result: result('f1'), stale: false });
  assert.equal(
    stateOf({ fingerprint: 'f9' } as Endpoint, store.get('a')).kind === 'passed' &&
      (stateOf({ fingerprint: 'f9' } as Endpoint, store.get('a')) as { stale: boolean }).stale,
    true,
  );
  assert.deepEqual(stateOf(endpoint, undefined), { kind: 'untested' });
  const now = Date.parse('2026-01-01T10:05:00.000Z');
  assert.equal(resultText(stateOf({ fingerprint: 'f2' } as Endpoint, store.get('b')), now), 'failed at handshake (426), 5 min ago');
  assert.equal(resultText(stateOf({ fingerprint: 'zz' } as Endpoint, store.get('a')), now), 'edited since: passed, 5 min ago');
  for (let i = 0; i < MAX_RESULTS + 20; i++) await store.set(`k${i}`, result('f'));
  assert.equal(store.get('a'), undefined, 'the oldest results go first');
  assert.ok(store.get(`k${MAX_RESULTS + 19}`));
  assert.equal(ago('2026-01-01T10:00:00.000Z', Date.parse('2026-01-03T10:00:00.000Z')), '2 days ago');
});

test('Test all says what happened in one line', () => {
  const base = { skipped: [] as string[], cancelled: false, firstFailure: null, last: null };
  assert.equal(summaryText({ ...base, passed: 2, failed: 1 }, 3), 'Tested 3 WebSocket endpoints: 2 passed, 1 failed');
  assert.equal(
    summaryText({ ...base, passed: 1, failed: 0, cancelled: true, skipped: ['x'] }, 4),
    'Cancelled after 1 of 4: 1 passed, 0 failed, 1 skipped',
  );
});

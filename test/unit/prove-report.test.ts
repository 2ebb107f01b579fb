/**
 * A local proof in the report panel (client/src/report), without an editor:
 * the model a proof result becomes (kind `local-proof`: its stages before the
 * handshake, its rewrites, what it stands behind, what the backend
 * received) and the page rendered from it; the text and JSON reports; and
 * the trust gate of the editor command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyResult } from '../../server/src/wstest/probe';
import type { EndpointTestResult } from '../../server/src/wstest/types';
import type { ProofResult } from '../../server/src/prove/types';
import { formatProof, proofJson, proofSummary } from '../../server/src/prove/report';
import { standsBehind } from '../../server/src/prove/run';
import { renderReport } from '../../client/src/report/html';
import { isReportModel, toastLine } from '../../client/src/report/model';
import { fromLocalProof } from '../../client/src/report/proof-model';
import { proveBlocker } from '../../client/src/prove-gate';

function proof(over: Partial<ProofResult> = {}): ProofResult {
  const t: EndpointTestResult = {
    ...emptyResult('ws://chat.example.com:41000/ws/'),
    ok: false,
    stage: 'handshake',
    kind: 'http-status',
    status: 426,
    error: 'answered 426 Upgrade Required instead of 101 Switching Protocols',
    timings: { dns: 0, connect: 1, tls: null, handshake: 3, roundTrip: null },
    request: {
      line: 'GET /ws/ HTTP/1.1',
      headers: [
        ['Host', 'chat.example.com:41000'],
        ['Authorization', 'Bearer s3cr3t-t0ken-value-1234'],
      ],
    },
    response: {
      statusLine: 'HTTP/1.1 426 Upgrade Required',
      status: 426,
      headers: [['Server', 'nginx/1.22.1']],
      body: '426 Upgrade Required: no Connection: upgrade header\n',
    },
    steps: [
      { step: 'dns', ok: true, detail: 'chat.example.com pinned to 127.0.0.1:41000 (not resolved)' },
      { step: 'connect', ok: true, detail: 'TCP connected' },
      { step: 'handshake', ok: false, detail: 'answered 426' },
    ],
    diagnosis: [],
    backend: null,
    crossOrigin: null,
    nginxTest: null,
    errorLog: [],
    findings: [],
    location: { path: '/srv/nginx/sites-enabled/chat.conf', line: 4, text: 'location /ws/' },
  };
  const r: ProofResult = {
    ok: false,
    stage: 'handshake',
    status: 426,
    error: t.error,
    location: { path: '/srv/nginx/sites-enabled/chat.conf', line: 4, text: 'location /ws/' },
    url: 'ws://chat.example.com:41000/ws/',
    connectedTo: '127.0.0.1:41000',
    rewrites: [
      {
        what: 'listen',
        from: 'listen 80;',
        to: 'listen 127.0.0.1:41000;',
        file: '/srv/nginx/sites-enabled/chat.conf',
        line: 2,
        endLine: 2,
        why: "port 80 on this machine is not the proof's to take",
      },
      {
        what: 'pid',
        from: '(not set: /run/nginx.pid)',
        to: "-g 'pid <prefix>/run/nginx.pid;'",
        file: null,
        line: null,
        endLine: null,
        why: 'inside the private prefix',
      },
      {
        what: 'disabled',
        from: 'more_set_headers "X: <b>"',
        to: '# (commented out)',
        file: '/srv/nginx/nginx.conf',
        line: 9,
        endLine: 9,
        why: 'this nginx has no module for "more_set_headers"',
      },
    ],
    caveats: [{ message: 'more_set_headers did not run here <script>', file: '/srv/nginx/nginx.conf', line: 9, onPath: true }],
    readInPlace: ['/etc/nginx/mime.types'],
    standsBehind: '',
    nginx: { binary: '/usr/sbin/nginx', version: '1.22.1' },
    nginxTest: { ok: true, output: 'nginx: configuration file /srv/nginx/nginx.conf test is successful' },
    test: t,
    backend: {
      address: '127.0.0.1:41001',
      tls: false,
      requests: [
        {
          line: 'GET /ws/ HTTP/1.1',
          httpVersion: '1.1',
          headers: [
            ['Host', 'chat'],
            ['Upgrade', 'websocket'],
            ['Cookie', 'sid=abcdef0123456789abcdef'],
          ],
          answer: { status: 426, reason: 'no Connection: upgrade header' },
        },
      ],
    },
    errorLog: ['2026/01/01 00:00:00 [notice] 1#1: start worker processes'],
    diagnosis: [
      { message: 'location /ws/ never sets Connection', path: '/srv/nginx/sites-enabled/chat.conf', line: 4, code: 'ws-connection-header' },
    ],
    findings: [],
    timings: { setup: 40, nginxTest: 20, start: 30, test: 10, cleanup: 15 },
    cleanup: { nginxStopped: true, backendStopped: true, prefixRemoved: true, leftovers: [] },
    prefix: '/tmp/nginx-ws-proof-abc',
    ports: [41000, 41001],
    ...over,
  };
  r.standsBehind = standsBehind(r, 0);
  return r;
}

test('a failed proof: its stages before the handshake, the rewrites, what it stands behind, what the backend received', () => {
  const m = fromLocalProof(proof(), {
    rerun: { uri: 'file:///srv/nginx/sites-enabled/chat.conf', position: { line: 3, character: 4 }, url: '' },
  });
  assert.ok(isReportModel(m), 'the panel restores it after a reload');
  assert.equal(m.kind, 'local-proof');
  assert.equal(m.verdict.headline, 'Failed at handshake');
  assert.deepEqual(
    m.stages.slice(0, 4).map((s) => [s.id, s.state]),
    [
      ['setup', 'ok'],
      ['nginx-t', 'ok'],
      ['start', 'ok'],
      ['dns', 'ok'],
    ],
  );
  assert.equal(m.stages.find((s) => s.id === 'handshake')?.state, 'failed');
  assert.equal(m.rewrites!.length, 3);
  assert.deepEqual(m.rewrites![1]!.at, null, 'a -g directive has no config line');
  assert.equal(m.diagnosis[0]!.code, 'ws-connection-header', 'a row with a rule id: the panel offers its quick fix');
  assert.match(m.proof!.standsBehind, /Proven broken/);
  assert.match(m.proof!.standsBehind, /does not cover/, 'the caveat on the path is in what it stands behind');
  assert.match(toastLine(m), /^Local proof failed at handshake \(HTTP 426\): location \/ws\/$/);
  assert.match(
    m.proof!.backend!.requests[0]!.headers.find(([k]) => k === 'Cookie')![1],
    /\*\*\*/,
    'credentials the backend received are masked',
  );

  const html = renderReport(m, { nonce: 'n', cspSource: 'x', fixes: { 0: 'Add proxy_set_header Connection' } });
  assert.match(html, /What this proof stands behind/);
  assert.match(html, /What the echo backend received/);
  assert.match(html, /no Connection: upgrade header/);
  assert.match(html, /What was changed to run the config here/);
  assert.match(html, /listen 127\.0\.0\.1:41000;/);
  assert.match(html, /command line/, 'the -g rewrite says where it was made');
  assert.match(html, /data-action="fix" data-index="0"/);
  assert.doesNotMatch(html, /<script>alert|<b>"|did not run here <script>/, 'config text is escaped');
  assert.match(html, /did not run here &lt;script&gt;/);
  assert.doesNotMatch(html, /s3cr3t-t0ken-value-1234/);
});

test('a passed proof and an nginx -t failure', () => {
  const passed = proof({ ok: true, stage: 'done', status: 101, error: null, diagnosis: [], caveats: [] });
  passed.test = {
    ...passed.test!,
    ok: true,
    stage: 'done',
    status: 101,
    error: null,
    reply: 'echo',
    timings: { dns: 0, connect: 1, tls: null, handshake: 2, roundTrip: 1 },
  };
  passed.standsBehind = standsBehind(passed, 5);
  const m = fromLocalProof(passed, { idleSeconds: 5 });
  assert.equal(m.verdict.headline, 'Proven with local nginx');
  assert.match(m.verdict.detail, /nginx 1\.22\.1, round trip 1 ms \(echo\)/);
  assert.match(m.proof!.standsBehind, /^Proven: .* survives 5 s idle/);
  assert.equal(toastLine(m), 'Local proof passed: location /ws/');

  const t = proof({
    stage: 'nginx-t',
    status: null,
    test: null,
    error: 'nginx -t rejects the config: unknown "connection_upgrade" variable',
    nginxTest: { ok: false, output: 'nginx: [emerg] unknown "connection_upgrade" variable' },
  });
  t.standsBehind = standsBehind(t, 0);
  const n = fromLocalProof(t);
  assert.equal(n.verdict.headline, 'Failed at nginx -t');
  assert.deepEqual(
    n.stages.map((s) => [s.id, s.state]),
    [
      ['setup', 'ok'],
      ['nginx-t', 'failed'],
      ['start', 'not-run'],
    ],
  );
  assert.match(n.proof!.standsBehind, /fails to load/);
  assert.match(toastLine(n), /failed at nginx -t/);
});

test('the text and JSON reports', () => {
  const r = proof();
  const text = formatProof(r);
  assert.match(
    text,
    /^Local nginx proof: location \/ws\/ \(\/srv\/nginx\/sites-enabled\/chat\.conf:4\)\nResult: FAILED at handshake \(HTTP 426\)/,
  );
  assert.match(text, /Rewrites \(3\)/);
  assert.match(text, /command line {2}pid: \(not set: \/run\/nginx\.pid\) {2}→ {2}-g 'pid <prefix>\/run\/nginx\.pid;'/);
  assert.match(
    text,
    /Echo backend \(127\.0\.0\.1:41001\) received 1 request\n {2}GET \/ws\/ HTTP\/1\.1 {2}→ 426 no Connection: upgrade header/,
  );
  assert.match(text, /Cleanup: nothing left running, the private prefix removed/);
  assert.doesNotMatch(text, /s3cr3t-t0ken|abcdef0123456789abcdef/);
  assert.equal(
    proofSummary(r),
    'Local proof failed at handshake (HTTP 426): answered 426 Upgrade Required instead of 101 Switching Protocols',
  );
  const j = proofJson(r);
  assert.equal(j.stage, 'handshake');
  assert.equal((j.rewrites as unknown[]).length, 3);
  assert.deepEqual(j.cleanup, r.cleanup);
  const left = formatProof(
    proof({ cleanup: { nginxStopped: false, backendStopped: true, prefixRemoved: true, leftovers: ['nginx process group 123'] } }),
  );
  assert.match(left, /Cleanup: LEFT BEHIND nginx process group 123/);
});

test('the command runs nothing in an untrusted workspace, nor without an nginx binary', () => {
  const found = () => '/usr/sbin/nginx';
  const missing = () => null;
  assert.match(proveBlocker(false, 'nginx', found)!, /trust this workspace/);
  assert.match(proveBlocker(false, 'nginx', missing)!, /trust this workspace/, 'untrusted wins: not even a lookup result is shown');
  assert.match(proveBlocker(true, '/opt/nginx', missing)!, /No nginx binary found for nginxWs.nginxPath "\/opt\/nginx"/);
  assert.equal(proveBlocker(true, 'nginx', found), null);
});

/**
 * Diagnosis mapping: probe outcome + the engine's view of the location → the
 * cause and its line. The locations come from analyze() on real config text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, type FileHost } from '../../server/src/engine/index';
import { diagnose } from '../../server/src/wstest/diagnose';
import { emptyResult } from '../../server/src/wstest/probe';
import { findingsWithin } from '../../server/src/engine/index';
import { locationContext } from '../../server/src/engine/endpoints';
import type { FailureKind, ProbeResult, Stage } from '../../server/src/wstest/types';

const CONF = `events {}
http {
    server {
        listen 443 ssl;
        server_name chat.example.com;
        ssl_certificate /etc/ssl/chat.pem;
        location /ws/ {
            proxy_pass https://127.0.0.1:9000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 300s;
        }
    }
}
`;
const lineOf = (needle: string): number => CONF.split('\n').findIndex((l) => l.includes(needle)) + 1;

function context() {
  const host: FileHost = {
    readFile: (p) => (p === '/c/nginx.conf' ? CONF : undefined),
    glob: () => [],
    dirname: () => '/c',
    resolve: (d, r) => `${d}/${r}`,
  };
  const a = analyze('/c/nginx.conf', host);
  const loc = a.wsLocations[0]!;
  // Plain data, as the editor client receives it over the LSP: the round trip through JSON proves it serialises.
  return JSON.parse(JSON.stringify({ location: locationContext(loc), findings: findingsWithin(loc, a.findings) }));
}

function outcome(stage: Stage, kind: FailureKind, status: number | null = null, extra: Partial<ProbeResult> = {}) {
  return {
    ...emptyResult('wss://chat.example.com/ws/'),
    ok: false,
    stage,
    kind,
    status,
    backend: null,
    crossOrigin: null,
    nginxTest: null,
    errorLog: null,
    ...extra,
  };
}

test('each failure points at the directive that explains it', () => {
  const ctx = context();
  const cases: [ReturnType<typeof outcome>, RegExp, string][] = [
    [outcome('dns', 'dns'), /does not resolve/, 'server_name'],
    [outcome('connect', 'refused'), /nothing listens/, 'listen 443'],
    [outcome('tls', 'tls-cert'), /certificate is not trusted/, 'ssl_certificate'],
    [outcome('tls', 'tls-not-tls'), /does not speak TLS/, 'listen 443'],
    [outcome('handshake', 'http-status', 502), /502/, 'proxy_pass'],
    [outcome('handshake', 'http-status', 504), /504/, 'proxy_pass'],
    [outcome('handshake', 'http-status', 426), /did not see an upgrade request/, 'proxy_set_header Connection'],
    [outcome('handshake', 'http-status', 404), /404/, 'proxy_pass'],
    [
      outcome('idle', 'idle-closed', 101, { closedAfterIdleMs: 300_000 }),
      /closed after 300 s idle: proxy_read_timeout 300s/,
      'proxy_read_timeout',
    ],
    [outcome('handshake', 'redirect-loop', 302), /redirect loop/, 'location /ws/'],
  ];
  for (const [r, message, needle] of cases) {
    const d = diagnose(r, ctx)[0];
    assert.ok(d, `${r.kind} ${r.status}: a diagnosis`);
    assert.match(d.message, message, `${r.kind} ${r.status}`);
    assert.equal(d.path, '/c/nginx.conf');
    assert.equal(d.line, lineOf(needle), `${r.kind} ${r.status} → line of ${needle}`);
  }
});

test('502 with https:// proxy_pass and a backend that does not speak TLS says so', () => {
  const backend = { ...emptyResult('wss://127.0.0.1:9000/ws/'), stage: 'tls' as const, kind: 'tls-not-tls' as const };
  const d = diagnose({ ...outcome('handshake', 'http-status', 502), backend }, context());
  assert.match(d[0]!.message, /proxy_pass uses https:\/\/ but the backend speaks plain HTTP/);
  assert.match(d[1]!.message, /not reachable directly either/);
});

test('without a config context the diagnosis still names the cause, with no line', () => {
  const d = diagnose(outcome('handshake', 'http-status', 400));
  assert.match(d[0]!.message, /HTTP\/1\.0/);
  assert.equal(d[0]!.line, undefined);
  assert.deepEqual(diagnose({ ...outcome('done', 'dns'), ok: true, kind: null }), []);
});

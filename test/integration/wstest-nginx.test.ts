/**
 * The tester against real nginx (Debian's, on loopback) in front of real
 * backends: the working recipe passes, and each broken recipe of
 * shared/WEBSOCKET-FACTS.md fails at the stage and with the diagnosis the
 * facts predict, pointing at the config line the engine flags.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { runEndpointTest, formatReport, type EndpointTestOptions } from '../../server/src/wstest/index';
import { deriveEndpoint } from '../../server/src/engine/endpoints';
import type { WsLocation } from '../../server/src/engine/index';
import { loadConfig } from '../../server/src/cli/endpoints-command';
import { findingsWithin } from '../../server/src/engine/index';
import { closedPort, nginxAvailable, selfSignedCert, startNginx, NGINX_BINARY, type RunningNginx } from '../support/nginx';
import { startStrictBackend, startWsBackend } from '../support/ws-backend';

const skip = nginxAvailable() ? false : 'nginx binary not installed';
const RECIPE = `proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";`;

function server(location: string, serverExtra = '', listen = '127.0.0.1:__PORT__', proxy = 'http://127.0.0.1:__BACKEND__'): string {
  return `
    server {
        listen ${listen};
        ${serverExtra}
        location /ws/ {
            proxy_pass ${proxy};
            ${location}
        }
    }`;
}

/** nginx with `http`, the URL of /ws/ on it, and the engine's context for that location (parsed from the very file nginx runs). */
async function nginxWith(
  t: TestContext,
  http: string,
  backendPort: number,
  files?: Record<string, string>,
): Promise<{ ng: RunningNginx; opts: EndpointTestOptions; loc: WsLocation; line: (text: string) => number }> {
  const ng = await startNginx({ http, backendPort, files });
  t.after(() => ng.stop());
  const { analysis } = loadConfig(ng.confPath);
  const loc = analysis.wsLocations.find((l) => l.locationPath === '/ws/');
  assert.ok(loc, 'the engine detects /ws/ as a WebSocket location');
  const text = analysis.files.get(ng.confPath)!.text.split('\n');
  return {
    ng,
    loc,
    opts: {
      url: `ws://127.0.0.1:${ng.port}/ws/`,
      timeoutMs: 3000,
      errorLogPath: ng.errorLogPath,
      context: { location: loc, findings: findingsWithin(loc, analysis.findings) },
    },
    line: (needle) => text.findIndex((l) => l.includes(needle)) + 1,
  };
}

test('working recipe: passes, echo round trip measured', { skip, timeout: 20_000 }, async (t) => {
  const b = await startWsBackend();
  t.after(() => b.stop());
  const { opts } = await nginxWith(t, server(RECIPE), b.port);
  const r = await runEndpointTest(opts);
  assert.equal(r.ok, true, formatReport(r));
  assert.equal(r.stage, 'done');
  assert.equal(r.status, 101);
  assert.equal(r.reply, 'echo');
  assert.ok(r.timings.roundTrip !== null && r.timings.roundTrip >= 0 && r.timings.roundTrip < 3000);
  assert.equal(b.requests.length, 1);
  assert.match(formatReport(r), /Result: PASSED/);
});

for (const [name, loc, code] of [
  [
    'no proxy_set_header Upgrade',
    'proxy_http_version 1.1;\n            proxy_set_header Connection "upgrade";',
    'ws-upgrade-header-missing',
  ],
  [
    'no proxy_set_header Connection',
    'proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;',
    'ws-connection-header',
  ],
  ['only proxy_pass', '', 'ws-path-without-recipe'],
] as const) {
  test(`${name}: 426 at handshake, diagnosis points at the flagged line`, { skip, timeout: 20_000 }, async (t) => {
    const b = await startWsBackend();
    t.after(() => b.stop());
    const { opts, line } = await nginxWith(t, server(loc), b.port);
    const r = await runEndpointTest(opts);
    assert.equal(r.ok, false);
    assert.equal(r.stage, 'handshake');
    assert.equal(r.status, 426);
    const d = r.diagnosis.find((x) => x.code === code);
    assert.ok(d, `diagnosis names ${code}: ${JSON.stringify(r.diagnosis)}`);
    assert.equal(d.line, line('location /ws/'));
  });
}

test('headers in server {}, location sets Host: 426, inheritance diagnosis', { skip, timeout: 20_000 }, async (t) => {
  const b = await startWsBackend();
  t.after(() => b.stop());
  const { opts, line } = await nginxWith(t, server('proxy_set_header Host $host;', RECIPE), b.port);
  const r = await runEndpointTest(opts);
  assert.equal(r.status, 426);
  const d = r.diagnosis.find((x) => x.code === 'ws-inherited-headers-dropped');
  assert.ok(d, JSON.stringify(r.diagnosis));
  assert.equal(d.line, line('proxy_set_header Host $host;'));
});

for (const [name, version] of [
  ['no proxy_http_version', ''],
  ['proxy_http_version 1.0', 'proxy_http_version 1.0;'],
] as const) {
  test(`strict backend, ${name}: 400 with the HTTP version diagnosis; backend direct is fine`, { skip, timeout: 20_000 }, async (t) => {
    const b = await startStrictBackend();
    t.after(() => b.stop());
    const { opts } = await nginxWith(
      t,
      server(`${version}\n proxy_set_header Upgrade $http_upgrade;\n proxy_set_header Connection "upgrade";`),
      b.port,
    );
    const r = await runEndpointTest({ ...opts, backendUrl: b.url });
    assert.equal(r.stage, 'handshake');
    assert.equal(r.status, 400);
    assert.equal(r.diagnosis[0]?.code, 'ws-http-version', JSON.stringify(r.diagnosis));
    assert.equal(r.backend?.ok, true);
    assert.ok(r.diagnosis.some((d) => /backend OK when reached directly.*nginx breaks it/.test(d.message)));
  });
}

/** A backend that accepts connections and reads, but never answers: nginx gives up after proxy_read_timeout. */
async function hungBackend(t: TestContext): Promise<number> {
  const sockets = new Set<Socket>();
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.resume();
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    srv.close();
  });
  return (srv.address() as AddressInfo).port;
}

test(
  'hung backend: 504 after proxy_read_timeout, the timeout line named (from the finding, and from the error_log without one)',
  { skip, timeout: 30_000 },
  async (t) => {
    const port = await hungBackend(t);
    const { opts, line, loc } = await nginxWith(t, server(`${RECIPE}\n            proxy_read_timeout 1s;`), port);
    const r = await runEndpointTest(opts);
    assert.equal(r.stage, 'handshake');
    assert.equal(r.status, 504);
    assert.equal(r.diagnosis[0]?.line, line('proxy_read_timeout 1s'), JSON.stringify(r.diagnosis));
    assert.equal(r.diagnosis[0]?.code, 'ws-read-timeout-short');
    assert.ok(
      r.errorLog?.some((l) => /upstream timed out/.test(l)),
      'the error_log line is shown',
    );

    // Without the engine's finding, the error_log says which timeout expired, and the diagnosis names its line.
    const bare = await runEndpointTest({ ...opts, context: { location: loc, findings: [] } });
    assert.equal(bare.status, 504);
    const d = bare.diagnosis[0]!;
    assert.match(d.message, /within proxy_read_timeout 1s/);
    assert.equal(d.line, line('proxy_read_timeout 1s'));
  },
);

test('backend down: 502, proxy_pass line, backend-direct refused', { skip, timeout: 20_000 }, async (t) => {
  const port = await closedPort();
  const { opts, line } = await nginxWith(t, server(RECIPE), port);
  const r = await runEndpointTest({ ...opts, backendUrl: `ws://127.0.0.1:${port}/` });
  assert.equal(r.status, 502);
  assert.equal(r.stage, 'handshake');
  assert.equal(r.backend?.kind, 'refused');
  const d = r.diagnosis[0]!;
  assert.match(d.message, /502: nginx cannot connect to the backend/);
  assert.equal(d.line, line('proxy_pass'));
  assert.ok(
    r.errorLog?.some((l) => /Connection refused/.test(l)),
    'error_log lines of the test are shown',
  );
});

test(
  'proxy_pass https:// to a plain backend: 502 said so, from the error_log and the backend-direct probe',
  { skip, timeout: 20_000 },
  async (t) => {
    const b = await startWsBackend();
    t.after(() => b.stop());
    const { opts, line, ng, loc } = await nginxWith(t, server(RECIPE, '', '127.0.0.1:__PORT__', 'https://127.0.0.1:__BACKEND__'), b.port);
    const { analysis } = loadConfig(ng.confPath);
    const derived = deriveEndpoint(loc, analysis.upstreams);
    assert.equal(derived.backendUrl, `wss://127.0.0.1:${b.port}/ws/`);
    const r = await runEndpointTest({ ...opts, backendUrl: derived.backendUrl });
    assert.equal(r.status, 502);
    assert.equal(r.backend?.stage, 'tls');
    assert.match(r.diagnosis[0]!.message, /proxy_pass uses https:\/\/ but the backend speaks plain HTTP/);
    assert.equal(r.diagnosis[0]!.line, line('proxy_pass'));
  },
);

test('idle hold against proxy_read_timeout 2s: closed after ~2 s, the timeout line named', { skip, timeout: 20_000 }, async (t) => {
  const b = await startWsBackend();
  t.after(() => b.stop());
  const { opts, line } = await nginxWith(t, server(`${RECIPE}\n            proxy_read_timeout 2s;`), b.port);
  const r = await runEndpointTest({ ...opts, idleSeconds: 3 });
  assert.equal(r.ok, false);
  assert.equal(r.stage, 'idle');
  assert.ok(
    r.closedAfterIdleMs !== null && r.closedAfterIdleMs > 1500 && r.closedAfterIdleMs < 2800,
    `closed after ${r.closedAfterIdleMs} ms`,
  );
  const d = r.diagnosis.find((x) => x.code === 'ws-read-timeout-short');
  assert.ok(d, JSON.stringify(r.diagnosis));
  assert.equal(d.line, line('proxy_read_timeout 2s'));
});

test('idle hold survives proxy_read_timeout 2s when the backend pings every second', { skip, timeout: 20_000 }, async (t) => {
  const b = await startWsBackend({ pingIntervalMs: 1000 });
  t.after(() => b.stop());
  const { opts } = await nginxWith(t, server(`${RECIPE}\n            proxy_read_timeout 2s;`), b.port);
  const r = await runEndpointTest({ ...opts, idleSeconds: 3 });
  assert.equal(r.ok, true, formatReport(r));
  assert.equal(r.closedAfterIdleMs, null);
  assert.match(r.steps.find((s) => s.step === 'idle')!.detail, /still open after 3 s idle \(the server pinged \d+ times/);
});

test(
  'TLS termination with a self-signed certificate: passes when allowed, fails at tls naming the certificate otherwise',
  { skip, timeout: 30_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'wstest-cert-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { key, cert } = await selfSignedCert(dir, 'localhost');
    const b = await startWsBackend();
    t.after(() => b.stop());
    const { opts } = await nginxWith(
      t,
      server(RECIPE, `ssl_certificate ${cert};\n        ssl_certificate_key ${key};`, '127.0.0.1:__PORT__ ssl'),
      b.port,
    );
    const url = opts.url.replace('ws://127.0.0.1', 'wss://localhost');
    const ok = await runEndpointTest({ ...opts, url, insecure: true });
    assert.equal(ok.ok, true, formatReport(ok));
    assert.equal(ok.tls?.authorized, false);
    assert.match(formatReport(ok), /certificate NOT trusted .* accepted because self-signed certificates are allowed/);
    const bad = await runEndpointTest({ ...opts, url });
    assert.equal(bad.ok, false);
    assert.equal(bad.stage, 'tls');
    assert.equal(bad.kind, 'tls-cert');
    assert.match(bad.error!, /certificate/);
    assert.match(bad.diagnosis[0]!.message, /certificate is not trusted/);
  },
);

test('nginx -t verdict and cross-origin probe are included when asked', { skip, timeout: 20_000 }, async (t) => {
  const b = await startWsBackend({ allowedOrigins: ['https://app.example'] });
  t.after(() => b.stop());
  const { opts, ng } = await nginxWith(t, server(RECIPE), b.port);
  const r = await runEndpointTest({
    ...opts,
    origin: 'https://app.example',
    crossOriginProbe: true,
    nginx: { binary: NGINX_BINARY, configFile: ng.confPath, prefix: ng.prefix },
  });
  assert.equal(r.ok, true, formatReport(r));
  assert.equal(r.nginxTest?.ok, true, r.nginxTest?.output);
  assert.match(r.nginxTest.output, /test is successful/);
  assert.deepEqual({ accepted: r.crossOrigin?.accepted, status: r.crossOrigin?.status }, { accepted: false, status: 403 });

  const open = await startWsBackend();
  t.after(() => open.stop());
  const o2 = await nginxWith(t, server(RECIPE), open.port);
  const r2 = await runEndpointTest({ ...o2.opts, crossOriginProbe: 'https://evil.example' });
  assert.equal(r2.crossOrigin?.accepted, true);
  assert.ok(r2.diagnosis.some((d) => /cross-site WebSocket hijacking/.test(d.message)));
});

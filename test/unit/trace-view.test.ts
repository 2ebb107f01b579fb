/** The client's renderings of a trace: the Request Trace tree and the report panel's prediction. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, singleFileHost } from '../../server/src/engine/index';
import { traceUrl } from '../../server/src/engine/features/index';
import type { TraceReport } from '../../server/src/engine/request/report';
import { traceTree } from '../../client/src/trace-tree';
import { predictionFrom } from '../../client/src/prediction';

const PATH = '/etc/nginx/nginx.conf';
const CONF = `events {}
http {
    server {
        listen 127.0.0.1:8080;
        location /ws/ {
            proxy_pass http://127.0.0.1:9000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_hide_header X-Powered-By;
        }
        location /old/ {
            proxy_pass http://127.0.0.1:9000;
        }
    }
}
`;

function report(url: string): TraceReport {
  const r = traceUrl(analyze(PATH, singleFileHost(PATH, CONF)), url);
  assert.ok(typeof r !== 'string', typeof r === 'string' ? r : '');
  return r;
}

test('the tree: outcome first, steps with their lines, headers with their sources, timeouts', () => {
  const nodes = traceTree(report('ws://127.0.0.1:8080/ws/'));
  assert.match(nodes[0]!.label, /^101 Switching Protocols/);
  assert.equal(nodes[0]!.icon, 'pass');
  const steps = nodes.find((n) => n.label === 'Steps')!;
  assert.ok(
    steps.children!.some((s) => /longest matching prefix \/ws\//.test(s.label) && s.description === 'nginx.conf:5' && s.at?.line === 5),
  );
  const backend = nodes.find((n) => n.label.startsWith('Backend receives'))!;
  assert.equal(backend.label, 'Backend receives GET /ws/ HTTP/1.1');
  const upgrade = backend.children!.find((h) => h.label === 'Upgrade: websocket')!;
  assert.equal(upgrade.description, 'nginx.conf:8');
  assert.equal(upgrade.at?.text, 'proxy_set_header Upgrade $http_upgrade;');
  assert.ok(
    backend.children!.some((h) => h.label === 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' && h.description === "client's request"),
  );
  assert.ok(nodes.some((n) => n.label === 'Timeouts' && n.children!.length === 3));
});

test('a failing trace: an error icon, the dropped headers, and the prediction the report shows', () => {
  const r = report('ws://127.0.0.1:8080/old/');
  const nodes = traceTree(r);
  assert.equal(nodes[0]!.icon, 'error');
  assert.match(nodes[0]!.label, /^400: nginx sends HTTP\/1\.0/);
  const backend = nodes.find((n) => n.label.startsWith('Backend receives'))!;
  assert.ok(backend.children!.some((h) => h.label === 'Upgrade (not passed)'));
  const p = predictionFrom(r);
  assert.equal(p.outcome, 'status');
  assert.equal(p.status, 400);
  assert.match(p.summary, /\(location \/old\/\)$/);
  assert.ok(
    p.steps.some((s) => s.at?.line === 12),
    'the location line',
  );
  const ok = predictionFrom(report('ws://127.0.0.1:8080/ws/'));
  assert.deepEqual([ok.outcome, ok.status], ['upgrade', 101]);
});

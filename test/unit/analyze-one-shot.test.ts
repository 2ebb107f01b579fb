/**
 * A one-shot analysis (the CLI) makes its WebSocket locations and upstreams when first read, not
 * during the analysis: they must be what an editor's analysis (which makes them at once) lists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyze, type Analysis } from '../../server/src/engine/analyze';
import { generateConfig } from '../../bench/generate';
import { diskHost, SITE } from '../support/disk-host';
import type { FileHost } from '../../server/src/engine/types';

function memoryHost(files: Record<string, string>): FileHost {
  return {
    readFile: (p) => files[p],
    glob: (pattern) => Object.keys(files).filter((p) => p === pattern),
    dirname: (p) => p.slice(0, p.lastIndexOf('/')) || '/',
    resolve: (dir, rel) => (rel.startsWith('/') ? rel : `${dir.replace(/\/$/, '')}/${rel}`),
  };
}

/** What the shells read of an analysis's WebSocket locations and upstreams. */
function shown(a: Analysis): unknown {
  return {
    ws: a.wsLocations.map((l) => ({
      path: l.path,
      locationPath: l.locationPath,
      modifier: l.modifier,
      intent: l.intent,
      at: l.directive.start,
      server: l.server?.start ?? null,
      proxyPass: l.proxyPass?.start ?? null,
      range: l.range,
    })),
    upstreams: [...a.upstreams].map(([name, d]) => [name, d.file.uri, d.start]),
  };
}

test('a one-shot analysis lists the WebSocket locations and upstreams an editor analysis lists', () => {
  const cases: { root: string; host: FileHost }[] = [
    { root: join(SITE, 'nginx.conf'), host: diskHost },
    { root: '/g/nginx.conf', host: memoryHost({ '/g/nginx.conf': generateConfig({ servers: 40, shape: 'ws' }) }) },
    { root: '/g/nginx.conf', host: memoryHost({ '/g/nginx.conf': generateConfig({ servers: 40, shape: 'site' }) }) },
    {
      // A snippet read twice: its location is listed once; two upstreams of one name: the first.
      root: '/t/nginx.conf',
      host: memoryHost({
        '/t/nginx.conf':
          'events {}\nhttp {\n  upstream b { server 127.0.0.1:1; }\n  upstream b { server 127.0.0.1:2; }\n' +
          '  server { listen 80; include /t/ws.conf; }\n  server { listen 81; include /t/ws.conf; }\n}\n',
        '/t/ws.conf':
          'location /ws { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; }\n',
      }),
    },
  ];
  for (const { root, host } of cases) {
    const editor = analyze(root, host, undefined, new Map());
    const oneShot = analyze(root, host, undefined, new Map(), undefined, { oneShot: true });
    assert.ok(editor.wsLocations.length > 0, root);
    assert.deepEqual(shown(oneShot), shown(editor), root);
    assert.deepEqual(oneShot.findings, editor.findings, root);
    // Read once, kept: the same list on every read.
    assert.equal(oneShot.wsLocations, oneShot.wsLocations);
  }
});

/**
 * Config root discovery over the real protocol: a file that is only a piece
 * of a config (bare `server` blocks in conf.d/) is judged in the context of
 * the nginx.conf that includes it, found in the workspace folder or named by
 * `nginxWs.configRoots`, and re-judged when that root changes on disk.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { FileChangeType, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { buildOnce, LspTestClient, TempWorkspace } from '../support/lsp-client';

const T = { timeout: 30_000 };

const MAP = `    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
`;
const ROOT = `events {}
http {
${MAP}    proxy_read_timeout 3600s;
    include conf.d/*.conf;
}
`;
/** Line 6 uses the map's variable; the /socket/ location (line 8) lacks the Upgrade header. */
const APP = `server {
    listen 127.0.0.1:8080;
    location /ws/ {
        proxy_pass http://127.0.0.1:9000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
    }
    location /socket/ {
        proxy_pass http://127.0.0.1:9001;
        proxy_http_version 1.1;
        proxy_set_header Connection "upgrade";
    }
}
`;
/** Another whole config including the same conf.d/, with neither the map nor the timeout. */
const OTHER = `events {}
http {
    include ../conf.d/*.conf;
}
`;

const codesAt = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => `${d.range.start.line}:${String(d.code)}`).sort();
const has = (p: PublishDiagnosticsParams, code: string) => p.diagnostics.some((d) => d.code === code);

describe('LSP config roots', () => {
  let ws: TempWorkspace;
  let dir: string;
  const uri = (rel: string) => ws.uri(rel);
  const write = (rel: string, text: string) => ws.write(rel, text);
  const start = (opts: Parameters<typeof LspTestClient.start>[0] = {}) => ws.start(opts);

  before(() => {
    buildOnce();
    ws = new TempWorkspace('nginx-ws-lsp-roots-');
    dir = ws.dir;
    write('nginx.conf', ROOT);
    write('conf.d/app.conf', APP);
    write('other/main.conf', OTHER);
    // Searched past: must not be taken for a root or slow the search down.
    write('node_modules/pkg/nginx.conf', 'events {}\nhttp { include ../../conf.d/*.conf; }\n');
  });
  after(() => {
    ws?.dispose();
  });

  test('opening only conf.d/app.conf judges it in the nginx.conf that includes it', T, async () => {
    const c = await start();
    c.open(uri('conf.d/app.conf'), APP, 1);
    const p = await c.diagnostics(uri('conf.d/app.conf'), (x) => x.version === 1);
    assert.equal(has(p, 'undefined-variable'), false, `the map in nginx.conf defines $connection_upgrade: ${codesAt(p).join(', ')}`);
    assert.equal(
      has(p, 'ws-read-timeout-default'),
      false,
      `proxy_read_timeout 3600s is inherited from nginx.conf's http: ${codesAt(p).join(', ')}`,
    );
    assert.deepEqual(codesAt(p), ['8:ws-upgrade-header-missing'], 'the WebSocket finding of its own location is still there');
    assert.ok(
      c.logs.some((l) => l.includes(`as part of ${join(dir, 'nginx.conf')}`)),
      c.logs.join('\n'),
    );
    assert.equal(c.mark(uri('nginx.conf')), 0, 'the root is not open: nothing is published for it');

    // Control: the same text with no includer in sight is judged alone.
    c.open('untitled:app', APP, 1);
    const alone = await c.diagnostics('untitled:app', (x) => x.version === 1);
    assert.ok(has(alone, 'undefined-variable') && has(alone, 'ws-read-timeout-default'), codesAt(alone).join(', '));

    // Hover and the other features see the same context: the variable is not lenient any more.
    const hover = await c.request<{ contents: unknown } | null>('textDocument/hover', {
      textDocument: { uri: uri('conf.d/app.conf') },
      position: { line: 6, character: 40 },
    });
    assert.match(JSON.stringify(hover?.contents ?? ''), /nginx\.conf|map/, 'hover on $connection_upgrade names where it is defined');
  });

  test('nginxWs.configRoots names the root, relative to the workspace folder; changing it re-judges', T, async () => {
    const c = await start({ settings: { configRoots: ['other/main.conf'] } });
    const app = uri('conf.d/app.conf');
    c.open(app, APP, 1);
    const p = await c.diagnostics(app, (x) => x.version === 1);
    assert.ok(has(p, 'undefined-variable'), `other/main.conf has no map: ${codesAt(p).join(', ')}`);
    assert.ok(has(p, 'ws-read-timeout-default'), `nor the timeout: ${codesAt(p).join(', ')}`);
    assert.ok(
      c.logs.some((l) => l.includes(`as part of ${join(dir, 'other', 'main.conf')}`)),
      c.logs.join('\n'),
    );

    const since = c.mark(app);
    await c.setSettings({});
    const back = await c.diagnostics(app, (x) => !has(x, 'undefined-variable'), { since });
    assert.deepEqual(codesAt(back), ['8:ws-upgrade-header-missing'], 'without the setting, the workspace search finds nginx.conf');
  });

  test('editing nginx.conf on disk (map removed) updates the open app.conf after didChangeWatchedFiles', T, async (t) => {
    t.after(() => write('nginx.conf', ROOT));
    const c = await start();
    const app = uri('conf.d/app.conf');
    c.open(app, APP, 1);
    const first = await c.diagnostics(app, (x) => x.version === 1);
    assert.equal(has(first, 'undefined-variable'), false);

    let since = c.mark(app);
    write('nginx.conf', ROOT.replace(MAP, ''));
    await c.watched([uri('nginx.conf')]);
    const p = await c.diagnostics(app, (x) => has(x, 'undefined-variable'), { since });
    const d = p.diagnostics.find((x) => x.code === 'undefined-variable')!;
    assert.equal(d.range.start.line, 6, 'on the use of $connection_upgrade in app.conf');
    assert.equal(p.version, 1, 'the open file did not change; its root did');

    since = c.mark(app);
    write('nginx.conf', ROOT);
    await c.watched([uri('nginx.conf')]);
    const healed = await c.diagnostics(app, (x) => !has(x, 'undefined-variable'), { since });
    assert.deepEqual(codesAt(healed), ['8:ws-upgrade-header-missing']);
  });

  test('a root created later is found after the watcher reports it; a snippet with no includer stays lenient', T, async () => {
    const c = await start();
    const piece = uri('later/conf.d/x.conf');
    write('later/conf.d/x.conf', APP);
    const snippet = `location /ws/ {\n    proxy_pass http://127.0.0.1:9000;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection "upgrade";\n    proxy_read_timeout 3600s;\n}\n`;
    write('snippets/ws.conf', snippet);
    c.open(uri('snippets/ws.conf'), snippet, 1);
    const lenient = await c.diagnostics(uri('snippets/ws.conf'), (x) => x.version === 1);
    assert.deepEqual(lenient.diagnostics, [], 'a bare location with no includer: no "not allowed here"');

    c.open(piece, APP, 1);
    const alone = await c.diagnostics(piece, (x) => x.version === 1);
    assert.ok(has(alone, 'undefined-variable'), `no root includes later/conf.d yet: ${codesAt(alone).join(', ')}`);

    const since = c.mark(piece);
    write('later/nginx.conf', ROOT);
    await c.watched([uri('later/nginx.conf')], FileChangeType.Created);
    const found = await c.diagnostics(piece, (x) => !has(x, 'undefined-variable'), { since });
    assert.deepEqual(codesAt(found), ['8:ws-upgrade-header-missing']);
    assert.ok(
      c.logs.some((l) => l.includes(`as part of ${join(dir, 'later', 'nginx.conf')}`)),
      c.logs.join('\n'),
    );
    rmSync(join(dir, 'later'), { recursive: true, force: true });
    rmSync(join(dir, 'snippets'), { recursive: true, force: true });
  });

  test(
    'no workspace folder: an nginx.conf in a parent folder (the /etc/nginx layout) is found; configRoots turns that off',
    T,
    async (t) => {
      const etc = mkdtempSync(join(tmpdir(), 'nginx-ws-lsp-roots-etc-'));
      t.after(() => rmSync(etc, { recursive: true, force: true }));
      mkdirSync(join(etc, 'sites-enabled'));
      writeFileSync(join(etc, 'nginx.conf'), ROOT.replace('conf.d/*.conf', 'sites-enabled/*'));
      writeFileSync(join(etc, 'sites-enabled', 'app'), APP);
      const site = pathToFileURL(join(etc, 'sites-enabled', 'app')).href;
      // No folder: only a trusted window may read the parent folders (Restricted Mode reads nothing outside a workspace folder).
      const c = await start({ workspaceFolders: [], workspaceTrusted: true });
      c.open(site, APP, 1);
      const p = await c.diagnostics(site, (x) => x.version === 1);
      assert.deepEqual(codesAt(p), ['8:ws-upgrade-header-missing'], 'judged in ../nginx.conf');

      const pinned = await start({
        workspaceFolders: [],
        workspaceTrusted: true,
        settings: { configRoots: [join(dir, 'other', 'main.conf')] },
      });
      pinned.open(site, APP, 1);
      const q = await pinned.diagnostics(site, (x) => x.version === 1);
      assert.ok(
        has(q, 'undefined-variable'),
        `only the configured root is tried, and it does not include the site: ${codesAt(q).join(', ')}`,
      );
    },
  );

  test('a file in the usual /etc/nginx layout checked into a repo (sites-enabled, no extension)', T, async () => {
    const c = await start();
    write(
      'etc/nginx/nginx.conf',
      `events {}\nhttp {\n${MAP}    proxy_read_timeout 1h;\n    include /nonexistent-on-purpose/mime.types;\n    include sites-enabled/*;\n}\n`,
    );
    write('etc/nginx/sites-enabled/default', APP);
    const site = uri('etc/nginx/sites-enabled/default');
    c.open(site, readFileSync(join(dir, 'etc/nginx/sites-enabled/default'), 'utf8'), 1);
    const p = await c.diagnostics(site, (x) => x.version === 1);
    assert.deepEqual(codesAt(p), ['8:ws-upgrade-header-missing'], 'the second nginx.conf in search order is the one that includes it');
    assert.equal(c.mark(uri('etc/nginx/nginx.conf')), 0, "the root's own missing include is not reported on the site file");
    rmSync(join(dir, 'etc'), { recursive: true, force: true });
  });
});

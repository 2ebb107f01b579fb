/**
 * Diagnostics over the real protocol: the bundled server (dist/server.js) runs
 * as a child process, driven over stdio by a JSON-RPC client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DiagnosticSeverity, type Diagnostic, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { buildOnce, LspTestClient, rangeOf } from '../support/lsp-client';

const T = { timeout: 30_000 };

/** Upgrade missing, `$connection_upgrade` without a map, and a plain location that must stay quiet. */
const BROKEN = `http {
    server {
        listen 8080;
        location /ws/ {
            proxy_pass http://127.0.0.1:9000;
            proxy_http_version 1.1;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
        }
        location /api/ {
            proxy_pass http://127.0.0.1:9001;
        }
    }
}
`;

const GOOD = `http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    server {
        listen 8080;
        location /ws/ {
            proxy_pass http://127.0.0.1:9000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
        }
    }
}
`;

function codes(p: PublishDiagnosticsParams): string[] {
  return p.diagnostics.map((d) => String(d.code)).sort();
}

function text(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

function only(p: PublishDiagnosticsParams, code: string): Diagnostic[] {
  return p.diagnostics.filter((d) => d.code === code);
}

/** Every URI's publishes came in non-decreasing version order. */
function assertNoStalePublish(c: LspTestClient): void {
  for (const [uri, list] of c.published) {
    const versions = list.map((p) => p.version).filter((v): v is number => typeof v === 'number');
    for (let i = 1; i < versions.length; i++) {
      assert.ok(
        versions[i]! >= versions[i - 1]!,
        `${uri}: version ${versions[i]} published after ${versions[i - 1]} (${versions.join(',')})`,
      );
    }
  }
}

describe('LSP diagnostics', () => {
  let c: LspTestClient;
  before(async () => {
    buildOnce();
    c = await LspTestClient.start();
  });
  after(() => {
    if (c) {
      assertNoStalePublish(c);
      c.kill();
    }
  });

  test('announces incremental sync, saves (for nginx -t), workspace folders, code actions with fix-all kinds, CodeLens', T, () => {
    const caps = c.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    assert.deepEqual(caps.workspace?.workspaceFolders, { supported: true, changeNotifications: true });
    const ca = caps.codeActionProvider;
    assert.ok(typeof ca === 'object' && ca.codeActionKinds);
    assert.ok(ca.codeActionKinds.includes('quickfix'));
    assert.ok(ca.codeActionKinds.includes('source.fixAll'));
    assert.ok(ca.codeActionKinds.includes('source.fixAll.nginxWs'));
    assert.ok(caps.codeLensProvider);
  });

  test('syntax errors are published for the opened version with their ranges', T, async () => {
    const uri = 'file:///virtual/syntax/nginx.conf';
    c.open(uri, 'http {\n    server {\n        listen 80\n    }\n', 1);
    const p = await c.diagnostics(uri, (x) => x.version === 1);
    const syntax = only(p, 'syntax');
    assert.equal(syntax.length, 2, JSON.stringify(p.diagnostics));
    const semi = syntax.find((d) => /;/.test(text(d)));
    assert.ok(semi, 'a missing-semicolon error');
    assert.equal(semi.range.start.line, 2, 'reported on the `listen 80` line');
    const unclosed = syntax.find((d) => /not closed|missing '\}'/.test(text(d)));
    assert.ok(unclosed, 'an unclosed-block error');
    assert.equal(rangeOf(unclosed.range), '0:0-0:4', 'points at `http`');
    for (const d of syntax) {
      assert.equal(d.source, 'nginx-ws');
      assert.equal(d.severity, DiagnosticSeverity.Error);
    }
  });

  test('rule diagnostics carry the rule id, docs link, severity and fix data', T, async () => {
    const uri = 'file:///virtual/rules/nginx.conf';
    c.open(uri, BROKEN, 1);
    const p = await c.diagnostics(uri, (x) => x.version === 1);
    assert.deepEqual(codes(p), ['undefined-variable', 'ws-upgrade-header-missing']);

    const undef = only(p, 'undefined-variable')[0]!;
    assert.equal(rangeOf(undef.range), '6:40-6:59', 'exactly `$connection_upgrade`');
    assert.equal(undef.severity, DiagnosticSeverity.Error);
    assert.match(text(undef), /connection_upgrade/);

    const upgrade = only(p, 'ws-upgrade-header-missing')[0]!;
    assert.equal(upgrade.range.start.line, 3, 'on the `location /ws/` line');
    assert.equal(upgrade.severity, DiagnosticSeverity.Error);

    for (const d of p.diagnostics) {
      assert.equal(d.source, 'nginx-ws');
      assert.match(d.codeDescription?.href ?? '', /^https?:\/\//, `${d.code} has a docs link`);
      assert.deepEqual(Object.keys(d.data as object).sort(), ['index', 'version']);
      assert.equal((d.data as { version: number }).version, 1);
    }
    assert.ok(!p.diagnostics.some((d) => d.range.start.line >= 9), 'the plain /api/ location is not a WebSocket location');
  });

  test('a full-text change publishes diagnostics for the new version', T, async () => {
    const uri = 'file:///virtual/change/nginx.conf';
    c.open(uri, BROKEN, 1);
    await c.diagnostics(uri, (x) => x.version === 1 && x.diagnostics.length > 0);
    c.change(uri, 2, GOOD);
    const p = await c.diagnostics(uri, (x) => x.version === 2);
    assert.deepEqual(p.diagnostics, []);
    c.change(uri, 3, BROKEN);
    const p3 = await c.diagnostics(uri, (x) => x.version === 3);
    assert.deepEqual(codes(p3), ['undefined-variable', 'ws-upgrade-header-missing']);
  });

  test('incremental changes are applied to the right text', T, async () => {
    const uri = 'file:///virtual/incremental/nginx.conf';
    c.open(uri, 'events {}\nhttp {\n    server {\n        listen 80\n    }\n}\n', 1);
    const p1 = await c.diagnostics(uri, (x) => x.version === 1);
    assert.deepEqual(codes(p1), ['syntax']);
    // Insert the missing `;` after `listen 80` (line 3, character 17).
    c.change(uri, 2, [{ range: { start: { line: 3, character: 17 }, end: { line: 3, character: 17 } }, text: ';' }]);
    const p2 = await c.diagnostics(uri, (x) => x.version === 2);
    assert.deepEqual(p2.diagnostics, []);
    // Delete `server {` ... which leaves one `}` too many.
    c.change(uri, 3, [{ range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, text: '' }]);
    const p3 = await c.diagnostics(uri, (x) => x.version === 3);
    assert.deepEqual(codes(p3), ['directive-not-allowed', 'syntax']);
    assert.equal(only(p3, 'syntax')[0]!.range.start.line, 4, 'the stray `}` of the old http block');
    assert.equal(only(p3, 'directive-not-allowed')[0]!.range.start.line, 2, '`listen` is now directly in http');
  });

  test('closing a document clears its diagnostics', T, async () => {
    const uri = 'file:///virtual/close/nginx.conf';
    c.open(uri, BROKEN, 1);
    await c.diagnostics(uri, (x) => x.version === 1 && x.diagnostics.length > 0);
    const since = c.mark(uri);
    c.close(uri);
    const p = await c.diagnostics(uri, () => true, { since });
    assert.deepEqual(p.diagnostics, []);
  });
});

describe('LSP diagnostics: debounce and ordering', () => {
  let c: LspTestClient;
  before(async () => {
    buildOnce();
    // A long debounce makes "one analysis per burst" deterministic: the burst arrives in far less than 400 ms.
    c = await LspTestClient.start({ debounceMs: 400 });
  });
  after(() => c?.kill());

  test('a burst of edits is analysed once, for the latest version only', T, async () => {
    const uri = 'file:///virtual/burst/nginx.conf';
    c.open(uri, BROKEN, 1);
    await c.diagnostics(uri, (x) => x.version === 1);
    const since = c.mark(uri);
    for (let v = 2; v <= 30; v++) c.change(uri, v, v % 2 ? BROKEN : `${GOOD}# edit ${v}\n`);
    const last = await c.diagnostics(uri, (x) => x.version === 30, { since });
    assert.deepEqual(last.diagnostics, [], 'version 30 is the good config');
    const after = (c.published.get(uri) ?? []).slice(since);
    assert.deepEqual(
      after.map((p) => p.version),
      [30],
      'intermediate versions are never analysed nor published',
    );
  });

  test('versions are never published out of order across many documents', T, async () => {
    const uris = [1, 2, 3, 4].map((i) => `file:///virtual/order${i}/nginx.conf`);
    for (const u of uris) c.open(u, BROKEN, 1);
    for (let v = 2; v <= 6; v++) {
      for (const u of uris) c.change(u, v, v === 6 ? GOOD : `${BROKEN}# ${v}\n`);
      await c.diagnostics(uris[3]!, (x) => x.version === v);
    }
    for (const u of uris) {
      const p = await c.diagnostics(u, (x) => x.version === 6);
      assert.deepEqual(p.diagnostics, []);
    }
    assertNoStalePublish(c);
  });
});

describe('LSP diagnostics: settings', () => {
  let c: LspTestClient;
  before(async () => {
    buildOnce();
    c = await LspTestClient.start({ settings: {} });
  });
  after(() => c?.kill());

  // Upgrade present, Connection present, HTTP/1.1, but no proxy_read_timeout: only the information rule fires.
  const IDLE = GOOD.replace('            proxy_read_timeout 3600s;\n', '');

  test('settings are pulled with workspace/configuration before the first analysis', T, async () => {
    const uri = 'file:///virtual/settings0/nginx.conf';
    c.open(uri, IDLE, 1);
    const p = await c.diagnostics(uri, (x) => x.version === 1);
    assert.ok(c.configurationRequests.length >= 1, 'the server asked for the nginxWs section');
    assert.deepEqual(codes(p), ['ws-read-timeout-default']);
    assert.equal(p.diagnostics[0]!.severity, DiagnosticSeverity.Information);
  });

  test('turning a rule off and changing a severity re-publishes without a document change', T, async () => {
    const uri = 'file:///virtual/settings1/nginx.conf';
    c.open(uri, IDLE, 1);
    await c.diagnostics(uri, (x) => x.version === 1 && x.diagnostics.length === 1);

    let since = c.mark(uri);
    await c.setSettings({ rules: { 'ws-read-timeout-default': 'off' } });
    const off = await c.diagnostics(uri, () => true, { since });
    assert.equal(off.version, 1, 'same document version, re-analysed');
    assert.deepEqual(off.diagnostics, []);

    since = c.mark(uri);
    await c.setSettings({ rules: { 'ws-read-timeout-default': 'error' } });
    const err = await c.diagnostics(uri, () => true, { since });
    assert.deepEqual(codes(err), ['ws-read-timeout-default']);
    assert.equal(err.diagnostics[0]!.severity, DiagnosticSeverity.Error);

    since = c.mark(uri);
    await c.setSettings({ idleTimeoutThresholdSeconds: 7200, rules: {} });
    const back = await c.diagnostics(uri, () => true, { since });
    assert.equal(back.diagnostics[0]!.severity, DiagnosticSeverity.Information, 'severity back to the default');
  });

  test('the idle threshold setting reaches the engine', T, async () => {
    const uri = 'file:///virtual/settings2/nginx.conf';
    const text = GOOD.replace('proxy_read_timeout 3600s;', 'proxy_read_timeout 300s;');
    await c.setSettings({});
    c.open(uri, text, 1);
    const p = await c.diagnostics(uri, (x) => x.version === 1);
    assert.deepEqual(p.diagnostics, [], '300 s is above the default 60 s threshold');
    const since = c.mark(uri);
    await c.setSettings({ idleTimeoutThresholdSeconds: 600 });
    const p2 = await c.diagnostics(uri, () => true, { since });
    assert.deepEqual(codes(p2), ['ws-read-timeout-short']);
    assert.equal(p2.diagnostics[0]!.severity, DiagnosticSeverity.Warning);
  });

  test('a path pattern setting makes a location a WebSocket location', T, async () => {
    await c.setSettings({});
    const uri = 'file:///virtual/settings3/nginx.conf';
    const text =
      'http {\n    server {\n        listen 80;\n        location /live-feed/ {\n            proxy_pass http://127.0.0.1:9000;\n        }\n    }\n}\n';
    c.open(uri, text, 1);
    const p = await c.diagnostics(uri, (x) => x.version === 1);
    assert.deepEqual(p.diagnostics, [], 'not a WebSocket-looking path');
    const since = c.mark(uri);
    await c.setSettings({ websocketPathPatterns: ['^/live-'] });
    const p2 = await c.diagnostics(uri, (x) => x.diagnostics.length > 0, { since });
    assert.ok(
      p2.diagnostics.every((d) => d.range.start.line === 3),
      JSON.stringify(p2.diagnostics),
    );
  });

  test('invalid setting values are ignored with a log message, not a crash', T, async () => {
    const uri = 'file:///virtual/settings4/nginx.conf';
    c.open(uri, IDLE, 1);
    await c.diagnostics(uri, (x) => x.version === 1);
    const since = c.mark(uri);
    await c.setSettings({
      rules: { 'ws-read-timeout-default': 'loud' },
      idleTimeoutThresholdSeconds: 'soon',
      websocketPathPatterns: ['(unclosed'],
    });
    const p = await c.diagnostics(uri, () => true, { since });
    assert.deepEqual(codes(p), ['ws-read-timeout-default'], 'defaults kept');
    assert.ok(
      c.logs.some((l) => l.includes('nginxWs.rules.ws-read-timeout-default')),
      c.logs.join('\n'),
    );
    assert.ok(c.logs.some((l) => l.includes('nginxWs.idleTimeoutThresholdSeconds')));
    assert.ok(c.logs.some((l) => l.includes('nginxWs.websocketPathPatterns')));
    assert.ok(c.alive);
  });
});

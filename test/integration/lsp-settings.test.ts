/**
 * Settings: what package.json declares must equal what the server and the
 * client actually default to (rule severities from the rule registry), and
 * `nginx -v` version detection runs only in a trusted workspace, driven over
 * the real protocol with a stand-in nginx binary that records being run.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkWsUrl, DEFAULT_ENDPOINT_SETTINGS, endpointUrl, readEndpointSettings } from '../../client/src/endpoint-settings';
import { RULES } from '../../server/src/engine/rules/index';
import { parseNginxVersion } from '../../server/src/nginx/version';
import { NGINX_BINARY } from '../support/nginx';
import { CODE_LENS_TITLE, FIX_ALL_COMMAND, TEST_ENDPOINT_COMMAND } from '../../server/src/lsp/protocol';
import { DEFAULT_SERVER_SETTINGS, normalizeSettings } from '../../server/src/lsp/settings';
import { FRONT_SETTING_DEFAULTS } from '../../server/src/lsp/front/front';
import { buildOnce, LspTestClient, ROOT } from '../support/lsp-client';

interface Prop {
  type: string;
  default: unknown;
  enum?: string[];
  markdownDescription?: string;
  properties?: Record<string, Prop>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Prop> }; commands: { command: string }[] };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
};
const declared = manifest.contributes.configuration.properties;

/** Server settings as VS Code declares them: nested groups (`nginxTest: { onSave }`) become dotted keys. */
function flatSettings(o: Record<string, unknown>, prefix = 'nginxWs.'): [string, unknown][] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? flatSettings(v as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v] as [string, unknown]],
  );
}

describe('settings declared in package.json match the code', () => {
  test('one nginxWs.rules property per rule, defaulting to the rule severity', () => {
    const rules = declared['nginxWs.rules'];
    assert.ok(rules?.properties, 'nginxWs.rules declares its rules');
    assert.deepEqual(rules.default, {}, 'unset rules keep their (per-finding) default, so the object default is empty');
    assert.deepEqual(Object.keys(rules.properties).sort(), RULES.map((r) => r.id).sort());
    for (const r of RULES) {
      const p: Prop = rules.properties[r.id]!;
      assert.equal(p.default, r.defaultSeverity, `${r.id} default`);
      assert.deepEqual(p.enum, ['error', 'warning', 'information', 'hint', 'off'], `${r.id} values`);
      assert.ok(p.markdownDescription, `${r.id} is described`);
    }
  });

  test('server settings: every one declared, with the server default', () => {
    const { rules: _rules, ...rest } = DEFAULT_SERVER_SETTINGS;
    for (const [key, value] of flatSettings(rest)) {
      const p = declared[key];
      assert.ok(p, `${key} is declared`);
      assert.deepEqual(p.default, value, `${key} default`);
      assert.equal(p.type, Array.isArray(value) ? 'array' : typeof value, `${key} type`);
    }
  });

  test("the server front's budgets: every one declared, with the front's default", () => {
    for (const [key, value] of Object.entries(FRONT_SETTING_DEFAULTS)) {
      assert.equal(declared[key]?.default, value, `${key} default`);
      assert.equal(declared[key]?.type, 'number', `${key} type`);
    }
  });

  test('endpoint settings: every one declared, with the client default', () => {
    for (const [key, value] of Object.entries(DEFAULT_ENDPOINT_SETTINGS)) {
      const p = declared[`nginxWs.endpoint.${key}`];
      assert.ok(p, `nginxWs.endpoint.${key} is declared`);
      assert.deepEqual(p.default, value, `nginxWs.endpoint.${key} default`);
    }
  });

  test('nothing is declared that the code does not read, and every setting is described', () => {
    const known = new Set([
      'nginxWs.rules',
      ...flatSettings({ ...DEFAULT_SERVER_SETTINGS }).map(([k]) => k),
      ...Object.keys(DEFAULT_ENDPOINT_SETTINGS).map((k) => `nginxWs.endpoint.${k}`),
      ...Object.keys(FRONT_SETTING_DEFAULTS),
    ]);
    for (const [key, p] of Object.entries(declared)) {
      assert.ok(known.has(key), `${key} is declared but not read by the server or client`);
      assert.ok(p.markdownDescription, `${key} has a markdownDescription`);
    }
    for (const key of manifest.capabilities.untrustedWorkspaces.restrictedConfigurations) {
      assert.ok(declared[key], `restricted setting ${key} is declared`);
    }
  });

  test('the commands the client registers and the CodeLens uses are declared', () => {
    const commands = manifest.contributes.commands.map((c) => c.command);
    for (const id of [TEST_ENDPOINT_COMMAND, FIX_ALL_COMMAND, 'nginxWs.showOutput']) assert.ok(commands.includes(id), id);
    assert.match(CODE_LENS_TITLE, /Test WebSocket endpoint/);
  });

  test('client endpoint settings: wrong types fall back to defaults, URLs are checked', () => {
    const raw: Record<string, unknown> = {
      baseUrl: ' wss://staging.example.com/ ',
      timeoutMs: 'fast',
      idleSeconds: -1,
      headers: { Authorization: 'Bearer x', Bad: 3 },
      subprotocols: ['chat', 7, ''],
      allowSelfSigned: 'yes',
    };
    const s = readEndpointSettings((k) => raw[k]);
    assert.equal(s.baseUrl, 'wss://staging.example.com/');
    assert.equal(s.timeoutMs, DEFAULT_ENDPOINT_SETTINGS.timeoutMs);
    assert.equal(s.idleSeconds, 0);
    assert.deepEqual(s.headers, { Authorization: 'Bearer x' });
    assert.deepEqual(s.subprotocols, ['chat']);
    assert.equal(s.allowSelfSigned, false);
    assert.equal(endpointUrl('ws://localhost:8080', '/ws/', s.baseUrl), 'wss://staging.example.com/ws/');
    assert.equal(endpointUrl('ws://localhost:8080', 'ws/', ''), 'ws://localhost:8080/ws/');
    assert.equal(checkWsUrl('wss://example.com/ws'), undefined);
    assert.match(checkWsUrl('https://example.com/ws') ?? '', /ws: or wss:/);
    assert.match(checkWsUrl('not a url') ?? '', /Not a URL/);
  });

  test('configRoots and nginxTest.onSave: nested or dotted, wrong types fall back with a message', () => {
    const ok = normalizeSettings({ configRoots: [' nginx.conf ', '', '/etc/nginx/nginx.conf'], nginxTest: { onSave: false } });
    assert.deepEqual(ok.settings.configRoots, ['nginx.conf', '/etc/nginx/nginx.conf']);
    assert.equal(ok.settings.nginxTest.onSave, false);
    assert.deepEqual(ok.problems, []);
    assert.equal(normalizeSettings({ 'nginxTest.onSave': false }).settings.nginxTest.onSave, false);
    const bad = normalizeSettings({ configRoots: 'nginx.conf', nginxTest: { onSave: 'no' } });
    assert.deepEqual(bad.settings.configRoots, []);
    assert.equal(bad.settings.nginxTest.onSave, true);
    assert.equal(bad.problems.length, 2, bad.problems.join('\n'));
  });

  test('nginx -v output is parsed', () => {
    assert.equal(parseNginxVersion('nginx version: nginx/1.22.1\n'), '1.22.1');
    assert.equal(parseNginxVersion('nginx version: openresty/1.21.4.1\n'), '1.21.4');
    assert.equal(parseNginxVersion('nginx version: nginx/1.29.7 (Ubuntu)'), '1.29.7');
    assert.equal(parseNginxVersion('command not found'), undefined);
  });
});

/** A WebSocket location with no proxy_http_version: an error only for nginx older than 1.29.7. */
const NO_HTTP_VERSION = `http {
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://127.0.0.1:9000;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 3600s;
        }
    }
}
`;

describe('nginx version detection and workspace trust', () => {
  let dir: string;
  let fake: string;
  let marker: string;
  const clients: LspTestClient[] = [];
  const start = async (opts: Parameters<typeof LspTestClient.start>[0]) => {
    const c = await LspTestClient.start(opts);
    clients.push(c);
    return c;
  };
  const hasHttpVersion = (c: LspTestClient, uri: string, pred: (v: boolean) => boolean, since = 0) =>
    c.diagnostics(uri, (p) => pred(p.diagnostics.some((d) => d.code === 'ws-http-version')), { since });

  before(() => {
    buildOnce();
    dir = mkdtempSync(join(tmpdir(), 'nginx-ws-lsp-version-'));
    marker = join(dir, 'ran');
    fake = join(dir, 'fake-nginx');
    // Records each run, answers like nginx (on stderr), as a newer version that proxies with HTTP/1.1.
    writeFileSync(fake, `#!/bin/sh\necho "$@" >> '${marker}'\necho "nginx version: nginx/1.30.0" >&2\n`);
    chmodSync(fake, 0o755);
  });
  after(() => {
    for (const c of clients) c.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('untrusted: nginx is never run; granting trust runs it once and re-analyses', { timeout: 30_000 }, async () => {
    const c = await start({ workspaceTrusted: false, settings: { nginxPath: fake } });
    const uri = 'file:///virtual/trust/nginx.conf';
    c.open(uri, NO_HTTP_VERSION, 1);
    await hasHttpVersion(c, uri, (v) => v);
    assert.equal(existsSync(marker), false, 'nginx was not run in an untrusted workspace');

    const since = c.mark(uri);
    await c.connection.sendNotification('nginxWs/workspaceTrust', { trusted: true });
    const p = await hasHttpVersion(c, uri, (v) => !v, since);
    assert.equal(p.version, 1);
    assert.equal(readFileSync(marker, 'utf8'), '-v\n', 'run exactly once, with -v');
    assert.ok(
      c.logs.some((l) => l.includes('1.30.0')),
      c.logs.join('\n'),
    );

    // Another edit does not run it again.
    c.change(uri, 2, `${NO_HTTP_VERSION}# edit\n`);
    await c.diagnostics(uri, (x) => x.version === 2);
    assert.equal(readFileSync(marker, 'utf8'), '-v\n');
  });

  test('an explicit nginxVersion wins and nothing is run', { timeout: 30_000 }, async () => {
    rmSync(marker, { force: true });
    const c = await start({ workspaceTrusted: true, settings: { nginxPath: fake, nginxVersion: '1.24.0' } });
    const uri = 'file:///virtual/explicit/nginx.conf';
    c.open(uri, NO_HTTP_VERSION, 1);
    await hasHttpVersion(c, uri, (v) => v);
    assert.equal(existsSync(marker), false);
    const since = c.mark(uri);
    await c.setSettings({ nginxPath: fake, nginxVersion: '1.29.7' });
    await hasHttpVersion(c, uri, (v) => !v, since);
    assert.equal(existsSync(marker), false);
  });

  test('detectNginxVersion off: nothing is run even when trusted', { timeout: 30_000 }, async () => {
    rmSync(marker, { force: true });
    const c = await start({ workspaceTrusted: true, settings: { nginxPath: fake, detectNginxVersion: false } });
    const uri = 'file:///virtual/nodetect/nginx.conf';
    c.open(uri, NO_HTTP_VERSION, 1);
    await hasHttpVersion(c, uri, (v) => v);
    assert.equal(existsSync(marker), false);
  });

  test('a missing nginx binary is logged, not fatal', { timeout: 30_000 }, async () => {
    const c = await start({ workspaceTrusted: true, settings: { nginxPath: join(dir, 'no-such-nginx') } });
    const uri = 'file:///virtual/missing/nginx.conf';
    c.open(uri, NO_HTTP_VERSION, 1);
    await hasHttpVersion(c, uri, (v) => v);
    assert.ok(
      c.logs.some((l) => l.includes('could not detect the nginx version')),
      c.logs.join('\n'),
    );
    assert.ok(c.alive);
  });

  const realNginx = NGINX_BINARY;
  test(
    'trusted from the start with the real Debian nginx',
    { timeout: 30_000, skip: existsSync(realNginx) ? false : `${realNginx} not installed` },
    async () => {
      const c = await start({ workspaceTrusted: true, settings: { nginxPath: realNginx } });
      const uri = 'file:///virtual/real/nginx.conf';
      c.open(uri, NO_HTTP_VERSION, 1);
      await c.diagnostics(uri, (x) => x.version === 1);
      const version = /target nginx version (\d+\.\d+\.\d+)/.exec(c.logs.join('\n'))?.[1];
      assert.ok(version, `the detected version is logged: ${c.logs.join('\n')}`);
      const older =
        version
          .split('.')
          .map(Number)
          .reduce((a, n) => a * 1000 + n, 0) < 1_029_007;
      const p = await c.diagnostics(uri, (x) => x.version === 1);
      assert.equal(
        p.diagnostics.some((d) => d.code === 'ws-http-version'),
        older,
        `nginx ${version}`,
      );
    },
  );
});

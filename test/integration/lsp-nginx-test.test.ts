/**
 * `nginx -t` as a diagnostics source, over the real protocol: Debian's real
 * nginx judges configs in a temp prefix on didSave; what it reports lands on
 * the file and line it names, is dropped where the engine already says it,
 * is cleared by the next passing run, and a config needing files this machine
 * lacks gets one information diagnostic. A stand-in binary that records its
 * runs proves nothing is run in an untrusted workspace or with the setting off.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { parseNginxOutput, missingHere } from '../../server/src/nginx/config-test';
import { buildOnce, LspTestClient, TempWorkspace, messageText } from '../support/lsp-client';
import { NGINX_BINARY } from '../support/nginx';

const REAL_NGINX = NGINX_BINARY;
const T = { timeout: 40_000 };

const rootConf = (extraMain = '') => `${extraMain}events {}
http {
    access_log off;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    include conf.d/*.conf;
}
`;
/** Line 5: a second `location /`, an error only nginx knows about. */
const DUPLICATE = `server {
    listen 127.0.0.1:8080;
    location / {
        return 200;
    }
    location / {
        return 204;
    }
}
`;
const CLEAN = `server {
    listen 127.0.0.1:8080;
    location / {
        return 200;
    }
}
`;

const nginxT = (p: PublishDiagnosticsParams | undefined): Diagnostic[] => (p?.diagnostics ?? []).filter((d) => d.code === 'nginx-t');

describe('nginx -t output parsing', () => {
  test('file and line are split off; the timestamp prefix of error_log stderr is dropped', () => {
    const out = [
      '2026/11/21 23:34:31 [emerg] 30882#30882: invalid port in "127.0.0.1:abc" of the "listen" directive in /tmp/a/conf.d/a.conf:2',
      'nginx: [warn] the "ssl" directive is deprecated in /etc/nginx/nginx.conf:17',
      '2026/11/21 23:34:36 [emerg] 31082#31082: unknown "connection_upgrade" variable',
      'nginx: configuration file /tmp/a/nginx.conf test failed',
    ].join('\n');
    assert.deepEqual(parseNginxOutput(out), [
      { level: 'emerg', message: 'invalid port in "127.0.0.1:abc" of the "listen" directive', file: '/tmp/a/conf.d/a.conf', line: 2 },
      { level: 'warn', message: 'the "ssl" directive is deprecated', file: '/etc/nginx/nginx.conf', line: 17 },
      { level: 'emerg', message: 'unknown "connection_upgrade" variable' },
    ]);
  });

  test('files and hosts missing on this machine are told apart from config errors', () => {
    const kind = (message: string) => missingHere({ level: 'emerg', message });
    assert.equal(kind('cannot load certificate "/etc/ssl/x.pem": BIO_new_file() failed (SSL: ...)'), 'a certificate or key file');
    assert.equal(kind('open() "/etc/nginx/mime.types" failed (2: No such file or directory)'), 'a file');
    assert.equal(kind('host not found in upstream "backend:8080"'), 'a host name');
    assert.equal(kind('duplicate location "/"'), undefined);
    assert.equal(kind('invalid port in "127.0.0.1:abc" of the "listen" directive'), undefined);
  });
});

describe('nginx -t on save (real nginx)', { skip: existsSync(REAL_NGINX) ? false : `${REAL_NGINX} not installed` }, () => {
  let ws: TempWorkspace;
  let dir: string;
  const uri = (rel: string) => ws.uri(rel);
  const write = (rel: string, text: string) => ws.write(rel, text);
  const start = (settings: Record<string, unknown> = {}) =>
    ws.start({ workspaceTrusted: true, settings: { nginxPath: REAL_NGINX, ...settings } });
  /** Saves `rel` (already written to disk) and waits for the run's result to be logged. */
  const saveAndRun = async (c: LspTestClient, rel: string) => {
    const since = c.logs.length;
    c.save(uri(rel));
    return c.log(/nginx -t (passed|failed) for /, { since, timeoutMs: 15_000 });
  };
  const latest = (c: LspTestClient, rel: string) => c.published.get(uri(rel))?.at(-1);

  before(() => {
    buildOnce();
    ws = new TempWorkspace('nginx-ws-lsp-nginx-t-');
    dir = ws.dir;
    mkdirSync(join(dir, 'tmp'));
  });
  after(() => ws?.dispose());

  test('an error only nginx knows (duplicate location) lands on its line after didSave; the fix clears it', T, async () => {
    write('nginx.conf', rootConf());
    write('conf.d/app.conf', DUPLICATE);
    const c = await start();
    const app = uri('conf.d/app.conf');
    c.open(app, DUPLICATE, 1);
    const engine = await c.diagnostics(app, (x) => x.version === 1);
    assert.deepEqual(engine.diagnostics, [], 'the engine sees nothing wrong here');

    assert.match(await saveAndRun(c, 'conf.d/app.conf'), /failed/);
    const [d, ...more] = nginxT(latest(c, 'conf.d/app.conf'));
    assert.ok(d, JSON.stringify(latest(c, 'conf.d/app.conf')));
    assert.equal(more.length, 0);
    assert.equal(d.range.start.line, 5, 'the second `location /`');
    assert.equal(d.source, 'nginx -t');
    assert.equal(d.severity, 1);
    assert.match(messageText(d), /duplicate location "\/"/);
    assert.equal(latest(c, 'conf.d/app.conf')!.version, 1, 'published for the text nginx checked');

    write('conf.d/app.conf', CLEAN);
    c.change(app, 2, CLEAN);
    assert.match(await saveAndRun(c, 'conf.d/app.conf'), /passed/);
    const p = latest(c, 'conf.d/app.conf')!;
    assert.equal(p.version, 2);
    assert.deepEqual(p.diagnostics, []);
  });

  test('an error in a closed file of the config is shown there and cleared when the next run passes', T, async () => {
    write('nginx.conf', rootConf());
    write('conf.d/app.conf', CLEAN);
    const badText = 'server {\n    listen 127.0.0.1:abc;\n}\n';
    write('conf.d/bad.conf', badText);
    const c = await start();
    const app = uri('conf.d/app.conf');
    c.open(app, CLEAN, 1);
    await c.diagnostics(app, (x) => x.version === 1);
    await saveAndRun(c, 'conf.d/app.conf');
    const bad = latest(c, 'conf.d/bad.conf');
    assert.equal(bad?.version ?? null, null, 'a closed file is published without a version');
    const [d] = nginxT(bad);
    assert.ok(d, JSON.stringify(bad));
    assert.equal(d.range.start.line, 1);
    assert.match(messageText(d), /invalid port in "127\.0\.0\.1:abc"/);
    assert.deepEqual({ start: d.range.start.character, end: d.range.end.character }, { start: 4, end: 'listen 127.0.0.1:abc;'.length + 4 });

    // bad.conf never changes version: only a passing run can clear it.
    const since = c.mark(uri('conf.d/bad.conf'));
    write('conf.d/bad.conf', 'server {\n    listen 127.0.0.1:8081;\n}\n');
    assert.match(await saveAndRun(c, 'conf.d/app.conf'), /passed/);
    const cleared = await c.diagnostics(uri('conf.d/bad.conf'), () => true, { since });
    assert.deepEqual(cleared.diagnostics, []);
    rmSync(join(dir, 'conf.d/bad.conf'));
  });

  test("nginx's unknown-variable error is dropped where the engine already reports undefined-variable", T, async () => {
    write('nginx.conf', rootConf());
    const text = CLEAN.replace(
      'return 200;',
      'proxy_pass http://127.0.0.1:9000;\n        proxy_set_header Connection $connection_upgrade;',
    );
    write('conf.d/app.conf', text);
    const c = await start();
    const app = uri('conf.d/app.conf');
    c.open(app, text, 1);
    await c.diagnostics(app, (x) => x.version === 1 && x.diagnostics.some((d) => d.code === 'undefined-variable'));
    const since = c.mark(app);
    assert.match(await saveAndRun(c, 'conf.d/app.conf'), /failed for .*: \[emerg\] unknown "connection_upgrade" variable/);
    const p = await c.diagnostics(app, () => true, { since });
    assert.deepEqual(nginxT(p), [], 'said once, by the engine');
    assert.ok(p.diagnostics.some((d) => d.code === 'undefined-variable' && d.range.start.line === 4));
  });

  test('a config needing a certificate this machine lacks gets one information diagnostic on the root', T, async () => {
    const root = rootConf();
    write('nginx.conf', root);
    const tls = `server {\n    listen 127.0.0.1:8443 ssl;\n    ssl_certificate /nonexistent-nginx-ws/cert.pem;\n    ssl_certificate_key /nonexistent-nginx-ws/key.pem;\n}\n`;
    write('conf.d/app.conf', tls);
    const c = await start();
    c.open(uri('nginx.conf'), root, 1);
    await c.diagnostics(uri('nginx.conf'), (x) => x.version === 1);
    await saveAndRun(c, 'nginx.conf');
    await saveAndRun(c, 'nginx.conf'); // once per run: a second run does not add a second one
    const all = [...c.published.keys()].flatMap((u) => nginxT(c.published.get(u)!.at(-1)).map((d) => ({ u, d })));
    assert.equal(all.length, 1, JSON.stringify(all));
    const { u, d } = all[0]!;
    assert.equal(u, uri('nginx.conf'));
    assert.equal(d.range.start.line, 0);
    assert.equal(d.severity, 3, 'information');
    assert.match(messageText(d), /could not check .* certificate .*\/nonexistent-nginx-ws\/cert\.pem/);
  });

  test('a root that sets its own pid is run without -g pid (a duplicate would fail) and passes', T, async () => {
    const root = rootConf(`pid ${join(dir, 'own.pid')};\nerror_log stderr;\n`);
    write('nginx.conf', root);
    write('conf.d/app.conf', CLEAN);
    const c = await start();
    c.open(uri('nginx.conf'), root, 1);
    await c.diagnostics(uri('nginx.conf'), (x) => x.version === 1);
    assert.match(await saveAndRun(c, 'nginx.conf'), /passed/);
    assert.deepEqual(nginxT(latest(c, 'nginx.conf')), []);
  });
});

describe('nginx -t is never run untrusted or when switched off (stand-in binary)', () => {
  let ws: TempWorkspace;
  let dir: string;
  let fake: string;
  let marker: string;
  const uri = (rel: string) => ws.uri(rel);
  const runs = () => (existsSync(marker) ? readFileSync(marker, 'utf8').trim().split('\n') : []);
  /** A request answered after the server has handled every notification sent before it. */
  const roundTrip = (c: LspTestClient) =>
    c.request('textDocument/hover', { textDocument: { uri: uri('nginx.conf') }, position: { line: 0, character: 0 } });

  before(() => {
    buildOnce();
    ws = new TempWorkspace('nginx-ws-lsp-nginx-t-fake-');
    dir = ws.dir;
    marker = join(dir, 'ran');
    fake = join(dir, 'fake-nginx');
    writeFileSync(fake, `#!/bin/sh\necho "$@" >> '${marker}'\ncase "$1" in -v) echo "nginx version: nginx/1.30.0" >&2;; esac\nexit 0\n`);
    chmodSync(fake, 0o755);
    writeFileSync(join(dir, 'nginx.conf'), 'events {}\nhttp {\n}\n');
  });
  after(() => ws?.dispose());

  test('untrusted: saving runs nothing; once trust is granted, a save runs nginx -t with a throwaway pid', T, async () => {
    const c = await ws.start({ workspaceTrusted: false, settings: { nginxPath: fake } });
    c.open(uri('nginx.conf'), 'events {}\nhttp {\n}\n', 1);
    await c.diagnostics(uri('nginx.conf'), (x) => x.version === 1);
    c.save(uri('nginx.conf'));
    c.save(uri('nginx.conf'));
    await roundTrip(c);
    assert.deepEqual(runs(), [], 'nginx was not run in an untrusted workspace');

    await c.connection.sendNotification('nginxWs/workspaceTrust', { trusted: true });
    const since = c.logs.length;
    c.save(uri('nginx.conf'));
    await c.log(/nginx -t passed for /, { since });
    const t = runs().filter((r) => r.startsWith('-t'));
    assert.equal(t.length, 1, runs().join('\n'));
    assert.ok(t[0]!.startsWith(`-t -q -p ${dir}/ -c ${join(dir, 'nginx.conf')} -g pid `), t[0]);
    const pid = /-g pid (\/\S*nginx-ws-t-[^/]+\/nginx\.pid); error_log stderr;$/.exec(t[0]!)?.[1];
    assert.ok(pid, `the config sets neither pid nor error_log, so both are given: ${t[0]}`);
    assert.equal(existsSync(join(pid, '..')), false, 'the throwaway pid directory is removed after the run');
  });

  test('no nginx binary: said once in the log, no diagnostics, the server carries on', T, async () => {
    const c = await ws.start({ workspaceTrusted: true, settings: { nginxPath: join(dir, 'no-such-nginx'), detectNginxVersion: false } });
    c.open(uri('nginx.conf'), 'events {}\nhttp {\n}\n', 1);
    await c.diagnostics(uri('nginx.conf'), (x) => x.version === 1);
    c.save(uri('nginx.conf'));
    await c.log(/nginx -t on save: .*no-such-nginx not found/);
    c.save(uri('nginx.conf'));
    await roundTrip(c);
    await roundTrip(c);
    assert.equal(c.logs.filter((l) => l.includes('nginx -t on save')).length, 1, c.logs.join('\n'));
    assert.ok([...c.published.values()].every((list) => nginxT(list.at(-1)).length === 0));
    assert.ok(c.alive);
  });

  test('nginxWs.nginxTest.onSave false: trusted, and still nothing is run', T, async () => {
    rmSync(marker, { force: true });
    const c = await ws.start({
      workspaceTrusted: true,
      settings: { nginxPath: fake, detectNginxVersion: false, nginxTest: { onSave: false } },
    });
    c.open(uri('nginx.conf'), 'events {}\nhttp {\n}\n', 1);
    await c.diagnostics(uri('nginx.conf'), (x) => x.version === 1);
    c.save(uri('nginx.conf'));
    await roundTrip(c);
    assert.deepEqual(runs(), []);

    // Control: the same session with the setting on does run it.
    const since = c.logs.length;
    await c.setSettings({ nginxPath: fake, detectNginxVersion: false, nginxTest: { onSave: true } });
    await roundTrip(c);
    c.save(uri('nginx.conf'));
    await c.log(/nginx -t passed for /, { since });
    assert.equal(runs().length, 1, runs().join('\n'));
  });
});

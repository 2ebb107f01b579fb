/**
 * `nginx-ws lint` on the layouts people deploy, each a real directory tree
 * (symlinks included): a conf.d piece judged in its nginx.conf, Debian's
 * sites-enabled links, Docker templates, OpenResty, the project settings
 * file, inline suppressions, stdin, and an `nginx -T` dump made by real nginx.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, ROOT } from '../support/lsp-client';
import { NGINX_BINARY, nginxAvailable } from '../support/nginx';
import { makeLayout, makeTree } from '../support/layouts';

const CLI = join(ROOT, 'dist', 'cli.js');

interface Json {
  tool: { name: string; version: string };
  files: { file: string; root: string; complete: boolean; settings: string | null }[];
  findings: {
    file: string;
    root: string;
    range: { start: { line: number } };
    severity: string;
    code: string;
    message: string;
    fixable: boolean;
  }[];
}

function run(args: string[], cwd: string, input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function json(args: string[], cwd: string, input?: string): Json & { code: number | null; err: string } {
  const r = run([...args, '--format', 'json'], cwd, input);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.err}`);
  return { ...(JSON.parse(r.out) as Json), code: r.code, err: r.err };
}

const codes = (j: Json) => j.findings.map((f) => `${f.file}:${f.range.start.line + 1} ${f.code}`);

before(() => buildOnce());

test('conf.d: a piece is judged in the nginx.conf that includes it, and the root is named in every format', (t) => {
  const l = makeLayout('confd');
  t.after(() => l.dispose());
  const j = json(['lint', 'conf.d/app.conf'], l.dir);
  // The map in nginx.conf is seen: no undefined-variable; the short timeout is reported.
  assert.deepEqual(codes(j), ['conf.d/app.conf:8 ws-read-timeout-short']);
  assert.deepEqual(j.files, [{ file: 'conf.d/app.conf', root: 'nginx.conf', complete: true, settings: null }]);
  assert.equal(j.findings[0]!.root, 'nginx.conf');
  const text = run(['lint', 'conf.d/app.conf'], l.dir);
  assert.match(text.err, /checked in the context of nginx\.conf: conf\.d\/app\.conf/);
  const sarif = JSON.parse(run(['lint', '--format', 'sarif', 'conf.d/app.conf'], l.dir).out);
  assert.deepEqual(sarif.runs[0].artifacts, [{ location: { uri: 'conf.d/app.conf' }, properties: { root: 'nginx.conf' } }]);
  assert.equal(sarif.runs[0].results[0].properties.root, 'nginx.conf');
  // --root names the config explicitly; a root that does not include the file leaves it alone (lenient).
  writeFileSync(join(l.dir, 'other.conf'), 'events {}\nhttp {}\n');
  const alone = json(['lint', '--root', 'other.conf', 'conf.d/app.conf'], l.dir);
  assert.equal(alone.files[0]!.root, 'conf.d/app.conf');
  assert.ok(
    alone.findings.some((f) => f.code === 'undefined-variable' && f.severity === 'information'),
    JSON.stringify(alone.findings),
  );
});

test('Debian: sites-enabled/ is followed into sites-available/, each file reported once under the name given', (t) => {
  const l = makeLayout('debian');
  t.after(() => l.dispose());
  const enabled = json(['lint', 'sites-enabled/'], l.dir);
  assert.deepEqual(
    enabled.files.map((f) => [f.file, f.root]),
    [['sites-enabled/app', 'nginx.conf']],
  );
  assert.deepEqual(codes(enabled), ['sites-enabled/app:7 ws-read-timeout-short']);
  // The whole tree: the site once (under its first name), the snippet in context, the disabled site alone.
  const all = json(['lint', '.'], l.dir);
  assert.deepEqual(
    all.files.map((f) => `${f.file} ${f.root}`),
    [
      'conf.d/gzip.conf nginx.conf',
      'nginx.conf nginx.conf',
      'sites-available/app nginx.conf',
      'sites-available/old sites-available/old',
      'snippets/ws.conf nginx.conf',
    ],
  );
  assert.deepEqual(codes(all), ['sites-available/app:7 ws-read-timeout-short', 'sites-available/old:3 ws-path-without-recipe']);
  // Both names given: still once, under the first.
  const both = json(['lint', 'sites-enabled/app', 'sites-available/app'], l.dir);
  assert.deepEqual(
    both.files.map((f) => f.file),
    ['sites-enabled/app'],
  );
  // Linted from elsewhere, the nginx.conf above the site is found (the /etc/nginx layout).
  const elsewhere = makeTree({});
  t.after(() => elsewhere.dispose());
  const far = json(['lint', join(l.dir, 'sites-available', 'app')], elsewhere.dir);
  assert.equal(far.files[0]!.root, join(l.dir, 'nginx.conf'));
});

test('Docker templates: *.conf.template files are found, ${VAR} placeholders are opaque, the endpoint asks for the real address', (t) => {
  const l = makeLayout('docker');
  t.after(() => l.dispose());
  const j = json(['lint', '.'], l.dir);
  assert.ok(j.files.some((f) => f.file === 'templates/default.conf.template'));
  assert.deepEqual(
    j.findings.filter((f) => f.code === 'undefined-variable' || f.code === 'syntax' || f.code === 'directive-not-allowed'),
    [],
    'no finding about ${NGINX_PORT}, ${NGINX_HOST}, ${BACKEND_HOST} or ${APP_ENV}',
  );
  // The same placeholder outside a template is an unknown nginx variable.
  writeFileSync(join(l.dir, 'plain.conf'), 'events {}\nhttp { server { listen 80; location / { add_header X-Env ${APP_ENV}; } } }\n');
  assert.ok(json(['lint', 'plain.conf'], l.dir).findings.some((f) => f.code === 'undefined-variable' && /APP_ENV/.test(f.message)));
  const ep = JSON.parse(run(['endpoints', '--json', 'templates/'], l.dir).out) as {
    url: string | null;
    placeholders: string[];
    notes: string[];
  }[];
  assert.equal(ep.length, 1);
  assert.equal(ep[0]!.url, null, 'no URL built from a placeholder');
  assert.deepEqual(ep[0]!.placeholders, ['${NGINX_PORT}', '${NGINX_HOST}']);
  const text = run(['endpoints', 'templates/'], l.dir);
  assert.match(text.out, /template placeholder.*--base-url URL/);
  const based = JSON.parse(run(['endpoints', '--json', '--base-url', 'wss://chat.example.com', 'templates/'], l.dir).out) as {
    url: string;
  }[];
  assert.equal(based[0]!.url, 'wss://chat.example.com/ws/');
  const test = run(['test', '--config', 'templates/default.conf.template', '--location', '/ws/'], l.dir);
  assert.equal(test.code, 2);
  assert.match(test.err, /\$\{NGINX_PORT\}.*placeholder.*base URL/);
});

test('OpenResty: Lua blocks keep working (no syntax error, no variable from Lua code, the WebSocket location checked)', (t) => {
  const l = makeLayout('openresty');
  t.after(() => l.dispose());
  const j = json(['lint', 'nginx.conf'], l.dir);
  assert.deepEqual(
    j.findings.filter((f) => f.severity === 'error' || f.severity === 'warning'),
    [],
  );
  assert.deepEqual(
    j.findings.filter((f) => f.code === 'syntax' || f.code === 'undefined-variable'),
    [],
  );
  assert.ok(
    j.findings.some((f) => f.code === 'ws-read-timeout-default'),
    'the WebSocket location is recognised',
  );
});

test('.nginx-ws.json: found walking up, its configRoots, rules and nginx version apply; flags layer on top; bad values are named', (t) => {
  const l = makeLayout('settings');
  t.after(() => l.dispose());
  const j = json(['lint', 'sites/app.conf'], l.dir);
  assert.deepEqual(j.files, [{ file: 'sites/app.conf', root: 'deploy/main.conf', complete: true, settings: '.nginx-ws.json' }]);
  // nginxVersion 1.30.0: no ws-http-version; ws-read-timeout-default off; ws-upstream-no-affinity raised to warning.
  assert.deepEqual(
    j.findings.map((f) => `${f.code} ${f.severity}`),
    ['ws-upstream-no-affinity warning'],
  );
  // From a subfolder the same file applies.
  const sub = json(['lint', 'app.conf'], join(l.dir, 'sites'));
  assert.equal(sub.files[0]!.settings, join(l.dir, '.nginx-ws.json'));
  assert.equal(sub.files[0]!.root, join(l.dir, 'deploy', 'main.conf'));
  // Flags win over the file.
  const flagged = json(['lint', '--nginx-version', '1.24.0', 'sites/app.conf'], l.dir);
  assert.ok(flagged.findings.some((f) => f.code === 'ws-http-version'));
  assert.ok(json(['lint', '--no-settings', 'sites/app.conf'], l.dir).findings.some((f) => f.code === 'ws-read-timeout-default'));
  // A bad value is ignored with a message naming the file and the key; the rest still applies.
  writeFileSync(
    join(l.dir, '.nginx-ws.json'),
    JSON.stringify({ nginxVersion: 'banana', rules: { 'ws-read-timeout-default': 'loud' }, configRoots: ['deploy/main.conf'], colour: 1 }),
  );
  const bad = run(['lint', 'sites/app.conf'], l.dir);
  assert.match(bad.err, /\.nginx-ws\.json: nginxVersion: expected a version/);
  assert.match(bad.err, /rules\.ws-read-timeout-default: expected error\|warning\|information\|hint\|off, got "loud"/);
  assert.match(bad.err, /unknown key "colour"/);
  assert.match(bad.err, /checked in the context of deploy\/main\.conf/);
  writeFileSync(join(l.dir, '.nginx-ws.json'), '{ nope');
  assert.match(run(['lint', 'sites/app.conf'], l.dir).err, /\.nginx-ws\.json: not valid JSON/);
});

test('inline suppressions: with a reason they silence the finding; reasonless, unknown and unused ones are reported', (t) => {
  const l = makeLayout('suppress');
  t.after(() => l.dispose());
  const j = json(['lint', 'nginx.conf'], l.dir);
  assert.deepEqual(
    j.findings.map((f) => `${f.range.start.line + 1} ${f.code} ${f.message.split(':')[0]}`),
    [
      '6 suppression Unused suppression',
      '19 suppression nginx-ws-ignore ws-read-timeout-short gives no reason',
      '21 suppression nginx-ws-ignore',
    ],
  );
  assert.ok(
    !j.findings.some((f) => f.code === 'ws-read-timeout-short'),
    'both short timeouts are suppressed (line 12 by its trailing comment, line 20 reasonless but applied)',
  );
  assert.equal(run(['lint', '--max-warnings', '2', 'nginx.conf'], l.dir).code, 1, 'the suppression reports count as warnings');
});

test('stdin: plain text with --stdin-filename is judged in its includer; without it, on its own', (t) => {
  const l = makeLayout('confd');
  t.after(() => l.dispose());
  const text =
    'server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:3000;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n        proxy_read_timeout 1s;\n    }\n}\n';
  const named = json(['lint', '--stdin-filename', 'conf.d/app.conf', '-'], l.dir, text);
  assert.deepEqual(
    named.files.map((f) => [f.file, f.root]),
    [['conf.d/app.conf', 'nginx.conf']],
  );
  assert.deepEqual(codes(named), ['conf.d/app.conf:8 ws-read-timeout-short'], 'the buffer, not the file on disk (1s)');
  assert.match(named.findings[0]!.message, /1 s/);
  const bare = json(['lint', '-'], l.dir, text);
  assert.deepEqual(
    bare.files.map((f) => f.file),
    ['<stdin>'],
  );
  assert.ok(
    bare.findings.some((f) => f.code === 'undefined-variable'),
    'alone, the map is not seen',
  );
  assert.equal(run(['lint', '--fix', '-'], l.dir, text).code, 2, '--fix cannot rewrite stdin');
  const dry = run(
    ['lint', '--dry-run', '--stdin-filename', 'conf.d/app.conf', '-'],
    l.dir,
    'server {\n    location /ws/ {\n        proxy_pass http://127.0.0.1:3000;\n        proxy_set_header Upgrade $http_upgrade;\n    }\n}\n',
  );
  assert.match(dry.out, /^\+\s+proxy_set_header Connection/m);
});

test(
  'nginx -T: a dump made by real nginx is split on its markers and reported against the original paths',
  { skip: nginxAvailable() ? false : 'nginx is not installed' },
  (t) => {
    const l = makeLayout('confd');
    const prefix = mkdtempSync(join(tmpdir(), 'nginx-ws-dump-'));
    t.after(() => {
      l.dispose();
      rmSync(prefix, { recursive: true, force: true });
    });
    mkdirSync(join(prefix, 'logs'));
    // A config nginx accepts: the layout's nginx.conf with the paths nginx -t needs.
    writeFileSync(
      join(l.dir, 'nginx.conf'),
      `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/logs/error.log;\nevents {}\nhttp {\n    access_log off;\n    client_body_temp_path ${prefix}/cb; proxy_temp_path ${prefix}/p; fastcgi_temp_path ${prefix}/f; uwsgi_temp_path ${prefix}/u; scgi_temp_path ${prefix}/s;\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    include conf.d/*.conf;\n}\n`,
    );
    const dump = execFileSync(
      NGINX_BINARY,
      ['-T', '-q', '-p', `${prefix}/`, '-c', join(l.dir, 'nginx.conf'), '-e', join(prefix, 'logs', 'error.log')],
      { encoding: 'utf8', timeout: 15_000 },
    );
    assert.match(dump, /^# configuration file .*conf\.d\/app\.conf:$/m, 'real nginx wrote the markers');
    const elsewhere = makeTree({});
    t.after(() => elsewhere.dispose());
    const fromDump = json(['lint', '-'], elsewhere.dir, dump);
    const fromDisk = json(['lint', join(l.dir, 'nginx.conf'), join(l.dir, 'conf.d')], elsewhere.dir);
    assert.deepEqual(
      fromDump.files.map((f) => f.file).sort(),
      [join(l.dir, 'conf.d', 'app.conf'), join(l.dir, 'conf.d', 'plain.conf'), join(l.dir, 'nginx.conf')].sort(),
    );
    for (const f of fromDump.files) assert.equal(f.root, join(l.dir, 'nginx.conf'));
    const strip = (j: Json) => j.findings.map((f) => `${f.file}:${f.range.start.line} ${f.code} ${f.message}`).sort();
    assert.deepEqual(strip(fromDump), strip(fromDisk));
    assert.ok(fromDump.findings.length > 0);
    assert.match(fromDump.err, /nginx -T dump of 3 files/);
    // With nginx's "syntax is ok" lines piped along (2>&1), the same.
    const both = spawnSync(
      NGINX_BINARY,
      ['-T', '-p', `${prefix}/`, '-c', join(l.dir, 'nginx.conf'), '-e', join(prefix, 'logs', 'error.log')],
      { encoding: 'utf8' },
    );
    assert.deepEqual(strip(json(['lint', '-'], elsewhere.dir, both.stderr + both.stdout)), strip(fromDump));
  },
);

test('exit 2 when no nginx file is found, so a mistyped path cannot pass CI', (t) => {
  const d = makeTree({ 'README.md': '# not nginx\n', 'docs/x.txt': 'nothing\n' });
  t.after(() => d.dispose());
  const r = run(['lint', '.'], d.dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /no nginx file found in \./);
  assert.equal(run(['lint', 'conf.d/'], d.dir).code, 2);
  assert.equal(run(['endpoints', '.'], d.dir).code, 2);
});

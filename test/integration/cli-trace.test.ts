/**
 * `nginx-ws trace` as a user runs it: the built CLI on real multi-file
 * configs, text and JSON output, exit codes (0 upgrades, 1 the handshake
 * fails, 2 usage), and its verdicts against real nginx running the config.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, nginxAvailable, startNginx } from '../support/nginx';
import { startStrictBackend } from '../support/ws-backend';
import { handshake } from '../support/handshake';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(() => {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
});

/** A conf.d layout: the map and the http-level headers live in nginx.conf, the site in conf.d. */
function layout(backendPort = 19001, port = 18081): { dir: string; site: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-trace-'));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `events {}
http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    proxy_http_version 1.1;
    include conf.d/*.conf;
}
`,
  );
  const site = join(dir, 'conf.d', 'app.conf');
  writeFileSync(
    site,
    `server {
    listen 127.0.0.1:${port};
    server_name app.test;
    location /ws/ {
        proxy_pass http://127.0.0.1:${backendPort};
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
    }
    location /hub/ {
        proxy_pass http://127.0.0.1:${backendPort};
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Host $host;
    }
}
`,
  );
  return { dir, site };
}

test('trace a handshake through the config that includes the file: text, exit 0', () => {
  const { dir, site } = layout();
  try {
    const r = run(['trace', 'ws://app.test:18081/ws/chat', '--config', site]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^config: .*nginx\.conf$/m, 'judged in the nginx.conf that includes conf.d/app.conf');
    assert.match(r.out, /longest matching prefix \/ws\/ {2}\(app\.conf:4\)/);
    assert.match(r.out, /The backend receives: GET \/ws\/chat HTTP\/1\.1/, 'proxy_http_version inherited from nginx.conf');
    assert.match(
      r.out,
      /Connection: upgrade {2}← app\.conf:7 proxy_set_header Connection \$connection_upgrade;/,
      'the map in nginx.conf evaluated',
    );
    assert.match(r.out, /^Outcome: 101 Switching Protocols/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing handshake exits 1 and names the cause; --json has the whole trace', () => {
  const { dir, site } = layout();
  try {
    const r = run(['trace', 'ws://app.test:18081/hub/', '--config', site, '--json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.equal(j.outcome.kind, 'status');
    assert.equal(j.outcome.status, 426);
    assert.match(j.outcome.why, /Connection: close/, "the location's list names no Connection: nginx's default close is sent");
    assert.equal(j.location.text, 'location /hub/');
    assert.ok(j.backend.dropped.some((d: { name: string }) => d.name === 'Connection'));
    assert.match(j.config, /nginx\.conf$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--header and --plain change the request; usage errors exit 2 with a pointer to --help', () => {
  const { dir, site } = layout();
  try {
    const plain = run(['trace', 'http://app.test:18081/ws/', '--config', site, '--plain', '--json']);
    assert.equal(plain.code, 0);
    assert.equal(JSON.parse(plain.out).outcome.status, 426, 'a plain GET asks for no upgrade');
    const h = run(['trace', 'ws://app.test:18081/ws/', '--config', site, '--header', 'Upgrade: h2c', '--json']);
    assert.equal(JSON.parse(h.out).outcome.status, 426);
    for (const [args, msg] of [
      [['trace', '--config', site], /the URL to trace is missing/],
      [['trace', 'ws://x/'], /--config FILE is missing/],
      [['trace', 'ws://x/', '--config', site, '--header', 'no colon'], /--header wants 'Name: value'/],
      [['trace', 'ws://x/', '--config', site, '--nginx-version', 'banana'], /--nginx-version wants a version/],
      [['trace', 'ftp://x/', '--config', site], /not a ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/ URL/],
    ] as const) {
      const r = run([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
      assert.match(r.err, msg);
      assert.match(r.err, /nginx-ws trace --help/);
    }
    assert.equal(run(['trace', '--help']).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI verdicts agree with real nginx running the same files', { skip: !nginxAvailable() && 'nginx is not installed' }, async () => {
  const b = await startStrictBackend();
  const port = await freePort();
  const { dir, site } = layout(b.port, port);
  // The same files, run by nginx: its http {} is nginx.conf's, with the temp paths the helper adds.
  const ng = await startNginx({
    http: `map $http_upgrade $connection_upgrade { default upgrade; '' close; } proxy_http_version 1.1; include ${join(dir, 'conf.d')}/*.conf;`,
  });
  try {
    for (const path of ['/ws/', '/hub/']) {
      const r = run(['trace', `ws://app.test:${port}${path}`, '--config', site, '--json']);
      const j = JSON.parse(r.out);
      const predicted = j.outcome.kind === 'upgraded' ? 101 : j.outcome.status;
      const live = await handshake(`ws://127.0.0.1:${port}${path}`);
      assert.equal(live.status, predicted, `${path}: nginx ${JSON.stringify(live)}, model ${j.outcome.why}`);
    }
  } finally {
    await ng.stop();
    await b.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

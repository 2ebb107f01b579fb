/**
 * The local proof on configs as people deploy them, with real nginx: a
 * Debian-style multi-file config (conf.d includes, sites-enabled symlinks,
 * absolute includes of system files, docker-style host names), TLS servers
 * whose certificates are not on this machine, upstreams with keepalive,
 * maps choosing the upstream, third-party modules this nginx lacks, a config
 * that tries to write outside the prefix, redirects, and cancellation. Each
 * rewrite is checked, and every proof leaves nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProof, snapshotHost } from '../../server/src/prove/index';
import type { ProofOptions, ProofResult } from '../../server/src/prove/types';
import { NGINX_BINARY, nginxAvailable } from '../support/nginx';
import { leftovers, ownListeningPorts } from '../support/proof-checks';

const skip = nginxAvailable() ? false : 'nginx is not installed (apt-get install nginx-light)';

function tree(files: Record<string, string>, links: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'prove-config-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  for (const [rel, target] of Object.entries(links)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    symlinkSync(target, join(dir, rel));
  }
  return dir;
}

async function prove(o: Omit<ProofOptions, 'nginx'>): Promise<ProofResult> {
  const r = await runProof({ nginx: NGINX_BINARY, timeoutMs: 10_000, ...o });
  assert.deepEqual(leftovers(r), [], 'the proof left something behind');
  return r;
}

const explain = (r: ProofResult): string =>
  `${r.stage} ${r.status} ${r.error}\n${JSON.stringify(r.diagnosis, null, 1)}\n${r.nginxTest?.output ?? ''}\n${r.errorLog.join('\n')}`;
const rewrite = (r: ProofResult, what: string, from: RegExp) => r.rewrites.find((w) => w.what === what && from.test(w.from));

const DEBIAN_MAIN = `user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
include /etc/nginx/modules-enabled/*.conf;

events {
    worker_connections 768;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /var/log/nginx/access.log;

    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }

    include conf.d/*.conf;
    include sites-enabled/*;
}
`;

const CHAT_SITE = (connection: string) => `server {
    listen 80;
    listen [::]:80;
    server_name chat.example.com;

    location /ws/ {
        proxy_pass http://chat;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
${connection}        proxy_read_timeout 3600s;
    }

    location /api/ {
        proxy_pass http://api.internal:8080;
    }
}
`;

test(
  'a Debian-style config: conf.d, a symlinked site, system includes, host names, keepalive upstream',
  { skip, timeout: 60_000 },
  async () => {
    const dir = tree(
      {
        'nginx.conf': DEBIAN_MAIN,
        'conf.d/upstreams.conf': 'upstream chat {\n    server app:3000;\n    keepalive 16;\n}\n',
        'sites-available/chat.conf': CHAT_SITE('        proxy_set_header Connection $connection_upgrade;\n'),
      },
      { 'sites-enabled/chat.conf': '../sites-available/chat.conf' },
    );
    try {
      const r = await prove({ root: join(dir, 'nginx.conf'), location: { path: '/ws/' } });
      assert.equal(r.ok, true, explain(r));
      assert.match(r.url!, /^ws:\/\/chat\.example\.com:\d+\/ws\/$/, 'the request names the server, as a client would');
      // Every rewrite, at its file and line.
      const site = join(dir, 'sites-enabled/chat.conf');
      const l4 = rewrite(r, 'listen', /^listen 80;$/);
      const l6 = rewrite(r, 'listen', /^listen \[::\]:80;$/);
      assert.ok(l4 && l4.file === site && l4.line === 2 && /^listen 127\.0\.0\.1:\d+;$/.test(l4.to), JSON.stringify(l4));
      assert.ok(l6 && l6.line === 3 && /^listen \[::1\]:\d+;$/.test(l6.to), JSON.stringify(l6));
      const up = rewrite(r, 'upstream server', /app:3000/);
      assert.ok(
        up && up.file === join(dir, 'conf.d/upstreams.conf') && up.line === 2 && up.to === `server ${r.backend!.address};`,
        JSON.stringify(up),
      );
      const api = rewrite(r, 'proxy_pass target', /api\.internal/);
      assert.ok(
        api && api.line === 15 && /parked|nothing listens/.test(api.why) && !api.to.includes(r.backend!.address),
        JSON.stringify(api),
      );
      assert.ok(rewrite(r, 'pid', /\/run\/nginx\.pid/)?.to.startsWith('pid <prefix>/'));
      assert.ok(rewrite(r, 'error_log', /\/var\/log\/nginx\/error\.log/)?.to.includes('<prefix>/logs/'));
      assert.ok(rewrite(r, 'access_log', /\/var\/log\/nginx\/access\.log/)?.to.includes('<prefix>/logs/'));
      assert.ok(rewrite(r, 'user', /www-data/));
      assert.ok(
        rewrite(r, 'compiled-in paths', /^http \{/)?.to.includes('proxy_temp_path <prefix>/temp/'),
        'the compiled-in temp paths are moved into the prefix',
      );
      // System files are read in place; the module list (relative load_module paths) is copied with its paths made absolute.
      assert.ok(r.readInPlace.includes('/etc/nginx/mime.types'), r.readInPlace.join(', '));
      assert.ok(
        r.rewrites.some((w) => w.what === 'load_module' && /\/usr\/(share|lib)\/nginx\/modules\//.test(w.to)),
        'relative load_module made absolute',
      );
      assert.ok(
        rewrite(r, 'include', /modules-enabled/)?.to.includes('<prefix>/ext/etc/nginx/modules-enabled/'),
        'the include names the copies',
      );
      // What the backend received: the upgrade, over HTTP/1.1, through the keepalive upstream.
      const got = r.backend!.requests[0]!;
      assert.equal(got.line, 'GET /ws/ HTTP/1.1');
      assert.ok(got.headers.some(([k, v]) => k === 'Upgrade' && v === 'websocket'));
      assert.ok(got.headers.some(([k, v]) => k === 'Connection' && v === 'upgrade'));
      assert.equal(r.caveats.filter((c) => c.onPath).length, 0, JSON.stringify(r.caveats));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'the same site without the Connection header: fails with 426, diagnosed at the line of the symlinked file',
  { skip, timeout: 60_000 },
  async () => {
    const dir = tree(
      {
        'nginx.conf': DEBIAN_MAIN,
        'conf.d/upstreams.conf': 'upstream chat {\n    server app:3000;\n    keepalive 16;\n}\n',
        'sites-available/chat.conf': CHAT_SITE(''),
      },
      { 'sites-enabled/chat.conf': '../sites-available/chat.conf' },
    );
    try {
      const r = await prove({ root: join(dir, 'nginx.conf'), location: { path: '/ws/' } });
      assert.equal(r.ok, false);
      assert.equal(r.stage, 'handshake', explain(r));
      assert.equal(r.status, 426);
      const d = r.diagnosis.find((x) => x.code === 'ws-connection-header');
      assert.ok(d && d.path === join(dir, 'sites-enabled/chat.conf') && d.line, explain(r));
      assert.match(r.backend!.requests[0]!.answer.reason, /Connection/, 'the backend says what it missed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'TLS: certificates that are not on this machine are replaced by a generated pair; https backends are served over TLS',
  { skip, timeout: 60_000 },
  async () => {
    const conf = `events {}
http {
    server {
        listen 443 ssl http2;
        server_name secure.example.com;
        ssl_certificate /etc/letsencrypt/live/secure.example.com/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/secure.example.com/privkey.pem;
        ssl_trusted_certificate /etc/letsencrypt/live/secure.example.com/chain.pem;
        ssl_dhparam /etc/nginx/dhparam-4096.pem;
        ssl_stapling on;

        location /ws/ {
            proxy_pass http://127.0.0.1:3000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }

        location /internal-ws/ {
            proxy_pass https://ws.internal:8443;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate /etc/ssl/internal-ca.pem;
            proxy_ssl_server_name on;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
    }
    server {
        listen 80;
        server_name secure.example.com;
        location /ws/ {
            return 301 https://$host$request_uri;
        }
    }
}
`;
    const dir = tree({ 'nginx.conf': conf });
    try {
      const root = join(dir, 'nginx.conf');
      const r = await prove({ root, location: { file: root, line: 12 } });
      assert.equal(r.ok, true, explain(r));
      assert.equal(r.location!.line, 12);
      assert.match(r.url!, /^wss:\/\/secure\.example\.com:\d+\/ws\/$/);
      assert.ok(r.test!.tls, 'a TLS handshake happened');
      assert.ok(rewrite(r, 'ssl_certificate', /fullchain/)?.to.includes('<prefix>/certs/proof.crt'));
      assert.ok(rewrite(r, 'ssl_certificate_key', /privkey/)?.to.includes('<prefix>/certs/proof.key'));
      assert.ok(rewrite(r, 'ssl_trusted_certificate', /chain\.pem/)?.to.includes('<prefix>/certs/proof.crt'));
      assert.equal(rewrite(r, 'ssl_dhparam', /dhparam/)?.to, '# (commented out)');
      assert.ok(
        r.caveats.some((c) => c.onPath && /generated self-signed certificate/.test(c.message)),
        'the proof says TLS ran with a stand-in certificate',
      );
      assert.match(r.standsBehind, /does not cover/);

      // An https:// backend that nginx verifies: the echo backend speaks TLS and nginx is told to trust it.
      const s = await prove({ root, location: { path: '/internal-ws/' } });
      assert.equal(s.ok, true, explain(s));
      assert.equal(s.backend!.tls, true);
      assert.ok(rewrite(s, 'proxy_pass target', /ws\.internal:8443/)?.to.startsWith(`proxy_pass https://${s.backend!.address}`));
      assert.ok(rewrite(s, 'proxy_ssl_trusted_certificate', /internal-ca/)?.to.includes('<prefix>/certs/proof.crt'));

      // A redirect is reported, never followed: the proof connects to nothing but its own nginx.
      const redirectLine = conf.split('\n').findIndex((l) => l.includes('return 301')); // the line before it is `location /ws/ {`
      const red = await prove({ root, location: { file: root, line: redirectLine } });
      assert.equal(red.ok, false);
      assert.equal(red.test!.kind, 'redirect', explain(red));
      assert.equal(red.status, 301);
      assert.match(red.test!.error!, /not followed/);
      assert.equal(red.backend!.requests.length, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'a map chooses the upstream: every upstream it can name goes to the echo backend; a set variable too',
  { skip, timeout: 60_000 },
  async () => {
    const conf = `events {}
http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }
    map $http_x_canary $ws_pool {
        default chat_blue;
        "1"     chat_green;
    }
    upstream chat_blue {
        server blue-1.internal:3000 max_fails=3;
        server blue-2.internal:3000;
        ip_hash;
        keepalive 8;
    }
    upstream chat_green {
        server green.internal:3000;
    }
    server {
        listen 8080;
        location /ws/ {
            proxy_pass http://$ws_pool;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }
        location /live/ {
            set $live_backend live.internal:4000;
            proxy_pass http://$live_backend;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }
        location /any/ {
            resolver 127.0.0.53;
            proxy_pass http://$http_x_target;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
        }
    }
}
`;
    const dir = tree({ 'nginx.conf': conf });
    try {
      const root = join(dir, 'nginx.conf');
      const r = await prove({ root, location: { path: '/ws/' } });
      assert.equal(r.ok, true, explain(r));
      const ups = r.rewrites.filter((w) => w.what === 'upstream server');
      assert.deepEqual(
        ups.map((w) => w.line),
        [12, 13, 18],
        'the servers of both upstreams the map names',
      );
      assert.ok(ups.every((w) => w.to.startsWith(`server ${r.backend!.address}`)));
      assert.match(ups[0]!.to, /max_fails=3/, 'server parameters are kept');

      const s = await prove({ root, location: { path: '/live/' } });
      assert.equal(s.ok, true, explain(s));
      assert.equal(rewrite(s, 'proxy_pass target', /set \$live_backend/)?.line, 29);

      // A target only known at request time: replaced, and the proof says what it cannot stand behind.
      const any = await prove({ root, location: { path: '/any/' } });
      assert.equal(any.ok, true, explain(any));
      assert.ok(any.caveats.some((c) => c.onPath && /request time/.test(c.message)));
      assert.match(any.standsBehind, /does not cover/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'directives of modules this nginx lacks are disabled and reported; on the proven path, the result says so',
  { skip, timeout: 60_000 },
  async () => {
    const conf = `events {}
http {
    more_set_headers "X-Powered-By: none";
    lua_shared_dict sessions 1m;
    server {
        listen 8080;
        location /ws/ {
            access_by_lua_block {
                if ngx.var.http_authorization == nil then
                    return ngx.exit(401)
                end
            }
            proxy_pass http://127.0.0.1:3000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
        location /hello { content_by_lua_block { ngx.say("hi") } }
    }
}
`;
    const dir = tree({ 'nginx.conf': conf });
    try {
      const r = await prove({ root: join(dir, 'nginx.conf'), location: { path: '/ws/' } });
      assert.equal(r.ok, true, explain(r));
      const disabled = r.rewrites.filter((w) => w.what === 'disabled').map((w) => `${w.line} ${w.from.split(' ')[0]}`);
      assert.deepEqual(disabled.sort(), ['18 content_by_lua_block', '3 more_set_headers', '4 lua_shared_dict', '8 access_by_lua_block']);
      const onPath = r.caveats.filter((c) => c.onPath).map((c) => c.line);
      assert.ok(onPath.includes(8) && onPath.includes(3), `access_by_lua and more_set_headers apply to /ws/: ${JSON.stringify(r.caveats)}`);
      assert.ok(
        r.caveats.some((c) => !c.onPath && c.line === 18),
        'content_by_lua in another location is off the path',
      );
      assert.match(r.standsBehind, /access_by_lua_block/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('a typo is not a missing module: nginx -t fails the proof', { skip, timeout: 30_000 }, async () => {
  const dir = tree({
    'nginx.conf':
      'events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_http_versoin 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n        }\n    }\n}\n',
  });
  try {
    const r = await prove({ root: join(dir, 'nginx.conf'), location: { path: '/ws/' } });
    assert.equal(r.stage, 'nginx-t');
    assert.equal(r.diagnosis[0]!.line, 7);
    assert.equal(r.diagnosis[0]!.code, 'unknown-directive');
    assert.equal(r.rewrites.filter((w) => w.what === 'disabled').length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'a config that writes everywhere writes nothing outside the private prefix; system files are only read',
  { skip, timeout: 60_000 },
  async () => {
    // `outside` must stay empty; the proofs' temp folder `base` must hold nothing but an empty `proofs/` afterwards.
    const outside = mkdtempSync(join(tmpdir(), 'prove-outside-'));
    const base = mkdtempSync(join(tmpdir(), 'prove-base-'));
    mkdirSync(join(base, 'proofs'));
    const O = outside;
    const conf = `user nobody;
pid ${O}/nginx.pid;
error_log ${O}/error.log debug;
error_log ../escape-error.log;
lock_file ${O}/nginx.lock;
working_directory ${O}/work;
events {}
http {
    include /etc/nginx/mime.types;
    client_body_temp_path ${O}/body;
    proxy_temp_path ${O}/proxy 1 2;
    fastcgi_temp_path ../escape-fastcgi;
    proxy_cache_path ${O}/cache levels=1:2 keys_zone=c:1m use_temp_path=off;
    access_log ${O}/access.log;
    access_log syslog:server=192.0.2.1:514;
    server {
        listen unix:${O}/nginx.sock;
        listen 8080;
        location /ws/ {
            proxy_pass http://127.0.0.1:3000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_store ${O}/store;
            access_log ${O}/ws.log;
            error_log ${O}/ws-error.log info;
            proxy_cache c;
        }
    }
}
`;
    const dir = tree({ 'nginx.conf': conf });
    const mime = statSync('/etc/nginx/mime.types');
    const events: string[] = [];
    const watchers: FSWatcher[] = [
      watch(outside, (e, f) => events.push(`${outside}: ${e} ${f}`)),
      watch(base, (e, f) => f !== 'proofs' && events.push(`${base}: ${e} ${f}`)),
    ];
    try {
      const r = await prove({ root: join(dir, 'nginx.conf'), location: { path: '/ws/' }, tmpDir: join(base, 'proofs') });
      assert.equal(r.ok, true, explain(r));
      assert.ok(r.prefix!.startsWith(join(base, 'proofs')), 'the prefix was made where asked');
      for (const [what, from] of [
        ['pid', /nginx\.pid/],
        ['error_log', /error\.log debug/],
        ['error_log', /escape-error/],
        ['lock_file', /nginx\.lock/],
        ['working_directory', /work/],
        ['temp path', /body/],
        ['temp path', /proxy 1 2/],
        ['temp path', /escape-fastcgi/],
        ['cache path', /cache levels/],
        ['access_log', /access\.log/],
        ['access_log', /syslog/],
        ['listen', /nginx\.sock/],
        ['proxy_store', /store/],
        ['access_log', /ws\.log/],
        ['error_log', /ws-error/],
      ] as const) {
        const w = rewrite(r, what, from);
        assert.ok(w, `no ${what} rewrite for ${from}`);
        assert.ok(!w.to.includes(O) && !w.to.includes('../'), `${what} still points outside: ${w.to}`);
      }
      assert.notEqual(r.test!.errorLog, null, "the location's error_log was opened inside the prefix and read back");
    } finally {
      for (const w of watchers) w.close();
      await new Promise((res) => setTimeout(res, 50));
      try {
        assert.deepEqual(events, [], 'something was written outside the prefix');
        assert.deepEqual(readdirSync(outside), []);
        assert.deepEqual(readdirSync(base), ['proofs']);
        assert.deepEqual(readdirSync(join(base, 'proofs')), []);
        assert.equal(statSync('/etc/nginx/mime.types').mtimeMs, mime.mtimeMs, 'a system file was only read');
      } finally {
        for (const d of [outside, base, dir]) rmSync(d, { recursive: true, force: true });
      }
    }
  },
);

test(
  'cancel: a proof cancelled during the idle hold stops nginx and the backend and removes the prefix at once',
  { skip, timeout: 60_000 },
  async () => {
    const dir = tree({
      'nginx.conf':
        'events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n        }\n    }\n}\n',
    });
    try {
      const ac = new AbortController();
      let listening: Set<number> | null = null;
      const t0 = Date.now();
      const r = await runProof({
        root: join(dir, 'nginx.conf'),
        location: { path: '/ws/' },
        nginx: NGINX_BINARY,
        idleSeconds: 120,
        signal: ac.signal,
        onProgress: (m) => {
          if (/idle/.test(m)) {
            listening = ownListeningPorts();
            ac.abort();
          }
        },
      });
      assert.ok(Date.now() - t0 < 30_000, 'the cancel ended the 120 s hold');
      assert.equal(r.ok, false);
      assert.equal(r.test?.kind, 'aborted');
      // While it ran, the echo backend listened in this process: the leftover check can see it.
      assert.ok(listening && [...listening].some((p) => r.ports.includes(p)), 'the echo backend was listening during the proof');
      assert.deepEqual(leftovers(r), []);

      // Cancelled before it starts: nothing runs at all.
      const pre = new AbortController();
      pre.abort();
      const r2 = await runProof({ root: join(dir, 'nginx.conf'), location: { path: '/ws/' }, nginx: NGINX_BINARY, signal: pre.signal });
      assert.equal(r2.error, 'cancelled');
      assert.equal(r2.prefix, null);
      assert.equal(r2.nginxTest, null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('unsaved editor text is what runs: the host decides, not the disk', { skip, timeout: 30_000 }, async () => {
  const onDisk =
    'events {}\nhttp {\n    server {\n        listen 8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n        }\n    }\n}\n';
  const dir = tree({ 'nginx.conf': onDisk, 'conf.d/extra.conf': '# nothing yet\n' });
  try {
    const root = join(dir, 'nginx.conf');
    const edited = onDisk.replace('$http_upgrade;\n', '$http_upgrade;\n            proxy_set_header Connection "upgrade";\n');
    const disk = await prove({ root, location: { path: '/ws/' } });
    assert.equal(disk.status, 426, 'on disk the location lacks Connection');
    const r = await prove({ root, host: snapshotHost([{ path: root, text: edited }]), location: { path: '/ws/' } });
    assert.equal(r.ok, true, `the unsaved edit adds Connection: ${explain(r)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'setup problems are results, not exceptions: no nginx, no such location, a regex location without a path',
  { timeout: 30_000 },
  async (t) => {
    const dir = tree({
      'nginx.conf':
        'events {}\nhttp {\n    server {\n        listen 8080;\n        location ~ ^/ws/(\\w+)$ {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n        }\n    }\n}\n',
    });
    try {
      const root = join(dir, 'nginx.conf');
      const none = await runProof({ root, location: { path: '/ws/' }, nginx: join(dir, 'no-such-nginx') });
      assert.equal(none.stage, 'setup');
      assert.match(none.error!, /no nginx binary/);
      assert.equal(none.prefix, null);
      // The rest needs a real nginx: without one it is reported skipped, with the reason.
      const noNginx = nginxAvailable() ? false : 'nginx is not installed (apt-get install nginx-light)';
      await t.test('with nginx: no such location, a regex location without a path, then with one', { skip: noNginx }, async () => {
        const missing = await runProof({ root, location: { path: '/nope/' }, nginx: NGINX_BINARY });
        assert.match(missing.error!, /no WebSocket location \/nope\//);
        const regex = await runProof({ root, location: { file: root, line: 5 }, nginx: NGINX_BINARY });
        assert.equal(regex.stage, 'setup');
        assert.match(regex.error!, /concrete request path/);
        assert.deepEqual(leftovers(regex), []);
        const withPath = await prove({ root, location: { file: root, line: 5 }, requestPath: '/ws/lobby' });
        assert.equal(withPath.status, 400, 'HTTP/1.0 upstream: the strict backend refuses');
        assert.equal(withPath.backend!.requests[0]!.line, 'GET /ws/lobby HTTP/1.0');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/**
 * The proof's copy of a config, checked on every real-world config of the
 * corpus (nginxinc/crossplane, h5bp, nginx's own test suite) and Debian's
 * /etc/nginx, without running nginx:
 * - the copy differs from the original only on the lines of recorded
 *   rewrites, and every recorded rewrite changed its lines;
 * - no line moves (nginx's "in FILE:LINE" stays the user's line);
 * - nothing the copy writes (pid, logs, temp and cache paths, sockets) is
 *   outside the private prefix, and every listen is on loopback;
 * - every copied file lands inside the prefix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { analyze, DEFAULT_SETTINGS, parse } from '../../server/src/engine/index';
import { diskHost } from '../../server/src/node/file-host';
import { applyOffsetEdits, disableSpan } from '../../server/src/prove/text-edits';
import { parseDashV } from '../../server/src/nginx/binary';
import { splitTarget, resolvedAtStart } from '../../server/src/prove/plan';
import type { Plan } from '../../server/src/prove/plan';
import { planCopy, DEBIAN_DASH_V } from '../support/proof-plan';
import { CORPUS, CORPUS_ABSENT } from '../support/corpus';

const PREFIX = '/tmp/nginx-ws-proof-TEST';

function configs(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.conf')) out.push(p);
    }
  };
  walk(CORPUS);
  if (existsSync('/etc/nginx/nginx.conf')) out.push('/etc/nginx/nginx.conf');
  return out;
}

const WRITES = new Set([
  'pid',
  'lock_file',
  'working_directory',
  'client_body_temp_path',
  'proxy_temp_path',
  'fastcgi_temp_path',
  'uwsgi_temp_path',
  'scgi_temp_path',
  'proxy_cache_path',
  'fastcgi_cache_path',
  'uwsgi_cache_path',
  'scgi_cache_path',
]);

/** Every invariant of one plan; returns the problems found. */
function check(p: Plan, originals: Map<string, string>): string[] {
  const bad: string[] = [];
  const spans = new Map<string, [number, number][]>();
  for (const w of p.rewrites) {
    if (!w.file) continue;
    if (!p.files.some((f) => f.original === w.file)) bad.push(`rewrite in ${w.file}:${w.line} but the file is not copied`);
    let l = spans.get(w.file);
    if (!l) spans.set(w.file, (l = []));
    l.push([w.line!, w.endLine ?? w.line!]);
  }
  for (const f of p.files) {
    if (!f.target.startsWith(`${PREFIX}/`)) bad.push(`${f.original} copied outside the prefix: ${f.target}`);
    const a = originals.get(f.original)!.split('\n');
    const b = f.text.split('\n');
    if (a.length !== b.length) {
      bad.push(`${f.original}: ${a.length} lines became ${b.length}`);
      continue;
    }
    const mine = spans.get(f.original) ?? [];
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      if (!mine.some(([s, e]) => i + 1 >= s && i + 1 <= e))
        bad.push(`${f.original}:${i + 1} changed without a recorded rewrite:\n  - ${a[i]}\n  + ${b[i]}`);
    }
    for (const [s] of mine) if (a[s - 1] === b[s - 1]) bad.push(`${f.original}:${s} has a recorded rewrite but did not change`);
    // What the copy writes, and where it listens.
    for (const d of parse(f.text, f.target).walk()) {
      const v = d.arg(0);
      if (!v) continue;
      const inside = v.startsWith(`${PREFIX}/`);
      if (WRITES.has(d.name) && !inside) bad.push(`${f.original}:${d.range.start.line + 1}: ${d.name} ${v} is outside the prefix`);
      if ((d.name === 'error_log' && v !== 'stderr' && !v.startsWith('memory:')) || (d.name === 'access_log' && v !== 'off')) {
        if (!inside) bad.push(`${f.original}:${d.range.start.line + 1}: ${d.name} ${v} is outside the prefix`);
      }
      if (['proxy_store', 'fastcgi_store', 'uwsgi_store', 'scgi_store'].includes(d.name) && v !== 'off')
        bad.push(`${d.name} ${v} still writes`);
      if (d.name === 'listen' && d.parent?.name === 'server' && !/^(127\.0\.0\.1|\[::1\]):\d+$/.test(v))
        bad.push(`${f.original}:${d.range.start.line + 1}: listen ${v} is not on loopback`);
    }
  }
  if (!p.confPath.startsWith(`${PREFIX}/conf/`)) bad.push(`-c ${p.confPath}`);
  const pidInFiles = p.files.some((f) => /^\s*pid\s+\/tmp\/nginx-ws-proof-TEST\//m.test(f.text));
  if (!pidInFiles && !p.globals.some((g) => g.startsWith(`pid ${PREFIX}/`))) bad.push('no pid inside the prefix');
  return bad;
}

test(
  "corpus: every config's copy changes only recorded lines, moves no line, and writes and listens only inside the prefix",
  { skip: CORPUS_ABSENT },
  () => {
    const all = configs();
    let planned = 0;
    const problems: string[] = [];
    for (const root of all) {
      const host = diskHost();
      const a = analyze(root, host, DEFAULT_SETTINGS);
      const first = (a.model.scopes.get('location') ?? []).find((s) => s.directive?.block);
      if (!first) continue;
      const p = planCopy(root, {
        location: { file: first.directive!.file.uri, line: first.directive!.range.start.line + 1 },
        prefix: PREFIX,
      });
      assert.ok(p, root);
      planned++;
      const originals = new Map([...a.files].map(([k, f]) => [k, f.text]));
      for (const x of check(p, originals)) problems.push(`${relative(CORPUS, root)}: ${x}`);
    }
    assert.ok(planned > 200, `only ${planned} configs had a location`);
    assert.deepEqual(problems, []);
  },
);

test('a config whose writes, listens and includes reach everywhere: the copy keeps them all inside', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prove-plan-'));
  try {
    const files: Record<string, string> = {
      'nginx.conf': `pid /run/x.pid;\nerror_log /var/log/x.log warn;\nevents {}\nhttp {\n    include conf.d/*.conf;\n    include ../outside/shared.conf;\n    include missing/params;\n    include mime.types;\n    server {\n        location /ws/ {\n            proxy_pass http://backend.internal;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection upgrade;\n        }\n    }\n}\n`,
      'conf.d/a.conf':
        'server { listen 10.0.0.1:80 default_server proxy_protocol; server_name a; access_log /var/log/a.log combined buffer=32k; }\n',
      '../outside/shared.conf': 'proxy_temp_path /var/tmp/p;\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, 'etc', rel)), { recursive: true });
      writeFileSync(join(dir, 'etc', rel), text);
    }
    const root = join(dir, 'etc', 'nginx.conf');
    const p = planCopy(root, { location: { path: '/ws/' }, prefix: PREFIX })!;
    const a = analyze(root, diskHost(), DEFAULT_SETTINGS);
    assert.deepEqual(check(p, new Map([...a.files].map(([k, f]) => [k, f.text]))), []);
    const by = (what: string) => p.rewrites.filter((w) => w.what === what);
    // A server without listen gets one (nginx's default is *:80); proxy_protocol is dropped from the other.
    assert.ok(
      by('listen').some((w) => /no listen/.test(w.from) && /listen 127\.0\.0\.1:\d+;/.test(w.to)),
      JSON.stringify(by('listen')),
    );
    assert.ok(by('listen').some((w) => /proxy_protocol/.test(w.from) && !/proxy_protocol/.test(w.to) && /default_server/.test(w.to)));
    // ../outside is outside the config folder: copied (it changes) and its include names the copy.
    const inc = by('include').find((w) => /outside/.test(w.from))!;
    assert.ok(inc.to.includes('<prefix>/ext/'), inc.to);
    // mime.types is not in the config's folder: nginx's own is read in place; a missing include is disabled.
    assert.ok(
      by('include').some((w) => /mime\.types/.test(w.from) && w.to === 'include /etc/nginx/mime.types;') ||
        !existsSync('/etc/nginx/mime.types'),
    );
    assert.ok(by('include').some((w) => /missing\/params/.test(w.from) && w.to === '# (commented out)'));
    assert.ok(p.caveats.some((c) => /missing\/params/.test(c.message)));
    // The proven target is the echo backend; its host name is in the generated certificate's names only for https.
    assert.ok(by('proxy_pass target').some((w) => w.to === 'proxy_pass http://127.0.0.1:39999;'));
    assert.equal(p.url?.replace(/:\d+\//, ':PORT/'), 'ws://localhost:PORT/ws/');
    // Paths in nginx's messages map back to the user's files.
    const copy = p.files.find((f) => f.original === root)!;
    assert.equal(p.toOriginal(`nginx: [emerg] x in ${copy.target}:3`), `nginx: [emerg] x in ${root}:3`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('disabling keeps line breaks and never comments out code after the directive', () => {
  const t = 'location /x { content_by_lua_block {\n  ngx.say("}")\n} } # end\nlisten 80;';
  const s = t.indexOf('content_by_lua_block');
  const e = t.indexOf('} }') + 1;
  const out = t.slice(0, s) + disableSpan(t, s, e) + t.slice(e);
  assert.equal(out.split('\n').length, t.split('\n').length);
  assert.equal(out, 'location /x { #content_by_lua_block {\n#  ngx.say("}")\n  } # end\nlisten 80;');
  const one = 'a; b; c;';
  assert.equal(disableSpan(one, 3, 5), '  ', 'code after it on the line: blanked');
  assert.equal(disableSpan('x\r\ny {\r\n}\r\n', 3, 9), '#y {\r\n#}');
  assert.throws(() => applyOffsetEdits('a;\nb;\n', [{ start: 0, end: 2, text: 'a;\nc;' }]), /move the lines/);
  assert.throws(
    () =>
      applyOffsetEdits('abc', [
        { start: 0, end: 2, text: 'x' },
        { start: 1, end: 3, text: 'y' },
      ]),
    /overlapping/,
  );
  assert.equal(applyOffsetEdits('listen 80;', [{ start: 7, end: 9, text: '127.0.0.1:5' }]), 'listen 127.0.0.1:5;');
});

test('nginx -V: compiled-in paths and the -e flag', () => {
  const d = parseDashV('/usr/sbin/nginx', DEBIAN_DASH_V);
  assert.equal(d.version, '1.22.1');
  assert.equal(d.confDir, '/etc/nginx');
  assert.equal(d.defaults.pid, '/run/nginx.pid');
  assert.equal(d.defaults.temp.proxy_temp_path, '/var/lib/nginx/proxy');
  assert.equal(d.hasDashE, true);
  const src = parseDashV('/usr/local/nginx/sbin/nginx', 'nginx version: nginx/1.18.0\nconfigure arguments: --with-http_ssl_module');
  assert.equal(src.prefix, '/usr/local/nginx');
  assert.equal(src.defaults.pid, '/usr/local/nginx/logs/nginx.pid');
  assert.equal(src.defaults.temp.client_body_temp_path, '/usr/local/nginx/client_body_temp');
  assert.equal(src.hasDashE, false, '-e came with 1.19.5');
});

test('proxy_pass targets: split, and which are resolved when nginx starts', () => {
  assert.deepEqual(splitTarget('http://app:3000/ws/'), { scheme: 'http', host: 'app:3000', rest: '/ws/' });
  assert.deepEqual(splitTarget('http://unix:/run/app.sock:/ws/'), { scheme: 'http', host: 'unix:/run/app.sock:', rest: '/ws/' });
  assert.deepEqual(splitTarget('$scheme://$backend$request_uri'), { scheme: '$scheme', host: '$backend$request_uri', rest: '' });
  assert.equal(splitTarget('backend:80'), null);
  assert.equal(resolvedAtStart('app:3000'), true);
  assert.equal(resolvedAtStart('10.0.0.2:3000'), false);
  assert.equal(resolvedAtStart('[::1]:3000'), false);
  assert.equal(resolvedAtStart('localhost:3000'), false);
  assert.equal(resolvedAtStart('unix:/run/app.sock'), false);
  assert.equal(resolvedAtStart('$upstream'), false);
});

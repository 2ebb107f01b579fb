/**
 * The hostile-input suite of the security review (issue 11): what one line of
 * an untrusted config, one setting or one file can do to the real language
 * server and the real CLI. Each case runs the built server (`dist/server.js`
 * over stdio) or CLI (`dist/cli.js`) under a V8 heap cap and must finish within
 * a generous bound (for a loaded 2-core machine), say what it refused in a
 * clear message on the `include` line, keep the process alive, and leave the
 * server answering another document right after. None of these assertions
 * is about speed: a case that hangs, crashes or runs out of heap fails.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Hover, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { buildOnce, LspTestClient, messageText, ROOT, TempWorkspace } from '../support/lsp-client';
import { NORMAL, NormalDocument } from '../support/still-served';
import type { EndpointContextResult } from '../../server/src/lsp/protocol';

/** The heap cap the server and the CLI run under. */
const SERVER_HEAP_MB = 768;
const CLI_HEAP_MB = 512;
/** Bounds: generous, the point is "finishes". */
const CASE_MS = 90_000;
const T = { timeout: 180_000 };

const messages = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => messageText(d));

describe(`hostile inputs: the language server under --max-old-space-size=${SERVER_HEAP_MB}`, () => {
  let ws: TempWorkspace;
  let c: LspTestClient;
  let normalDoc: NormalDocument;
  const normal = () => normalDoc.uri;
  const stillServes = (what: string) => normalDoc.stillServed(what, CASE_MS);

  /** Opens `text` as `name`, waits for its diagnostics, closes it; the server must still serve the normal document. */
  async function openCase(name: string, text: string, check: (p: PublishDiagnosticsParams) => void): Promise<void> {
    const uri = ws.uri(name);
    ws.write(name, text);
    c.open(uri, text, 1);
    const p = await c.diagnostics(uri, (x) => x.version === 1, { timeoutMs: CASE_MS });
    check(p);
    c.close(uri);
    await stillServes(name);
  }

  before(async () => {
    buildOnce();
    ws = new TempWorkspace('nginx-ws-hostile-');
    ws.write('normal.conf', NORMAL);
    normalDoc = new NormalDocument(() => c, ws.uri('normal.conf'));
    // Trusted: these cases read outside the workspace on purpose (the untrusted ones are below).
    c = await ws.start({
      workspaceTrusted: true,
      nodeArgs: [`--max-old-space-size=${SERVER_HEAP_MB}`],
      settings: { detectNginxVersion: false, nginxTest: { onSave: false } },
    });
    await normalDoc.open(CASE_MS);
  });
  after(() => ws?.dispose());

  test('include /proc/self/pagemap (size 0 in stat, endless when read): refused, not a crash', T, async () => {
    await openCase('pagemap.conf', 'http {\n    include /proc/self/pagemap;\n}\n', (p) => {
      assert.ok(
        messages(p).some((m) => /^Not read: \/proc\/self\/pagemap: (a binary file|larger than 20 MB)/.test(m)),
        messages(p).join('\n'),
      );
    });
  });

  test('include /proc/kmsg (a read that blocks forever), /dev/zero and a FIFO: refused at once', T, async () => {
    execFileSync('mkfifo', [join(ws.dir, 'pipe.conf')]);
    await openCase('special.conf', 'http {\n    include /proc/kmsg;\n    include /dev/zero;\n    include pipe.conf;\n}\n', (p) => {
      const m = messages(p);
      if (existsSync('/proc/kmsg'))
        assert.ok(
          m.some((x) => /^Not read: \/proc\/kmsg: /.test(x)),
          m.join('\n'),
        );
      assert.ok(
        m.some((x) => /^Not read: \/dev\/zero: not a regular file \(a character device\)/.test(x)),
        m.join('\n'),
      );
      assert.ok(
        m.some((x) => /pipe\.conf: not a regular file \(a FIFO\)/.test(x)),
        m.join('\n'),
      );
      assert.ok(!m.some((x) => /not found/.test(x)), 'nothing refused is called "not found"');
    });
  });

  for (const pattern of ['/usr/bin/*', '/**/*', '/*/*/*/*/*']) {
    test(`include ${pattern}: the walk and the reads stop at their budgets, and the include line says which`, T, async () => {
      await openCase(`glob-${pattern.replace(/\W/g, '')}.conf`, `http {\n    include ${pattern};\n}\n`, (p) => {
        const m = p.diagnostics.filter((d) => d.code === 'include').map((d) => messageText(d));
        assert.ok(m.length >= 1, `the include line says what was refused: ${messages(p).slice(0, 5).join('\n')}`);
        assert.ok(
          m.every((x) =>
            /raise nginxWs\.limits\.|not a regular file|binary file|special file|cannot read|permission denied|loop of symbolic links/.test(
              x,
            ),
          ),
          m.join('\n'),
        );
        assert.ok(p.diagnostics.length <= 1100, `${p.diagnostics.length} diagnostics`);
      });
    });
  }

  test('800,000 identical findings (18 MB): capped at 200 per rule with one summary, in one small message', T, async () => {
    const text = `http {\n${'proxy_set_header X $y;\n'.repeat(800_000)}}\n`;
    await openCase('flood.conf', text, (p) => {
      const undef = p.diagnostics.filter((d) => d.code === 'undefined-variable');
      assert.equal(undef.length, 201);
      assert.match(messageText(undef[200]!), /^799800 more undefined-variable findings in this file are not shown/);
      assert.ok(JSON.stringify(p).length < 1_000_000, `published ${JSON.stringify(p).length} bytes`);
    });
  });

  test('a syntax error around a 10 MB token: the message is cut', T, async () => {
    await openCase('token.conf', `http {\n    ${'x'.repeat(10 * 1024 * 1024)} b\n}\n`, (p) => {
      assert.ok(p.diagnostics.length > 0);
      for (const d of p.diagnostics) assert.ok(messageText(d).length <= 1000, `${messageText(d).length} characters`);
    });
  });

  test('include *a*a*a*a*a*a*a*a*a*a*a*a*b beside a long file name: the glob answers (linear-time matching)', T, async () => {
    ws.write(`${'a'.repeat(250)}c`, '# a long name\n');
    await openCase('redos-glob.conf', 'http {\n    include *a*a*a*a*a*a*a*a*a*a*a*a*b;\n}\n', (p) => {
      assert.ok(!p.diagnostics.some((d) => d.code === 'include'), 'an empty glob is fine for nginx');
    });
    const uri = ws.uri('redos-glob.conf');
    c.open(uri, 'http {\n    include *a*a*a*a*a*a*a*a*a*a*a*a*b;\n    include a[.conf;\n}\n', 1);
    await c.diagnostics(uri, (x) => x.version === 1, { timeoutMs: CASE_MS });
    // Hover built a regex from the include pattern (`a[.conf` threw); links resolve globs.
    const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 14 } }, CASE_MS);
    assert.ok(h === null || typeof h === 'object');
    await c.request('textDocument/documentLink', { textDocument: { uri } }, CASE_MS);
    c.close(uri);
    await stillServes('ReDoS globs, hover and links');
  });

  test('websocketPathPatterns ["^/(a+)+$"] and a location /aaaa…a!: the server keeps answering', T, async () => {
    await c.setSettings({ ...c.settings, websocketPathPatterns: ['^/(a+)+$', '^/(?=x)', '^/live/'] });
    await c.log(/nginxWs\.websocketPathPatterns: ignoring "\^\/\(\?=x\)": it uses a lookahead/, { timeoutMs: CASE_MS });
    const path = `/${'a'.repeat(100_000)}!`;
    await openCase(
      'redos-setting.conf',
      `http {\n    server {\n        location ${path} { proxy_pass http://b; }\n        location /live/ { proxy_pass http://b; }\n    }\n}\n`,
      (p) => {
        const codes = p.diagnostics.map((d) => d.code);
        assert.ok(codes.includes('ws-upgrade-header-missing'), `the /live/ pattern still works: ${codes.join(', ')}`);
      },
    );
    await c.setSettings({ ...c.settings, websocketPathPatterns: [] });
  });

  test('a regex location tested with a hostile path (^/(\\w+/?)*X$): endpointContext answers', T, async () => {
    const uri = ws.uri('regex-loc.conf');
    const text =
      'http {\n    server {\n        listen 80;\n        location ~ ^/(\\w+/?)*X$ {\n            proxy_pass http://127.0.0.1:9;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n        }\n    }\n}\n';
    ws.write('regex-loc.conf', text);
    c.open(uri, text, 1);
    await c.diagnostics(uri, (x) => x.version === 1, { timeoutMs: CASE_MS });
    const r = await c.request<EndpointContextResult>(
      'nginxWs/endpointContext',
      { uri, position: { line: 3, character: 12 }, path: `/${'aaaa/'.repeat(20_000)}!` },
      CASE_MS,
    );
    assert.equal(r.endpoints.length, 1);
    assert.ok(
      r.endpoints[0]!.notes.some((n) => /does not match the location regex/.test(n)),
      r.endpoints[0]!.notes.join('; '),
    );
    c.close(uri);
    await stillServes('a hostile request path');
  });

  test('while heavy documents are analysed, a request on another one is answered between them', T, async () => {
    // Three 4 MB configs (40,000 servers each) become due at the same moment (a settings change re-analyses every open document);
    // a hover on another document must wait for at most the analysis in progress, not for all three.
    // Measured here: 1.5 to 2.5 s per analysis, 0.7-0.8 GB peak RSS; the server needs a heap cap between 512 and 640 MB for the
    // three (it dies at 512), so 768 is a margin, not a squeeze. At 10,000 servers an analysis lasts well under a second; at
    // 40,000 it lasts long enough that a hover queued behind all three would be felt.
    const heavy = `http {\n${'    server { listen 80; location /ws/ { proxy_pass http://b; proxy_set_header Upgrade $http_upgrade; } }\n'.repeat(40_000)}}\n`;
    const uris = [1, 2, 3].map((i) => ws.uri(`heavy${i}.conf`));
    for (const u of uris) c.open(u, heavy, 1);
    for (const u of uris) await c.diagnostics(u, (x) => x.version === 1, { timeoutMs: CASE_MS * 2 });
    const order: string[] = [];
    const marks = uris.map((u) => c.mark(u));
    const t0 = Date.now();
    const published = uris.map((u, i) =>
      c.diagnostics(u, () => true, { since: marks[i], timeoutMs: CASE_MS * 2 }).then(() => order.push(`heavy${i + 1}@${Date.now() - t0}`)),
    );
    await c.setSettings({ ...c.settings, idleTimeoutThresholdSeconds: 30 });
    await Promise.race(published);
    const h = await c.request<Hover | null>(
      'textDocument/hover',
      { textDocument: { uri: normal() }, position: { line: 4, character: 14 } },
      CASE_MS,
    );
    order.push(`hover@${Date.now() - t0}`);
    assert.ok(h && JSON.stringify(h.contents).includes('proxy_pass'), 'the hover is about proxy_pass');
    await Promise.all(published);
    assert.ok(
      order.findIndex((o) => o.startsWith('hover')) < order.length - 1,
      `the hover was answered before the last heavy document was done: ${order.join(' → ')}`,
    );
    process.stdout.write(`# answered in between: ${order.join(' → ')} (ms after the settings change)\n`);
    for (const u of uris) c.close(u);
    await c.setSettings({ ...c.settings, idleTimeoutThresholdSeconds: 60 });
    await stillServes('three heavy documents');
  });
});

describe('hostile inputs: an untrusted workspace reads nothing outside its folders', () => {
  let ws: TempWorkspace;
  let c: LspTestClient;

  before(async () => {
    buildOnce();
    ws = new TempWorkspace('nginx-ws-untrusted-');
    symlinkSync('/etc/passwd', join(ws.dir, 'passwd.conf'));
    c = await ws.start({ workspaceTrusted: false, nodeArgs: [`--max-old-space-size=${SERVER_HEAP_MB}`] });
  });
  after(() => ws?.dispose());

  test(
    '/etc/passwd, /proc/self/environ, a symlink out of the workspace: not read, the include line says why; trust reads them',
    T,
    async () => {
      const text =
        'http {\n    include /etc/passwd;\n    include /proc/self/environ;\n    include passwd.conf;\n    include /etc/*.conf;\n}\n';
      const uri = ws.uri('nginx.conf');
      ws.write('nginx.conf', text);
      c.open(uri, text, 1);
      const p = await c.diagnostics(uri, (x) => x.version === 1, { timeoutMs: CASE_MS });
      const m = messages(p);
      assert.equal(p.diagnostics.filter((d) => d.code === 'include').length, 4, m.join('\n'));
      assert.ok(
        m.every((x) => /outside the workspace folders, and this workspace is not trusted/.test(x)),
        m.join('\n'),
      );
      assert.ok(m.some((x) => /passwd\.conf: a symbolic link to \/etc\/passwd/.test(x)));
      assert.ok(!JSON.stringify(c.publishLog).includes('root:x:0:0'), 'no line of /etc/passwd reached the client');
      assert.ok(!c.publishLog.some((x) => x.uri.includes('/etc/passwd')), 'nothing was published for /etc/passwd');
      // Granting trust re-analyses, now following the includes.
      await c.connection.sendNotification('nginxWs/workspaceTrust', { trusted: true });
      const q = await c.diagnostics(uri, (x) => x.version === 1 && !x.diagnostics.some((d) => /not trusted/.test(messageText(d))), {
        since: c.mark(uri),
        timeoutMs: CASE_MS,
      });
      assert.ok(!messages(q).some((x) => /not trusted/.test(x)));
    },
  );
});

describe(`hostile inputs: the CLI under --max-old-space-size=${CLI_HEAP_MB}`, () => {
  let ws: TempWorkspace;
  before(() => {
    buildOnce();
    ws = new TempWorkspace('nginx-ws-cli-hostile-');
  });
  after(() => ws?.dispose());

  function cli(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [`--max-old-space-size=${CLI_HEAP_MB}`, join(ROOT, 'dist', 'cli.js'), ...args], {
        cwd: ws.dir,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), CASE_MS);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  const cases: [string, string, RegExp][] = [
    ['pagemap', 'include /proc/self/pagemap;', /Not read: \/proc\/self\/pagemap: /],
    ['kmsg-zero', 'include /proc/kmsg;\ninclude /dev/zero;', /Not read: \/dev\/zero: not a regular file/],
    ['usr-bin', 'include /usr/bin/*;', /raise it with NGINX_WS_LIMITS=/],
    ['root-glob', 'include /**/*;', /Not read: /],
    ['deep-glob', 'include /*/*/*/*/*;', /stopped after looking at 20000 directory entries/],
  ];
  for (const [name, line, expect] of cases) {
    test(`lint: ${line.replace(/\n/g, ' ')}`, T, async () => {
      ws.write(`${name}.conf`, `${line}\n`);
      const r = await cli(['lint', `${name}.conf`]);
      assert.equal(r.signal, null, `not killed: ${r.stderr.slice(-500)}`);
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr.slice(-500)}`);
      assert.match(r.stdout, expect);
      assert.ok(!/FATAL|heap out of memory|at .*\.js:\d+/.test(r.stderr), r.stderr.slice(-500));
    });
  }

  test('lint: 800,000 findings (18 MB) come out as 200 and one summary', T, async () => {
    ws.write('flood.conf', `http {\n${'proxy_set_header X $y;\n'.repeat(800_000)}}\n`);
    const r = await cli(['lint', '--format', 'json', 'flood.conf']);
    assert.equal(r.code, 1, r.stderr.slice(-500));
    const out = (JSON.parse(r.stdout) as { findings: { code: string; message: string }[] }).findings;
    assert.equal(out.filter((f) => f.code === 'undefined-variable').length, 201);
    assert.ok(r.stdout.length < 1_000_000, `${r.stdout.length} bytes of JSON`);
  });

  test('lint: a glob of six 15 MB files (2.6 million comment lines each) stops at the 32 MB budget', T, async () => {
    mkdirSync(join(ws.dir, 'big'), { recursive: true });
    const body = '# pad\n'.repeat((15 * 1024 * 1024) / 6);
    for (let i = 1; i <= 6; i++) writeFileSync(join(ws.dir, 'big', `b${i}.conf`), body);
    writeFileSync(join(ws.dir, 'big', 'nginx.conf'), 'http { include b*.conf; }\n');
    const r = await cli(['lint', 'big/nginx.conf']);
    assert.equal(r.signal, null, `not killed: ${r.stderr.slice(-500)}`);
    assert.equal(r.code, 0, r.stderr.slice(-500));
    assert.match(
      r.stdout,
      /Not read: 4 of the files it matches \(.*b3\.conf, …\): the files of this config reached 32 MB, the limit for one config \(raise it with NGINX_WS_LIMITS=configMB=N\)/,
    );
  });

  test('test --config: a regex location and a hostile --path finish', T, async () => {
    mkdirSync(join(ws.dir, 'rx'), { recursive: true });
    writeFileSync(
      join(ws.dir, 'rx', 'nginx.conf'),
      'events {}\nhttp {\n    server {\n        listen 127.0.0.1:1;\n        location ~ ^/(\\w+/?)*X$ {\n            proxy_pass http://127.0.0.1:1;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n        }\n    }\n}\n',
    );
    const r = await cli([
      'test',
      '--config',
      'rx/nginx.conf',
      '--location',
      '^/(\\w+/?)*X$',
      '--path',
      `/${'aaaa/'.repeat(2_000)}!`,
      '--timeout',
      '2000',
      '--json',
    ]);
    assert.equal(r.signal, null);
    assert.equal(r.code, 1, r.stderr.slice(-300));
    const j = JSON.parse(r.stdout) as { stage: string };
    assert.equal(j.stage, 'connect', 'it got as far as connecting (nothing listens there)');
  });
});

/**
 * The LSP-free workspace layer's pure parts: byte-preserving edits, the
 * atomic writer under an injected write error, the one nginx-file
 * predicate (and package.json's patterns held to it), the nginx -T dump
 * splitter, the settings file, and the engine's suppressions and fix guard.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { lintText, LineIndex } from '../../server/src/engine/index';
import { applyEditsToBytes, decode, hasBareCr, NonUtf8EditError } from '../../server/src/node/bytes';
import { AtomicWriteError, writeFileAtomic } from '../../server/src/node/atomic-write';
import { isNginxFile, NGINX_FILES_GLOB } from '../../server/src/node/nginx-files';
import { isNginxDump, splitNginxDump } from '../../server/src/node/nginx-dump';
import { layerSettings, parseSettingsFile } from '../../server/src/node/settings-file';
import { DEFAULT_SETTINGS } from '../../server/src/engine/index';

test('decode agrees with Node on any bytes, and maps every position back to its byte', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const d = decode(bytes);
      assert.equal(d.text, Buffer.from(bytes).toString('utf8'));
      // An empty edit at each position splits the bytes exactly where the text splits (re-joined, the bytes are unchanged).
      const lines = new LineIndex(d.text);
      for (let i = 0; i <= d.text.length; i++) {
        if (i > 0 && /[\uDC00-\uDFFF]/.test(d.text[i]!) && /[\uD800-\uDBFF]/.test(d.text[i - 1]!)) continue;
        const at = lines.positionAt(i);
        const out = applyEditsToBytes(bytes, d, [{ range: { start: at, end: at }, newText: '<>' }]);
        const src = Buffer.from(bytes);
        const cuts = [];
        for (let z = 0; z <= src.length; z++) {
          if (
            out.equals(Buffer.concat([src.subarray(0, z), Buffer.from('<>'), src.subarray(z)])) &&
            src.subarray(0, z).toString('utf8') === d.text.slice(0, i)
          )
            cuts.push(z);
        }
        assert.ok(cuts.length > 0, `position ${i}: the insertion lands at a byte whose prefix decodes to the text before it`);
      }
    }),
    { numRuns: 300 },
  );
});

test('edits change only their byte ranges; an edit over invalid bytes is refused', () => {
  const buf = Buffer.concat([Buffer.from('a\u00e9 '), Buffer.from([0xe9, 0x20]), Buffer.from('z;\n')]);
  const d = decode(buf);
  assert.equal(d.text, 'a\u00e9 \uFFFD z;\n');
  assert.deepEqual(d.invalid, [{ at: 3, bytes: 1 }]);
  const out = applyEditsToBytes(buf, d, [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 6 } }, newText: 'y' }]);
  assert.ok(out.equals(Buffer.concat([Buffer.from('a\u00e9 '), Buffer.from([0xe9, 0x20]), Buffer.from('y;\n')])));
  assert.throws(
    () => applyEditsToBytes(buf, d, [{ range: { start: { line: 0, character: 2 }, end: { line: 0, character: 4 } }, newText: '' }]),
    NonUtf8EditError,
  );
  assert.equal(hasBareCr('a\r\nb\n'), false);
  assert.equal(hasBareCr('a\rb'), true);
});

test('writeFileAtomic: an injected write error at any point leaves the original intact and no temporary file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-atomic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'nginx.conf');
  const original = Buffer.from('events {}\n'.repeat(300_000)); // 3 MB: several chunks
  writeFileSync(path, original);
  chmodSync(path, 0o640);
  const next = Buffer.from('http {}\n'.repeat(400_000));
  for (const failAt of [0, 1 << 20, 2 << 20]) {
    assert.throws(
      () =>
        writeFileAtomic(path, next, {
          beforeWrite: (_temp, written) => {
            if (written >= failAt) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          },
        }),
      (e: unknown) =>
        e instanceof AtomicWriteError && e.code === 'ENOSPC' && /no space left on the device; the file is unchanged/.test(e.message),
    );
    assert.ok(readFileSync(path).equals(original), `intact after a failure at byte ${failAt}`);
    assert.deepEqual(readdirSync(dir), ['nginx.conf']);
  }
  writeFileAtomic(path, next);
  assert.ok(readFileSync(path).equals(next));
  assert.equal(statSync(path).mode & 0o777, 0o640, 'mode kept');
  assert.deepEqual(readdirSync(dir), ['nginx.conf']);
  assert.throws(() => writeFileAtomic(join(dir, 'missing.conf'), 'x'), AtomicWriteError);
});

test('the nginx-file predicate, and package.json associates no file it would not lint', () => {
  for (const p of [
    '/e/nginx.conf',
    '/e/conf.d/a.conf',
    '/e/sites-enabled/default',
    '/e/sites-available/app',
    '/e/x.nginx',
    '/e/x.nginxconf',
    '/e/templates/default.conf.template',
    '/e/templates/x.template',
    '/e/snippets/ssl.conf',
  ]) {
    assert.equal(isNginxFile(p), true, p);
  }
  for (const p of [
    '/e/README.md',
    '/e/.default.conf',
    '/e/sites-enabled/app~',
    '/e/sites-enabled/app.dpkg-old',
    '/e/mime.types',
    '/e/x.template',
    '/e/conf.d/.hidden',
  ]) {
    assert.equal(isNginxFile(p), false, p);
  }
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'nginx');
  const samples: Record<string, string> = {
    '**/nginx/**/*.conf': '/x/nginx/a/b.conf',
    '**/nginx/*.conf': '/x/nginx/b.conf',
    '**/sites-available/*': '/x/sites-available/app',
    '**/sites-enabled/*': '/x/sites-enabled/app',
    '**/conf.d/*': '/x/conf.d/app',
    '**/conf.d/**/*.conf': '/x/conf.d/a/b.conf',
    '**/nginx.conf': '/x/nginx.conf',
    '**/*.nginx': '/x/a.nginx',
    '**/*.nginxconf': '/x/a.nginxconf',
    '**/*.conf.template': '/x/templates/a.conf.template',
    '**/*.nginx.template': '/x/a.nginx.template',
  };
  for (const pattern of lang.filenamePatterns as string[]) {
    assert.ok(samples[pattern], `a sample for package.json's pattern ${pattern}`);
    assert.ok(isNginxFile(samples[pattern]), `${pattern} associates ${samples[pattern]}, which lint would not walk`);
  }
  assert.ok(lang.filenamePatterns.includes('**/*.conf.template'), 'Docker templates open as nginx');
  for (const part of ['**/*.conf', '**/*.conf.template', '**/sites-enabled/*', '**/.nginx-ws.json'])
    assert.ok(NGINX_FILES_GLOB.includes(part), part);
});

test('nginx -T dumps: split on the markers nginx writes, the added newline removed, relative names are content', () => {
  const dump =
    'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n' +
    '# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include conf.d/*.conf; }\n\n' +
    '# configuration file /etc/nginx/conf.d/a.conf:\n# configuration file not/a/path:\nserver {}\n' +
    '\n# configuration file /etc/nginx/conf.d/empty.conf:\n\n';
  assert.equal(isNginxDump(dump), true);
  assert.equal(isNginxDump('events {}\n# configuration file /x:\n'), false, 'config text before any marker: not a dump');
  const d = splitNginxDump(dump)!;
  assert.equal(d.main, '/etc/nginx/nginx.conf');
  assert.deepEqual(
    [...d.files],
    [
      ['/etc/nginx/nginx.conf', 'events {}\nhttp { include conf.d/*.conf; }\n'],
      ['/etc/nginx/conf.d/a.conf', '# configuration file not/a/path:\nserver {}\n'],
      ['/etc/nginx/conf.d/empty.conf', ''],
    ],
  );
  assert.equal(splitNginxDump('no markers'), null);
});

test('.nginx-ws.json: values validated one by one, paths resolved against its folder, editor settings layered on top', () => {
  const f = parseSettingsFile(
    '/repo/.nginx-ws.json',
    JSON.stringify({
      nginxVersion: '1.24.0',
      rules: { 'ws-read-timeout-default': 'off', nope: 'error', 'ws-http-version': 'loud' },
      configRoots: ['deploy/nginx.conf'],
      prefix: 'etc',
      websocketPathPatterns: ['^/live/', '('],
      idleTimeoutThresholdSeconds: -1,
      extra: true,
    }),
  );
  assert.deepEqual(f.settings.configRoots, ['/repo/deploy/nginx.conf']);
  assert.equal(f.settings.prefix, '/repo/etc');
  assert.equal(f.settings.nginxVersion, '1.24.0');
  assert.deepEqual(f.settings.rules, { 'ws-read-timeout-default': 'off', nope: 'error' });
  assert.deepEqual(f.settings.websocketPathPatterns, ['^/live/']);
  assert.equal(f.settings.idleTimeoutThresholdSeconds, undefined);
  for (const re of [
    /rules\.nope: no such rule/,
    /rules\.ws-http-version: expected/,
    /websocketPathPatterns: ignoring "\("/,
    /idleTimeoutThresholdSeconds: expected/,
    /unknown key "extra"/,
  ]) {
    assert.ok(
      f.problems.some((p) => re.test(p)),
      `${re} in ${f.problems.join('\n')}`,
    );
  }
  assert.match(parseSettingsFile('/r/.nginx-ws.json', '{').problems[0]!, /not valid JSON/);
  const layered = layerSettings(f.settings, {
    ...DEFAULT_SETTINGS,
    rules: { 'ws-read-timeout-default': 'hint' },
    websocketPathPatterns: ['^/rt/'],
  });
  assert.equal(layered.nginxVersion, '1.24.0', 'the file fills what the editor leaves empty');
  assert.deepEqual(layered.rules, { 'ws-read-timeout-default': 'hint', nope: 'error' }, 'the editor wins per rule');
  assert.deepEqual(layered.websocketPathPatterns, ['^/live/', '^/rt/']);
  assert.equal(layerSettings(f.settings, { ...DEFAULT_SETTINGS, nginxVersion: '1.30.0' }).nginxVersion, '1.30.0');
});

const WS = (body: string) =>
  `events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    server {\n        listen 80;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n${body}        }\n    }\n}\n`;

test('suppressions: a reason silences; stacked comments, several ids; unused, reasonless and unknown are reported', () => {
  const codes = (text: string) =>
    lintText(text)
      .filter((f) => f.code !== 'ws-read-timeout-default')
      .map((f) => `${f.range.start.line + 1} ${f.code}`)
      .sort();
  assert.deepEqual(codes(WS('            proxy_read_timeout 2s;\n')), ['11 ws-read-timeout-short']);
  assert.deepEqual(
    codes(
      WS(
        '            # nginx-ws-ignore ws-read-timeout-short: pings every second\n            # another comment\n\n            proxy_read_timeout 2s;\n',
      ),
    ),
    [],
  );
  assert.deepEqual(
    codes(WS('            proxy_read_timeout 2s; # nginx-ws-ignore ws-read-timeout-short, ws-http-version: pings\n')),
    ['11 suppression'],
    'ws-http-version reports nothing there',
  );
  assert.deepEqual(codes(WS('            # nginx-ws-ignore ws-read-timeout-short\n            proxy_read_timeout 2s;\n')), [
    '11 suppression',
  ]);
  assert.deepEqual(codes(WS('            # nginx-ws-ignore: why\n            proxy_read_timeout 2s;\n')), [
    '11 suppression',
    '12 ws-read-timeout-short',
  ]);
  assert.deepEqual(codes(WS('            # nginx-ws-ignored is another word\n            proxy_read_timeout 2s;\n')), [
    '12 ws-read-timeout-short',
  ]);
  // Syntax errors cannot be suppressed; reports about suppressions can be turned off.
  assert.deepEqual(codes('# nginx-ws-ignore syntax: no\nevents {\n'), ['1 suppression', '2 syntax']);
  assert.deepEqual(
    lintText(WS('            # nginx-ws-ignore ws-read-timeout-short: x\n'), '/v/nginx.conf', {
      ...DEFAULT_SETTINGS,
      rules: { suppression: 'off' },
    }).filter((f) => f.code === 'suppression'),
    [],
  );
});

test('no fix is offered inside a file with syntax errors, and the finding says why', () => {
  const bad = WS('').replace('proxy_set_header Connection $connection_upgrade;', 'proxy_set_header Connection close;');
  const fixable = lintText(bad).find((f) => f.code === 'ws-connection-header')!;
  assert.ok(fixable.fixes.length > 0);
  const broken = lintText(`${bad}}\n`);
  const f = broken.find((x) => x.code === 'ws-connection-header')!;
  assert.deepEqual(f.fixes, []);
  assert.match(f.message, /no automatic fix while the file has syntax errors/);
  assert.ok(broken.some((x) => x.code === 'syntax'));
  assert.ok(broken.every((x) => x.fixes.length === 0));
});

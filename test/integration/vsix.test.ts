/**
 * The packaged VSIX as a user downloads it: built once with `npm run package`
 * (esbuild production bundles + vsce), then read as the zip it is. It must
 * hold exactly what VS Code loads, nothing the extension host would need
 * node_modules for, and stay small.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const REPO = resolve(__dirname, '../..');
const VSIX = join(REPO, 'nginx-websocket.vsix');

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

/** Lists a zip's entries from its central directory (no zip64: a VSIX this small never needs it). */
function listZip(buf: Buffer): ZipEntry[] {
  // End of central directory: signature 0x06054b50, searched backwards past an optional comment.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'not a zip file: no end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, `bad central directory entry ${i}`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localHeaderOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.push({ name, method, compressedSize, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function readEntry(buf: Buffer, e: ZipEntry): Buffer {
  const h = e.localHeaderOffset;
  assert.equal(buf.readUInt32LE(h), 0x04034b50, `bad local header for ${e.name}`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return data;
  assert.equal(e.method, 8, `${e.name}: unexpected compression method ${e.method}`);
  return inflateRawSync(data);
}

let zip: Buffer;
let entries: ZipEntry[];
let names: string[];

before(async () => {
  await new Promise<void>((res, rej) => {
    execFile('npm', ['run', '--silent', 'package'], { cwd: REPO, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? rej(new Error(`npm run package failed: ${err.message}\n${stdout}\n${stderr}`)) : res(),
    );
  });
  zip = readFileSync(VSIX);
  entries = listZip(zip);
  names = entries.map((e) => e.name).sort();
});

test('the VSIX is under 1 MB', () => {
  const size = statSync(VSIX).size;
  assert.ok(size < 1024 * 1024, `VSIX is ${size} bytes`);
});

test('the VSIX holds only what VS Code loads', () => {
  // vsce renames README.md, CHANGELOG.md and LICENSE to these.
  const allowed = [
    /^\[Content_Types\]\.xml$/,
    /^extension\.vsixmanifest$/,
    /^extension\/package\.json$/,
    /^extension\/dist\/(client|client-tools|server|server-main|server-front)\.js$/,
    /^extension\/dist\/reference-md\.json$/,
    /^extension\/syntaxes\/[^/]+\.tmLanguage\.json$/,
    /^extension\/snippets\/[^/]+\.code-snippets$/,
    /^extension\/language-configuration\.json$/,
    /^extension\/images\/icon\.png$/,
    /^extension\/readme\.md$/,
    /^extension\/changelog\.md$/,
    /^extension\/LICENSE\.txt$/,
  ];
  const unexpected = names.filter((n) => !allowed.some((re) => re.test(n)));
  assert.deepEqual(unexpected, [], `unexpected files in the VSIX:\n${unexpected.join('\n')}`);
  for (const banned of [/node_modules\//, /\.map$/, /dist\/cli(-main)?\.js$/, /(^|\/)test\//, /\.ts$/]) {
    assert.deepEqual(
      names.filter((n) => banned.test(n)),
      [],
      `${banned} must not be packaged`,
    );
  }
});

test('every file the manifest points at is packaged, plus README, CHANGELOG and LICENSE', () => {
  const pkg = JSON.parse(
    readEntry(
      zip,
      entries.find((e) => e.name === 'extension/package.json')!,
    ).toString('utf8'),
  );
  const rel = (p: string) => `extension/${p.replace(/^\.\//, '')}`;
  const wanted = [
    rel(pkg.main),
    'extension/dist/client-tools.js',
    'extension/dist/server.js',
    'extension/dist/server-main.js',
    'extension/dist/server-front.js',
    rel(pkg.icon),
    'extension/readme.md',
    'extension/changelog.md',
    'extension/LICENSE.txt',
    ...(pkg.contributes?.grammars ?? []).map((g: { path: string }) => rel(g.path)),
    ...(pkg.contributes?.snippets ?? []).map((s: { path: string }) => rel(s.path)),
    ...(pkg.contributes?.languages ?? [])
      .filter((l: { configuration?: string }) => l.configuration)
      .map((l: { configuration: string }) => rel(l.configuration)),
  ];
  const missing = [...new Set(wanted)].filter((w) => !names.includes(w));
  assert.deepEqual(missing, [], `declared but not packaged:\n${missing.join('\n')}`);
});

test('the bundles need nothing from node_modules at run time', () => {
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  for (const [file, extra] of [
    ['extension/dist/client.js', ['vscode']],
    ['extension/dist/client-tools.js', []],
    ['extension/dist/server.js', []],
    ['extension/dist/server-main.js', []],
    ['extension/dist/server-front.js', []],
  ] as const) {
    const entry = entries.find((e) => e.name === file);
    assert.ok(entry, `${file} missing`);
    const code = readEntry(zip, entry).toString('utf8');
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
    const external = [...new Set(required)].filter(
      (m) => !builtins.has(m) && !(extra as readonly string[]).includes(m) && !m.startsWith('.'),
    );
    assert.deepEqual(external, [], `${file} requires modules that are not bundled: ${external.join(', ')}`);
    // A production bundle carries no sourcemap reference (the .map files are not shipped).
    assert.doesNotMatch(code, /sourceMappingURL=/, `${file} points at a sourcemap`);
  }
});

test('activation loads the extension without the endpoint tester and the local proof; their bundle loads on its own', () => {
  const code = (name: string) =>
    readEntry(
      zip,
      entries.find((e) => e.name === name)!,
    ).toString('utf8');
  const client = code('extension/dist/client.js');
  const tools = code('extension/dist/client-tools.js');
  // Texts only the tester (the accept header it checks), the proof (a progress line) and the engine the proof
  // runs (a finding's message) carry: strings survive minification.
  const markers = ['Sec-WebSocket-Accept', 'Running nginx -t on the copy', 'could not check this file'];
  for (const m of markers) {
    assert.ok(!client.includes(m), `dist/client.js carries "${m}"`);
    assert.ok(tools.includes(m), `dist/client-tools.js lacks "${m}"`);
  }
  assert.ok(client.length < 0.6 * 1024 * 1024, `dist/client.js is ${client.length} bytes: the activation bundle grew`);
  assert.match(client, /client-tools\.js/, 'dist/client.js loads dist/client-tools.js by name');
  // The tools bundle runs without the editor: required from a folder of its own, it gives the three entry points.
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-tools-'));
  try {
    writeFileSync(join(dir, 'client-tools.js'), tools);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the packaged bundle, as the extension loads it
    const t = require(join(dir, 'client-tools.js')) as Record<string, unknown>;
    for (const f of ['runEndpointTest', 'runProof', 'snapshotHost']) assert.equal(typeof t[f], 'function', `${f} is not exported`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the packaged manifest is marketplace-ready', () => {
  const pkg = JSON.parse(
    readEntry(
      zip,
      entries.find((e) => e.name === 'extension/package.json')!,
    ).toString('utf8'),
  );
  for (const field of ['name', 'displayName', 'description', 'publisher', 'version', 'license', 'icon']) {
    assert.ok(pkg[field], `package.json lacks "${field}"`);
  }
  assert.ok(pkg.repository?.url, 'package.json lacks repository.url');
  for (const c of ['Linters', 'Programming Languages', 'Snippets']) assert.ok(pkg.categories?.includes(c), `category ${c} missing`);
  assert.ok(pkg.activationEvents?.includes('onLanguage:nginx'), 'activation on the nginx language missing');
  assert.ok(pkg.capabilities?.untrustedWorkspaces?.supported !== undefined, 'untrustedWorkspaces capability not declared');
  const vsixManifest = readEntry(
    zip,
    entries.find((e) => e.name === 'extension.vsixmanifest')!,
  ).toString('utf8');
  assert.match(vsixManifest, /<Identity [^>]*Id="nginx-websocket"[^>]*Publisher="nginx-ws"/);
});

test('the marketplace page is the user README: its links and pictures point at files of this repository', () => {
  const page = readEntry(
    zip,
    entries.find((e) => e.name === 'extension/readme.md')!,
  ).toString('utf8');
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const repo = String(pkg.repository.url).replace(/\.git$/, '');
  assert.match(page, /^# nginx WebSocket Doctor/);
  assert.doesNotMatch(page, /## Why each dependency is here/, 'the developer material is not on the marketplace page');
  const targets = [...page.replace(/```[\s\S]*?```/g, '').matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  assert.ok(targets.length > 5);
  for (const t of targets) {
    if (t.startsWith('#')) continue;
    // vsce rewrites relative links to the repository (blob/HEAD for pages, raw/HEAD for pictures).
    const m = new RegExp(`^${repo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/(?:blob|raw)/HEAD/([^#]+)`).exec(t);
    if (!m) {
      assert.match(t, /^https:\/\//, `${t}: not a link the marketplace can follow`);
      continue;
    }
    assert.ok(existsSync(join(REPO, m[1]!)), `${t}: ${m[1]} is not in the repository`);
  }
  assert.ok(
    targets.some((t) => t.endsWith('/docs/websocket-facts.md')),
    'the facts link survives packaging',
  );
  assert.ok(
    targets.some((t) => /\/raw\/HEAD\/images\/report-failed\.png$/.test(t)),
    'the report picture is shown',
  );
});

test('the CLI tarball (npm pack) holds the launcher and a self-contained bundle that runs without node_modules', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-pack-'));
  try {
    const out = await new Promise<string>((res, rej) =>
      execFile(
        'npm',
        ['pack', '--json', '--pack-destination', dir],
        { cwd: REPO, timeout: 120_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => (err ? rej(new Error(`npm pack failed: ${err.message}\n${stderr}`)) : res(stdout)),
      ),
    );
    const [info] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    assert.deepEqual(info!.files.map((f) => f.path).sort(), [
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'bin/nginx-ws.js',
      'dist/cli-main.js',
      'dist/cli.js',
      'package.json',
    ]);
    await new Promise<void>((res, rej) =>
      execFile('tar', ['xzf', join(dir, info!.filename), '-C', dir], (e) => {
        if (e) rej(new Error(`tar failed: ${e.message}`));
        else res();
      }),
    );
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      'http {\n  server {\n    listen 8080;\n    location /ws/ {\n      proxy_pass http://127.0.0.1:3000;\n      proxy_http_version 1.1;\n      proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection "upgrade";\n    }\n  }\n}\n',
    );
    const json = await new Promise<string>((res, rej) =>
      execFile(
        process.execPath,
        [join(dir, 'package', 'bin', 'nginx-ws.js'), 'endpoints', conf, '--json'],
        { cwd: dir, timeout: 30_000 },
        (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)),
      ),
    );
    const rows = JSON.parse(json) as { location: string; url: string }[];
    assert.deepEqual(
      rows.map((r) => [r.location, r.url]),
      [['location /ws/', 'ws://localhost:8080/ws/']],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

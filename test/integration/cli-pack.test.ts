/**
 * The CLI installs as users expect: `npm pack` makes a tarball with what
 * `nginx-ws` needs (bin/ and the self-contained dist/cli.js), and installing
 * it globally into a temporary prefix, offline (the packages it lists come
 * from npm's cache), gives a working `nginx-ws`. The bundle needs none of
 * them: it runs from a folder with no node_modules in sight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/lsp-client';

const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

test(
  'npm pack, then npm install -g --prefix from the tarball offline: nginx-ws --version and a lint work from there',
  { timeout: 300_000 },
  (t) => {
    const tmp = mkdtempSync(join(tmpdir(), 'nginx-ws-pack-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    const pack = spawnSync('npm', ['pack', '--pack-destination', tmp, '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    assert.equal(pack.status, 0, pack.stderr);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path).sort();
    for (const f of ['bin/nginx-ws.js', 'dist/cli.js', 'dist/cli-main.js', 'package.json', 'README.md'])
      assert.ok(files.includes(f), `${f} is packed`);
    assert.ok(
      !files.some((f) => f.startsWith('test/') || f.startsWith('server/') || f === 'dist/server.js'),
      `only the CLI is packed: ${files.join(', ')}`,
    );

    const prefix = join(tmp, 'prefix');
    const install = spawnSync(
      'npm',
      ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(tmp, info!.filename)],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(install.status, 0, install.stderr);
    const installed = join(prefix, 'lib', 'node_modules', PKG.name);
    assert.ok(existsSync(join(installed, 'dist', 'cli.js')));
    // Self-contained: the launcher, the bundle and package.json alone, far from any node_modules.
    const alone = join(tmp, 'alone');
    mkdirSync(join(alone, 'dist'), { recursive: true });
    for (const f of ['cli.js', 'cli-main.js']) copyFileSync(join(installed, 'dist', f), join(alone, 'dist', f));
    copyFileSync(join(installed, 'package.json'), join(alone, 'package.json'));
    const lone = spawnSync(
      process.execPath,
      [join(alone, 'dist', 'cli.js'), 'lint', join(ROOT, 'test', 'fixtures', 'rules', 'ws-connection-header', 'bad.conf')],
      { encoding: 'utf8', cwd: alone, env: { ...process.env, NODE_PATH: '' } },
    );
    assert.equal(lone.status, 1, lone.stderr);
    assert.match(lone.stdout, /ws-connection-header/);
    const bin = join(prefix, 'bin', 'nginx-ws');
    const v = spawnSync(bin, ['--version'], { encoding: 'utf8', cwd: tmp });
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, `${PKG.version}\n`);
    const lint = spawnSync(bin, ['lint', '--format', 'json', join(ROOT, 'test', 'fixtures', 'rules', 'ws-connection-header', 'bad.conf')], {
      encoding: 'utf8',
      cwd: tmp,
    });
    assert.equal(lint.status, 1, lint.stderr);
    const out = JSON.parse(lint.stdout) as { tool: { version: string }; findings: { code: string }[] };
    assert.equal(out.tool.version, PKG.version);
    assert.ok(out.findings.some((f) => f.code === 'ws-connection-header'));
    assert.equal(spawnSync(bin, ['lint', '--help'], { encoding: 'utf8' }).status, 0);
  },
);

/**
 * `nginx-ws lint --fix` cannot lose data: a full filesystem (a real tmpfs
 * this test mounts) leaves every original byte in place; bytes that are not
 * UTF-8 survive; files with syntax errors or lone carriage returns are left
 * alone and the CLI says why; mode, owner and symlinks are kept; a fix that
 * needs a file the command was not given is not half-applied.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { buildOnce, ROOT } from '../support/lsp-client';
import { makeLayout, makeTree } from '../support/layouts';

const CLI = join(ROOT, 'dist', 'cli.js');
const FIX = join(ROOT, 'test', 'fixtures', 'rules');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const BAD = readFileSync(join(FIX, 'ws-connection-header', 'bad.conf'), 'utf8');

before(() => buildOnce());

test('a full disk: --fix fails with exit 2 and a clear message, every original byte intact, no temporary file left', (t) => {
  const mnt = makeTree({}, 'nginx-ws-tmpfs-');
  const dir = join(mnt.dir, 'fs');
  mkdirSync(dir);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) {
    mnt.dispose();
    t.skip(
      `cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()}); the injected write error in test/unit/atomic-write.test.ts covers the same path`,
    );
    return;
  }
  t.after(() => {
    spawnSync('umount', [dir]);
    try {
      rmdirSync(dir);
    } catch {
      // already gone
    }
    mnt.dispose();
  });
  // A config of ~20 KB (padding comments) with a problem --fix repairs, then a filler that leaves less room than a copy needs.
  const padding = Array.from({ length: 300 }, (_, i) => `# padding line ${i} ${'x'.repeat(50)}`).join('\n');
  const original = Buffer.from(`${padding}\n${BAD}`);
  writeFileSync(join(dir, 'nginx.conf'), original);
  let filler = 0;
  for (let size = 64 * 1024; size >= 512; size = Math.floor(size / 2)) {
    try {
      writeFileSync(join(dir, `filler-${filler}`), Buffer.alloc(size, 1));
      filler++;
    } catch {
      // that much did not fit; try half
    }
  }
  const r = run(['lint', '--fix', 'nginx.conf'], dir);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /cannot write nginx\.conf: no space left on the device; the file is unchanged/);
  assert.ok(readFileSync(join(dir, 'nginx.conf')).equals(original), 'the original is byte for byte intact');
  assert.deepEqual(
    readdirSync(dir).filter((n) => !n.startsWith('filler-')),
    ['nginx.conf'],
    'no temporary file left behind',
  );
  assert.match(r.out, /ws-connection-header/, 'the findings are still reported, as on disk');
  // Room again: the same command fixes it.
  for (let i = 0; i < filler; i++) spawnSync('rm', ['-f', join(dir, `filler-${i}`)]);
  const ok = run(['lint', '--fix', 'nginx.conf'], dir);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.err, /fixed 2 problems in nginx\.conf/);
  const fixed = readFileSync(join(dir, 'nginx.conf'), 'utf8');
  assert.ok(fixed.startsWith(padding), 'the untouched part is still there');
  assert.match(fixed, /proxy_set_header Connection "upgrade";/);
  assert.equal(run(['lint', 'nginx.conf'], dir).code, 0);
});

test('bytes that are not UTF-8 survive a fix; only the edited ranges change', (t) => {
  const d = makeTree({});
  t.after(() => d.dispose());
  // A Latin-1 comment (é = 0xE9, a lone byte in UTF-8) and an invalid sequence, around a fixable location.
  const comment = Buffer.concat([
    Buffer.from('# caf'),
    Buffer.from([0xe9]),
    Buffer.from(' cr'),
    Buffer.from([0xe8, 0x6d, 0x65]),
    Buffer.from([0x20, 0xff, 0xfe]),
    Buffer.from(' end\n'),
  ]);
  const latin1 = Buffer.concat([comment, Buffer.from(BAD)]);
  // The control: the same file with a plain ASCII comment, fixed the ordinary way.
  const control = Buffer.concat([Buffer.from('# plain ASCII comment\n'), Buffer.from(BAD)]);
  writeFileSync(join(d.dir, 'nginx.conf'), latin1);
  writeFileSync(join(d.dir, 'control.conf'), control);
  const r = run(['lint', '--fix', 'nginx.conf', 'control.conf'], d.dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /fixed 2 problems in nginx\.conf/);
  const after = readFileSync(join(d.dir, 'nginx.conf'));
  const controlAfter = readFileSync(join(d.dir, 'control.conf'));
  assert.ok(!controlAfter.equals(control), 'the control was fixed');
  // Exactly the control's result with the original comment bytes in place of the ASCII one.
  const expected = Buffer.concat([comment, controlAfter.subarray(controlAfter.indexOf(0x0a) + 1)]);
  assert.ok(after.equals(expected), `got ${JSON.stringify(after.toString('latin1'))}`);
});

test('a file with syntax errors is not fixed, and the CLI says so; a lone CR file is left alone too', (t) => {
  const d = makeTree({});
  t.after(() => d.dispose());
  const broken = BAD.replace('proxy_set_header Connection close;', 'proxy_set_header Connection "close;') + '\n';
  writeFileSync(join(d.dir, 'broken.conf'), broken);
  const r = run(['lint', '--fix', 'broken.conf'], d.dir);
  assert.equal(r.code, 1);
  assert.equal(readFileSync(join(d.dir, 'broken.conf'), 'utf8'), broken, 'untouched');
  assert.match(r.err, /broken\.conf: has syntax errors; its problems are not fixed automatically/);
  assert.match(r.out, /no automatic fix while the file has syntax errors/);
  const cr = BAD.replace(/\n/g, '\r');
  writeFileSync(join(d.dir, 'cr.conf'), cr);
  const c = run(['lint', '--fix', 'cr.conf'], d.dir);
  assert.equal(readFileSync(join(d.dir, 'cr.conf'), 'utf8'), cr, 'untouched');
  assert.match(c.err, /cr\.conf: not fixed: it has carriage returns without line feeds/);
});

test('--fix keeps the mode, the owner, a symlink and CRLF line ends; it removes a BOM, which nginx reads as part of the first word', (t) => {
  const l = makeLayout('debian');
  t.after(() => l.dispose());
  const site = join(l.dir, 'sites-available', 'app');
  const text =
    '\uFEFF' +
    readFileSync(site, 'utf8').replace('include snippets/ws.conf;', 'proxy_set_header Upgrade $http_upgrade;').replace(/\n/g, '\r\n');
  writeFileSync(site, text);
  chmodSync(site, 0o640);
  chownSync(site, 1234, 4321);
  const r = run(['lint', '--fix', 'sites-enabled/app'], l.dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /fixed \d+ problems? in sites-enabled\/app/);
  assert.ok(lstatSync(join(l.dir, 'sites-enabled', 'app')).isSymbolicLink(), 'the link is still a link');
  assert.equal(readlinkSync(join(l.dir, 'sites-enabled', 'app')), '../sites-available/app');
  const st = statSync(site);
  assert.equal(st.mode & 0o777, 0o640);
  assert.equal(st.uid, 1234);
  assert.equal(st.gid, 4321);
  const after = readFileSync(site, 'utf8');
  // nginx does not skip a byte-order mark (`unknown directive "\uFEFFserver"`, measured): lookalike-whitespace's fix
  // removes it, in a round of its own, before the other fixes.
  assert.ok(after.startsWith('server {'), 'BOM removed');
  assert.ok(!/[^\r]\n/.test(after), 'CRLF everywhere, including the inserted lines');
  assert.match(after, /proxy_set_header Connection \$connection_upgrade;\r\n/);
});

test('--fix-level, --rule and a fix that needs a file that was not given', (t) => {
  const l = makeLayout('confd');
  t.after(() => l.dispose());
  // No map in nginx.conf now: the fix for $connection_upgrade must add one there.
  const root = join(l.dir, 'nginx.conf');
  writeFileSync(root, 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n');
  const rootBefore = readFileSync(root, 'utf8');
  const appBefore = readFileSync(join(l.dir, 'conf.d', 'app.conf'), 'utf8');
  // --fix-level error leaves the warning (short timeout) alone; --rule limits to one rule.
  const errorsOnly = run(
    ['lint', '--fix', '--fix-level', 'error', '--rule', 'ws-read-timeout-short', 'conf.d/app.conf', 'nginx.conf'],
    l.dir,
  );
  assert.equal(readFileSync(join(l.dir, 'conf.d', 'app.conf'), 'utf8'), appBefore, errorsOnly.err);
  assert.equal(readFileSync(root, 'utf8'), rootBefore, errorsOnly.err);
  const only = run(['lint', '--fix', 'conf.d/app.conf'], l.dir);
  assert.equal(readFileSync(root, 'utf8'), rootBefore, 'nginx.conf was not given: not written');
  assert.match(only.err, /also changes .*nginx\.conf, which was not given; lint it too/);
  assert.match(
    readFileSync(join(l.dir, 'conf.d', 'app.conf'), 'utf8'),
    /proxy_read_timeout 3600s/,
    'the fix inside the given file is applied',
  );
  const both = run(['lint', '--fix', 'conf.d/app.conf', 'nginx.conf'], l.dir);
  assert.match(readFileSync(root, 'utf8'), /map \$http_upgrade \$connection_upgrade/);
  assert.match(both.err, /fixed 1 problem in nginx\.conf/);
  // --dry-run prints the diff and writes nothing.
  writeFileSync(root, rootBefore);
  const dry = run(['lint', '--dry-run', 'conf.d/app.conf', 'nginx.conf'], l.dir);
  assert.match(dry.out, /^--- a\/nginx\.conf\n\+\+\+ b\/nginx\.conf\n@@ /m);
  assert.match(dry.out, /^\+\s+map \$http_upgrade \$connection_upgrade \{$/m);
  assert.equal(readFileSync(root, 'utf8'), rootBefore);
});

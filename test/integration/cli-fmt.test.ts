/**
 * `nginx-ws fmt` as a user runs it: the built CLI on real files in a temp
 * folder and on stdin. In place (mode, symlinks and bytes that are not
 * UTF-8 kept, no temporary file left), --check (lists, exit 1), --diff (a
 * patch `patch` applies), --indent, files with syntax errors (named with
 * their first error, untouched, exit 2), and the formatted files still
 * pass real `nginx -t` and mean the same words to nginx.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '../../server/src/engine/syntax/parser';
import { nginxAvailable, nginxTest } from '../support/nginx';
import { lexemeText, nginxRead } from '../support/nginx-lexer';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
let dir: string;

function run(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [CLI, 'fmt', ...args], { cwd: dir, input, timeout: 30_000 });
  return { code: r.status, out: r.stdout.toString('utf8'), outBytes: r.stdout, err: r.stderr.toString('utf8') };
}
const read = (t: string | Buffer) => nginxRead(t.toString('latin1')).lexemes.map(lexemeText);

const MESSY =
  'http {\n  server {\n listen 127.0.0.1:8080;\n      location /ws/ {\n  proxy_pass http://127.0.0.1:9000;   # app\n    }\n  }\n}\n';
const FORMATTED =
  'http {\n    server {\n        listen 127.0.0.1:8080;\n        location /ws/ {\n            proxy_pass http://127.0.0.1:9000; # app\n        }\n    }\n}\n';

before(() => {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
});
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nginx-ws-fmt-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('formats files in place, keeps their mode, leaves no temporary file; a second run changes nothing', () => {
  writeFileSync(join(dir, 'nginx.conf'), MESSY);
  chmodSync(join(dir, 'nginx.conf'), 0o640);
  const r = run(['nginx.conf']);
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(join(dir, 'nginx.conf'), 'utf8'), FORMATTED);
  assert.equal(statSync(join(dir, 'nginx.conf')).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(dir), ['nginx.conf']);
  assert.match(r.err, /formatted nginx\.conf/);
  const again = run(['nginx.conf']);
  assert.equal(again.code, 0);
  assert.match(again.err, /0 reformatted, 1 already formatted/);
});

test('--check lists the files that are not formatted and exits 1; 0 when all are; nothing is written', () => {
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'nginx.conf'), MESSY);
  writeFileSync(join(dir, 'conf.d', 'ok.conf'), 'server {\n    listen 80;\n}\n');
  writeFileSync(join(dir, 'conf.d', 'site'), 'server { listen 81; }\n');
  writeFileSync(join(dir, 'notes.txt'), 'not  nginx\n');
  const r = run(['--check', '.']);
  assert.equal(r.code, 1, r.err);
  assert.deepEqual(r.out.trim().split('\n').sort(), ['conf.d/site', 'nginx.conf']);
  assert.equal(readFileSync(join(dir, 'nginx.conf'), 'utf8'), MESSY);
  assert.equal(run(['conf.d']).code, 0);
  assert.equal(run(['--check', '.', 'nginx.conf']).code, 1);
  assert.equal(run(['nginx.conf']).code, 0);
  const clean = run(['--check', '.']);
  assert.equal(clean.code, 0, clean.out);
  assert.equal(clean.out, '');
});

test('--diff prints a unified diff that patch applies, and writes nothing', () => {
  writeFileSync(join(dir, 'nginx.conf'), MESSY);
  const r = run(['--diff', 'nginx.conf']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^--- a\/nginx\.conf\n\+\+\+ b\/nginx\.conf\n@@ /);
  assert.equal(readFileSync(join(dir, 'nginx.conf'), 'utf8'), MESSY);
  execFileSync('patch', ['-p1', '-s'], { cwd: dir, input: r.out });
  assert.equal(readFileSync(join(dir, 'nginx.conf'), 'utf8'), FORMATTED);
  assert.equal(run(['--diff', '--check', 'nginx.conf']).code, 0);
});

test('stdin to stdout with -; --check on stdin; a broken stdin comes back unchanged with exit 2', () => {
  assert.equal(run(['-'], MESSY).out, FORMATTED);
  const none = run([], MESSY);
  assert.equal(none.code, 2);
  assert.match(none.err, /no PATH given/);
  assert.equal(run(['--check', '-'], MESSY).code, 1);
  assert.equal(run(['--check', '-'], FORMATTED).code, 0);
  const broken = run(['-'], 'http {\n  listen 80\n}\n');
  assert.equal(broken.code, 2);
  assert.equal(broken.out, 'http {\n  listen 80\n}\n');
  assert.match(broken.err, /<stdin>:2:10: not formatted: Missing ';'/);
});

test('--indent: a number of spaces or tab; a bad value is a usage error', () => {
  assert.equal(run(['--indent', '2', '-'], 'http { server { listen 80; } }').out, 'http {\n  server {\n    listen 80;\n  }\n}\n');
  assert.equal(run(['--indent', 'tab', '-'], 'http { server { listen 80; } }').out, 'http {\n\tserver {\n\t\tlisten 80;\n\t}\n}\n');
  for (const bad of ['0', '17', 'two']) {
    const r = run(['--indent', bad, 'x.conf']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--indent wants/);
  }
  assert.equal(run(['--bogus']).code, 2);
  assert.match(run(['/does/not/exist.conf']).err, /no such file or directory/);
  assert.match(run(['--help']).out, /^usage: nginx-ws fmt/);
});

test('the indentation of the nearest .nginx-ws.json applies, under --indent; --no-settings ignores it', () => {
  mkdirSync(join(dir, 'deploy', 'conf.d'), { recursive: true });
  writeFileSync(join(dir, '.nginx-ws.json'), JSON.stringify({ indent: 2 }));
  writeFileSync(join(dir, 'deploy', 'conf.d', 'a.conf'), 'server { listen 80; }\n');
  assert.equal(run(['--diff', 'deploy']).out.includes('+  listen 80;'), true);
  assert.equal(run(['--diff', '--indent', 'tab', 'deploy']).out.includes('+\tlisten 80;'), true);
  assert.equal(run(['--diff', '--no-settings', 'deploy']).out.includes('+    listen 80;'), true);
  writeFileSync(join(dir, '.nginx-ws.json'), JSON.stringify({ indent: 'tab' }));
  assert.equal(run(['deploy']).code, 0);
  assert.equal(readFileSync(join(dir, 'deploy', 'conf.d', 'a.conf'), 'utf8'), 'server {\n\tlisten 80;\n}\n');
});

test('a file with syntax errors is named with its first error, left untouched, and the run exits 2', () => {
  writeFileSync(join(dir, 'a.conf'), 'http {\n  server {\n    listen 80\n  }\n');
  writeFileSync(join(dir, 'b.conf'), MESSY);
  const r = run(['.']);
  assert.equal(r.code, 2);
  assert.match(r.err, /a\.conf:3:12: not formatted: Missing ';' after 'listen' directive \(and 1 more syntax error\)/);
  assert.equal(readFileSync(join(dir, 'a.conf'), 'utf8'), 'http {\n  server {\n    listen 80\n  }\n');
  assert.equal(readFileSync(join(dir, 'b.conf'), 'utf8'), FORMATTED, 'the other files are still formatted');
});

test('bytes that are not UTF-8, a lone CR in a comment and a no-break space survive as nginx reads them', () => {
  // A Latin-1 comment, a comment that runs past a lone CR, a map key that starts with a no-break space.
  const bytes = Buffer.concat([
    Buffer.from('http {\n  # caf', 'latin1'),
    Buffer.from([0xe9]),
    Buffer.from('\n  map $host $v {\n', 'latin1'),
    Buffer.from('\u00a0default 1;\n   # off\r  default 2;\n  }\n}\n', 'utf8'),
  ]);
  writeFileSync(join(dir, 'x.conf'), bytes);
  assert.equal(run(['x.conf']).code, 0);
  const out = readFileSync(join(dir, 'x.conf'));
  assert.ok(out.includes(Buffer.from([0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a])), 'the Latin-1 byte is kept as is');
  assert.ok(out.includes(Buffer.from('\u00a0default 1;', 'utf8')));
  assert.ok(out.includes(Buffer.from('# off\r  default 2;', 'utf8')), 'the comment still runs past its CR');
  assert.deepEqual(read(out), read(bytes));
});

test('a symlinked config: the file it points to is formatted, the link stays a link', () => {
  mkdirSync(join(dir, 'sites-available'));
  mkdirSync(join(dir, 'sites-enabled'));
  writeFileSync(join(dir, 'sites-available', 'app'), 'server { listen 80; }\n');
  symlinkSync('../sites-available/app', join(dir, 'sites-enabled', 'app'));
  assert.equal(run([join('sites-enabled', 'app')]).code, 0);
  assert.ok(lstatSync(join(dir, 'sites-enabled', 'app')).isSymbolicLink());
  assert.equal(readlinkSync(join(dir, 'sites-enabled', 'app')), '../sites-available/app');
  assert.equal(readFileSync(join(dir, 'sites-available', 'app'), 'utf8'), 'server {\n    listen 80;\n}\n');
});

test('not a regular file: refused with a reason', () => {
  const r = run(['/dev/null']);
  assert.equal(r.code, 2);
  assert.match(r.err, /not a regular file/);
  const none = run([join(ROOT, 'docs')]);
  assert.equal(none.code, 2);
  assert.match(none.err, /no nginx file/);
  assert.ok(!existsSync(join(dir, 'null')));
});

test(
  'formatted rule fixtures pass real nginx -t as before, and nginx reads the same words',
  { skip: nginxAvailable() ? false : 'nginx is not installed' },
  async () => {
    const fixtures = join(ROOT, 'test', 'fixtures', 'rules');
    for (const id of readdirSync(fixtures)) {
      const text = readFileSync(join(fixtures, id, 'good.conf'), 'utf8');
      // Made messy (indentation gone, statements run together), then formatted back by the CLI.
      const messy = text.replace(/\n\s*/g, '\n').replace(/;\n(?=[a-z])/g, '; ');
      const out = run(['-'], messy);
      assert.equal(out.code, 0, `${id}: ${out.err}`);
      assert.deepEqual(read(out.out), read(text), id);
      const body = (t: string) => {
        const http = parse(t).children.find((c) => c.type === 'directive' && c.name === 'http');
        assert.ok(http && http.type === 'directive' && http.block, id);
        return t.slice(http.block.bodyStart, http.block.bodyEnd);
      };
      const r = await nginxTest({ http: body(out.out), vars: { BACKEND2: '9' } });
      assert.ok(r.ok, `${id}: ${r.output}\n${out.out}`);
    }
  },
);

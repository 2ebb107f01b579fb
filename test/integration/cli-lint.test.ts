/** `nginx-ws lint` as a user runs it: the built CLI, real files, exit codes and output formats. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Range, Severity } from '../../server/src/engine/index';
import { RULES } from '../../server/src/engine/rules/index';
import { describeStated, expectations, FIXTURE_FILES, statedAll } from '../support/rules';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FIX = join(ROOT, 'test', 'fixtures', 'rules');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(() => {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
});

test('text format looks like a compiler: file:line:col: severity code message; exit 1 on errors', () => {
  const r = run(['lint', join(FIX, 'ws-inherited-headers-dropped', 'bad.conf')]);
  assert.equal(r.code, 1);
  assert.match(r.out, /^test\/fixtures\/rules\/ws-inherited-headers-dropped\/bad\.conf:12:13: error ws-inherited-headers-dropped .+426/m);
  assert.match(r.err, /1 file: 1 error/);
});

test('json format: {tool, files, findings}; findings {file, root, range, severity, code, message, fixable} with 0-based positions', () => {
  const r = run(['lint', '--format', 'json', join(FIX, 'ws-connection-header', 'bad.conf')]);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.out) as {
    tool: { name: string; version: string };
    files: { file: string; root: string }[];
    findings: {
      file: string;
      range: { start: { line: number; character: number } };
      severity: string;
      code: string;
      message: string;
      fixable: boolean;
    }[];
  };
  assert.deepEqual(out.tool, { name: 'nginx-ws', version: PKG.version });
  assert.deepEqual(
    out.files.map((f) => [f.file, f.root]),
    [['test/fixtures/rules/ws-connection-header/bad.conf', 'test/fixtures/rules/ws-connection-header/bad.conf']],
  );
  const f = out.findings.find((x) => x.code === 'ws-connection-header')!;
  assert.deepEqual(Object.keys(f).sort(), ['code', 'file', 'fixable', 'message', 'range', 'root', 'severity']);
  assert.equal(f.severity, 'error');
  assert.equal(f.fixable, true);
  assert.deepEqual(f.range.start, { line: 8, character: 12 });
});

test('sarif format is SARIF 2.1.0 with rules and 1-based regions', () => {
  const r = run(['lint', '--format', 'sarif', join(FIX, 'ws-read-timeout-short', 'bad.conf')]);
  assert.equal(r.code, 0, 'warnings alone exit 0');
  const s = JSON.parse(r.out);
  assert.equal(s.version, '2.1.0');
  const res = s.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'ws-read-timeout-short');
  assert.equal(res.level, 'warning');
  assert.equal(res.locations[0].physicalLocation.region.startLine, 10);
  const rule = s.runs[0].tool.driver.rules.find((x: { id: string }) => x.id === 'ws-read-timeout-short');
  assert.ok(rule.helpUri && rule.help.text && rule.help.markdown && rule.fullDescription.text, 'rule help carried');
  assert.equal(s.runs[0].tool.driver.version, PKG.version);
});

test('a clean config exits 0; --nginx-version 1.30.0 drops the missing-version error', () => {
  assert.equal(run(['lint', join(FIX, 'ws-upgrade-header-missing', 'good.conf')]).code, 0);
  const bad = join(FIX, 'ws-http-version', 'bad.conf');
  assert.match(run(['lint', '--format', 'json', bad]).out, /sets no proxy_http_version/);
  assert.doesNotMatch(run(['lint', '--format', 'json', '--nginx-version', '1.30.0', bad]).out, /sets no proxy_http_version/);
});

test('usage and I/O problems exit 2 with a message naming the flag and no stack trace', () => {
  const good = join(FIX, 'ws-connection-header', 'good.conf');
  const cases: [string[], RegExp][] = [
    [['lint'], /no PATH given/],
    [['lint', '--format', 'xml', good], /--format wants one of text, json, sarif, got 'xml'/],
    [['lint', '--bogus', good], /unknown option --bogus/],
    [['lint', '/does/not/exist'], /\/does\/not\/exist: no such file or directory/],
    [['lint', '--nginx-version', 'banana', good], /--nginx-version wants a version such as 1\.24\.0, got 'banana'/],
    [['lint', '--threshold', '-1', good], /--threshold wants a non-negative number of seconds, got '-1'/],
    [['lint', '--threshold', 'soon', good], /--threshold wants a non-negative number of seconds, got 'soon'/],
    [['lint', '--max-warnings', '1.5', good], /--max-warnings wants a non-negative whole number of warnings, got '1\.5'/],
    [['lint', '--fail-on', 'loud', good], /--fail-on wants one of error, warning, information, hint, never/],
    [['lint', '--fix-level', 'warning', good], /--fix-level needs --fix/],
    [['lint', '--rule', 'ws-nope', good], /--rule: no rule 'ws-nope'/],
    [['lint', '--format'], /--format needs a value/],
    [['lint', '--settings', '/does/not/exist.json', good], /--settings \/does\/not\/exist\.json: file not found/],
    [['lint', '-', good], /- \(stdin\) cannot be combined/],
    [['endpoints'], /no PATH given/],
    [['test', 'ws://x/', '--timeout', '0'], /--timeout wants a positive number of milliseconds/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [[], /usage: nginx-ws COMMAND/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re, args.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at /, 'stack trace printed');
  }
});

test('--help on every command and the top level, --version, help COMMAND', () => {
  const top = run(['--help']);
  assert.equal(top.code, 0);
  for (const cmd of ['lint', 'test', 'endpoints']) {
    assert.match(top.out, new RegExp(`^  nginx-ws ${cmd} `, 'm'));
    const h = run([cmd, '--help']);
    assert.equal(h.code, 0, cmd);
    assert.match(h.out, new RegExp(`^usage: nginx-ws ${cmd} `));
    assert.equal(run(['help', cmd]).out, h.out);
    assert.equal(run([cmd, '-h', '--bogus']).code, 0, '--help wins over a bad flag');
  }
  assert.match(run(['lint', '--help']).out, /--max-warnings N/);
  const v = run(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.out, `${PKG.version}\n`);
});

test('--fail-on and --max-warnings gate CI on warnings; --rule limits what is reported', () => {
  const warn = join(FIX, 'ws-read-timeout-short', 'bad.conf');
  assert.equal(run(['lint', warn]).code, 0, 'warnings alone pass by default');
  assert.equal(run(['lint', '--fail-on', 'warning', warn]).code, 1);
  assert.equal(run(['lint', '--max-warnings', '0', warn]).code, 1);
  assert.match(run(['lint', '--max-warnings', '0', warn]).err, /more than --max-warnings 0/);
  assert.equal(run(['lint', '--max-warnings', '5', warn]).code, 0);
  const err = join(FIX, 'ws-connection-header', 'bad.conf');
  assert.equal(run(['lint', '--fail-on', 'never', err]).code, 0);
  const only = JSON.parse(run(['lint', '--format', 'json', '--rule', 'ws-read-timeout-default', err]).out) as {
    findings: { code: string }[];
  };
  assert.ok(only.findings.every((f) => f.code === 'ws-read-timeout-default'));
});

test("a directory is walked; an included snippet is linted in its includer's context", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    "events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    include conf.d/*.conf;\n}\n",
  );
  writeFileSync(
    join(dir, 'conf.d', 'app.conf'),
    'server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:3000;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n        proxy_read_timeout 2s;\n    }\n}\n',
  );
  writeFileSync(join(dir, 'README.txt'), 'not nginx');
  const r = run(['lint', '--format', 'json', dir]);
  const out = (JSON.parse(r.out) as { findings: { file: string; code: string }[] }).findings;
  // The map in nginx.conf is seen from conf.d/app.conf: no undefined-variable; the short timeout is reported once.
  assert.deepEqual(
    out.map((f) => `${f.file.split('/').slice(-2).join('/')} ${f.code}`),
    ['conf.d/app.conf ws-read-timeout-short'],
  );
  assert.equal(r.code, 0);
});

test('binary junk and an empty file do not crash the linter', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const junk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
  writeFileSync(join(dir, 'junk.conf'), junk);
  writeFileSync(join(dir, 'empty.conf'), '');
  const r = run(['lint', dir]);
  assert.ok(r.code === 0 || r.code === 1, r.err);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('--fix applies every quick fix to the files and leaves them clean', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = ['ws-inherited-headers-dropped', 'undefined-variable', 'ws-path-without-recipe', 'ws-keepalive-connection-clash'];
  for (const id of files) writeFileSync(join(dir, `${id}.conf`), readFileSync(join(FIX, id, 'bad.conf')));
  const r = run(['lint', '--fix', '--format', 'json', dir]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.deepEqual(JSON.parse(r.out).findings, []);
  assert.match(r.err, /fixed 1 problem in .*undefined-variable\.conf/);
  for (const id of files)
    assert.equal(
      readFileSync(join(dir, `${id}.conf`), 'utf8'),
      readFileSync(join(FIX, id, 'fixed.conf'), 'utf8'),
      `${id}: --fix differs from fixed.conf`,
    );
});

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint']);

test('every rule fixture: the CLI reports exactly the findings its expected.json states, file by file', () => {
  const files = RULES.flatMap((r) => FIXTURE_FILES.map((f) => `test/fixtures/rules/${r.id}/${f}`));
  const r = run(['lint', '--format', 'json', '--fail-on', 'never', ...files]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as {
    files: { file: string }[];
    findings: { file: string; range: Range; severity: Severity; code: string }[];
  };
  assert.deepEqual(out.files.map((f) => f.file).sort(), [...files].sort());
  for (const r of RULES) {
    for (const f of FIXTURE_FILES) {
      const file = `test/fixtures/rules/${r.id}/${f}`;
      const mine = out.findings.filter((x) => x.file === file);
      assert.ok(
        mine.every((x) => SEVERITIES.has(x.severity)),
        file,
      );
      assert.deepEqual(
        statedAll(mine, readFileSync(join(ROOT, file), 'utf8')).map(describeStated),
        expectations(r.id)![f].map(describeStated),
        file,
      );
    }
  }
});

test('every rule fixture: lint --fix --fix-level hint turns bad.conf into fixed.conf byte for byte', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-cli-fixed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const r of RULES) {
    mkdirSync(join(dir, r.id));
    writeFileSync(join(dir, r.id, 'bad.conf'), readFileSync(join(FIX, r.id, 'bad.conf')));
  }
  const res = run(['lint', '--fix', '--fix-level', 'hint', '--fail-on', 'never', ...RULES.map((r) => join(dir, r.id, 'bad.conf'))]);
  assert.equal(res.code, 0, res.err);
  for (const r of RULES) {
    const bad = readFileSync(join(FIX, r.id, 'bad.conf'), 'utf8');
    const after = readFileSync(join(dir, r.id, 'bad.conf'), 'utf8');
    if (/\r(?!\n)/.test(bad)) {
      // The CLI never rewrites a file with a lone CR (server/src/cli/fix.ts): nginx and an editor count its lines differently.
      assert.equal(after, bad, `${r.id}: a file with a lone CR is left as it was`);
      assert.match(res.err, new RegExp(`${r.id}/bad\\.conf: not fixed: it has carriage returns without line feeds`));
      continue;
    }
    assert.equal(after, readFileSync(join(FIX, r.id, 'fixed.conf'), 'utf8'), `${r.id}: lint --fix differs from fixed.conf`);
  }
});

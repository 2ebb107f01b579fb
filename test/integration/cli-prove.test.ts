/**
 * `nginx-ws prove` as a user runs it: the built CLI (dist/cli.js) in a real
 * process, real nginx; exit codes, the text report, the --json contract,
 * usage errors; and Ctrl+C in the middle of a proof still cleans up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce } from '../support/lsp-client';
import { nginxAvailable } from '../support/nginx';
import { processesMentioning } from '../support/proof-checks';

const ROOT = join(__dirname, '..', '..');
const skip = nginxAvailable() ? false : 'nginx is not installed';

function cli(args: string[], o: { timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`nginx-ws ${args.join(' ')} did not exit within ${o.timeoutMs ?? 30_000} ms`));
    }, o.timeoutMs ?? 30_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const CONF = (connection: string) => `events {}
http {
    server {
        listen 80;
        server_name chat.example.com;
        location /ws/ {
            proxy_pass http://app:3000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
${connection}        }
    }
}
`;

test('nginx-ws prove: exit 0 proven, 1 failed, 2 usage; text and --json', { skip, timeout: 120_000 }, async () => {
  buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'cli-prove-'));
  try {
    const good = join(dir, 'good.conf');
    const bad = join(dir, 'bad.conf');
    writeFileSync(good, CONF('            proxy_set_header Connection "upgrade";\n'));
    writeFileSync(bad, CONF(''));

    const ok = await cli(['prove', '--config', good, '--location', '/ws/']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(
      ok.stdout,
      /^Local nginx proof: location \/ws\/ \(.*good\.conf:6\)\nResult: PASSED\nURL: ws:\/\/chat\.example\.com:\d+\/ws\/ \(connected to 127\.0\.0\.1:\d+/,
    );
    assert.match(ok.stdout, /listen: listen 80; {2}→ {2}listen 127\.0\.0\.1:\d+;/);

    const failed = await cli(['prove', '--config', bad, '--location', '/ws/', '--json']);
    assert.equal(failed.code, 1, failed.stderr);
    const j = JSON.parse(failed.stdout);
    assert.equal(j.ok, false);
    assert.equal(j.stage, 'handshake');
    assert.equal(j.status, 426);
    assert.match(j.diagnosis.join('\n'), /ws-connection-header/);
    assert.equal(j.backend.requests[0].answer.status, 426);
    assert.ok(j.rewrites.some((w: { what: string; file: string; line: number }) => w.what === 'listen' && w.file === bad && w.line === 4));
    assert.deepEqual(j.cleanup.leftovers, []);
    assert.equal(j.cleanup.prefixRemoved, true);
    for (const k of [
      'ok',
      'stage',
      'status',
      'error',
      'location',
      'url',
      'connectedTo',
      'nginx',
      'diagnosis',
      'standsBehind',
      'rewrites',
      'caveats',
      'readInPlace',
      'backend',
      'nginxTest',
      'test',
      'errorLog',
      'timings',
      'cleanup',
      'ports',
    ]) {
      assert.ok(k in j, `--json has ${k}`);
    }

    // Usage errors: exit 2, a message, no proof run.
    for (const [args, message] of [
      [['prove', '--location', '/ws/'], /--config FILE is required/],
      [['prove', '--config', good], /--location PATH is required/],
      [['prove', '--config', join(dir, 'missing.conf'), '--location', '/ws/'], /no such file/],
      [['prove', '--config', good, '--location', '/nope/'], /no location '\/nope\/'.*WebSocket locations: \/ws\//],
      [['prove', '--config', good, '--location', '/ws/', '--idle', 'x'], /--idle wants a non-negative number/],
      [['prove', '--config', good, '--location', '/ws/', '--bogus'], /unknown option --bogus/i],
    ] as [string[], RegExp][]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const help = await cli(['prove', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: nginx-ws prove --config FILE --location PATH/);
    assert.match((await cli(['--help'])).stdout, /nginx-ws prove --config FILE --location PATH/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'nginx-ws prove: SIGINT during the idle hold stops nginx and removes the prefix before exiting',
  { skip, timeout: 60_000 },
  async () => {
    buildOnce();
    const dir = mkdtempSync(join(tmpdir(), 'cli-prove-int-'));
    try {
      const good = join(dir, 'nginx.conf');
      writeFileSync(good, CONF('            proxy_set_header Connection "upgrade";\n'));
      const run = spawn(
        process.execPath,
        [join(ROOT, 'dist', 'cli.js'), 'prove', '--config', good, '--location', '/ws/', '--idle', '60', '--json'],
        { cwd: ROOT },
      );
      let out = '';
      run.stdout.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((res) => run.on('close', (c) => res(c)));
      // Wait until a proof's nginx runs (its command line names the private prefix), then Ctrl+C the CLI.
      const mine = () => processesMentioning('nginx-ws-proof-', { under: run.pid! }).filter((p) => /nginx/.test(p));
      for (let i = 0; i < 400 && mine().length === 0; i++) await new Promise((res) => setTimeout(res, 25));
      assert.ok(mine().length > 0, 'the proof started nginx');
      run.kill('SIGINT');
      const code = await exited;
      assert.equal(code, 1, out);
      const j = JSON.parse(out);
      assert.equal(j.ok, false);
      assert.deepEqual(j.cleanup.leftovers, []);
      assert.deepEqual(processesMentioning('nginx-ws-proof-', { orphaned: true }), [], 'no nginx left running');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

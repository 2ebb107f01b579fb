#!/usr/bin/env node
/**
 * `npm start`: what a user of the extension sees, without VS Code.
 * 1. Lint the bundled example (examples/chat/nginx.conf) like the editor does.
 * 2. Apply every quick fix (`nginx-ws lint --fix`) to a copy and show the diff.
 * 3. With nginx installed: `nginx-ws prove` the original and the fixed copy,
 *    the code path of the editor's "Prove with local nginx": each runs in a
 *    private local nginx (loopback ports, a temporary prefix) in front of a
 *    strict WebSocket echo backend, with a real RFC 6455 handshake through it.
 *    Everything a proof starts is stopped, and its prefix removed, before it
 *    returns.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const example = join(root, 'examples', 'chat', 'nginx.conf');
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (s) => console.log(`\n${bold(`== ${s}`)}`);

function nginxBinary() {
  for (const p of [process.env.NGINX_BINARY, '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    if (p && existsSync(p)) return p;
  }
  const w = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return w.status === 0 ? w.stdout.trim() : null;
}

function runCli(args) {
  return spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', cwd: root }).status;
}

/** Like runCli, without blocking this process (Ctrl+C reaches the proof, which then cleans up). */
function runCliAsync(args) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { stdio: 'inherit', cwd: root });
    p.once('exit', (code) => resolve(code));
  });
}

const work = mkdtempSync(join(tmpdir(), 'nginx-ws-demo-'));
const cleanups = [() => rmSync(work, { recursive: true, force: true })];
let exitCode = 0;
try {
  step('1. Lint examples/chat/nginx.conf (the squiggles the editor shows)');
  const lintStatus = runCli(['lint', 'examples/chat/nginx.conf']);
  if (lintStatus !== 1) throw new Error(`expected the example to have errors (exit 1), got exit ${lintStatus}`);

  step('2. Apply every quick fix to a copy (the lightbulb\'s "Fix all")');
  const fixed = join(work, 'nginx.conf');
  copyFileSync(example, fixed);
  if (runCli(['lint', '--fix', fixed]) !== 0) throw new Error('the fixed config still has errors');
  const diff = spawnSync('diff', ['-u', '--label', 'examples/chat/nginx.conf', '--label', 'fixed/nginx.conf', example, fixed], {
    encoding: 'utf8',
  });
  console.log(diff.stdout || readFileSync(fixed, 'utf8'));

  const nginx = nginxBinary();
  if (!nginx) {
    step('3. Local proof skipped: nginx is not installed (Debian/Ubuntu: apt-get install -y nginx-light)');
  } else {
    // The same code path as the editor's "Prove with local nginx": the whole config in a private prefix,
    // loopback ports, a strict echo backend in place of 127.0.0.1:3000; nothing is left behind.
    step(`3. Prove it with a private local nginx (${nginx}): the original, then the fixed copy`);
    for (const [config, location] of [
      ['examples/chat/nginx.conf', '/ws/'],
      [fixed, '/ws/'],
      [fixed, '/notifications/'],
    ]) {
      console.log(`\n$ nginx-ws prove --config ${config === fixed ? 'fixed/nginx.conf' : config} --location ${location}`);
      const status = await runCliAsync(['prove', '--config', config, '--location', location, '--nginx', nginx, '--timeout', '5000']);
      const expected = config === fixed ? 0 : 1;
      if (status !== expected) {
        console.error(`expected exit ${expected} (${expected ? 'the original fails' : 'the fix is proven'}), got ${status}`);
        exitCode = 1;
      }
    }
  }
} catch (e) {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 1;
} finally {
  for (const c of cleanups) c();
}
process.exitCode = exitCode;

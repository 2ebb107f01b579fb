#!/usr/bin/env node
/**
 * `npm start`: what a user of the extension sees, without VS Code.
 * 1. Lint the bundled example (examples/chat/nginx.conf) like the editor does.
 * 2. Apply every quick fix (`nginx-ws lint --fix`) to a copy and show the diff.
 * 3. With nginx installed: `nginx -t` both versions, run the fixed one on a
 *    free loopback port in front of a real WebSocket echo backend, and prove
 *    it with `nginx-ws test` (a real RFC 6455 handshake). Everything started
 *    here is stopped before exit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

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

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function runCli(args) {
  return spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', cwd: root }).status;
}

/** Like runCli, but keeps this process' event loop free: the echo backend lives here. */
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
  const diff = spawnSync('diff', ['-u', '--label', 'examples/chat/nginx.conf', '--label', 'fixed/nginx.conf', example, fixed], { encoding: 'utf8' });
  console.log(diff.stdout || readFileSync(fixed, 'utf8'));

  const nginx = nginxBinary();
  if (!nginx) {
    step('3. Live proof skipped: nginx is not installed (Debian/Ubuntu: apt-get install -y nginx-light)');
  } else {
    step(`3. Real nginx (${nginx}): nginx -t on both, then a real handshake through the fixed one`);
    const [port, backendPort] = [await freePort(), await freePort()];
    const prefix = join(work, 'prefix');
    for (const d of ['logs', 'tmp', 'html']) mkdirSync(join(prefix, d), { recursive: true });
    // Run on loopback ports chosen now, with every path inside the temp prefix.
    const localise = (text) =>
      text
        .replace(/listen 8080;/g, `listen 127.0.0.1:${port};`)
        .replace(/127\.0\.0\.1:3000/g, `127.0.0.1:${backendPort}`)
        .replace(/http \{/, `http {\n    access_log ${prefix}/logs/access.log;\n    client_body_temp_path ${prefix}/tmp/body;\n    proxy_temp_path ${prefix}/tmp/proxy;\n    fastcgi_temp_path ${prefix}/tmp/fastcgi;\n    uwsgi_temp_path ${prefix}/tmp/uwsgi;\n    scgi_temp_path ${prefix}/tmp/scgi;`);
    const globals = `pid ${prefix}/nginx.pid; error_log ${prefix}/logs/error.log info; daemon off; master_process off;`;
    for (const [name, file] of [['original', example], ['fixed', fixed]]) {
      const conf = join(prefix, `${name}.conf`);
      writeFileSync(conf, localise(readFileSync(file, 'utf8')));
      const t = spawnSync(nginx, ['-t', '-q', '-p', prefix, '-c', conf, '-g', globals], { encoding: 'utf8' });
      const why = t.stderr.split('\n').find((l) => l.includes('[emerg]')) ?? t.stderr.trim();
      console.log(`nginx -t (${name}): ${t.status === 0 ? 'ok' : why.replace(/^.*\[emerg\] \S+ /, '')}`);
    }

    const wss = new WebSocketServer({ host: '127.0.0.1', port: backendPort });
    wss.on('connection', (ws) => ws.on('message', (m, bin) => ws.send(m, { binary: bin })));
    cleanups.unshift(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
    await new Promise((r) => wss.once('listening', r));

    const proc = spawn(nginx, ['-p', prefix, '-c', join(prefix, 'fixed.conf'), '-g', globals], { stdio: ['ignore', 'ignore', 'pipe'] });
    cleanups.unshift(() => new Promise((r) => { if (proc.exitCode !== null) return r(); proc.once('exit', () => r()); proc.kill('SIGTERM'); }));
    await waitForPort(port, proc);

    console.log(`\nA WebSocket echo backend listens on 127.0.0.1:${backendPort}; nginx with the fixed config on 127.0.0.1:${port}.`);
    runCli(['endpoints', join(prefix, 'fixed.conf')]);
    for (const path of ['/ws/', '/notifications/']) {
      console.log(`\n$ nginx-ws test ws://127.0.0.1:${port}${path}`);
      const status = await runCliAsync(['test', `ws://127.0.0.1:${port}${path}`, '--timeout', '5000']);
      if (status !== 0) exitCode = 1;
    }
  }
} catch (e) {
  console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
  exitCode = 1;
} finally {
  for (const c of cleanups) await c();
}
process.exitCode = exitCode;

/** Resolves once nginx accepts connections; rejects if it exits first or takes over 10 s. */
function waitForPort(port, proc) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let stderr = '';
    proc.stderr.on('data', (b) => (stderr += b));
    proc.once('exit', (code) => reject(new Error(`nginx exited (${code}): ${stderr}`)));
    const attempt = () => {
      const sock = new Socket();
      sock.once('connect', () => { sock.destroy(); resolve(); });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() - started > 10_000) reject(new Error(`nginx did not listen on ${port}: ${stderr}`));
        else setTimeout(attempt, 50);
      });
      sock.connect(port, '127.0.0.1');
    };
    attempt();
  });
}

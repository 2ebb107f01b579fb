#!/usr/bin/env node
// End-to-end sessions in a real VS Code (code-server) in headless Chromium,
// against the packaged VSIX as a user installs it.
//
//   npm run test:e2e                      all sessions
//   E2E_ONLY=diagnostics npm run test:e2e sessions whose file name contains "diagnostics"
//                                         (comma-separated list allowed)
//   E2E_KEEP=1                            keep the temp folders (code-server logs, workspaces)
//   E2E_SKIP_PACKAGE=1                    reuse ./nginx-websocket.vsix instead of repackaging
//
// Steps: install code-server into the cache (scripts/setup-code-server.sh; a
// warm cache is a no-op), package the VSIX, install it once into a template
// extensions folder, then run test/e2e/sessions/*.e2e.mjs one at a time with
// node's test runner (2 cores: sessions in parallel would only be slower and
// flakier). Screenshots land in test-results/e2e/<session>/.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const SESSIONS = join(REPO, 'test', 'e2e', 'sessions');
const VSIX = join(REPO, 'nginx-websocket.vsix');
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function step(what, cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000, ...opts });
  if (r.status !== 0) {
    process.stderr.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    console.error(`[e2e] ${what} failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
  console.log(`[e2e] ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return r.stdout;
}

const only = (process.env.E2E_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const files = readdirSync(SESSIONS)
  .filter((f) => f.endsWith('.e2e.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  console.error(`[e2e] no session matches E2E_ONLY=${process.env.E2E_ONLY}; sessions: ${readdirSync(SESSIONS).join(', ')}`);
  process.exit(2);
}

// A full run starts from an empty results folder, so no stale screenshot survives.
if (only.length === 0) rmSync(join(REPO, 'test-results', 'e2e'), { recursive: true, force: true });

const csDir =
  step('code-server install (scripts/setup-code-server.sh)', 'bash', [join(REPO, 'scripts', 'setup-code-server.sh')])
    .trim()
    .split('\n')
    .pop() ?? '';

if (!process.env.E2E_SKIP_PACKAGE || !existsSync(VSIX)) {
  step('npm run package', 'npm', ['run', '--silent', 'package']);
}
console.log(`[e2e] VSIX: ${(statSync(VSIX).size / 1024).toFixed(1)} KiB`);

// One install, copied per session: --install-extension costs ~2 s each time.
const tmp = mkdtempSync(join(tmpdir(), 'nginx-ws-e2e-run-'));
const extTemplate = join(tmp, 'extensions');
mkdirSync(extTemplate);
step(
  'install VSIX into code-server',
  process.execPath,
  [
    join(csDir, 'node_modules/code-server/out/node/entry.js'),
    '--extensions-dir',
    extTemplate,
    '--user-data-dir',
    join(tmp, 'ud'),
    '--install-extension',
    VSIX,
  ],
  { env: { ...process.env, XDG_CONFIG_HOME: join(tmp, 'xdg-config'), XDG_DATA_HOME: join(tmp, 'xdg-data'), EXTENSIONS_GALLERY: '{}' } },
);

console.log(`[e2e] sessions: ${files.join(', ')}`);
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-timeout=180000',
    ...files.map((f) => join(SESSIONS, f)),
  ],
  {
    cwd: REPO,
    stdio: 'inherit',
    env: { ...process.env, E2E_CODE_SERVER_DIR: csDir, E2E_EXTENSIONS_TEMPLATE: extTemplate },
  },
);
const forward = (sig) => child.kill(sig);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => {
  rmSync(tmp, { recursive: true, force: true });
  gatherSquiggleTimes();
  console.log(`[e2e] total ${elapsed()}; screenshots in ${join(REPO, 'test-results', 'e2e')}`);
  process.exit(code ?? (signal ? 1 : 0));
});

/**
 * The open-to-first-squiggle samples the sessions of this run recorded (test-results/e2e/<session>/
 * squiggle-times.json, written after the run started), as test-results/e2e-squiggle-times.json, and appended to
 * test-results/e2e-squiggle-history.json (the last 20 runs), which `npm run bench` summarises.
 */
function gatherSquiggleTimes() {
  const results = join(REPO, 'test-results');
  const dir = join(results, 'e2e');
  const samples = [];
  for (const session of existsSync(dir) ? readdirSync(dir).sort() : []) {
    const file = join(dir, session, 'squiggle-times.json');
    if (!existsSync(file) || statSync(file).mtimeMs < t0) continue;
    try {
      samples.push(...JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      // a session killed while writing: its samples are lost, the others kept
    }
  }
  if (!samples.length) return;
  const run = { date: new Date(t0).toISOString(), samples };
  const write = (file, data) => {
    writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 1));
    renameSync(`${file}.tmp`, file);
  };
  write(join(results, 'e2e-squiggle-times.json'), run);
  const historyFile = join(results, 'e2e-squiggle-history.json');
  /** @type {{ runs: unknown[] }} */
  let history = { runs: [] };
  try {
    history = JSON.parse(readFileSync(historyFile, 'utf8'));
  } catch {
    // none yet, or unreadable: start again
  }
  history.runs = [...(Array.isArray(history.runs) ? history.runs : []), run].slice(-20);
  write(historyFile, history);
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  console.log(`[e2e] open → first squiggle: ${ms.join(', ')} ms (npm run bench prints the distribution over the last runs)`);
}

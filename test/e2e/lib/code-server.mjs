// A real VS Code (code-server) on loopback, driven by headless Debian
// Chromium, for one scripted user session. Everything a session starts lives
// in one temp folder and is stopped by `t.after`, even when the session fails.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const REPO = resolve(import.meta.dirname, '../../..');
export const RESULTS = join(REPO, 'test-results', 'e2e');
const WORKSPACES = join(REPO, 'test', 'e2e', 'workspaces');

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the e2e sessions through test/e2e/run.mjs`);
  return v;
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Resolves when `pattern` shows up in the stream's text, rejects on exit or timeout. */
function waitForOutput(proc, streams, pattern, timeoutMs, what) {
  return new Promise((res, rej) => {
    let seen = '';
    const onData = (chunk) => {
      seen += chunk.toString();
      const m = seen.match(pattern);
      if (m) done(null, m);
    };
    const onExit = (code, signal) => done(new Error(`${what} exited (${code ?? signal}) before it was ready:\n${seen.slice(-2000)}`));
    const timer = setTimeout(() => done(new Error(`${what} not ready after ${timeoutMs} ms:\n${seen.slice(-2000)}`)), timeoutMs);
    /** @param {Error | null} err @param {RegExpMatchArray} [m] */
    function done(err, m) {
      clearTimeout(timer);
      for (const s of streams) s.off('data', onData);
      proc.off('exit', onExit);
      if (err) rej(err);
      else res(m);
    }
    for (const s of streams) s.on('data', onData);
    proc.on('exit', onExit);
  });
}

// extensions.json, VS Code's list of installed extensions, holds absolute
// paths: point the copy's entries at the copy.
function relocateExtensions(from, to) {
  const manifest = join(to, 'extensions.json');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').split(from).join(to));
}

/**
 * Registers an unpacked extension folder already inside `ext` (named
 * `<publisher>.<name>-<version>`): a folder VS Code does not find in
 * extensions.json is ignored.
 */
export function registerUnpackedExtension(ext, folderName) {
  const pkg = JSON.parse(readFileSync(join(ext, folderName, 'package.json'), 'utf8'));
  const manifest = join(ext, 'extensions.json');
  const list = JSON.parse(readFileSync(manifest, 'utf8'));
  const path = join(ext, folderName);
  list.push({
    identifier: { id: `${pkg.publisher}.${pkg.name}` },
    version: pkg.version,
    location: { $mid: 1, fsPath: path, external: `file://${path}`, path, scheme: 'file' },
    relativeLocation: folderName,
    metadata: { installedTimestamp: Date.now(), source: 'resource' },
  });
  writeFileSync(manifest, JSON.stringify(list));
}

function killGroup(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return /** @type {Promise<void>} */ (
    new Promise((res) => {
      const hard = setTimeout(() => {
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      proc.once('exit', () => {
        clearTimeout(hard);
        res();
      });
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        clearTimeout(hard);
        res();
      }
    })
  );
}

/**
 * Starts code-server on a copy of test/e2e/workspaces/<workspace> with the
 * packaged extension installed, opens it in Chromium and waits for the
 * workbench. `trusted: false` leaves workspace trust on (the user has not
 * trusted the folder yet).
 *
 * @param {import('node:test').TestContext} t
 * @param {{ session: string, workspace: string, workspaceDir?: string, trusted?: boolean,
 *   settings?: Record<string, unknown>, viewport?: { width: number, height: number },
 *   beforeStart?: (dirs: { root: string, ws: string, ud: string, ext: string }) => void | Promise<void> }} options
 */
export async function openVSCode(
  t,
  { session, workspace, workspaceDir, trusted = true, settings = {}, beforeStart, viewport = { width: 1400, height: 900 } },
) {
  const csDir = env('E2E_CODE_SERVER_DIR');
  const extTemplate = env('E2E_EXTENSIONS_TEMPLATE');
  const root = mkdtempSync(join(tmpdir(), `nginx-ws-e2e-${session}-`));
  const cleanups = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        console.error(`[e2e] cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    cleanups.length = 0;
    if (!process.env.E2E_KEEP) rmSync(root, { recursive: true, force: true });
  };
  t.after(stop);

  // A copy, so sessions that save edits never touch the fixtures.
  const ws = join(root, 'ws', workspace);
  cpSync(workspaceDir ?? join(WORKSPACES, workspace), ws, { recursive: true });
  const ud = join(root, 'user-data');
  const ext = join(root, 'extensions');
  cpSync(extTemplate, ext, { recursive: true });
  relocateExtensions(extTemplate, ext);
  mkdirSync(join(ud, 'User'), { recursive: true });
  writeFileSync(
    join(ud, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'git.enabled': false,
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'editor.minimap.enabled': false,
        'window.commandCenter': false,
        'chat.commandCenter.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        // VS Code for the web saves after a delay by default; the desktop default
        // (off) makes "saved" an explicit, observable step.
        'files.autoSave': 'off',
        ...settings,
      },
      null,
      2,
    ),
  );
  for (const d of ['xdg-config', 'xdg-data', 'browser']) mkdirSync(join(root, d));

  const shotsDir = join(RESULTS, session);
  rmSync(shotsDir, { recursive: true, force: true });
  mkdirSync(shotsDir, { recursive: true });

  if (beforeStart) await beforeStart({ root, ws, ud, ext });

  const port = await freePort();
  const log = createWriteStream(join(shotsDir, 'code-server.log'));
  const args = [
    join(csDir, 'node_modules/code-server/out/node/entry.js'),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--extensions-dir',
    ext,
    '--user-data-dir',
    ud,
    ...(trusted ? ['--disable-workspace-trust'] : []),
    ws,
  ];
  const cs = spawn(process.execPath, args, {
    cwd: root,
    detached: true, // own process group: the extension host and our LSP server die with it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(root, 'xdg-config'),
      XDG_DATA_HOME: join(root, 'xdg-data'),
      EXTENSIONS_GALLERY: '{}',
      ...(process.env.E2E_CS_ENV ? JSON.parse(process.env.E2E_CS_ENV) : {}),
    },
  });
  cs.stdout.pipe(log);
  cs.stderr.pipe(log);
  // Backstop for a runner killed mid-session: t.after does not run then.
  const onExit = () => {
    try {
      if (cs.pid) process.kill(-cs.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', onExit);
  cleanups.push(async () => {
    await killGroup(cs);
    process.off('exit', onExit);
  });
  await waitForOutput(cs, [cs.stdout, cs.stderr], /HTTP server listening on/, 30_000, 'code-server');

  const context = await chromium.launchPersistentContext(join(root, 'browser'), {
    executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });

  let shotNo = 0;
  const vs = {
    page,
    root,
    ws,
    ud,
    ext,
    port,
    shotsDir,
    consoleErrors,
    /** Saves test-results/e2e/<session>/NN-<step>.png. */
    async shot(step) {
      shotNo += 1;
      const file = join(shotsDir, `${String(shotNo).padStart(2, '0')}-${step}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    readFile(rel) {
      return readFileSync(join(ws, rel), 'utf8');
    },
    /**
     * A screenshot the README shows: saved like any other, and with E2E_UPDATE_IMAGES=1 (`npm run images`)
     * also as images/<name>.png, the committed copy (test/unit/readme.test.ts checks each one the README shows
     * exists). Plain runs leave images/ alone, so `npm test` never dirties the work tree.
     */
    async keep(name) {
      const file = await vs.shot(name);
      if (process.env.E2E_UPDATE_IMAGES === '1') {
        mkdirSync(join(REPO, 'images'), { recursive: true });
        copyFileSync(file, join(REPO, 'images', `${name}.png`));
      }
      return file;
    },
    stop,
  };
  // The last view before teardown, pass or fail: the first thing to look at when a step times out.
  cleanups.push(() => vs.shot('final').catch(() => {}));
  const started = Date.now();
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor();
  vs.workbenchMs = Date.now() - started;
  return vs;
}

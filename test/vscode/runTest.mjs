#!/usr/bin/env node
// `npm run test:vscode`: the mocha suite in test/vscode/suite inside a real
// VS Code (Electron) through @vscode/test-electron, with this repo as the
// extension under development and test/vscode/workspace as the workspace.
//
// @vscode/test-electron downloads VS Code unless it is given one. Set
// VSCODE_EXECUTABLE_PATH to an installed VS Code (the `code` binary of a
// desktop install, or the Electron executable of an unpacked archive) where
// the download host is unreachable. The same suite also runs in code-server's
// extension host as part of `npm run test:e2e` (session "vscode-suite").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO, SUITE_WORKSPACE, buildSuite } from './build.mjs';

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const extensionTestsPath = await buildSuite();

const vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH || undefined;
if (!vscodeExecutablePath) {
  console.log('[test:vscode] VSCODE_EXECUTABLE_PATH not set: @vscode/test-electron will try to download VS Code');
}
const scratch = mkdtempSync(join(tmpdir(), 'nginx-ws-vscode-test-'));
try {
  await runTests({
    ...(vscodeExecutablePath ? { vscodeExecutablePath } : {}),
    extensionDevelopmentPath: REPO,
    extensionTestsPath,
    launchArgs: [
      SUITE_WORKSPACE,
      '--disable-extensions', // only ours: another nginx extension would fight over the language id
      '--disable-workspace-trust',
      '--user-data-dir',
      join(scratch, 'user-data'),
      '--extensions-dir',
      join(scratch, 'extensions'),
    ],
  });
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`[test:vscode] failed: ${message}`);
  if (!vscodeExecutablePath && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|download/i.test(message)) {
    console.error('[test:vscode] VS Code could not be downloaded: set VSCODE_EXECUTABLE_PATH to an installed VS Code,');
    console.error('[test:vscode] or run the same suite in code-server: E2E_ONLY=vscode-suite npm run test:e2e');
  }
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// Session: the same config in a workspace the user has not trusted (no
// --disable-workspace-trust). The linter and the CodeLens still work; "Test WebSocket
// endpoint" (palette or CodeLens) asks before connecting to an address taken from the workspace,
// Cancel connects nowhere, and nginx is never executed (no `nginx -t`, no "Prove with local nginx"). With the
// backend test on (a user setting: the workspace's own value is ignored in Restricted Mode), it asks again
// before connecting to the proxy_pass backend the config names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openVSCode } from '../lib/code-server.mjs';
import { startLiveEndpoint } from '../lib/live-endpoint.mjs';
import { codeLens, gotoLine, notification, openUntilSquiggle, outputChannelText, runCommand } from '../lib/workbench.mjs';

async function startTest(page) {
  await gotoLine(page, 25, 13);
  await runCommand(page, 'Test WebSocket endpoint');
  await acceptUrl(page);
}

/** Accepts the URL the command proposes. */
async function acceptUrl(page) {
  const box = page.locator('.quick-input-widget', { hasText: 'Test WebSocket endpoint' });
  const input = box.locator('input');
  await input.waitFor();
  await page.waitForFunction((el) => el.value.startsWith('ws'), await input.elementHandle());
  await input.press('Enter');
  await box.waitFor({ state: 'hidden' });
}

test('untrusted: the endpoint test asks before connecting and runs no nginx', async (t) => {
  const live = await startLiveEndpoint(t);
  const vs = await openVSCode(t, {
    session: 'untrusted',
    workspace: 'endpoint',
    trusted: false,
    // Restricted Mode without the startup modal, as after "Don't Trust".
    settings: { 'security.workspace.trust.startupPrompt': 'never', 'nginxWs.endpoint.testBackendDirect': true },
    beforeStart: ({ ws }) => live.writeInto(ws),
  });
  const { page } = vs;
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor();
  await openUntilSquiggle(vs, 'nginx.conf'); // limited support: the linter runs
  await vs.shot('restricted-mode-lints');

  await startTest(page);
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'This workspace is not trusted' });
  await dialog.waitFor();
  await vs.shot('asks-before-connecting');
  assert.match(await dialog.innerText(), new RegExp(`localhost:${live.nginx.port}`), 'the question names the address');
  assert.equal(live.backend.requests.length, 0, 'nothing connected while the question is open');
  assert.equal(readFileSync(join(live.nginx.prefix, 'access.log'), 'utf8'), '', 'nginx saw no request');

  await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });

  // The CodeLens is offered in Restricted Mode too, and asks the same question before connecting.
  const lens = await codeLens(page, 'Test WebSocket endpoint');
  await vs.shot('restricted-mode-codelens');
  // "Prove with local nginx" runs nginx: not offered here, neither beside the lens nor in the palette.
  assert.equal(await page.locator('.editor-instance .codelens-decoration a', { hasText: 'Prove with local nginx' }).count(), 0);
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>local nginx');
  // Filtered: fuzzy matches of both words are listed (our other commands, "Local History: ..."). Where the
  // command is offered, its title holds "local nginx" verbatim and ranks first among them.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Local History' }).first().waitFor();
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'nginx WebSocket:' }).first().waitFor();
  assert.equal(
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Prove WebSocket location' }).count(),
    0,
    'no Prove command in the palette',
  );
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await lens.click();
  await acceptUrl(page);
  await dialog.waitFor();
  await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(live.backend.requests.length, 0, 'the CodeLens run connected nowhere either');

  // Asked again and allowed this time: exactly one handshake, so Cancel made none.
  await startTest(page);
  await dialog.waitFor();
  await dialog.locator('.monaco-button', { hasText: 'Connect' }).click();
  // The backend address comes from the config's proxy_pass: asked separately, and skipped here.
  const backendDialog = page.locator('.monaco-dialog-box', { hasText: 'Also connect directly to the backend' });
  await backendDialog.waitFor();
  await vs.shot('asks-before-the-backend');
  assert.match(
    await backendDialog.innerText(),
    new RegExp(`127\\.0\\.0\\.1:${live.backend.port}`),
    'the question names the backend address',
  );
  await backendDialog.locator('.monaco-button', { hasText: 'Skip the backend test' }).click();
  await notification(page, 'WebSocket OK');
  await vs.shot('connected-after-consent');
  assert.match(readFileSync(join(live.nginx.prefix, 'access.log'), 'utf8'), /GET \/live\/ HTTP\/1\.1" 101/, 'now nginx saw the upgrade');
  assert.equal(live.backend.requests.length, 1, 'one handshake: the cancelled run connected nowhere, and the skipped backend test neither');
  const report = outputChannelText(vs.ud, 'nginx WebSocket');
  assert.match(report, /Result: PASSED/);
  assert.doesNotMatch(report, /Backend direct/, 'no backend test after "Skip"');
  assert.doesNotMatch(report, /nginx -t/, 'nginx is not executed in an untrusted workspace');
  assert.doesNotMatch(report, /error_log/, "the config's error_log is not read in an untrusted workspace");
});

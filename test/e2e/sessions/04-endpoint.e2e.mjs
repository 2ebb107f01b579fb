// Session: "Test WebSocket endpoint" against a real nginx and a real ws
// backend started here. From F1 on a working location: the input box offers
// the URL derived from the config, a success notification, a report in the
// output channel. On a location missing the Connection header: a failure
// notification naming 426 and the header. The CodeLens runs the same test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openVSCode } from '../lib/code-server.mjs';
import { startLiveEndpoint } from '../lib/live-endpoint.mjs';
import { openFile, gotoLine, runCommand, notification, outputChannelText } from '../lib/workbench.mjs';

/** Answers the URL input box with its suggested value and returns that value. */
async function acceptUrl(page) {
  const box = page.locator('.quick-input-widget', { hasText: 'Test WebSocket endpoint' });
  await box.waitFor();
  const input = box.locator('input');
  await page.waitForFunction((el) => el.value.startsWith('ws'), await input.elementHandle());
  const url = await input.inputValue();
  await input.press('Enter');
  await box.waitFor({ state: 'hidden' });
  return url;
}

/** The cancellable "Testing ..." progress toast closes once the verdict is out. */
async function progressGone(page) {
  await page.locator('.notifications-toasts .notification-toast', { hasText: 'Testing ws://' }).waitFor({ state: 'detached', timeout: 10_000 });
}

test('endpoint: palette and CodeLens run a real handshake through nginx', async (t) => {
  const live = await startLiveEndpoint(t);
  const port = live.nginx.port;
  const vs = await openVSCode(t, { session: 'endpoint', workspace: 'endpoint', beforeStart: ({ ws }) => live.writeInto(ws) });
  const { page } = vs;
  await openFile(page, 'nginx.conf');
  await page.locator('.editor-instance .squiggly-error').first().waitFor(); // analysed: /broken/ lacks Connection

  // 1. Palette on the working location.
  await gotoLine(page, 25, 13);
  await runCommand(page, 'Test WebSocket endpoint');
  const url = await acceptUrl(page);
  assert.match(url, new RegExp(`^ws://(localhost|127\\.0\\.0\\.1):${port}/live/$`), 'URL derived from listen, server_name and the location');
  const ok = await notification(page, 'WebSocket OK');
  await vs.shot('palette-success');
  await progressGone(page);
  assert.equal(live.backend.requests.filter((r) => r.url.startsWith('/live/')).length, 1, 'the handshake reached the backend through nginx');
  await ok.locator('.monaco-button', { hasText: 'Show report' }).click();
  // The Output view scrolls to the end of the report.
  await page.locator('.part.panel .monaco-editor .view-lines', { hasText: 'Diagnosis' }).first().waitFor();
  await vs.shot('report');
  const report = outputChannelText(vs.ud, 'nginx WebSocket');
  assert.match(report, new RegExp(`WebSocket endpoint test: ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\nResult: PASSED\n`));
  assert.match(report, /HTTP\/1\.1 101 Switching Protocols/);
  assert.match(report, /Server: nginx\//, 'the answer came through nginx');
  assert.match(report, /nginx -t: ok/, 'trusted workspace: nginx -t ran on the config');

  // 2. Palette on the broken location.
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await gotoLine(page, 33, 13);
  await runCommand(page, 'Test WebSocket endpoint');
  assert.match(await acceptUrl(page), new RegExp(`:${port}/broken/$`));
  const failed = await notification(page, 'WebSocket failed');
  await vs.shot('palette-failure');
  await progressGone(page);
  const failText = await failed.innerText();
  assert.match(failText, /426/, `the cause names the status: ${failText}`);
  assert.match(failText, /Connection/, `the cause names the missing header: ${failText}`);

  // 3. The CodeLens above /live/ runs the same test.
  const before = live.backend.requests.length;
  const lens = page.locator('.editor-instance .codelens-decoration a', { hasText: 'Test WebSocket endpoint' }).first();
  await lens.waitFor();
  await vs.shot('codelens');
  // Clear the earlier toasts, so the success seen next is this run's.
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached' });
  await lens.click();
  assert.match(await acceptUrl(page), /\/live\/$/);
  await notification(page, 'WebSocket OK');
  await vs.shot('codelens-success');
  assert.equal(live.backend.requests.length, before + 1, 'the CodeLens test connected through nginx');
});

// Session: "Test WebSocket endpoint" against a real nginx and a real ws
// backend started here, as a user sees it: the report panel beside the editor
// (verdict, stages, headers, diagnosis), a one-line toast, the progress
// notification gone once the verdict is out. On a location missing the
// Connection header: the panel names 426, its config link opens the right
// line, its fix button applies the quick fix, saves, reloads nginx
// (nginxWs.endpoint.reloadCommand) and the re-run passes. The CodeLens runs
// the same test. Screenshots of the panel are kept for the README (images/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openVSCode, REPO } from '../lib/code-server.mjs';
import { startLiveEndpoint } from '../lib/live-endpoint.mjs';
import {
  openUntilSquiggle,
  gotoLine,
  runCommand,
  notification,
  outputChannelText,
  reportFrame,
  cursorPosition,
} from '../lib/workbench.mjs';

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
  await page
    .locator('.notifications-toasts .notification-toast', { hasText: 'Testing ws://' })
    .waitFor({ state: 'detached', timeout: 10_000 });
}

async function clearToasts(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached' });
}

test('endpoint: the report panel, its config link and its fix button, against real nginx', async (t) => {
  const live = await startLiveEndpoint(t);
  const port = live.nginx.port;
  const reload = `node ${JSON.stringify(join(REPO, 'test/e2e/lib/reload-nginx.mjs'))} nginx.conf ${JSON.stringify(live.nginx.confPath)} ${live.nginx.pid}`;
  const vs = await openVSCode(t, {
    session: 'endpoint',
    workspace: 'endpoint',
    settings: { 'nginxWs.endpoint.reloadCommand': reload },
    beforeStart: ({ ws }) => live.writeInto(ws),
  });
  const { page } = vs;
  await openUntilSquiggle(vs, 'nginx.conf'); // analysed: /broken/ lacks Connection

  // 1. Palette on the working location: a one-line toast and the panel with the verdict first.
  await gotoLine(page, 25, 13);
  await runCommand(page, 'Test WebSocket endpoint');
  const url = await acceptUrl(page);
  assert.match(
    url,
    new RegExp(`^ws://(localhost|127\\.0\\.0\\.1):${port}/live/$`),
    'URL derived from listen, server_name and the location',
  );
  const ok = await notification(page, 'WebSocket OK');
  assert.doesNotMatch(await ok.innerText(), /\n.*\n.*\n/, 'the toast is one line (plus its button)');
  await progressGone(page);
  assert.equal(
    live.backend.requests.filter((r) => r.url.startsWith('/live/')).length,
    1,
    'the handshake reached the backend through nginx',
  );
  const panel = reportFrame(page);
  await panel.locator('h1', { hasText: 'Passed' }).waitFor();
  assert.match(await panel.locator('.timeline').innerText(), /WebSocket handshake[\s\S]*\d+ ms/, 'the stages carry their timings');
  assert.match(
    await panel.locator('.exchange').innerText(),
    /HTTP\/1\.1 101 Switching Protocols[\s\S]*Server[\s\S]*nginx\//,
    'the response headers came through nginx',
  );
  assert.match(await panel.locator('details[data-key="nginx-t"] summary').innerText(), /nginx -t: ok/, 'trusted workspace: nginx -t ran');
  assert.equal(await panel.locator('details[data-key="nginx-t"]').getAttribute('open'), null, 'nginx -t output is collapsed by default');
  await vs.shot('report-passed');

  // Hidden and shown again, the panel is as it was left: an opened section stays open (getState/setState).
  await panel.locator('details[data-key="nginx-t"] summary').click();
  await panel.locator('details[data-key="nginx-t"][open] pre', { hasText: 'test is successful' }).waitFor();
  await page.locator('.tabs-container .tab', { hasText: 'WebSocket passed' }).click(); // its group is the active one
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'nginx.conf' }).dblclick();
  await page.locator('iframe.webview.ready').first().waitFor({ state: 'hidden' });
  await page.locator('.tabs-container .tab', { hasText: 'WebSocket passed' }).click();
  await panel.locator('details[data-key="nginx-t"][open]').waitFor();
  // Back to one editor group beside the panel for the next steps.
  await page.locator('.tabs-container .tab.active', { hasText: 'WebSocket passed' }).waitFor();
  await runCommand(page, 'View: Close Editor Group');
  await page.locator('.tabs-container .tab', { hasText: 'WebSocket passed' }).waitFor({ state: 'detached' });
  // The plain-text report is still in the Output channel.
  const report = outputChannelText(vs.ud, 'nginx WebSocket');
  assert.match(report, new RegExp(`WebSocket endpoint test: ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\nResult: PASSED\n`));

  // 2. Palette on the broken location: failed at the handshake with 426, the cause linked to its line.
  await clearToasts(page);
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await gotoLine(page, 33, 13);
  await runCommand(page, 'Test WebSocket endpoint');
  assert.match(await acceptUrl(page), new RegExp(`:${port}/broken/$`));
  const failed = await notification(page, 'WebSocket failed');
  await progressGone(page);
  const failText = (await failed.locator('.notification-list-item-message').innerText()).trim();
  assert.equal(failText.split('\n').length, 1, `the failure toast is one line: ${failText}`);
  assert.match(failText, /handshake.*426/, `verdict and stage: ${failText}`);
  await panel.locator('h1', { hasText: 'Failed at handshake' }).waitFor();
  assert.match(await panel.locator('.verdict .chip').innerText(), /HTTP 426/);
  assert.match(await panel.locator('.stage.failed').innerText(), /WebSocket handshake/, 'the failing stage is highlighted');
  const diagnosis = panel.locator('ul.diagnosis li').first();
  assert.match(await diagnosis.innerText(), /Connection/, 'the diagnosis names the missing header');
  const fix = diagnosis.locator('button[data-action="fix"]');
  await fix.waitFor();
  await vs.keep('report-failed');

  // 3. The config link opens nginx.conf at the location's line (the finding is on `location /broken/`, line 32).
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await gotoLine(page, 5, 1);
  await diagnosis.locator('a.cfg-link').click();
  await page.waitForFunction(() => /Ln 32,/.test(document.querySelector('.statusbar')?.textContent ?? ''));
  assert.equal((await cursorPosition(page))?.line, 32);

  // 4. The fix button: the quick fix lands in the file, it is saved, nginx reloads, and the re-run passes.
  await clearToasts(page);
  const before = live.backend.requests.filter((r) => r.url.startsWith('/broken/')).length;
  await fix.click();
  await panel.locator('h1', { hasText: 'Passed' }).waitFor({ timeout: 30_000 });
  await panel.locator('.notice', { hasText: 'reloaded nginx' }).waitFor();
  assert.match(vs.readFile('nginx.conf'), /location \/broken\/ \{[^}]*proxy_set_header Connection/, 'the fix was saved into the location');
  assert.equal(
    live.backend.requests.filter((r) => r.url.startsWith('/broken/')).length,
    before + 1,
    'the re-run upgraded through the reloaded nginx',
  );
  await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached' });
  await progressGone(page);
  await clearToasts(page);
  await vs.keep('report-fixed');

  // 5. The CodeLens above /live/ runs the same test.
  const count = live.backend.requests.length;
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await gotoLine(page, 20, 1);
  const lens = page.locator('.editor-instance .codelens-decoration a', { hasText: 'Test WebSocket endpoint' }).first();
  await lens.waitFor();
  await clearToasts(page);
  await lens.click();
  assert.match(await acceptUrl(page), /\/live\/$/);
  await notification(page, 'WebSocket OK');
  await vs.shot('codelens-success');
  assert.equal(live.backend.requests.length, count + 1, 'the CodeLens test connected through nginx');

  // 6. The WebSocket Endpoints view lists both locations with their URL and last result; Test all runs both.
  await clearToasts(page);
  const header = page.locator('.pane-header', { hasText: 'WebSocket Endpoints' });
  await header.waitFor();
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const pane = page.locator('.pane', { has: header });
  const row = (name) => pane.locator('.monaco-list-row', { hasText: name }).first();
  await row('location /broken/').waitFor();
  assert.match(await row('nginx.conf').innerText(), /2 WebSocket locations/, 'grouped by config');
  assert.match(await row('localhost').innerText(), new RegExp(`listen 127\\.0\\.0\\.1:${port}`), 'then by server');
  await page.waitForFunction(() =>
    /passed/.test(
      [...document.querySelectorAll('.pane .monaco-list-row')].find((r) => r.textContent.includes('location /live/'))?.textContent ?? '',
    ),
  );
  assert.match(
    await row('location /live/').innerText(),
    new RegExp(`ws://localhost:${port}/live/[\\s\\S]*passed`),
    'derived URL and last result',
  );
  assert.match(await row('location /broken/').innerText(), /passed/, 'the re-run after the fix is the last result');

  // An edit inside /live/ makes its result stale.
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await gotoLine(page, 29, 35);
  await page.keyboard.press('End');
  await page.keyboard.type(' # keep idle sockets for an hour');
  await row('location /live/').locator('.label-description', { hasText: 'edited since' }).waitFor();
  // For the picture: the editor scrolled back, the report closed, the sidebar wide enough for the URLs.
  await page.keyboard.press('Home');
  await page.locator('.tab', { hasText: 'WebSocket passed' }).locator('.codicon-close').click();
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar) throw new Error('the side bar is not visible');
  await page.mouse.move(sidebar.x + sidebar.width + 1, sidebar.y + 300);
  await page.mouse.down();
  await page.mouse.move(sidebar.x + sidebar.width + 330, sidebar.y + 300, { steps: 5 });
  await page.mouse.up();
  await vs.keep('endpoints-view');

  // Clicking a row opens its location.
  await row('location /broken/').click();
  await page.waitForFunction(() => /Ln 32,/.test(document.querySelector('.statusbar')?.textContent ?? ''));

  // Test all, from the view's title bar: one progress notification, then a summary.
  const requests = live.backend.requests.length;
  await pane.hover();
  await header.locator('.action-label[aria-label="Test all WebSocket endpoints"]').click();
  const summary = await notification(page, 'Tested 2 WebSocket endpoints');
  assert.match(await summary.innerText(), /2 passed, 0 failed/);
  assert.equal(live.backend.requests.length, requests + 2, 'both endpoints were tested through nginx, without a prompt');
  await row('location /live/')
    .locator('.label-description', { hasText: /passed, just now/ })
    .waitFor();
  assert.doesNotMatch(await row('location /live/').innerText(), /edited since/, 'a new test clears the stale mark');

  // The inline ▶ of one row tests that endpoint at once.
  await clearToasts(page);
  await row('location /live/').hover();
  await row('location /live/').locator('.action-label[aria-label="Test this endpoint"]').click();
  await notification(page, 'WebSocket OK');
  assert.equal(live.backend.requests.length, requests + 3, 'the inline action connected through nginx');
});

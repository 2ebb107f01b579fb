// Session: "Prove with local nginx" on a config that runs nowhere yet (the
// production ports, paths and host names of a repository). The CodeLens
// action beside "Test WebSocket endpoint" runs the config in a private local
// nginx: the report fails at the handshake with 426, names the missing
// Connection header at its line, lists what was changed to run it here and
// what the echo backend received. Its fix button applies the quick fix, and
// the re-run, on the editor's text, is proven. Nothing is left running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { openVSCode } from '../lib/code-server.mjs';
import { codeLens, gotoLine, notification, openUntilSquiggle, outputChannelText, reportFrame, runCommand } from '../lib/workbench.mjs';

/** nginx processes started by a proof (their command line names the proof's private prefix). */
function proofProcesses() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (/nginx-ws-proof-/.test(cmd) && /nginx/.test(cmd)) out.push(`${d}: ${cmd}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** The cancellable "Proving ..." progress toast closes once the verdict is out. */
async function progressGone(page) {
  await page
    .locator('.notifications-toasts .notification-toast', { hasText: 'Proving location' })
    .waitFor({ state: 'detached', timeout: 10_000 });
}

async function clearToasts(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached' });
}

test('prove: the CodeLens proves a broken location with local nginx, the fix button fixes it, the re-run is proven', async (t) => {
  const before = proofProcesses();
  const vs = await openVSCode(t, { session: 'prove', workspace: 'prove' });
  const { page } = vs;
  await openUntilSquiggle(vs, 'conf.d/chat.conf'); // /ws/ lacks Connection

  // 1. The CodeLens action beside "Test WebSocket endpoint".
  const lens = await codeLens(page, 'Prove with local nginx');
  assert.ok(
    await page.locator('.editor-instance .codelens-decoration a', { hasText: 'Test WebSocket endpoint' }).count(),
    'beside the Test lens',
  );
  await vs.shot('codelens');
  await lens.click();

  const failed = await notification(page, 'Local proof failed');
  assert.match(await failed.innerText(), /handshake \(HTTP 426\): location \/ws\//);
  const panel = reportFrame(page);
  await panel.locator('h1', { hasText: 'Failed at handshake' }).waitFor();
  assert.match(await panel.locator('.verdict .chip').innerText(), /HTTP 426/);
  assert.match(
    await panel.locator('.verdict .target').innerText(),
    /ws:\/\/chat\.example\.com:\d+\/ws\/ → 127\.0\.0\.1:\d+ \(local nginx\)/,
  );
  // The stages before the handshake passed: the copy ran.
  const timeline = await panel.locator('.timeline').innerText();
  assert.match(timeline, /Private prefix and echo backend[\s\S]*nginx -t[\s\S]*nginx start-up/);
  assert.match(await panel.locator('.stage.failed').innerText(), /WebSocket handshake/);
  // What changed to run it here: the listen, the upstream server, the paths nginx writes.
  const rewrites = await panel.locator('section', { has: panel.locator('#h-rewrites') }).innerText();
  assert.match(rewrites, /listen 80;[\s\S]*listen 127\.0\.0\.1:\d+;/);
  assert.match(rewrites, /server app:3000;[\s\S]*server 127\.0\.0\.1:\d+;/);
  assert.match(rewrites, /pid \/run\/nginx\.pid;[\s\S]*<prefix>\/run\/nginx\.pid/);
  // What the backend received: the upgrade with nginx's own "Connection: close", refused with 426.
  const backend = await panel.locator('section', { has: panel.locator('#h-backend') }).innerText();
  assert.match(backend, /GET \/ws\/ HTTP\/1\.1 → 426 Connection: close does not ask for the upgrade/);
  assert.match(backend, /Upgrade\s+websocket/);
  // The diagnosis names the missing header at its line, with the quick fix.
  const diagnosis = panel.locator('ul.diagnosis li', { hasText: 'Connection' }).first();
  await diagnosis.waitFor();
  assert.match(await diagnosis.innerText(), /ws-connection-header/);
  assert.match(await diagnosis.locator('a.cfg-link').innerText(), /chat\.conf:10/);
  const fix = diagnosis.locator('button[data-action="fix"]');
  await fix.waitFor();
  await panel
    .locator('section', { has: panel.locator('#h-stands') })
    .locator('p.stands', { hasText: 'Proven broken' })
    .waitFor();
  await progressGone(page);
  await vs.keep('proof-failed');
  assert.deepEqual(
    proofProcesses().filter((p) => !before.includes(p)),
    [],
    'the failed proof left no nginx running',
  );

  // 2. The fix button: the quick fix lands in the file and the proof runs again on it.
  await clearToasts(page);
  await fix.click();
  await panel.locator('h1', { hasText: 'Proven with local nginx' }).waitFor({ timeout: 30_000 });
  await panel.locator('.notice', { hasText: 'proving again with local nginx' }).waitFor();
  assert.match(
    vs.readFile('conf.d/chat.conf'),
    /location \/ws\/ \{[^}]*proxy_set_header Connection/,
    'the fix was saved into the location',
  );
  const backend2 = await panel.locator('section', { has: panel.locator('#h-backend') }).innerText();
  assert.match(backend2, /GET \/ws\/ HTTP\/1\.1 → 101/);
  await notification(page, 'Local proof passed: location /ws/');
  await progressGone(page);
  await vs.shot('proof-passed');

  // 3. The palette runs the same proof, on unsaved text too: an edit that breaks it again fails without a save.
  await clearToasts(page);
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await gotoLine(page, 12, 1);
  await page.keyboard.press('End');
  await page.keyboard.type(' proxy_http_version 1.0;');
  await page.locator('.tabs-container .tab.active.dirty').waitFor();
  await runCommand(page, 'Prove WebSocket location with local nginx');
  await notification(page, 'Local proof failed');
  await panel.locator('h1', { hasText: /Failed at (nginx -t|handshake)/ }).waitFor();
  assert.doesNotMatch(vs.readFile('conf.d/chat.conf'), /1\.0/, 'the broken edit was never saved: the proof ran the editor text');

  const report = outputChannelText(vs.ud, 'nginx WebSocket');
  assert.match(report, /Local nginx proof: location \/ws\/[\s\S]*Result: FAILED at handshake \(HTTP 426\)[\s\S]*Result: PASSED/);
  assert.match(report, /Cleanup: nothing left running, the private prefix removed/);
  assert.deepEqual(
    proofProcesses().filter((p) => !before.includes(p)),
    [],
    'no proof left nginx running',
  );
});

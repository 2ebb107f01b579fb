// Session: the lightbulb. Ctrl+. on the broken location offers the quick fix
// by its title; choosing it removes the squiggle and the saved file holds
// exactly the original plus the one header line. Then "Fix all WebSocket
// problems in this file" from the palette repairs a location with three
// problems at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openVSCode } from '../lib/code-server.mjs';
import { openFile, openUntilSquiggle, gotoLine, saveActiveEditor, runCommand, squiggles } from '../lib/workbench.mjs';

async function chooseWithKeyboard(page, menu, title) {
  const rows = await menu.locator('.monaco-list-row.action .title').allInnerTexts();
  const index = rows.indexOf(title);
  assert.ok(index >= 0, `"${title}" not offered; menu: ${rows.join(' | ')}`);
  const focused = menu.locator('.monaco-list-row.action.focused .title');
  for (let i = 0; i < rows.length && (await focused.innerText()) !== title; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await focused.innerText(), title);
  await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden' });
}

test('quickfix: Ctrl+. applies the Connection header fix; fix-all repairs a whole file', async (t) => {
  const vs = await openVSCode(t, { session: 'quickfix', workspace: 'basic' });
  const { page } = vs;
  const errors = page.locator('.editor-instance .squiggly-error');

  const chatBefore = vs.readFile('conf.d/chat.conf');
  await openUntilSquiggle(vs, 'conf.d/chat.conf');
  await gotoLine(page, 7, 5);
  await page.keyboard.press('Control+.');
  const menu = page.locator('.action-widget');
  const title = 'Add "proxy_set_header Connection "upgrade";"';
  const item = menu.locator('.monaco-list-row.action', { has: page.locator('.title', { hasText: title }) });
  await item.waitFor();
  await vs.keep('quick-fix');
  // Keyboard, as after Ctrl+.: the menu ignores the mouse until it moves.
  await chooseWithKeyboard(page, menu, title);
  await errors.first().waitFor({ state: 'detached' });
  await vs.shot('after-quick-fix');
  await saveActiveEditor(page);
  assert.equal(
    vs.readFile('conf.d/chat.conf'),
    chatBefore.replace(
      '        proxy_set_header Upgrade $http_upgrade;\n',
      '        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection "upgrade";\n',
    ),
  );

  const multiBefore = vs.readFile('conf.d/multi.conf');
  await openFile(page, 'conf.d/multi.conf');
  const shown = Date.now();
  await errors.nth(1).waitFor(); // ws-connection-header and ws-http-version
  // The server is warm now: this is the latency a user feels on every file after the first.
  console.log(`[timing] warm server: editor visible → squiggles ${Date.now() - shown} ms`);
  await page.locator('.editor-instance .squiggly-warning').first().waitFor(); // proxy_read_timeout 5s
  await vs.shot('multi-before-fix-all');
  assert.equal((await squiggles(page, 'error')).length, 2);
  const fixStarted = Date.now();
  await runCommand(page, 'Fix all WebSocket problems in this file');
  await errors.first().waitFor({ state: 'detached' });
  console.log(`[timing] fix-all → error squiggles gone ${Date.now() - fixStarted} ms`);
  await page.locator('.editor-instance .squiggly-warning').first().waitFor({ state: 'detached' });
  await vs.shot('multi-after-fix-all');
  await saveActiveEditor(page);
  const expected = multiBefore
    .replace('proxy_http_version 1.0;', 'proxy_http_version 1.1;')
    .replace('        proxy_read_timeout 5s;\n', '        proxy_read_timeout 3600s;\n        proxy_set_header Connection "upgrade";\n');
  assert.equal(vs.readFile('conf.d/multi.conf'), expected);
  assert.deepEqual(await squiggles(page, 'info'), [], 'nothing left, not even information');
});

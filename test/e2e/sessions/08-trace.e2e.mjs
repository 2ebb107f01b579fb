// Session: a user wants to know what nginx does with a WebSocket handshake to
// a location. Proves, in the real editor: hovering the location shows the
// handshake's outcome and the headers the backend gets with their lines;
// "Trace a request…" prefills the location's URL, traces it, and the
// Request Trace view lists the steps, each opening its config line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openVSCode } from '../lib/code-server.mjs';
import { codeLens, cursorPosition, gotoLine, hoverOver, openUntilSquiggle, runCommand, textBox } from '../lib/workbench.mjs';

test('trace: hover on the location, Trace a request…, the Request Trace view links to the lines', async (t) => {
  const vs = await openVSCode(t, { session: 'trace', workspace: 'basic' });
  const { page } = vs;
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'conf.d' }).waitFor();
  await openUntilSquiggle(vs, 'conf.d/chat.conf');

  // Hover on `location` (line 7): what a handshake becomes, from the request model. The lenses above it come
  // after the diagnostics and move the line down: the box is measured once they show (and again per attempt).
  await codeLens(page, 'Test WebSocket endpoint');
  const hover = await hoverOver(page, () => textBox(page, 7, 4, 12), 'WebSocket handshake');
  const hoverText = await hover.innerText();
  assert.match(hoverText, /ws:\/\/localhost:8080\/chat\//, 'the URL the location serves');
  assert.match(hoverText, /426/, 'the outcome: the backend gets Connection: close');
  assert.match(hoverText, /Upgrade: websocket.*chat\.conf:10/s, 'each header with its line');
  await vs.keep('trace-hover');
  await page.keyboard.press('Escape');

  // Trace a request… from inside the location: the box is prefilled with its URL.
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await gotoLine(page, 9, 9);
  await runCommand(page, 'nginx WebSocket: Trace a request');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await page.waitForFunction(
    () =>
      /** @type {HTMLInputElement | null} */ (document.querySelector('.quick-input-widget input'))?.value === 'ws://localhost:8080/chat/',
  );
  await input.press('Enter');

  // The trace opens in its own panel, beside Problems and Output.
  const pane = page.locator('.part.panel');
  await pane.locator('.monaco-list-row').first().waitFor();
  const row = (text) => pane.locator('.monaco-list-row', { hasText: text }).first();
  await row('426').waitFor();
  assert.match(await row('426').innerText(), /Connection: close/, 'the outcome row says why');
  await row('longest matching prefix /chat/').waitFor();
  assert.match(await row('longest matching prefix /chat/').innerText(), /chat\.conf:7/);
  await row('Backend receives GET /chat/ HTTP/1.1').waitFor();
  await vs.keep('trace-view');

  // A step opens its line: the cursor goes to the location (line 7).
  await gotoLine(page, 1, 1);
  await row('longest matching prefix /chat/').click();
  await page.waitForFunction(() => /Ln 7,/.test([...document.querySelectorAll('.statusbar-item')].map((e) => e.textContent).join(' ')));
  assert.equal((await cursorPosition(page))?.line, 7);
});

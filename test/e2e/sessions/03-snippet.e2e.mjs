// Session: a user types a WebSocket snippet prefix inside a server block,
// picks it from the completion list, and gets the whole location inserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openVSCode } from '../lib/code-server.mjs';
import { openFile, gotoLine, saveActiveEditor } from '../lib/workbench.mjs';
import { snippetByPrefix, expandSnippet } from '../lib/snippets.mjs';

const PREFIX = 'ws-location';

test('snippet: typing ws-location offers the snippet and accepting it inserts the block', async (t) => {
  const snippet = snippetByPrefix(PREFIX);
  const vs = await openVSCode(t, { session: 'snippet', workspace: 'snippets' });
  const { page } = vs;
  await openFile(page, 'conf.d/new.conf');
  const before = vs.readFile('conf.d/new.conf');

  // End of `server_name localhost;`, then Enter: the editor indents the new line.
  await gotoLine(page, 3, 100);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type(PREFIX);
  const widget = page.locator('.editor-widget.suggest-widget.visible');
  await widget.waitFor();
  // The row of kind Snippet (word-based suggestions with the same label may sit beside it).
  const row = widget.locator(`.monaco-list-row[aria-label="${PREFIX}, ${snippet.name}, Snippet"]`);
  await row.waitFor();
  await vs.shot('completion-offers-snippet');
  // The list is ranked by the editor; pick ours by its label, as a user would with the mouse.
  await row.click();
  await widget.waitFor({ state: 'hidden' });
  await vs.shot('snippet-inserted');
  await page.keyboard.press('Escape'); // leave snippet mode, keeping the placeholder defaults
  await saveActiveEditor(page);

  const after = vs.readFile('conf.d/new.conf');
  const block = expandSnippet(snippet.body, { baseIndent: '    ' });
  const expected = before.replace('server_name localhost;\n', `server_name localhost;\n    ${block}\n`);
  assert.equal(after, expected);
  // Independent of the snippet file: the block carries the WebSocket recipe.
  assert.match(after, /\n {8}proxy_set_header Upgrade \$http_upgrade;\n {8}proxy_set_header Connection "upgrade";\n/);
  await vs.shot('saved');
});

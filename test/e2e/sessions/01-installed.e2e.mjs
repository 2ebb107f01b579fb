// Session: the packaged extension is installed and owns nginx files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openVSCode } from '../lib/code-server.mjs';
import { openFile, statusBarItem } from '../lib/workbench.mjs';

test('installed: a .conf under conf.d/ opens in nginx mode', async (t) => {
  const vs = await openVSCode(t, { session: 'installed', workspace: 'basic' });
  const { page } = vs;
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'conf.d' }).waitFor();
  await vs.shot('workbench');
  await openFile(page, 'conf.d/chat.conf');
  await statusBarItem(page, 'status.editor.mode').waitFor();
  await vs.shot('chat-conf-open');
  const mode = (await statusBarItem(page, 'status.editor.mode').innerText()).trim();
  assert.equal(mode, 'nginx');
});

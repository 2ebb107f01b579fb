// What a user does in the VS Code workbench, as Playwright steps that wait on
// the UI's own elements (never on time).
import { basename } from 'node:path';

const MOD = 'Control';

/** Opens a workspace file through Quick Open, as a user would, and waits for its editor. */
export async function openFile(page, rel) {
  const name = basename(rel);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  // The palette opens with ">"; without it the same box is Quick Open.
  await input.fill(rel);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
  await row.waitFor();
  await input.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Runs a command by its palette title and waits for the palette to close. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor();
  await row.click();
}

/** Focuses the editor text, so keystrokes go to the file. */
export async function focusEditor(page) {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
}

/** Moves the cursor with "Go to Line/Column" (Ctrl+G accepts line:col). */
export async function gotoLine(page, line, column = 1) {
  await page.keyboard.press(`${MOD}+g`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`:${line}:${column}`);
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** The visible text of one editor line (1-based), read from the rendered view lines. */
export async function lineText(page, line) {
  return page.evaluate((n) => {
    const lines = [...document.querySelectorAll('.editor-instance .monaco-editor .view-lines .view-line')];
    // View lines are absolutely positioned; order them by their top offset.
    const tops = lines.map((l) => ({ el: l, top: parseFloat(l.style.top) })).sort((a, b) => a.top - b.top);
    const lineHeight = tops.length > 1 ? tops[1].top - tops[0].top : 19;
    const el = tops.find((t) => Math.round(t.top / lineHeight) + 1 === n)?.el;
    return el ? el.textContent.replace(/\u00a0/g, ' ') : null;
  }, line);
}

export function statusBarItem(page, id) {
  return page.locator(`[id="${id}"]`);
}

/** Ctrl+S on a modified editor, waiting until the tab no longer shows unsaved changes. */
export async function saveActiveEditor(page) {
  const dirty = page.locator('.tabs-container .tab.active.dirty');
  await dirty.waitFor();
  await page.keyboard.press('Control+s');
  await dirty.waitFor({ state: 'detached' });
}

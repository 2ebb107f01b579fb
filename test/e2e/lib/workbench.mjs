// What a user does in the VS Code workbench, as Playwright steps that wait on
// the UI's own elements (never on time).
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const MOD = 'Control';

/**
 * Opens a workspace file from the Explorer, as a user would: expands each
 * folder of the path, then double-clicks the file (a pinned editor, not a
 * preview). Quick Open would work too but its first search costs seconds.
 * Returns when the double-click happened (Date.now()): when the file was opened.
 */
export async function openFile(page, rel) {
  let openedAt = 0;
  const parts = rel.split('/');
  const tree = page.locator('.explorer-folders-view');
  for (const [i, part] of parts.entries()) {
    const row = tree
      .locator('.monaco-list-row', {
        has: page.locator('.label-name', { hasText: new RegExp(`^${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
      })
      .first();
    await row.waitFor();
    if (i < parts.length - 1) {
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
      await page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await row.elementHandle());
    } else {
      await row.waitFor({ state: 'visible' });
      openedAt = Date.now();
      await row.dblclick();
    }
  }
  const name = basename(rel);
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
  return openedAt;
}

/**
 * Opens a file and waits for its first squiggle of `severity`. The time from the double-click to the squiggle
 * (the extension's activation included when this open activates it) is recorded in the session's results
 * folder (squiggle-times.json; test/e2e/run.mjs gathers them, `npm run bench` prints their distribution) and
 * returned. A figure only: no test asserts it.
 */
export async function openUntilSquiggle(vs, rel, severity = 'error') {
  const openedAt = await openFile(vs.page, rel);
  await vs.page.locator(`.editor-instance .squiggly-${severity}`).first().waitFor();
  const ms = Date.now() - openedAt;
  const phases = await squigglePhases(vs.root, rel, openedAt);
  const file = join(vs.shotsDir, 'squiggle-times.json');
  const samples = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : [];
  samples.push({ session: basename(vs.shotsDir), label: rel, ms, openedAt: new Date(openedAt).toISOString(), ...phases });
  writeFileSync(`${file}.tmp`, JSON.stringify(samples));
  renameSync(`${file}.tmp`, file);
  const where =
    phases.activatedMs === undefined
      ? ''
      : `; activation began at ${phases.activatedMs} ms, analysis done at ${phases.analysedMs ?? '?'} ms`;
  console.log(`[timing] ${basename(vs.shotsDir)}: open ${rel} → first ${severity} squiggle ${ms} ms${where}`);
  return ms;
}

/**
 * Where the time to the first squiggle went, from the logs the workbench
 * keeps (ms after the double-click): when the extension host began to
 * activate the extension (its own log), and when the language server's
 * analysis of the file ended (the server's "analysed <uri> in N ms" line in
 * its log channel). What precedes the first is VS Code opening the editor;
 * what follows the second is the diagnostics reaching the renderer. Both are
 * left out when a log is not found (never fails a session: figures only).
 * The logs' times are local wall-clock times, as is `openedAt`.
 */
async function squigglePhases(root, rel, openedAt) {
  const out = {};
  const logs = join(root, 'user-data', 'logs');
  const at = (line) => {
    const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
    return m ? new Date(`${m[1]}T${m[2]}`).getTime() - openedAt : undefined;
  };
  const file = rel.split('/').pop();
  // The log service writes its files asynchronously: a line may land a moment after the squiggle shows.
  for (let i = 0; i < 20 && (out.activatedMs === undefined || out.analysedMs === undefined); i++) {
    for (const dir of existsSync(logs) ? readdirSync(logs) : []) {
      const host = join(logs, dir, 'exthost1');
      const ext = readLines(join(host, 'remoteexthost.log')).find((l) => l.includes('_doActivateExtension nginx-ws.nginx-websocket'));
      if (ext && out.activatedMs === undefined) out.activatedMs = at(ext);
      const server = readLines(join(host, 'nginx-ws.nginx-websocket', 'nginx WebSocket Language Server.log')).find(
        (l) => / analysed \S+ in \d+ ms/.test(l) && l.includes(`/${file} `),
      );
      if (server && out.analysedMs === undefined) out.analysedMs = at(server);
    }
    if (out.activatedMs === undefined || out.analysedMs === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  return out;
}

function readLines(path) {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
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
export function lineText(page, line) {
  return page.evaluate((n) => {
    const lines = /** @type {HTMLElement[]} */ ([...document.querySelectorAll('.editor-instance .monaco-editor .view-lines .view-line')]);
    // View lines are absolutely positioned; order them by their top offset.
    const tops = lines.map((l) => ({ el: l, top: parseFloat(l.style.top) })).sort((a, b) => a.top - b.top);
    const [first, second] = tops;
    const lineHeight = first && second ? second.top - first.top : 19;
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

/**
 * Screen box of the characters [startCol, endCol) (0-based) of editor line
 * `line` (1-based), from the rendered text itself: lets a session check that
 * a squiggle sits under exactly the expected source text.
 */
export function textBox(page, line, startCol, endCol) {
  return page.evaluate(
    ({ line, startCol, endCol }) => {
      const editor = document.querySelector('.editor-instance .monaco-editor');
      if (!editor) return null;
      const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')];
      const num = numbers.find((n) => n.textContent.trim() === String(line));
      if (!num) return null;
      const top = num.getBoundingClientRect().top;
      const viewLine = [...editor.querySelectorAll('.view-lines .view-line')].find(
        (l) => Math.abs(l.getBoundingClientRect().top - top) < 2,
      );
      if (!viewLine) return null;
      const walker = document.createTreeWalker(viewLine, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      let offset = 0;
      let started = false;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const len = (n.textContent ?? '').length;
        if (!started && startCol <= offset + len) {
          range.setStart(n, startCol - offset);
          started = true;
        }
        if (started && endCol <= offset + len) {
          range.setEnd(n, endCol - offset);
          break;
        }
        offset += len;
      }
      const r = range.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: range.toString().replace(/\u00a0/g, ' ') };
    },
    { line, startCol, endCol },
  );
}

/**
 * Hovers the middle of a screen box and waits for the hover that shows `text`. `where` is the box (from
 * `textBox`) or a function that measures it: measured again before each attempt, as the text can move after a
 * first measure (a CodeLens that arrives above the line pushes it down by a row, and a hover at the old place
 * lands on the lens). VS Code may also drop a hover that starts while the workbench is still laying out (seen
 * once in 5 full runs, the first session): then the mouse leaves and comes back, up to three times, within the
 * same 30 s as one long wait.
 */
export async function hoverOver(page, where, text) {
  const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: text });
  for (let attempt = 1; ; attempt++) {
    const box = typeof where === 'function' ? await where() : where;
    if (!box) throw new Error(`the text to hover over is not on screen (attempt ${attempt})`);
    await page.mouse.move(box.left - 40, box.bottom + 60);
    await page.mouse.move((box.left + box.right) / 2, (box.top + box.bottom) / 2);
    try {
      await hover.waitFor({ timeout: 10_000 });
      return hover;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

/** Waits until the editor shows a CodeLens whose text contains `text` (lenses move the lines below them). */
export async function codeLens(page, text) {
  const lens = page.locator('.editor-instance .codelens-decoration a', { hasText: text }).first();
  await lens.waitFor();
  return lens;
}

/** Squiggles of one severity ('error' | 'warning' | 'info' | 'hint') as screen boxes. */
export function squiggles(page, severity) {
  return page.locator(`.editor-instance .monaco-editor .squiggly-${severity}`).evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }),
  );
}

/** Opens the Problems panel (Ctrl+Shift+M) and returns its locator. */
export async function openProblems(page) {
  await page.keyboard.press('Control+Shift+M');
  const panel = page.locator('.markers-panel');
  await panel.waitFor();
  return panel;
}

/** The toast whose text matches, once it shows. */
export async function notification(page, text) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).last();
  await toast.waitFor();
  return toast;
}

/** Text of the editor inside the bottom panel (the Output view). */
export function panelEditorText(page) {
  return page.locator('.part.panel .monaco-editor .view-lines').first().innerText();
}

/**
 * Full text of an extension's output channel, from the file VS Code backs it
 * with (the panel only renders the lines in view).
 */
export function outputChannelText(userDataDir, channel) {
  const found = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (new RegExp(`^\\d+-${channel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.log$`).test(e.name)) found.push(p);
    }
  };
  walk(join(userDataDir, 'logs'));
  return found.map((f) => readFileSync(f, 'utf8')).join('\n');
}

/**
 * The report panel's page: VS Code hosts a webview in an iframe whose
 * document holds the extension's page in a second iframe (#active-frame).
 */
export function reportFrame(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

/** The cursor position the status bar shows ("Ln 33, Col 13"), as { line, column }. */
export async function cursorPosition(page) {
  const text = await page
    .locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+/ })
    .first()
    .innerText();
  const m = /Ln (\d+), Col (\d+)/.exec(text);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

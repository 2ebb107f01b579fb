// Session: a user opens a config whose WebSocket location forgets the
// Connection header. Proves: the packaged extension owns conf.d/*.conf (nginx
// mode, grammar colours), the error squiggle sits under `location /chat/`,
// hovering shows the message and the rule code, the Problems panel lists it.
// Also records activation time and file-open-to-first-squiggle time (figures, not asserted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openVSCode } from '../lib/code-server.mjs';
import { codeLens, hoverOver, openUntilSquiggle, statusBarItem, textBox, squiggles, openProblems, runCommand } from '../lib/workbench.mjs';

const MESSAGE = 'location /chat/ proxies WebSocket traffic but never sets "proxy_set_header Connection"';

test('diagnostics: squiggle under the broken location, hover with message and code, Problems entry', async (t) => {
  const vs = await openVSCode(t, { session: 'diagnostics', workspace: 'basic' });
  const { page } = vs;
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'conf.d' }).waitFor();

  const toFirstDiagnostic = await openUntilSquiggle(vs, 'conf.d/chat.conf');
  await vs.shot('squiggle');

  assert.equal((await statusBarItem(page, 'status.editor.mode').innerText()).trim(), 'nginx');
  // The grammar colours a directive name differently from a plain argument.
  const colours = await page.locator('.editor-instance .view-line').evaluateAll((lines) => {
    const line = lines.find((l) => l.textContent.includes('server_name'));
    const color = (word) => {
      const span = line && [...line.querySelectorAll('span span')].find((s) => s.textContent.includes(word));
      return span && getComputedStyle(span).color;
    };
    return { directive: color('server_name'), argument: color('localhost') };
  });
  assert.ok(colours.directive && colours.argument, `tokens not found: ${JSON.stringify(colours)}`);
  assert.notEqual(colours.directive, colours.argument, 'the nginx grammar tokenizes the file');

  // Exactly one error, under `location /chat/` (line 7, columns 4-19), measured once the lenses above that
  // line show (they come after the diagnostics and move it down a row).
  await codeLens(page, 'Test WebSocket endpoint');
  const errors = await squiggles(page, 'error');
  assert.equal(errors.length, 1, `one error squiggle expected, saw ${errors.length}`);
  const target = await textBox(page, 7, 4, 19);
  assert.equal(target.text, 'location /chat/');
  const [sq] = errors;
  assert.ok(
    Math.abs(sq.left - target.left) <= 2 && Math.abs(sq.right - target.right) <= 2,
    `squiggle ${JSON.stringify(sq)} is not under ${JSON.stringify(target)}`,
  );
  assert.ok(sq.top >= target.top - 2 && sq.top <= target.bottom + 2, 'squiggle on the location line');

  // Hover over the squiggled text.
  const hover = await hoverOver(page, () => textBox(page, 7, 4, 19), MESSAGE);
  await vs.keep('hover');
  const hoverText = await hover.innerText();
  assert.match(hoverText, /ws-connection-header/, 'hover names the rule');
  assert.match(hoverText, /426/, 'hover says what the backend answers');
  await page.keyboard.press('Escape');

  const problems = await openProblems(page);
  const row = problems.locator('.monaco-list-row', { hasText: MESSAGE });
  await row.waitFor();
  await vs.shot('problems');
  const rowText = await row.innerText();
  assert.match(rowText, /ws-connection-header/);
  assert.match(rowText, /\[Ln 7, Col 5\]/);
  assert.ok(await row.locator('.codicon-error').count(), 'listed as an error');
  assert.ok(await problems.locator('.monaco-list-row', { hasText: 'chat.conf' }).count(), 'grouped under chat.conf');

  // What the user sees in "Developer: Show Running Extensions".
  await runCommand(page, 'Developer: Show Running Extensions');
  const ours = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'nginx WebSocket Doctor' });
  await ours.locator('text=/Activation: \\d+ms/').waitFor();
  await vs.shot('running-extensions');
  const activation = (await ours.innerText()).match(/Activation: (\d+)ms/);
  if (!activation) throw new Error('Running Extensions shows no activation time for the extension');
  const activationMs = Number(activation[1]);
  // Figures for npm run bench, never asserted: a loaded machine must not fail the session.
  console.log(
    `[timing] workbench ready ${vs.workbenchMs} ms; extension activation ${activationMs} ms; open → first squiggle ${toFirstDiagnostic} ms`,
  );
  t.diagnostic(`activation ${activationMs} ms, open→first diagnostic ${toFirstDiagnostic} ms`);
});

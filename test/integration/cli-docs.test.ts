/** The README's command-line section and docs/cli.md show exactly what `nginx-ws --help` and each `COMMAND --help` print. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnce, ROOT } from '../support/lsp-client';

const help = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { encoding: 'utf8' }).stdout;

/** The first ```text block after `heading`. */
function block(doc: string, heading: RegExp): string {
  const at = doc.search(heading);
  assert.ok(at >= 0, `no heading ${heading}`);
  const m = /```text\n([\s\S]*?)```/.exec(doc.slice(at));
  assert.ok(m, `no text block after ${heading}`);
  return m[1]!;
}

before(() => buildOnce());

test('the README command-line section is nginx-ws --help, verbatim', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(block(readme, /^## Command line$/m), help('--help'));
  assert.match(readme, /\[docs\/cli\.md\]\(docs\/cli\.md\)/);
});

test("docs/cli.md shows every command's --help, verbatim", () => {
  const doc = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
  assert.equal(block(doc, /^### nginx-ws$/m), help('--help'));
  // Every command the usage lists, so a new command cannot go undocumented.
  const commands = [...new Set([...help('--help').matchAll(/^ {2}nginx-ws ([a-z]+) /gm)].map((m) => m[1]!))].filter((c) => c !== 'help');
  assert.ok(commands.length >= 4, commands.join(' '));
  for (const cmd of commands) assert.equal(block(doc, new RegExp(`^### ${cmd}$`, 'm')), help(cmd, '--help'), cmd);
});

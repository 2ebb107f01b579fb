/**
 * The protocol tests' LSP client must let its test process exit. vscode-jsonrpc's
 * stream reader keeps a message the server was cut off in the middle of (a
 * server killed while it publishes a large one) and re-arms a 10 s timer for
 * it for ever, disposed or not; the hostile-input suite once sat idle after
 * all its tests had passed. A process that does exactly that here must exit
 * on its own once the reader is disposed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const HELPER = join(__dirname, '..', 'support', 'lsp-client.ts');

/** Runs `code` in a fresh node; resolves with its exit code, or 'still running' if it has not ended after `ms`. */
function run(code: string, ms: number): Promise<number | null | 'still running'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
      cwd: join(__dirname, '..', '..'),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running');
    }, ms);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
}

const halfMessage = (reader: string) => `
  const { PassThrough } = require('node:stream');
  const { StreamMessageReader } = require('vscode-languageserver-protocol/node');
  const { StoppingStreamMessageReader } = require(${JSON.stringify(HELPER)});
  const stream = new PassThrough();
  const reader = new ${reader}(stream);
  reader.partialMessageTimeout = 500; // 10 s by default; the same behaviour sooner
  reader.listen(() => {});
  stream.write('Content-Length: 100\\r\\n\\r\\n{"jsonrpc":');
  setTimeout(() => { reader.dispose(); stream.destroy(); }, 50);
`;

test('a reader disposed with half a message in its buffer lets the process exit', { timeout: 120_000 }, async () => {
  assert.equal(await run(halfMessage('StoppingStreamMessageReader'), 60_000), 0);
});

test("vscode-jsonrpc's own reader does not (why the client wraps it)", { timeout: 120_000 }, async () => {
  // 5 s: ten of its (shortened) timers. If a release fixes this, the wrapper can go.
  assert.equal(await run(halfMessage('StreamMessageReader'), 5_000), 'still running');
});

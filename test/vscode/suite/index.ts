/**
 * Entry point the extension host loads (`extensionTestsPath`): runs the
 * compiled `*.test.js` files next to this one with mocha's TDD interface.
 * `@vscode/test-electron` calls `run()` with no arguments; the code-server
 * harness (test/e2e) passes `onResult` to collect each test's outcome.
 */
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface TestOutcome {
  title: string;
  state: 'passed' | 'failed';
  error?: string;
  durationMs?: number;
}

export interface RunOptions {
  onResult?: (outcome: TestOutcome) => void;
  /** Mocha's per-test timeout; the language server needs a moment on a cold start. */
  timeoutMs?: number;
}

export function run(options: RunOptions = {}): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: options.timeoutMs ?? 30_000 });
  for (const f of readdirSync(__dirname)
    .filter((n) => n.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => options.onResult?.({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('fail', (t, err: Error) => options.onResult?.({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) }));
  });
}

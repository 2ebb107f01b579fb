// Session: the @vscode/test-electron mocha suite (test/vscode/suite), run
// unchanged inside code-server's extension host. A tiny harness extension
// activates on startup, calls the suite's run() and writes each outcome to
// a file this session watches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, watch, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openVSCode, registerUnpackedExtension } from '../lib/code-server.mjs';
import { buildSuite, SUITE_WORKSPACE } from '../../vscode/build.mjs';

function harness(dir, suiteIndex, resultsFile) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'vscode-suite-harness',
      publisher: 'e2e',
      version: '0.0.1',
      engines: { vscode: '^1.91.0' },
      main: './extension.js',
      activationEvents: ['onStartupFinished'],
    }),
  );
  writeFileSync(
    join(dir, 'extension.js'),
    `
const { appendFileSync } = require('node:fs');
const out = ${JSON.stringify(resultsFile)};
const emit = (o) => appendFileSync(out, JSON.stringify(o) + '\\n');
exports.activate = () => {
  require(${JSON.stringify(suiteIndex)}).run({ onResult: (r) => emit({ type: 'result', ...r }) })
    .then(() => emit({ type: 'done', ok: true }), (e) => emit({ type: 'done', ok: false, error: String(e && e.stack || e) }));
};
exports.deactivate = () => {};
`,
  );
}

function readResults(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Resolves with every record once the harness has written "done" (fs.watch, no polling loop). */
function waitForDone(dir, file, timeoutMs) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const records = readResults(file);
      if (records.some((r) => r.type === 'done')) {
        finish();
        resolve(records);
      }
    };
    const watcher = watch(dir, check);
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`suite did not finish in ${timeoutMs} ms; so far: ${JSON.stringify(readResults(file))}`));
    }, timeoutMs);
    function finish() {
      watcher.close();
      clearTimeout(timer);
    }
    check();
  });
}

test('vscode-suite: the extension-host mocha suite passes inside code-server', async (t) => {
  const suiteIndex = await buildSuite();
  /** @type {string} */
  let resultsDir = '';
  const vs = await openVSCode(t, {
    session: 'vscode-suite',
    workspace: 'vscode-suite',
    workspaceDir: SUITE_WORKSPACE,
    beforeStart: ({ root, ext }) => {
      resultsDir = join(root, 'suite-results');
      mkdirSync(resultsDir);
      harness(join(ext, 'e2e.vscode-suite-harness-0.0.1'), suiteIndex, join(resultsDir, 'results.jsonl'));
      registerUnpackedExtension(ext, 'e2e.vscode-suite-harness-0.0.1');
    },
  });
  const records = await waitForDone(resultsDir, join(resultsDir, 'results.jsonl'), 150_000);
  await vs.shot('after-suite');
  const results = records.filter((r) => r.type === 'result');
  for (const r of results)
    console.log(
      `  [extension host] ${r.state === 'passed' ? '✔' : '✖'} ${r.title}${r.durationMs !== undefined ? ` (${r.durationMs} ms)` : ''}${r.error ? `\n${r.error}` : ''}`,
    );
  const done = records.find((r) => r.type === 'done');
  assert.ok(results.length >= 7, `expected the whole suite to report, got ${results.length} results`);
  assert.deepEqual(
    results.filter((r) => r.state === 'failed').map((r) => r.title),
    [],
  );
  assert.equal(done.ok, true, done.error);
});

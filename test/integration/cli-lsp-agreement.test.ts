/**
 * The CLI and the editor judge a file alike: every nginx file of the corpus
 * and of every layout (test/support/layouts.ts) is linted by the real CLI
 * (`nginx-ws lint --format json`, one run per folder) and opened, one at a
 * time, in the real language server over stdio with that folder as its
 * workspace; the findings of each file must be the same (range, severity,
 * code, message), and so must the config root each side judged it in.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildOnce, LspTestClient, ROOT } from '../support/lsp-client';
import { LAYOUTS, makeLayout } from '../support/layouts';
import { corpusPart } from '../support/corpus';

const CLI = join(ROOT, 'dist', 'cli.js');
const SEVERITY = ['', 'error', 'warning', 'information', 'hint'];

interface CliJson {
  files: { file: string; root: string }[];
  findings: {
    file: string;
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    severity: string;
    code: string;
    message: string;
  }[];
}

function key(r: CliJson['findings'][number]['range'], severity: string, code: string, message: string): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${severity} ${code} ${message}`;
}

function cliLint(dir: string): CliJson {
  const r = spawnSync(process.execPath, [CLI, 'lint', '--format', 'json', '.'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.ok(r.status === 0 || r.status === 1, `nginx-ws lint in ${dir} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as CliJson;
}

/** Lints `dir` with the CLI and opens each file it listed in a language server; returns the disagreements. */
async function compare(dir: string): Promise<{ files: number; findings: number; mismatches: string[] }> {
  const cli = cliLint(dir);
  const c = await LspTestClient.start({ workspaceFolders: [dir] });
  const mismatches: string[] = [];
  let findings = 0;
  try {
    for (const { file, root } of cli.files) {
      const abs = resolve(dir, file);
      const uri = pathToFileURL(abs).href;
      const since = c.mark(uri);
      const logMark = c.logs.length;
      c.open(uri, readFileSync(abs, 'utf8'));
      const published = await c.diagnostics(uri, (p) => p.version === 1, { since, timeoutMs: 30_000 });
      c.close(uri);
      const lsp = published.diagnostics
        .map((d) => key(d.range, SEVERITY[d.severity ?? 1]!, String(d.code), typeof d.message === 'string' ? d.message : d.message.value))
        .sort();
      const mine = cli.findings
        .filter((f) => f.file === file)
        .map((f) => key(f.range, f.severity, f.code, f.message))
        .sort();
      findings += mine.length;
      if (lsp.join('\n') !== mine.join('\n')) {
        const onlyLsp = lsp.filter((x) => !mine.includes(x));
        const onlyCli = mine.filter((x) => !lsp.includes(x));
        mismatches.push(`${file}:\n  only the editor: ${onlyLsp.join('\n    ') || '-'}\n  only the CLI: ${onlyCli.join('\n    ') || '-'}`);
      }
      // The root: the server logs "analysed as part of ROOT" when it is not the file itself.
      const part = c.logs.slice(logMark).find((l) => l.includes(uri) && /analysed as part of /.test(l));
      const lspRoot = part ? part.replace(/^.*analysed as part of /, '') : abs;
      if (resolve(dir, root) !== lspRoot) mismatches.push(`${file}: the CLI judged it in ${root}, the editor in ${lspRoot}`);
    }
  } finally {
    await c.stop().catch(() => c.kill());
  }
  return { files: cli.files.length, findings, mismatches };
}

before(() => buildOnce());

for (const name of Object.keys(LAYOUTS)) {
  test(`CLI and language server agree file by file: layout ${name}`, { timeout: 120_000 }, async (t) => {
    const l = makeLayout(name);
    t.after(() => l.dispose());
    const r = await compare(l.dir);
    t.diagnostic(`${r.files} files, ${r.findings} findings`);
    assert.ok(r.files > 0);
    assert.deepEqual(r.mismatches, []);
  });
}

// The multi-file trees the other tests use, in the repository.
for (const rel of [
  'test/fixtures/rules',
  'test/e2e/workspaces/basic',
  'test/e2e/workspaces/endpoint',
  'test/vscode/workspace',
  'examples/chat',
]) {
  test(`CLI and language server agree file by file: ${rel}`, { timeout: 120_000 }, async (t) => {
    const r = await compare(join(ROOT, rel));
    t.diagnostic(`${r.files} files, ${r.findings} findings`);
    assert.ok(r.files > 0);
    assert.deepEqual(r.mismatches, []);
  });
}

const CORPUS_DIRS = ['crossplane/tests/configs', 'h5bp-server-configs-nginx', 'nginx-tests'];
for (const rel of CORPUS_DIRS) {
  const { dir, absent } = corpusPart(rel);
  test(`CLI and language server agree file by file: corpus ${rel}`, { timeout: 600_000, skip: absent }, async (t) => {
    const r = await compare(dir);
    t.diagnostic(`${r.files} files, ${r.findings} findings`);
    assert.ok(r.files >= 10, `only ${r.files} files linted in ${dir}`);
    assert.ok(r.findings > 0, 'the corpus yields findings to compare');
    assert.deepEqual(r.mismatches, []);
  });
}

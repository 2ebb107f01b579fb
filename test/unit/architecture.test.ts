/** The invariants of ARCHITECTURE.md that a grep can hold the code to. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm), ...text.matchAll(/^\s*import\s+'([^']+)'/gm), ...text.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]!);
}

test('the engine is pure: no Node I/O, no vscode, no LSP runtime', () => {
  const bad: string[] = [];
  for (const f of sources(join(ROOT, 'server/src/engine'))) {
    for (const i of imports(f)) {
      if (/^node:|^(fs|net|tls|child_process|http|https)$/.test(i) || /^vscode/.test(i)) bad.push(`${relative(ROOT, f)} imports ${i}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('only server/src/lsp imports vscode-languageserver; nothing outside client/ imports vscode', () => {
  const bad: string[] = [];
  for (const dir of ['server/src', 'client/src']) {
    for (const f of sources(join(ROOT, dir))) {
      const rel = relative(ROOT, f);
      for (const i of imports(f)) {
        if (i.startsWith('vscode-languageserver') && !i.startsWith('vscode-languageserver-textdocument') && !rel.startsWith('server/src/lsp/')) bad.push(`${rel} imports ${i}`);
        if (i === 'vscode' && !rel.startsWith('client/')) bad.push(`${rel} imports vscode`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('the client, the CLI and the tester do not import the LSP adapter at run time', () => {
  const bad: string[] = [];
  for (const dir of ['client/src', 'server/src/cli', 'server/src/wstest', 'server/src/node']) {
    for (const f of sources(join(ROOT, dir))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/^\s*import\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
        // lsp/protocol.ts is the shared contract: constants and types, checked below to pull nothing in.
        if (!m[1] && /\/lsp\//.test(m[2]!) && !/\/lsp\/protocol$/.test(m[2]!)) bad.push(`${relative(ROOT, f)} imports ${m[2]} at run time`);
      }
    }
  }
  assert.deepEqual(bad, []);
  const protocol = readFileSync(join(ROOT, 'server/src/lsp/protocol.ts'), 'utf8');
  assert.deepEqual([...protocol.matchAll(/^import\s+(?!type\s)[^;]*;/gm)].map((m) => m[0]), [], 'lsp/protocol.ts must import types only');
});

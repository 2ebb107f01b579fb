/**
 * The invariants and the layers of ARCHITECTURE.md, held by reading the
 * imports of every file under server/src and client/src. The table ENGINE_LAYERS
 * is the map ARCHITECTURE.md draws ("The engine's layers"): change both together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const ENGINE = 'server/src/engine/';
const FACADE = 'server/src/engine/index.ts';

/**
 * The engine's layers, lowest first: a file may import its own layer and the
 * ones below it, never one above (and no cycle at all, checked apart). Paths
 * are relative to server/src/engine/; a folder ends with `/`.
 */
const ENGINE_LAYERS: { name: string; paths: string[] }[] = [
  { name: 'knowledge', paths: ['knowledge/'] },
  { name: 'syntax', paths: ['syntax/', 'types.ts', 'templates.ts'] },
  { name: 'edits', paths: ['fixes/'] },
  { name: 'model', paths: ['model/', 'endpoints.ts'] },
  { name: 'request', paths: ['request/'] },
  { name: 'rules', paths: ['rules/'] },
  { name: 'analysis', paths: ['suppressions.ts', 'analyze.ts', 'analysis/'] },
  { name: 'services', paths: ['features/', 'endpoint-list.ts'] },
  { name: 'facade', paths: ['index.ts'] },
];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

interface Import {
  spec: string;
  /** `import type` / `export type`, or every name imported is `type X`: gone at run time. */
  typeOnly: boolean;
  /** The imported file relative to ROOT, for a relative specifier that names one. */
  target: string | null;
}

/** The imports and re-exports of a file (multi-line ones too), dynamic `import()` and `require()`. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const add = (spec: string, typeOnly: boolean) => out.push({ spec, typeOnly, target: resolveImport(file, spec) });
  for (const m of text.matchAll(/^[ \t]*(?:import|export)\s+(type\s+)?([\w*${},\s]*?)\s*(?:from\s*)?['"]([^'"]+)['"]/gm)) {
    const names = m[2]!
      .replace(/[{}]/g, '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    add(m[3]!, !!m[1] || (names.length > 0 && names.every((x) => x.startsWith('type '))));
  }
  for (const m of text.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) add(m[1]!, false);
  return out;
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const c of [`${base}.ts`, join(base, 'index.ts'), base]) if (existsSync(c) && statSync(c).isFile()) return relative(ROOT, c);
  return null;
}

const FILES = [...sources(join(ROOT, 'server/src')), ...sources(join(ROOT, 'client/src'))].map((f) => relative(ROOT, f)).sort();
const IMPORTS = new Map(FILES.map((f) => [f, importsOf(join(ROOT, f))]));

function layerOf(file: string): number {
  const rel = file.slice(ENGINE.length);
  return ENGINE_LAYERS.findIndex((l) => l.paths.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p)));
}

test('the import reader sees what it must (else every check below would pass on nothing)', () => {
  const facade = IMPORTS.get(FACADE)!;
  assert.ok(
    facade.some((i) => i.target === 'server/src/engine/analyze.ts'),
    'the facade re-exports analyze',
  );
  const rule = IMPORTS.get('server/src/engine/rules/rule.ts')!;
  assert.ok(
    rule.some((i) => i.typeOnly && i.target === 'server/src/engine/syntax/ast.ts'),
    'a type-only import is read as one',
  );
  assert.ok(
    rule.some((i) => !i.typeOnly && i.target === 'server/src/engine/fixes/edits.ts'),
    'a value import is read as one',
  );
  assert.ok(FILES.length > 100 && [...IMPORTS.values()].flat().filter((i) => i.target).length > 500);
});

test('the engine is pure: no Node I/O, no vscode, no LSP runtime, nothing of the shells', () => {
  const bad: string[] = [];
  for (const f of FILES.filter((x) => x.startsWith(ENGINE))) {
    for (const i of IMPORTS.get(f)!) {
      if (/^node:|^(fs|net|tls|child_process|http|https)$/.test(i.spec) || /^vscode/.test(i.spec)) bad.push(`${f} imports ${i.spec}`);
      if (i.spec.startsWith('.') && !i.target?.startsWith(ENGINE)) bad.push(`${f} imports ${i.spec} from outside the engine`);
    }
  }
  assert.deepEqual(bad, []);
});

test('outside the engine, only the facade engine/index.ts is imported: no deep import into the engine', () => {
  const bad: string[] = [];
  for (const f of FILES.filter((x) => !x.startsWith(ENGINE))) {
    for (const i of IMPORTS.get(f)!) if (i.target?.startsWith(ENGINE) && i.target !== FACADE) bad.push(`${f} imports ${i.target}`);
  }
  assert.deepEqual(bad, []);
});

test('no file inside the engine imports the facade (it is for the shells)', () => {
  const bad = FILES.filter((f) => f.startsWith(ENGINE) && f !== FACADE && IMPORTS.get(f)!.some((i) => i.target === FACADE));
  assert.deepEqual(bad, []);
});

test('every engine file belongs to a layer, and imports only its own layer and those below', () => {
  const bad: string[] = [];
  for (const f of FILES.filter((x) => x.startsWith(ENGINE))) {
    const own = layerOf(f);
    if (own < 0) {
      bad.push(`${f} is in no layer of ENGINE_LAYERS (add it there and to ARCHITECTURE.md)`);
      continue;
    }
    for (const i of IMPORTS.get(f)!) {
      if (!i.target?.startsWith(ENGINE)) continue;
      const to = layerOf(i.target);
      if (to > own) bad.push(`${f} (${ENGINE_LAYERS[own]!.name}) imports ${i.target} (${ENGINE_LAYERS[to]!.name}, above it)`);
    }
  }
  assert.deepEqual(bad, []);
});

test('rules never import features/ (the editor features sit above the rules)', () => {
  const bad: string[] = [];
  for (const f of FILES.filter((x) => x.startsWith(`${ENGINE}rules/`))) {
    for (const i of IMPORTS.get(f)!) if (i.target?.startsWith(`${ENGINE}features/`)) bad.push(`${f} imports ${i.target}`);
  }
  assert.deepEqual(bad, []);
});

/** The cycles of a graph: one shortest cycle through each strongly connected component (Tarjan), as a path. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  // Iterative: an explicit stack of (node, position in its edge list).
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, at] = top;
      const edges = graph.get(v) ?? [];
      if (at < edges.length) {
        top[1]++;
        const w = edges[at]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const c: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          c.push(w);
        } while (w !== v);
        if (c.length > 1 || edges.includes(v)) components.push(c);
      }
    }
  }
  // In each component, the shortest path from its first file back to itself (breadth first).
  return components.map((c) => {
    const inside = new Set(c);
    const first = [...c].sort()[0]!;
    const from = new Map<string, string>();
    const queue = [first];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of graph.get(v) ?? []) {
        if (!inside.has(w)) continue;
        if (w === first) {
          const path = [first];
          for (let x = v; x !== first; x = from.get(x)!) path.splice(1, 0, x);
          return [...path, first];
        }
        if (!from.has(w)) {
          from.set(w, v);
          queue.push(w);
        }
      }
    }
    return [first, first];
  });
}

test('the cycle finder finds a cycle and reports it as a path', () => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
    ['e', ['e']],
  ]);
  assert.deepEqual(
    cycles(g)
      .map((c) => c.join(' -> '))
      .sort(),
    ['a -> b -> c -> a', 'e -> e'],
  );
  assert.deepEqual(
    cycles(
      new Map([
        ['a', ['b']],
        ['b', []],
      ]),
    ),
    [],
  );
});

test('no import cycle inside server/src (type-only imports count: they tie the files as much)', () => {
  const graph = new Map<string, string[]>();
  for (const f of FILES.filter((x) => x.startsWith('server/src/'))) {
    graph.set(f, [...new Set(IMPORTS.get(f)!.flatMap((i) => (i.target?.startsWith('server/src/') ? [i.target] : [])))]);
  }
  const found = cycles(graph).map((c) => c.map((f) => f.slice('server/src/'.length)).join(' -> '));
  assert.deepEqual(found, [], `import cycles:\n${found.join('\n')}`);
});

test('only server/src/lsp imports vscode-languageserver; nothing outside client/ imports vscode', () => {
  const bad: string[] = [];
  for (const f of FILES) {
    for (const { spec } of IMPORTS.get(f)!) {
      if (
        spec.startsWith('vscode-languageserver') &&
        !spec.startsWith('vscode-languageserver-textdocument') &&
        !f.startsWith('server/src/lsp/')
      )
        bad.push(`${f} imports ${spec}`);
      if (spec === 'vscode' && !f.startsWith('client/')) bad.push(`${f} imports vscode`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the client, the CLI and the tester do not import the LSP adapter at run time', () => {
  const bad: string[] = [];
  for (const f of FILES.filter((x) => /^(client\/src|server\/src\/(cli|wstest|node|prove|nginx))\//.test(x))) {
    for (const i of IMPORTS.get(f)!) {
      // lsp/protocol.ts is the shared contract: constants and types, checked below to pull nothing in.
      if (!i.typeOnly && i.target?.startsWith('server/src/lsp/') && i.target !== 'server/src/lsp/protocol.ts')
        bad.push(`${f} imports ${i.target} at run time`);
    }
  }
  assert.deepEqual(bad, []);
  const protocol = readFileSync(join(ROOT, 'server/src/lsp/protocol.ts'), 'utf8');
  assert.deepEqual(
    [...protocol.matchAll(/^import\s+(?!type\s)[^;]*;/gm)].map((m) => m[0]),
    [],
    'lsp/protocol.ts must import types only',
  );
});

test('one home for running nginx: only server/src/nginx/ starts processes (and the two that run other programs)', () => {
  // prove/certs.ts runs openssl for the proof's certificate; client/src/report/reload.ts runs the user's reload command.
  const others = new Set(['server/src/prove/certs.ts', 'client/src/report/reload.ts']);
  const bad = FILES.filter(
    (f) => !f.startsWith('server/src/nginx/') && !others.has(f) && IMPORTS.get(f)!.some((i) => /^(node:)?child_process$/.test(i.spec)),
  );
  assert.deepEqual(bad, []);
});

test('derived state lives on its object: no module-level cache keyed on a model, an analysis or a rule run', () => {
  // ARCHITECTURE.md "Derived state": ConfigModel.cache, Analysis.cache, RuleContext.cache.
  const bad: string[] = [];
  for (const f of FILES.filter((x) => x.startsWith(ENGINE))) {
    const text = readFileSync(join(ROOT, f), 'utf8');
    for (const m of text.matchAll(/new (?:Weak)?Map<\s*(ConfigModel|Analysis|RuleContext|VersionCheckInput)\b/g))
      bad.push(`${f}: a Map keyed on ${m[1]}`);
    if (/Object\.defineProperty\(\s*(model|analysis)\b/.test(text))
      bad.push(`${f}: a property added to a model or an analysis with Object.defineProperty`);
  }
  assert.deepEqual(bad, []);
});

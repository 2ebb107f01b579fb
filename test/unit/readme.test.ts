/**
 * The README is the user's guide (and the VSIX's marketplace page); the
 * developer material lives in docs/development.md. These tests keep both
 * honest: generated parts current, pictures present, links resolvable in a
 * clone, the facts table backed by real tests, every dependency explained
 * where the sources really use it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { declaredSettings, README, RULES_DOC, rulesDoc, withSettings } from '../../scripts/rule-docs';
import { filesUnder } from '../support/corpus';

const ROOT = resolve(__dirname, '..', '..');
const readme = readFileSync(README, 'utf8');
const DEVELOPMENT = join(ROOT, 'docs', 'development.md');
const FACTS = join(ROOT, 'docs', 'websocket-facts.md');

/** Markdown links and images `[text](target)` / `![alt](target)` outside code blocks. */
function links(md: string): { image: boolean; target: string }[] {
  const text = md.replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => ({ image: m[1] === '!', target: m[2]! }));
}

test('docs/rules.md is the generated rule reference (run `npm run docs`)', () => {
  assert.equal(readFileSync(RULES_DOC, 'utf8'), rulesDoc());
});

test('the rule examples carry no test placeholders', () => {
  assert.doesNotMatch(rulesDoc(), /__[A-Z][A-Z0-9]*__/);
  assert.doesNotMatch(readme, /__[A-Z][A-Z0-9]*__/);
});

test('the README settings table lists every setting of package.json with its default (run `npm run docs`)', () => {
  assert.equal(readme, withSettings(readme));
  for (const [key, s] of declaredSettings()) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
    assert.ok(row, `${key} has a row`);
    if (key !== 'nginxWs.rules')
      assert.ok(row.includes(`\`${JSON.stringify(s.default)}\``), `${key}: default ${JSON.stringify(s.default)} in ${row}`);
  }
});

test('the README starts with the two commands, and .ci/run runs its test command', () => {
  const head = readme.slice(0, 1500);
  const start = /^(bash scripts\/setup\.sh && npm start)\b/m.exec(head);
  const tests = /^(bash scripts\/setup\.sh && npm test)\b/m.exec(head);
  assert.ok(start && tests, 'the README opens with the demo and test commands');
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, new RegExp(`^${tests[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), '.ci/run runs the README test line exactly');
});

test('the README shows the product: every picture exists under images/, and every kept screenshot is shown', () => {
  const images = links(readme)
    .filter((l) => l.image)
    .map((l) => l.target);
  for (const wanted of ['images/hover.png', 'images/quick-fix.png', 'images/report-failed.png', 'images/endpoints-view.png']) {
    assert.ok(images.includes(wanted), `the README shows ${wanted}`);
  }
  for (const img of images) {
    assert.match(img, /^images\/[\w.-]+\.png$/, `${img}: pictures are committed under images/`);
    assert.ok(existsSync(join(ROOT, img)), `${img} exists (npm run images takes it)`);
  }
  // The e2e sessions keep their README screenshots with `vs.keep(name)`: each must be shown, or not kept.
  const sessions = join(ROOT, 'test', 'e2e', 'sessions');
  const kept = readdirSync(sessions).flatMap((f) =>
    [...readFileSync(join(sessions, f), 'utf8').matchAll(/vs\.keep\('([\w-]+)'\)/g)].map((m) => `images/${m[1]}.png`),
  );
  assert.ok(kept.length >= 4, 'the e2e sessions keep the README screenshots');
  for (const k of kept) assert.ok(images.includes(k), `${k} is kept by the e2e run but not shown in the README`);
});

test('every relative link in the README and docs/ resolves in a clone, and none leaves the repository', () => {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f));
  for (const file of [README, ...docs]) {
    for (const { target } of links(readFileSync(file, 'utf8'))) {
      if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const path = resolve(dirname(file), target.split('#')[0]!);
      assert.ok(path.startsWith(ROOT + '/'), `${file}: ${target} points outside the repository`);
      assert.ok(existsSync(path), `${file}: ${target} does not exist`);
    }
  }
  assert.doesNotMatch(readme, /\.\.\/shared\//, "the README links the project's own facts, not ../shared");
  for (const doc of ['docs/rules.md', 'docs/websocket-facts.md', 'docs/performance.md', 'docs/development.md']) {
    assert.ok(
      links(readme).some((l) => l.target === doc),
      `the README links ${doc}`,
    );
  }
});

test('the user README has no machine-specific figures and no developer reference', () => {
  assert.doesNotMatch(readme, /\b\d+(\.\d+)? ms vs\b|p95|peak memory/i, 'performance figures belong in docs/performance.md');
  assert.doesNotMatch(readme, /## Why each dependency is here|devDependencies/, 'the dependency list belongs in docs/development.md');
  assert.match(
    readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8'),
    /npm run bench/,
    'performance figures say how to reproduce them',
  );
});

test('every row of docs/websocket-facts.md names a real-nginx test that exists', () => {
  const rows = readFileSync(FACTS, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| config') && !l.startsWith('|---'));
  assert.ok(rows.length >= 20, `${rows.length} rows`);
  for (const row of rows) {
    const cited = [...row.matchAll(/`(test\/[\w/.-]+\.test\.ts)`: ((?:“[^”]+”(?: \+ )?)+)/g)];
    assert.ok(cited.length > 0, `no test named in: ${row}`);
    for (const [, file, fragments] of cited) {
      const source = readFileSync(join(ROOT, file!), 'utf8');
      for (const [, fragment] of fragments!.matchAll(/“([^”]+)”/g)) {
        assert.ok(source.includes(fragment!), `${file} has no test "${fragment}" (row: ${row.slice(0, 80)}…)`);
      }
    }
  }
});

/** One entry of docs/development.md's "Why each dependency is here": the packages it names and where it says they are used. */
interface DependencyEntry {
  names: string[];
  places: string[];
  bundled: boolean;
  line: string;
}

function dependencyEntries(md: string): DependencyEntry[] {
  const section = md.slice(md.indexOf('## Why each dependency is here'));
  const body = section.slice(0, (section.indexOf('\n## ', 5) + 1 || section.length + 1) - 1);
  const entries: DependencyEntry[] = [];
  let bundled = false;
  for (const line of body.split('\n')) {
    if (/^Bundled\b/.test(line)) bundled = true;
    if (/^Development\b/.test(line)) bundled = false;
    const m = /^- ((?:`[^`]+`(?:, | and )?)+)(?: \(((?:`[^`]+`(?:, )?)+)\))?:/.exec(line);
    if (!m) continue;
    const ticks = (s: string | undefined) => [...(s ?? '').matchAll(/`([^`]+)`/g)].map((x) => x[1]!);
    entries.push({ names: ticks(m[1]), places: ticks(m[2]), bundled, line });
  }
  return entries;
}

const NODE_BUILTINS = new Set(builtinModules);

/** The package a module specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative paths and Node's own modules. */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]!)) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Where each package is used: the source files (repository-relative) that import or require it, load it with
 * `--import`, or, for `package.json`, whose scripts run one of its commands (its `bin`) or `--import` it.
 */
function usage(deps: string[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const add = (pkg: string, where: string) => {
    if (!used.has(pkg)) used.set(pkg, new Set());
    used.get(pkg)!.add(where);
  };
  const sources = ['server', 'client', 'test', 'scripts', 'bench', 'bin']
    .flatMap((d) => filesUnder(join(ROOT, d), (n) => /\.(ts|mts|cts|mjs|cjs|js)$/.test(n)))
    .concat(
      readdirSync(ROOT)
        .filter((n) => /\.(mjs|cjs|js|ts)$/.test(n))
        .map((n) => join(ROOT, n)),
    );
  for (const file of sources) {
    const rel = relative(ROOT, file);
    if (rel.startsWith('test/fixtures/')) continue;
    // Comment lines (`//`, and `/** ... */` blocks line by line) only talk about modules.
    const text = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => !/^\s*(\/\/|\/\*|\*)/.test(l))
      .join('\n');
    for (const m of text.matchAll(
      /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+|['"]--import['"],\s*)['"]([^'"\s]+)['"]/gm,
    )) {
      const pkg = packageOf(m[1]!);
      if (pkg) add(pkg, rel);
    }
  }
  const pkgJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const bins = new Map<string, string>();
  for (const dep of deps) {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', dep, 'package.json'), 'utf8')) as {
      name: string;
      bin?: string | Record<string, string>;
    };
    const names = typeof manifest.bin === 'string' ? [manifest.name.split('/').pop()!] : Object.keys(manifest.bin ?? {});
    for (const b of names) bins.set(b, dep);
  }
  for (const script of Object.values(pkgJson.scripts)) {
    for (const command of script.split(/&&|\|\||[;|]/)) {
      const first = command.trim().split(/\s+/)[0]!;
      if (bins.has(first)) add(bins.get(first)!, 'package.json');
    }
    for (const m of script.matchAll(/--import[= ](\S+)/g)) add(m[1]!, 'package.json');
  }
  return used;
}

/** A place (`server/src/lsp/`, `esbuild.mjs`, `package.json`) holds a file when it is the file or a folder above it. */
const holds = (place: string, file: string) => (place.endsWith('/') ? file.startsWith(place) : file === place);

test('docs/development.md explains every dependency where it is really used: each place it names uses it, nothing else does', () => {
  const dev = readFileSync(DEVELOPMENT, 'utf8');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const deps = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)].sort();
  const entries = dependencyEntries(dev);
  const explained = entries.flatMap((e) => e.names);
  assert.deepEqual([...explained].sort(), deps, 'docs/development.md explains each dependency of package.json once, and no other package');

  const used = usage(deps);
  const shipped = (file: string) => file.startsWith('server/src/') || file.startsWith('client/src/');
  const wrong: string[] = [];
  for (const e of entries) {
    for (const name of e.names) {
      const typed = /^@types\/(.+)$/.exec(name)?.[1];
      if (typed) {
        // A types package is explained by what it types: that module must be used.
        const target = typed.includes('__') ? `@${typed.replace('__', '/')}` : typed;
        if (target !== 'node' && !used.has(target)) wrong.push(`${name}: nothing uses ${target}`);
        if (e.places.length) wrong.push(`${name}: a types package names no places`);
        continue;
      }
      const where = [...(used.get(name) ?? [])].sort();
      if (!where.length) wrong.push(`${name}: explained, but nothing imports it or runs its command`);
      for (const place of e.places) {
        if (!existsSync(join(ROOT, place))) wrong.push(`${name}: ${place} does not exist`);
        else if (!where.some((f) => holds(place, f)))
          wrong.push(`${name}: said to be used in ${place}, which does not use it (used in ${where.join(', ')})`);
      }
      for (const f of where) if (!e.places.some((p) => holds(p, f))) wrong.push(`${name}: used in ${f}, which its entry does not name`);
      const inShipped = where.filter(shipped);
      if (e.bundled && !inShipped.length) wrong.push(`${name}: listed as bundled, but no shipped code (server/src, client/src) imports it`);
      if (!e.bundled && inShipped.length)
        wrong.push(`${name}: listed for development, but shipped code imports it (${inShipped.join(', ')})`);
    }
  }
  // The reverse: what the sources import is declared (`vscode` is the editor's own API, provided at run time).
  for (const [name, where] of used)
    if (!deps.includes(name) && name !== 'vscode')
      wrong.push(`${name}: imported by ${[...where].join(', ')}, but not a dependency in package.json`);
  assert.deepEqual(wrong, []);
});

test('the dependency check reads usage, not names: it sees the node: types, the tsx loader and the commands of package.json', () => {
  const used = usage(['tsx', 'typescript', '@vscode/vsce', 'esbuild']);
  assert.ok(used.get('tsx')?.has('package.json'), 'node --import tsx in the scripts');
  assert.ok(used.get('typescript')?.has('package.json'), 'tsc in the typecheck script');
  assert.ok(used.get('@vscode/vsce')?.has('package.json'), 'vsce in the package script');
  assert.ok(used.get('esbuild')?.has('esbuild.mjs'));
  assert.ok(!used.get('ws')?.has('server/src/wstest/probe.ts'), 'the endpoint tester does not import ws');
  const jsonrpc = [...(used.get('vscode-jsonrpc') ?? [])];
  assert.ok(
    jsonrpc.length > 0 && jsonrpc.every((f) => f.startsWith('server/src/lsp/front/')),
    `only the server's front imports vscode-jsonrpc itself: ${jsonrpc.join(', ')}`,
  );
  const entries = dependencyEntries(
    '## Why each dependency is here\n\nBundled:\n\n- `a` (`x/`, `y.ts`): why\n\nDevelopment:\n\n- `b` and `c`: why\n',
  );
  assert.deepEqual(
    entries.map((e) => [e.names, e.places, e.bundled]),
    [
      [['a'], ['x/', 'y.ts'], true],
      [['b', 'c'], [], false],
    ],
  );
});

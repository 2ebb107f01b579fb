import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definition, documentLinks, prepareRename, references, rename } from '../../server/src/engine/features/navigation';
import type { Location } from '../../server/src/engine/features/types';
import { diskHost, memoryAnalysis, posOf, siteAnalysis, SITE } from '../support/disk-host';

const ROOT = join(SITE, 'nginx.conf');
const APP = join(SITE, 'conf.d/app.conf');
const WS = join(SITE, 'snippets/ws.conf');
const analysis = siteAnalysis();
const text = (p: string) => readFileSync(p, 'utf8');
/** `file:line:col-col` (1-based line) of each location, sorted. */
const show = (ls: Location[]) =>
  ls.map((l) => `${l.path.slice(SITE.length + 1)}:${l.range.start.line + 1}:${l.range.start.character}-${l.range.end.character}`).sort();

test('definition: upstream from proxy_pass, across files', () => {
  assert.deepEqual(show(definition(analysis, APP, posOf(text(APP), 'backend/', 3))), ['nginx.conf:11:13-20']);
  assert.deepEqual(show(definition(analysis, APP, posOf(text(APP), 'http://backend;', 9))), ['nginx.conf:11:13-20']);
  // On the scheme part there is nothing to go to.
  assert.deepEqual(definition(analysis, APP, posOf(text(APP), 'http://backend/', 2)), []);
});

test('definition: variable to its map, set or named capture', () => {
  assert.deepEqual(show(definition(analysis, WS, posOf(text(WS), '$connection_upgrade', 4))), ['nginx.conf:6:22-41']);
  assert.deepEqual(show(definition(analysis, APP, posOf(text(APP), '$tenant"', 2))), ['conf.d/app.conf:8:12-19']);
  assert.deepEqual(show(definition(analysis, APP, posOf(text(APP), '$uid ', 2))), ['conf.d/app.conf:12:15-37']);
  assert.deepEqual(definition(analysis, APP, posOf(text(APP), '$uri', 2)), []);
});

test('definition: named location and include files', () => {
  assert.deepEqual(show(definition(analysis, APP, posOf(text(APP), '@fallback;', 3))), ['conf.d/app.conf:16:13-22']);
  assert.deepEqual(show(definition(analysis, ROOT, posOf(text(ROOT), 'conf.d/*.conf', 3))), ['conf.d/app.conf:1:0-0']);
  assert.deepEqual(show(definition(analysis, APP, posOf(text(APP), 'snippets/ws.conf', 3), { host: diskHost })), [
    'snippets/ws.conf:1:0-0',
  ]);
  // With a prefix that holds no snippets/ (and conf.d/ has none either), nothing is found.
  assert.deepEqual(definition(analysis, APP, posOf(text(APP), 'snippets/ws.conf', 3), { host: diskHost, prefix: '/nonexistent' }), []);
  assert.deepEqual(show(definition(analysis, APP, posOf(text(APP), 'snippets/ws.conf', 3), { host: diskHost, prefix: SITE })), [
    'snippets/ws.conf:1:0-0',
  ]);
});

test('references: upstream and variable, with and without declarations', () => {
  const up = posOf(text(ROOT), 'backend {', 2);
  assert.deepEqual(show(references(analysis, ROOT, up)), ['conf.d/app.conf:17:26-33', 'conf.d/app.conf:7:26-33', 'nginx.conf:11:13-20']);
  assert.deepEqual(show(references(analysis, ROOT, up, false)), ['conf.d/app.conf:17:26-33', 'conf.d/app.conf:7:26-33']);
  const v = posOf(text(ROOT), '$connection_upgrade', 3);
  assert.deepEqual(show(references(analysis, ROOT, v)), ['nginx.conf:6:22-41', 'snippets/ws.conf:3:28-47']);
  assert.deepEqual(show(references(analysis, ROOT, v, false)), ['snippets/ws.conf:3:28-47']);
  const named = posOf(text(APP), '@fallback {', 2);
  assert.deepEqual(show(references(analysis, APP, named, false)), ['conf.d/app.conf:9:23-32']);
});

test('rename: an upstream and every pass directive naming it, across files', () => {
  const at = posOf(text(APP), 'backend;', 2);
  assert.deepEqual(prepareRename(analysis, APP, at)!.placeholder, 'backend');
  const edit = rename(analysis, APP, at, 'app_v2')!;
  const flat = edit.changes
    .flatMap((c) =>
      c.edits.map(
        (e) =>
          `${c.path.slice(SITE.length + 1)}:${e.range.start.line + 1}:${e.range.start.character}-${e.range.end.character}=${e.newText}`,
      ),
    )
    .sort();
  assert.deepEqual(flat, ['conf.d/app.conf:17:26-33=app_v2', 'conf.d/app.conf:7:26-33=app_v2', 'nginx.conf:11:13-20=app_v2']);
  assert.throws(() => rename(analysis, APP, at, 'bad name;'), /not a valid upstream name/);
  assert.equal(prepareRename(analysis, APP, posOf(text(APP), 'app.example.com', 2)), null);
});

test('rename keeps quotes and ports, and ignores addresses with variables', () => {
  const t =
    'http {\n upstream "b" { server x; }\n server { location / { proxy_pass http://b:8080/x; } location /g { grpc_pass grpc://b; } location /v { proxy_pass http://$b; } }\n}\n';
  const a = memoryAnalysis({ '/r/nginx.conf': t });
  const edit = rename(a, '/r/nginx.conf', posOf(t, 'b:8080'), 'c')!;
  const applied = applyEdits(
    t,
    edit.changes[0]!.edits.map((e) => ({ start: offset(t, e.range.start), end: offset(t, e.range.end), text: e.newText })),
  );
  assert.equal(applied, t.replace('"b"', '"c"').replace('//b:8080', '//c:8080').replace('grpc://b', 'grpc://c'));
});

test('rename: a config-defined variable, its map and every use across files, ${...} forms included', () => {
  const root =
    "http {\n map $http_upgrade $conn_up { default upgrade; '' close; }\n map $conn_up $other { default x; }\n include /v/site.conf;\n}\n";
  const site = 'server { location / { proxy_set_header Connection $conn_up; add_header X-C "${conn_up}-1"; } }\n';
  const a = memoryAnalysis({ '/v/nginx.conf': root, '/v/site.conf': site }, '/v/nginx.conf');
  const at = posOf(site, '$conn_up;', 3);
  const prep = prepareRename(a, '/v/site.conf', at)!;
  assert.equal(prep.placeholder, 'conn_up');
  assert.equal(prep.range.end.character - prep.range.start.character, 'conn_up'.length, 'the range is the name, without $');
  const edit = rename(a, '/v/site.conf', at, '$connection_upgrade')!;
  const after = new Map([
    ['/v/nginx.conf', root],
    ['/v/site.conf', site],
  ]);
  for (const c of edit.changes)
    after.set(
      c.path,
      applyEdits(
        after.get(c.path)!,
        c.edits.map((e) => ({
          start: offset(after.get(c.path)!, e.range.start),
          end: offset(after.get(c.path)!, e.range.end),
          text: e.newText,
        })),
      ),
    );
  assert.equal(after.get('/v/nginx.conf'), root.replaceAll('$conn_up', '$connection_upgrade'));
  assert.equal(after.get('/v/site.conf'), site.replace('$conn_up;', '$connection_upgrade;').replace('${conn_up}', '${connection_upgrade}'));
  assert.throws(() => rename(a, '/v/site.conf', at, 'bad-name'), /not a valid variable name/);
  assert.throws(() => rename(a, '/v/site.conf', at, 'other'), /already exists/);
  assert.throws(() => rename(a, '/v/site.conf', at, 'host'), /already exists/);
});

test('rename refuses nginx variables and regex captures', () => {
  assert.equal(prepareRename(analysis, APP, posOf(text(APP), '$uri', 2)), null, 'built-in');
  assert.equal(prepareRename(analysis, APP, posOf(text(APP), '$uid ', 2)), null, 'named capture');
  assert.equal(rename(analysis, APP, posOf(text(APP), '$uri', 2), 'x'), null);
});

test('document links for includes: plain files and single-match globs', () => {
  const links = documentLinks(analysis, ROOT, { host: diskHost });
  assert.deepEqual(
    links.map((l) => [l.range.start.line, l.range.start.character, l.range.end.character, l.target]),
    [[15, 12, 25, join(SITE, 'conf.d/app.conf')]],
  );
  const t = 'include /l/one.conf;\ninclude /l/many/*.conf;\ninclude "/l/q.conf";\ninclude /l/missing.conf;\n';
  const a = memoryAnalysis(
    { '/l/nginx.conf': t, '/l/one.conf': '', '/l/q.conf': '', '/l/many/a.conf': '', '/l/many/b.conf': '' },
    '/l/nginx.conf',
  );
  assert.deepEqual(
    documentLinks(a, '/l/nginx.conf').map((l) => `${l.range.start.line}:${l.range.start.character}-${l.range.end.character} ${l.target}`),
    ['0:8-19 /l/one.conf', '2:9-18 /l/q.conf'],
  );
});

function offset(t: string, p: { line: number; character: number }): number {
  return (
    t
      .split('\n')
      .slice(0, p.line)
      .reduce((n, l) => n + l.length + 1, 0) + p.character
  );
}

function applyEdits(t: string, edits: { start: number; end: number; text: string }[]): string {
  for (const e of [...edits].sort((a, b) => b.start - a.start)) t = t.slice(0, e.start) + e.text + t.slice(e.end);
  return t;
}

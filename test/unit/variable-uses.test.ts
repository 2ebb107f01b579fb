/**
 * `variableUses` (the variables a config uses, shared by undefined-variable and the version check)
 * against its plain definition on generated configs: every argument of every directive scanned with
 * `findVariables`, in document order. The engine's form skips the directives whose argument tokens the
 * parser did not mark as holding a `$` and reads each distinct argument text once (a memo); neither may
 * change a use. The definitions, read from the directives of the names that can make one (the model's
 * name index), against a walk over every directive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildModel, flatDirectives, type Scope } from '../../server/src/engine/model/config';
import { singleFileHost } from '../../server/src/engine/index';
import { DEFAULT_SETTINGS } from '../../server/src/engine/types';
import { findVariables, hasDollarIn, type Directive } from '../../server/src/engine/syntax/ast';
import { parse } from '../../server/src/engine/syntax/parser';
import { UseCollector, variableUses } from '../../server/src/engine/model/variable-uses';
import { DEFINING_ARG, DefinitionCollector, collectDefinitions, definitionsIn } from '../../server/src/engine/model/variables';
import { CORPUS, CORPUS_ABSENT, filesUnder } from '../support/corpus';
import { walkDirectives } from '../../server/src/engine/model/directive-walk';

/** The uses as the engine listed them before the shortcuts: the reference. */
function reference(list: { directives: readonly Directive[]; scopes: readonly Scope[] }): string[] {
  const code = new Map<string, [number, number]>([
    ['perl', [0, -1]],
    ['perl_set', [1, -1]],
    ['js_set', [1, -1]],
    ['set_by_lua', [1, 1]],
    ['content_by_lua', [0, -1]],
  ]);
  const out: string[] = [];
  list.directives.forEach((d, k) => {
    const scope = list.scopes[k]!;
    if (scope.kind === 'map' || scope.kind === 'geo' || scope.kind === 'split_clients') return;
    const skip = d.name === 'geo' ? d.args.length - 1 : (DEFINING_ARG.get(d.name) ?? -1);
    const c = code.get(d.name);
    d.args.forEach((a, i) => {
      if (i === skip || (c && i >= c[0] && (c[1] < 0 || i <= c[1]))) return;
      for (const v of findVariables(a.raw, a.start)) out.push(`${v.name}@${v.start}-${v.end} ${d.name}#${i} in ${scope.kind}`);
    });
  });
  return out;
}

const word = fc.constantFrom(
  '$host',
  '${host}',
  '$http_upgrade',
  '\\$x',
  '"a $b c"',
  "'$c'",
  '${',
  '$1',
  '$',
  'x$y',
  'plain',
  '"$a$b"',
  '${a}b',
  '$_',
  '#$z\n',
  '"a\\$b"',
  "'\\$'",
  '"a\\"$b"',
  '"never closed $x',
  "'open",
);
const name = fc.constantFrom(
  'proxy_set_header',
  'set',
  'return',
  'perl_set',
  'perl',
  'js_set',
  'set_by_lua',
  'content_by_lua',
  'geo',
  'add_header',
  'map',
);
// Ends: a `;`, a comment with a `$` after it, or none (a syntax error the parser recovers from).
const directive = fc
  .tuple(name, fc.array(word, { maxLength: 4 }), fc.constantFrom(';', ';', '; # $t', ''))
  .map(([n, args, end]) => `${n} ${args.join(' ')}${end}`);
const block = fc
  .tuple(
    fc.constantFrom('server', 'location /', 'map $a $b', 'geo $g', 'split_clients $s $t', 'if ($x)'),
    fc.array(directive, { maxLength: 4 }),
  )
  .map(([head, body]) => `${head} {\n${body.join('\n')}\n}`);
const config = fc.array(fc.oneof(directive, block), { maxLength: 8 }).map((parts) => `http {\n${parts.join('\n')}\n}\n`);

test('variableUses lists what scanning every argument lists, in the same order, first read and memoised alike', () => {
  fc.assert(
    fc.property(config, (text) => {
      const path = '/etc/nginx/nginx.conf';
      const model = buildModel(path, singleFileHost(path, text), DEFAULT_SETTINGS);
      const list = flatDirectives(model);
      const expected = reference(list);
      for (let i = 0; i < 2; i++) {
        const got = variableUses(list).map(
          (u) => `${u.name}@${u.start}-${u.end} ${u.directive.name}#${u.directive.args.indexOf(u.arg)} in ${u.scope.kind}`,
        );
        assert.deepEqual(got, expected, text);
      }
    }),
    { numRuns: 500 },
  );
});

test('one walk for the definitions and the uses gives what each pass gives on its own walk', () => {
  fc.assert(
    fc.property(config, (text) => {
      const path = '/etc/nginx/nginx.conf';
      const model = buildModel(path, singleFileHost(path, text), DEFAULT_SETTINGS);
      const list = flatDirectives(model);
      const defs = new DefinitionCollector();
      const uses = new UseCollector();
      walkDirectives(list, [defs, uses]);
      assert.deepEqual(uses.uses, variableUses(list), text);
      assert.deepEqual([...defs.definitions], [...definitionsIn(list)], text);
    }),
    { numRuns: 300 },
  );
});

/** Every directive of a parsed text, depth first (the blocks' children made as they are read). */
function everyDirective(text: string): Directive[] {
  return [...parse(text, '/etc/nginx/nginx.conf').walk()];
}

/** The parser's `$` marks against the arguments' text: never a `$` missed; a mark without one only on an unterminated string. */
function checkDollarMarks(text: string, materialize: boolean): void {
  for (const d of everyDirective(text)) {
    if (materialize) void d.args;
    const n = d.argCount;
    let has = false;
    for (let i = 0; i < n; i++) has ||= hasDollarIn(d.file.text, d.argStart(i), d.argEnd(i));
    const marked = d.argsMayHaveDollar();
    if (has) assert.ok(marked, `${d.name} at ${d.start}: an argument holds a $ the marks missed\n${text}`);
    else if (marked)
      assert.ok(
        d.args.some((a) => !a.terminated),
        `${d.name} at ${d.start}: marked without a $ or an unterminated string\n${text}`,
      );
  }
}

test("the parser's `$` marks on argument tokens hold what the arguments' text holds, made or not", () => {
  fc.assert(
    fc.property(config, fc.boolean(), (text, materialize) => checkDollarMarks(text, materialize)),
    { numRuns: 500 },
  );
});

test("the parser's `$` marks hold on every config of the corpus", { skip: CORPUS_ABSENT }, () => {
  const files = filesUnder(CORPUS, (n) => n.endsWith('.conf') || n.endsWith('.types'));
  assert.ok(files.length > 100, `only ${files.length} corpus files`);
  for (const f of files) checkDollarMarks(readFileSync(f).toString('utf8'), false);
});

// Definitions: every construct that makes one, among directives that make none.
const defining = fc.constantFrom(
  'set $a 1;',
  'set $b $a;',
  'perl_set $p "sub { 1 }";',
  'js_set $j main.f;',
  'auth_request_set $ar $upstream_status;',
  'set_by_lua $l "return 1";',
  'geo $remote_addr $g { default 0; 10.0.0.0/8 1; }',
  'geo $g2 { default 0; }',
  'split_clients $x $s { 50% a; * b; }',
  'map $uri $m { default 0; ~^/(?<mk>[a-z]+) 1; "~(?P<mq>x)" 2; }',
  'map $uri $set { set $notadef; }',
  'geoip2 /db { $country_code country iso_code; }',
  '$lonely 1;',
  'location ~ ^/(?<loc>[a-z]+)$ { return 204; }',
  'location /plain { proxy_pass http://b; }',
  'server_name ~^(?<sub>.+)\\.example\\.com$;',
  "if ($uri ~ (?'iq'y)) { return 403; }",
  'rewrite ^/(?<rw>.*)$ /$rw last;',
  'proxy_set_header Host $host;',
  'add_header X-A (?<notadef>x);',
  'listen 80;',
);
const definingConfig = fc
  .array(
    fc.oneof(
      defining,
      defining.map((d) => `server {\n${d}\n}`),
    ),
    { maxLength: 10 },
  )
  .map((parts) => `http {\n${parts.join('\n')}\n}\n`);

/** Definitions as comparable text: name, directive, argument, scope, in the map's order and each list's. */
function definitionsText(defs: ReturnType<typeof definitionsIn>): string[] {
  return [...defs].flatMap(([name, list]) =>
    list.map((v) => `${name}: ${v.directive.name}@${v.directive.start} ${v.arg.raw}@${v.arg.start} in ${v.scope.kind}`),
  );
}

function checkDefinitions(text: string): void {
  const path = '/etc/nginx/nginx.conf';
  const model = buildModel(path, singleFileHost(path, text), DEFAULT_SETTINGS);
  const fromIndex = definitionsText(collectDefinitions(model));
  assert.deepEqual(fromIndex, definitionsText(definitionsIn(flatDirectives(model))), text);
}

test('the definitions read from the name index are those of a walk over every directive, in the same order', () => {
  fc.assert(fc.property(definingConfig, checkDefinitions), { numRuns: 500 });
  // Each construct makes the definitions it should (the generator's cases are not all no-ops).
  const text = `http {\n${['set $a 1;', 'map $uri $m { ~^/(?<mk>[a-z]+) 1; }', 'location ~ ^/(?<loc>[a-z]+)$ { }', 'geoip2 /db { $cc country; }'].join('\n')}\n}\n`;
  const path = '/etc/nginx/nginx.conf';
  const names = [...collectDefinitions(buildModel(path, singleFileHost(path, text), DEFAULT_SETTINGS)).keys()];
  assert.deepEqual(names, ['a', 'm', 'loc', 'mk', 'cc']);
});

test('the definitions read from the name index are those of a walk on every config of the corpus', { skip: CORPUS_ABSENT }, () => {
  const files = filesUnder(CORPUS, (n) => n.endsWith('.conf'));
  assert.ok(files.length > 100, `only ${files.length} corpus files`);
  for (const f of files) checkDefinitions(readFileSync(f).toString('utf8'));
});

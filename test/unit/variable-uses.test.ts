/**
 * `variableUses` (the variables a config uses, shared by undefined-variable and the version check)
 * against its plain definition on generated configs: every argument of every directive scanned with
 * `findVariables`, in document order. The engine's form skips `$`-free directives on one scan of their
 * text and reads each distinct argument text once (a memo); neither may change a use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildModel, flatDirectives, type Scope } from '../../server/src/engine/model/config';
import { singleFileHost } from '../../server/src/engine/index';
import { DEFAULT_SETTINGS } from '../../server/src/engine/types';
import { findVariables, type Directive } from '../../server/src/engine/syntax/ast';
import { UseCollector, variableUses } from '../../server/src/engine/model/variable-uses';
import { DEFINING_ARG, DefinitionCollector, definitionsIn } from '../../server/src/engine/model/variables';
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

/**
 * The scope tree `buildModel` makes: each scope's children are the scopes its
 * items open, in order (the build sizes the list first, then fills it), and
 * `model.scopes` lists every scope of a kind in document order, on inputs that
 * take both paths of the build (a block of directives only, and one with
 * comments or `include`s spliced in).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateConfig } from '../../bench/generate';
import { directivesNamed, flatDirectives, someNamed, type ConfigModel, type Scope } from '../../server/src/engine/model/config';
import { memoryAnalysis } from '../support/disk-host';

/** Every scope below the root in pre-order (document order), by walking `children`. */
function preOrder(root: Scope): Scope[] {
  const out: Scope[] = [];
  const stack = [...root.children].reverse();
  while (stack.length) {
    const s = stack.pop()!;
    out.push(s);
    for (let i = s.children.length - 1; i >= 0; i--) stack.push(s.children[i]!);
  }
  return out;
}

function checkScopes(model: ConfigModel, what: string): number {
  const all = preOrder(model.root);
  for (const s of [model.root, ...all]) {
    const opening = s.items.filter((d) => d.block !== null && d.block.opaque === undefined);
    // A list with a hole would have been sized for more scopes than it got.
    assert.equal(Object.keys(s.children).length, s.children.length, `${what}: no holes in ${s.kind}'s children`);
    assert.deepEqual(
      s.children.map((c) => c.directive),
      opening,
      `${what}: the children of ${s.kind} at ${s.directive?.start ?? 0} are the scopes its items open, in order`,
    );
    for (const c of s.children) {
      assert.equal(c.parent, s);
      assert.equal(c.kind, c.directive!.name);
    }
    if (s.children.length === 0) assert.ok(Object.isFrozen(s.children), `${what}: a leaf shares the frozen empty list`);
  }
  const kinds = new Set(all.map((s) => s.kind));
  assert.deepEqual([...model.scopes.keys()].sort(), [...kinds].sort(), `${what}: one list per kind`);
  for (const kind of kinds) {
    assert.deepEqual(
      model.scopes.get(kind),
      all.filter((s) => s.kind === kind),
      `${what}: the ${kind} scopes in document order`,
    );
  }
  return all.length;
}

test('model: children and per-kind lists of a generated config follow the document', () => {
  for (const shape of ['ws', 'site'] as const) {
    const text = generateConfig({ servers: 30, shape });
    const n = checkScopes(memoryAnalysis({ '/c/nginx.conf': text }).model, shape);
    assert.ok(n > 100, `${shape}: ${n} scopes`);
  }
});

test('model: includes, comments and opaque blocks in a block keep the scope tree in document order', () => {
  const files = {
    '/c/nginx.conf': [
      'events {}',
      'http {',
      '  # a comment: the items are a copy of the directives',
      '  include /c/servers/*.conf;',
      '  server { listen 80; location / { if ($x) { return 404; } } location /lua { content_by_lua_block { ngx.say("{") } } }',
      '  include /c/more.conf;',
      '  upstream u { server 127.0.0.1:1; }',
      '}',
      '',
    ].join('\n'),
    '/c/servers/a.conf': 'server { listen 81; location /a { proxy_pass http://u; } }\nmap $a $b { default 1; }\n',
    '/c/servers/b.conf': 'server { location /b { limit_except GET { deny all; } } location /c {} }\n',
    '/c/more.conf': '# only a comment and a server\nserver { include /c/loc.conf; location /d {} }\n',
    '/c/loc.conf': 'location /inc { }\n',
  };
  const model = memoryAnalysis(files, '/c/nginx.conf').model;
  const n = checkScopes(model, 'includes');
  assert.deepEqual(
    model.scopes.get('location')!.map((s) => s.directive!.args[0]!.value),
    ['/a', '/b', '/c', '/', '/lua', '/inc', '/d'],
  );
  assert.equal(n, 17);
  checkNameIndex(model, 'includes');
});

/**
 * The name index against a filter of the flat lists: `directivesNamed` gives
 * each name's directives in flat order with their scopes, `someNamed` the
 * same answer as testing that list (and stops at the first match).
 */
function checkNameIndex(model: ConfigModel, what: string): void {
  const { directives, scopes } = flatDirectives(model);
  const names = new Set(directives.map((d) => d.name));
  for (const name of [...names, 'no_such_directive']) {
    const at = directives.flatMap((d, i) => (d.name === name ? [i] : []));
    const named = directivesNamed(model, name);
    assert.deepEqual(
      named.directives,
      at.map((i) => directives[i]),
      `${what}: the ${name} directives in flat order`,
    );
    assert.deepEqual(
      named.scopes,
      at.map((i) => scopes[i]),
      `${what}: the scopes of the ${name} directives`,
    );
    assert.equal(directivesNamed(model, name), named, `${what}: ${name}'s lists are made once`);
    assert.equal(
      someNamed(model, name, () => true),
      at.length > 0,
      `${what}: some ${name}`,
    );
    assert.equal(
      someNamed(model, name, () => false),
      false,
    );
    // Stops at the first match: the last directive of the name is never tested when an earlier one passes.
    const tested: unknown[] = [];
    someNamed(model, name, (d) => (tested.push(d), true));
    assert.deepEqual(
      tested,
      at.slice(0, 1).map((i) => directives[i]),
    );
  }
}

test("model: the name index lists each name's directives with their scopes in flat order", () => {
  const model = memoryAnalysis({ '/c/nginx.conf': generateConfig({ servers: 20, shape: 'site' }) }).model;
  checkNameIndex(model, 'site');
  assert.equal(directivesNamed(model, 'proxy_set_header').directives.length, 100, 'five proxy_set_header per server');
});

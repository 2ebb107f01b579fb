/**
 * Patterns from a config or a setting run in linear time (re2js): nginx's
 * PCRE regexes (engine/model/regex.ts) and include globs (engine/model/glob.ts).
 * The ReDoS inputs below never finish on a backtracking engine; here each
 * must simply finish (the test timeout is the bound, generous for a loaded
 * machine) and give the right answer. What RE2 cannot evaluate is "not
 * evaluated" with a reason, never a hang or a guess. A differential test holds
 * the translation to JavaScript's own RegExp on patterns both accept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileNginxRegex, MAX_PATTERN_LENGTH } from '../../server/src/engine/model/regex';
import { globMatches, includePatternMatches, segmentMatcher } from '../../server/src/engine/model/glob';
import { analyze, singleFileHost, type FileHost } from '../../server/src/engine/index';
import { deriveEndpoint } from '../../server/src/engine/endpoints';
import { hover } from '../../server/src/engine/features/hover';
import { documentLinks } from '../../server/src/engine/features/navigation';

const BOUND = { timeout: 60_000 };

test('ReDoS regexes finish on long hostile inputs (nginx locations and setting patterns)', BOUND, () => {
  const cases: [string, string][] = [
    ['^/(a+)+$', `/${'a'.repeat(100_000)}!`],
    ['^/(\\w+/?)*X$', `/${'aaaa/'.repeat(20_000)}!`],
    ['^(a|a)*$', `${'a'.repeat(50_000)}b`],
    ['^(.*a){20}$', `${'a'.repeat(5000)}b`],
    ['(x+x+)+y', 'x'.repeat(50_000)],
  ];
  for (const [p, input] of cases) {
    const re = compileNginxRegex(p);
    assert.ok(re.ok, `${p} compiles`);
    assert.equal(re.test(input), false, p);
  }
});

test("captures: numbered and named ((?<n>), (?P<n>), (?'n')), case-insensitive ~*", () => {
  const re = compileNginxRegex('^/ws/(?<room>\\w+)/(?P<user>\\d+)(/x)?$', true);
  assert.ok(re.ok);
  assert.equal(re.groupCount, 3);
  assert.deepEqual(re.names, ['room', 'user']);
  const m = re.exec('/WS/Lobby/42');
  assert.deepEqual(m, {
    index: 0,
    groups: ['/WS/Lobby/42', 'Lobby', '42', undefined],
    named: new Map([
      ['room', 'Lobby'],
      ['user', '42'],
    ]),
  });
  const q = compileNginxRegex("^/(?'id'\\d+)");
  assert.ok(q.ok);
  assert.deepEqual(q.exec('/7a')?.named, new Map([['id', '7']]));
  const cs = compileNginxRegex('^/WS');
  assert.ok(cs.ok);
  assert.equal(cs.test('/ws'), false, '~ is case-sensitive');
  // Unanchored, like nginx: a location regex matches anywhere in the URI.
  const any = compileNginxRegex('\\.php$');
  assert.ok(any.ok && any.exec('/a/b.php')?.index === 4);
});

test('PCRE spellings RE2 lacks are translated; features no linear engine has are "not evaluated" with the reason', () => {
  const evaluated: [string, string, boolean][] = [
    ['^\\h*x\\Z', ' \tx\n', true],
    ['^a\\Rb$', 'a\r\nb', true],
    ['(?#a comment)^/ws', '/ws', true],
    ['(*UTF8)^/é', '/é', true],
    ['^\\e\\cA$', '\x1b\x01', true],
    ['^/\\N+$', '/abc', true],
    ['(?<=/api)/ws', '/api/ws', true],
    ['[]a]+', ']a', true],
    ['[[:digit:]]{3}', '123', true],
    ['\\Qa.b\\E', 'axb', false],
    ['^x{$', 'x{', true],
  ];
  for (const [p, input, want] of evaluated) {
    const re = compileNginxRegex(p);
    assert.ok(re.ok, `${p}: ${re.ok ? '' : re.reason}`);
    assert.equal(re.test(input), want, p);
  }
  const refused: [string, RegExp][] = [
    ['^/(a)\\1$', /backreference/],
    ['^/(?<x>a)\\k<x>', /backreference/],
    ['^/(?=ws)', /lookahead/],
    ['^/(?!ws)', /lookahead/],
    ['^/(?>a+)b', /atomic group/],
    ['^/a++b', /possessive/],
    ['^/a{2,3}+', /possessive/],
    ['^(?R)?$', /recursion/],
    ['^(?(1)a|b)', /conditional/],
    ['^(?|a|b)', /branch reset/],
    ['\\G/x', /\\G/],
    ['(?x) a b', /flag \(\?x\)/],
    ['(?<=(a))b', /capture group inside a lookbehind/],
    ['(a{1000}){1000}', /1000/],
    ['[z-a]', /not a valid regex/],
    ['(*SKIP)a', /PCRE verb/],
  ];
  for (const [p, why] of refused) {
    const re = compileNginxRegex(p);
    assert.equal(re.ok, false, p);
    if (!re.ok) assert.match(re.reason, why, p);
  }
  const huge = compileNginxRegex('a'.repeat(MAX_PATTERN_LENGTH + 1));
  assert.ok(!huge.ok && /over the 32768 limit/.test(huge.reason));
});

test('differential: on patterns JavaScript and RE2 both accept, the answers agree', BOUND, () => {
  const piece = fc.constantFrom(
    'a',
    'b',
    '/',
    '.',
    '\\d',
    '\\w',
    '[ab]',
    '[^a]',
    '(',
    ')',
    '|',
    '*',
    '+',
    '?',
    '{2}',
    '{1,3}',
    '^',
    '$',
    '*?',
    '(?:',
    '-',
    'x',
  );
  const input = fc.stringMatching(/^[ab/x19_.-]{0,12}$/);
  let compared = 0;
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 8 }), fc.boolean(), fc.array(input, { minLength: 1, maxLength: 6 }), (parts, ci, inputs) => {
      const p = parts.join('');
      let js: RegExp;
      try {
        js = new RegExp(p, ci ? 'i' : '');
      } catch {
        return;
      }
      const re = compileNginxRegex(p, ci);
      if (!re.ok) return;
      compared++;
      for (const s of inputs) assert.equal(re.test(s), js.test(s), `${JSON.stringify(p)}${ci ? ' (i)' : ''} on ${JSON.stringify(s)}`);
    }),
    { numRuns: 3000, seed: 61 },
  );
  assert.ok(compared > 500, `compared ${compared} patterns`);
});

test('globs: glob(3) semantics, in linear time', BOUND, () => {
  const m = (seg: string, name: string) => segmentMatcher(seg)(name);
  assert.ok(m('*.conf', 'a.conf'));
  assert.ok(!m('*.conf', '.hidden.conf'), 'a wildcard does not match a leading dot');
  assert.ok(m('.*.conf', '.hidden.conf'));
  assert.ok(m('[a-m]*.map', 'connection.map') && !m('[a-m]*.map', 'zz.map'));
  assert.ok(m('[!a]?', 'bc') && !m('[!a]?', 'ac'));
  assert.ok(m('[]x]', ']') && m('[[:digit:]]', '7'));
  assert.ok(m('a\\*b', 'a*b') && !m('a\\*b', 'axb'), 'escaped star is literal');
  assert.ok(m('a[.conf', 'a[.conf'), 'an unclosed [ is literal');
  assert.ok(m('x(y)+|z', 'x(y)+|z'), 'regex syntax in a glob is literal');
  // The pattern of the issue: beside a long name it never finished as a backtracking regex.
  const name = `${'a'.repeat(5000)}c`;
  assert.equal(m('*a*a*a*a*a*a*a*a*a*a*a*a*b', name), false);
  assert.ok(globMatches('/etc/nginx/conf.d/*.conf', '/etc/nginx/conf.d/app.conf'));
  assert.ok(!globMatches('/etc/nginx/*.conf', '/etc/nginx/conf.d/app.conf'), '* does not cross /');
  assert.ok(includePatternMatches('snippets/*.conf', '/srv/site/snippets/ws.conf'));
  assert.ok(includePatternMatches('../snippets/ws.conf', '/srv/snippets/ws.conf'));
  assert.ok(!includePatternMatches('/other/ws.conf', '/srv/snippets/ws.conf'));
});

test('the engine uses them: websocketPathPatterns, regex locations, hover and links on include patterns', BOUND, () => {
  const longPath = `/${'a'.repeat(50_000)}!`;
  const text = `http {\n  server {\n    listen 80;\n    location ${longPath} { proxy_pass http://b; }\n    location ~ ^/(\\w+/?)*X$ { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection upgrade; }\n    include a[.conf;\n    include *a*a*a*a*a*a*a*a*a*a*a*a*b;\n  }\n}\n`;
  const path = '/v/nginx.conf';
  const a = analyze(path, singleFileHost(path, text), {
    nginxVersion: '',
    rules: {},
    idleTimeoutThresholdSeconds: 60,
    prefix: '',
    websocketPathPatterns: ['^/(a+)+$'],
  });
  assert.ok(a.findings.length >= 0, 'the analysis finished');
  const regexLoc = a.wsLocations.find((l) => l.modifier === '~');
  assert.ok(regexLoc);
  const d = deriveEndpoint(regexLoc, a.upstreams, { path: `/${'aaaa/'.repeat(10_000)}!` });
  assert.ok(
    d.notes.some((n) => /does not match the location regex/.test(n)),
    d.notes.join('; '),
  );
  const lookahead = analyze(path, singleFileHost(path, text.replace('^/(\\w+/?)*X$', '^/(?=ws)')));
  const d2 = deriveEndpoint(
    lookahead.wsLocations.find((l) => l.modifier === '~')!,
    lookahead.upstreams,
    { path: '/ws' },
  );
  assert.ok(
    d2.notes.some((n) => /not evaluated: it uses a lookahead/.test(n)),
    d2.notes.join('; '),
  );
  // Hover on `include a[.conf` used to throw (a regex built from the pattern).
  const line = text.split('\n').findIndex((l) => l.includes('a[.conf'));
  assert.doesNotThrow(() => hover(a, path, { line, character: 14 }));
  const files = new Map([[path, text]]);
  const host: FileHost = {
    readFile: (p) => files.get(p),
    glob: () => [`/v/${'a'.repeat(5000)}c`],
    dirname: (p) => p.slice(0, p.lastIndexOf('/')) || '/',
    resolve: (dir, rel) => (rel.startsWith('/') ? rel : `${dir}/${rel}`),
  };
  assert.deepEqual(documentLinks(a, path), [], 'links from the loaded files: the ReDoS glob finishes');
  assert.ok(Array.isArray(documentLinks(a, path, { host })));
});

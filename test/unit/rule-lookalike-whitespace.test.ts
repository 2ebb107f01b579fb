/**
 * lookalike-whitespace beyond its fixtures: which characters, where they are
 * reported (not in quoted strings, comments or Lua), what the message says
 * nginx reads, that a CR inside a comment is reported only when the lines
 * it swallows hold more than comments, and that every fix leaves nginx
 * reading what the editor showed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, fixAll, lint } from '../support/rules';
import { combineFixes } from '../../server/src/engine/fixes/combine';
import { lexemeText, nginxRead } from '../support/nginx-lexer';

const hits = (text: string) => lint(text).filter((f) => f.code === 'lookalike-whitespace');
const messages = (text: string) => hits(text).map((f) => f.message);

test('a map row indented with no-break spaces: nginx reads a key that starts with them', () => {
  const text = 'http {\n    map $host $v {\n\u00a0\u00a0\u00a0\u00a0default 1;\n        example.com 2;\n    }\n}\n';
  assert.deepEqual(messages(text), [
    'nginx reads the map entry\'s first word as "<U+00A0><U+00A0><U+00A0><U+00A0>default": 4 no-break spaces (U+00A0) are not whitespace to nginx',
  ]);
  const [f] = hits(text);
  assert.deepEqual(f!.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 4 } });
  const fixed = applyFix(text, f!.fixes[0]!);
  assert.equal(fixed, text.replace(/\u00a0/g, ' '));
  assert.deepEqual(hits(fixed), []);
});

test('ideographic, thin and zero-width spaces, a form feed and a byte-order mark; each fix makes nginx read what was shown', () => {
  const cases: [string, RegExp][] = [
    ['events {}\nworker_processes\u30002;\n', /directive name as "worker_processes<U\+3000>2": ideographic space \(U\+3000\) is not/],
    ['events {}\nworker_processes 2\u2009;\n', /argument 1 of "worker_processes" as "2<U\+2009>": thin space/],
    ['events {}\nworker_processes\u200b 2;\n', /"worker_processes<U\+200B>": zero-width space/],
    ['events {}\nworker_processes 2\f;\n', /"2<U\+000C>": form feed/],
    ['\ufeffevents {}\n', /directive name as "<U\+FEFF>events": byte-order mark/],
  ];
  for (const [text, want] of cases) {
    const found = hits(text);
    assert.equal(found.length, 1, JSON.stringify(text));
    assert.match(found[0]!.message, want);
    const fixed = applyFix(text, found[0]!.fixes[0]!);
    assert.deepEqual(hits(fixed), [], JSON.stringify(fixed));
    // nginx now reads the words the editor showed.
    const shown = text.replace(/[\u3000\u2009\f]/g, ' ').replace(/[\u200b\ufeff]/g, '');
    assert.deepEqual(nginxRead(fixed).lexemes.map(lexemeText), nginxRead(shown).lexemes.map(lexemeText), JSON.stringify(text));
  }
});

test('left alone: quoted strings, comments, Lua bodies', () => {
  assert.deepEqual(
    messages(
      'http {\n    add_header X "a\u00a0b";\n    # a\u00a0comment\n    server { location / { content_by_lua_block { ngx.say("\u00a0") } } }\n}\n',
    ),
    [],
  );
});

test('a lone CR in a comment: reported when it swallows a directive, with the line nginx never reads', () => {
  const text = 'http {\n    # note\r    proxy_buffering off;\n    root /srv;\n}\n';
  assert.deepEqual(messages(text), [
    'this line ends with a lone CR, which does not end a comment for nginx (only LF does): nginx reads the next line as part of this comment, so it never reads "proxy_buffering off;"',
  ]);
  const [f] = hits(text);
  assert.deepEqual(f!.range, { start: { line: 1, character: 4 }, end: { line: 1, character: 10 } });
  const fixed = applyFix(text, f!.fixes[0]!);
  assert.equal(fixed, text.replace('\r', '\n'));
  assert.deepEqual(
    nginxRead(fixed)
      .lexemes.filter((l) => l.kind === 'word')
      .map((l) => (l.kind === 'word' ? l.raw : '')),
    ['http', 'proxy_buffering', 'off', 'root', '/srv'],
  );
  // A CRLF file, and CR-only lines that are all comments, read the same to nginx: nothing to say.
  assert.deepEqual(messages('http {\r\n    # note\r\n    root /srv;\r\n}\r\n'), []);
  assert.deepEqual(messages('# one\r# two\r\r#three\nhttp {}\n'), []);
  // A CRLF file: the fix ends the line with CRLF.
  const crlf = 'http {\r\n    # note\r    root /srv;\r\n}\r\n';
  assert.equal(applyFix(crlf, hits(crlf)[0]!.fixes[0]!), crlf.replace('note\r ', 'note\r\n '));
});

test('a whole CR-only file after a comment: every line is part of it', () => {
  const text = '# managed by a tool\rhttp {\r    server {\r        listen 80;\r    }\r}\r';
  assert.deepEqual(messages(text), [
    'this line ends with a lone CR, which does not end a comment for nginx (only LF does): nginx reads the next 5 lines as part of this comment, so it never reads "http {"',
  ]);
  // And nginx indeed reads no word at all.
  assert.deepEqual(nginxRead(text).lexemes, []);
});

test('bounded: a file full of lookalikes gets at most 200 findings and one that counts the rest; long words are cut', () => {
  const text =
    'http {\n' +
    'add_header\u00a0X y;\n'.repeat(1000) +
    'add_header Y "' +
    'a'.repeat(100_000) +
    '" a'.repeat(1) +
    '\u00a0b' +
    'c'.repeat(100_000) +
    ';\n}\n';
  const found = hits(text);
  assert.equal(found.length, 201);
  // The cap every rule has (RuleContext), with its one summary finding.
  assert.match(
    found[200]!.message,
    /^801 more lookalike-whitespace findings in this file are not shown \(at most 200 per rule and file\); the first is here$/,
  );
  assert.equal(found[200]!.range.start.line, 201);
  assert.deepEqual(found[200]!.fixes, []);
  const long = lint('events {}\nworker_processes ' + 'a'.repeat(100_000) + '\u00a0' + 'b'.repeat(100_000) + ';\n').find(
    (f) => f.code === 'lookalike-whitespace',
  )!;
  assert.ok(long.message.length < 300, long.message);
  assert.match(long.message, /"…a{20}<U\+00A0>b{39}…"/);
});

test('fix-all: the lookalike fix goes first and alone in its file, so no other rule adds what it revives', () => {
  const text = [
    'http {',
    '    server {',
    '        listen 80;',
    '        location /ws/ {',
    '            proxy_pass http://127.0.0.1:3000;',
    '            proxy_http_version 1.1;',
    '            proxy_set_header Upgrade $http_upgrade;',
    '            proxy_set_header\u00a0Connection "upgrade";',
    '            proxy_read_timeout 3600s;',
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
  // nginx reads no Connection header here, so ws-connection-header offers to add one too.
  assert.ok(lint(text).some((f) => f.code === 'ws-connection-header' && f.fixes.length));
  const one = combineFixes(lint(text).flatMap((f) => (f.fixes.length ? [f.fixes[0]!] : [])));
  assert.equal(one.applied, 1, 'the lookalike fix alone this round');
  const fixed = fixAll(text);
  assert.equal(fixed, text.replace('\u00a0', ' '));
  assert.deepEqual(lint(fixed), []);
});

test('in a file with syntax errors the lookalike fixes stay (the errors may be their effect); the others are withheld', () => {
  const text = 'http {\n    server { # a\r    }\n    location /ws/ { proxy_pass http://b; }\n}\n';
  const found = lint(text);
  assert.ok(found.some((f) => f.code === 'syntax'));
  const cr = found.find((f) => f.code === 'lookalike-whitespace')!;
  assert.equal(cr.fixes.length, 1);
  const other = found.find((f) => f.code === 'ws-path-without-recipe')!;
  assert.deepEqual(other.fixes, []);
  assert.match(other.message, /no automatic fix while the file has syntax errors/);
});

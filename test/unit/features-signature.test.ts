/**
 * Signature help and the syntax lines behind it and behind completion
 * snippets: the reference's Markdown syntax cut into parts, the argument
 * under the cursor mapped to its part (repetitions, optional parts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signatureHelp, statementAt } from '../../server/src/engine/features/signature-help';
import { activePart, parseSyntax, snippetFromSyntax } from '../../server/src/engine/features/syntax';
import { parse } from '../../server/src/engine/syntax/parser';
import { memoryAnalysis } from '../support/disk-host';

const P = '/s/nginx.conf';

/** Signature help at `|` in a location (or in `wrap`'s `@` spot). */
function sigAt(line: string, wrap = 'events {}\nhttp {\n    server {\n        location / {\n            @\n        }\n    }\n}\n') {
  const full = wrap.replace('@', line);
  const at = full.indexOf('|');
  const text = full.slice(0, at) + full.slice(at + 1);
  const before = text.slice(0, at);
  const pos = { line: before.split('\n').length - 1, character: at - (before.lastIndexOf('\n') + 1) };
  return signatureHelp(memoryAnalysis({ [P]: text }, P), P, pos);
}

test('syntax parts: values, keywords, optional groups, alternatives, repetition, block', () => {
  const listen = parseSyntax('*`address`*[:*`port`*] [`default_server`] [`ssl`] [`http2` | `quic`]');
  assert.deepEqual(
    listen.parts.map((p) => [p.text, p.optional]),
    [
      ['address[:port]', false],
      ['[default_server]', true],
      ['[ssl]', true],
      ['[http2 | quic]', true],
    ],
  );
  assert.deepEqual(listen.parts[3]!.choices, ['http2', 'quic']);
  const onOff = parseSyntax('`on` | `off`');
  assert.deepEqual(
    onOff.parts.map((p) => [p.text, p.choices]),
    [['on | off', ['on', 'off']]],
  );
  const tryFiles = parseSyntax('*`file`* ... *`uri`*');
  assert.deepEqual(
    tryFiles.parts.map((p) => [p.text, p.repeats]),
    [
      ['file ...', true],
      ['uri', false],
    ],
  );
  const location = parseSyntax('[ `=` | `~` | `~*` | `^~` ] *`uri`* `{...}`');
  assert.equal(location.block, true);
  assert.deepEqual(
    location.parts.map((p) => p.text),
    ['[ = | ~ | ~* | ^~ ]', 'uri'],
  );
});

test('snippets from the syntax: required parts, choices, blocks', () => {
  assert.equal(snippetFromSyntax('proxy_pass', '*`URL`*', false, false), 'proxy_pass ${1:URL};');
  assert.equal(snippetFromSyntax('gzip', '`on` | `off`', false, true), 'gzip ${1|on,off|};');
  assert.equal(snippetFromSyntax('map', '*`string`* *`$variable`* `{...}`', true, false), 'map ${1:string} ${2:\\$variable} {\n\t$0\n}');
  assert.equal(snippetFromSyntax('server', ' `{...}`', true, false), 'server {\n\t$0\n}');
  assert.equal(snippetFromSyntax('error_page', '*`code`* ... [`=`[*`response`*]] *`uri`*', false, false), 'error_page ${1:code} ${2:uri};');
});

test('the active part: repetitions absorb arguments up to what the parts after them need', () => {
  const parts = parseSyntax('*`file`* ... *`uri`*').parts;
  assert.equal(activePart(parts, 0, 1), 0);
  assert.equal(activePart(parts, 1, 2), 1, 'two arguments: file, uri');
  assert.equal(activePart(parts, 1, 3), 0, 'three: file, file, uri');
  assert.equal(activePart(parts, 2, 3), 1);
  assert.equal(activePart(parseSyntax('*`timeout`* [*`header_timeout`*]').parts, 5, 6), 1, 'past the last part: the last one');
  assert.equal(activePart([], 0, 1), -1);
});

test('statementAt: the directive, the argument index, and null on the name or in a new statement', () => {
  const f = parse('http { proxy_set_header Host "a b" ; gzip', P);
  const text = f.text;
  assert.deepEqual(statementAt(f, text.indexOf('Host') + 2), { name: 'proxy_set_header', start: 7, index: 0, argc: 1 });
  assert.deepEqual(statementAt(f, text.indexOf('"a b"') + 5), { name: 'proxy_set_header', start: 7, index: 1, argc: 2 });
  assert.deepEqual(statementAt(f, text.indexOf('"a b"') + 6), { name: 'proxy_set_header', start: 7, index: 2, argc: 3 });
  assert.equal(statementAt(f, text.length), null, 'typing a name');
  assert.equal(statementAt(f, text.indexOf(';') + 1), null, 'right after ;');
});

test('signature help in a location: proxy_set_header, return with three forms, try_files', () => {
  const h = sigAt('proxy_set_header Host |')!;
  assert.equal(h.signatures[0]!.label, 'proxy_set_header field value;');
  assert.equal(h.activeParameter, 1);
  assert.match(h.signatures[0]!.documentation!.value, /^Allows redefining or appending fields/);
  const ret = sigAt('return 301 |')!;
  assert.deepEqual(
    ret.signatures.map((s) => s.label),
    ['return code [text];', 'return code URL;', 'return URL;'],
  );
  assert.equal(ret.activeSignature, 0);
  const tf = sigAt('try_files $uri $uri/ |')!;
  assert.equal(tf.signatures[0]!.label, 'try_files file ... uri;');
  assert.equal(tf.activeParameter, 1, 'the last argument typed so far is the uri');
});

test('signature help picks the entry of the context (stream proxy_pass) and stays quiet where it has nothing', () => {
  const s = sigAt('proxy_pass |', 'stream {\n    server {\n        @\n    }\n}\n')!;
  assert.equal(s.signatures[0]!.label, 'proxy_pass address;');
  assert.equal(sigAt('# proxy_pass |'), null, 'in a comment');
  assert.equal(sigAt('more_set_headers |'), null, 'no syntax line for a third-party directive');
  assert.equal(sigAt('prox|'), null, 'on the name');
  assert.equal(sigAt('1.2.3.4 |', 'http {\n    map $a $b {\n        @\n    }\n}\n'), null, 'in a map');
});

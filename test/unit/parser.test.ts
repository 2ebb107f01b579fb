/**
 * Parser behaviour, data-driven: nginx text in, expected directive tree
 * (names and argument values as nginx sees them) and syntax errors (code and
 * 0-based line) out. The expectations follow nginx's own tokenizer
 * (ngx_conf_read_token in src/core/ngx_conf_file.c).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/engine/syntax/parser';
import { toPlain, type PlainDirective } from '../../server/src/engine/syntax/print';
import type { Directive, SourceFile } from '../../server/src/engine/syntax/ast';

/** Compact expected tree: [name, args] or [name, args, children] or [name, args, opaqueBody]. */
type T = [string, string[]] | [string, string[], T[] | string];

function expand(t: T[]): PlainDirective[] {
  return t.map(([name, args, block]) => {
    const d: PlainDirective = { name, args };
    if (block !== undefined) d.block = typeof block === 'string' ? { opaque: block } : expand(block);
    return d;
  });
}

function errorsOf(f: SourceFile): [string, number][] {
  return f.errors.map((e) => [e.code, f.lines.positionAt(e.start).line]);
}

interface Case {
  name: string;
  text: string;
  tree: T[];
  /** [code, 0-based line] of each syntax error, in order. */
  errors?: [string, number][];
}

const constructs: Case[] = [
  {
    name: 'simple directives and nested blocks',
    text: 'user nobody;\nevents { worker_connections 1024; }\nhttp {\n  server {\n    listen 80;\n  }\n}\n',
    tree: [
      ['user', ['nobody']],
      ['events', [], [['worker_connections', ['1024']]]],
      ['http', [], [['server', [], [['listen', ['80']]]]]],
    ],
  },
  {
    name: 'lua block with braces in strings and comments stays opaque',
    text: [
      'location / {',
      '  content_by_lua_block {',
      '    local t = { a = "}", b = \'{\' }  -- a } in a comment',
      '    --[[ a long comment with } and {{ ]]',
      '    local s = [==[ }}} ]==]',
      '    ngx.say("ok")',
      '  }',
      '  add_header X-After lua;',
      '}',
    ].join('\n'),
    tree: [
      [
        'location',
        ['/'],
        [
          [
            'content_by_lua_block',
            [],
            '\n    local t = { a = "}", b = \'{\' }  -- a } in a comment\n    --[[ a long comment with } and {{ ]]\n    local s = [==[ }}} ]==]\n    ngx.say("ok")\n  ',
          ],
          ['add_header', ['X-After', 'lua']],
        ],
      ],
    ],
  },
  {
    name: 'set_by_lua_block with an argument and a quoted name',
    text: 'set_by_lua_block $res { return 1 -- } \n}\n"rewrite_by_lua_block" { a = { 1 } }\nlisten 80;',
    tree: [
      ['set_by_lua_block', ['$res'], ' return 1 -- } \n'],
      ['rewrite_by_lua_block', [], ' a = { 1 } '],
      ['listen', ['80']],
    ],
  },
  {
    name: 'map body with quoted empty key, regex keys and hostnames',
    text: "map $http_upgrade $connection_upgrade {\n    default upgrade;\n    '' close;\n    ~*^web \"ws\";\n    *.example.com '';\n}\n",
    tree: [
      [
        'map',
        ['$http_upgrade', '$connection_upgrade'],
        [
          ['default', ['upgrade']],
          ['', ['close']],
          ['~*^web', ['ws']],
          ['*.example.com', ['']],
        ],
      ],
    ],
  },
  {
    name: 'types, geo, split_clients and match bodies',
    text: [
      'types { text/html html htm; application/javascript js; }',
      'geo $geo { default 0; 127.0.0.1/32 2; include geo.conf; proxy 10.0.0.1; }',
      'split_clients "${remote_addr}AAA" $variant { 0.5% .one; 50% .two; * ""; }',
      'match ok { status 200-399; header Content-Type = text/html; body ~ "Welcome to nginx!"; }',
    ].join('\n'),
    tree: [
      [
        'types',
        [],
        [
          ['text/html', ['html', 'htm']],
          ['application/javascript', ['js']],
        ],
      ],
      [
        'geo',
        ['$geo'],
        [
          ['default', ['0']],
          ['127.0.0.1/32', ['2']],
          ['include', ['geo.conf']],
          ['proxy', ['10.0.0.1']],
        ],
      ],
      [
        'split_clients',
        ['${remote_addr}AAA', '$variant'],
        [
          ['0.5%', ['.one']],
          ['50%', ['.two']],
          ['*', ['']],
        ],
      ],
      [
        'match',
        ['ok'],
        [
          ['status', ['200-399']],
          ['header', ['Content-Type', '=', 'text/html']],
          ['body', ['~', 'Welcome to nginx!']],
        ],
      ],
    ],
  },
  {
    name: 'quoted ; { } are literal',
    text: 'add_header X "a;b{c}d";\nlocation "~ /a;b" { return 200 \'}{;\'; }\nreturn 200 "\\";";',
    tree: [
      ['add_header', ['X', 'a;b{c}d']],
      ['location', ['~ /a;b'], [['return', ['200', '}{;']]]],
      ['return', ['200', '";']],
    ],
  },
  {
    name: 'multi-line log_format strings',
    text: 'log_format main escape=json\n    \'{ "time": "$time_iso8601", \'\n      \'"uri": "$uri" \'\n    \'}\';\naccess_log off;',
    tree: [
      ['log_format', ['main', 'escape=json', '{ "time": "$time_iso8601", ', '"uri": "$uri" ', '}']],
      ['access_log', ['off']],
    ],
  },
  {
    name: 'a string may span lines',
    text: 'return 200 "line1\nline2";\nlisten 80;',
    tree: [
      ['return', ['200', 'line1\nline2']],
      ['listen', ['80']],
    ],
  },
  {
    name: 'if conditions with regexes and ) glued to a closing quote',
    text: [
      'if ($http_user_agent ~* "(MSIE|Trident)") { return 403; }',
      'if ($host ~* ^(www\\.)?(.+)$) { set $h $2; }',
      'if ($request_method = "OPTIONS") { return 204; }',
      'if (!-f $request_filename) { break; }',
    ].join('\n'),
    tree: [
      ['if', ['($http_user_agent', '~*', '(MSIE|Trident)', ')'], [['return', ['403']]]],
      ['if', ['($host', '~*', '^(www\\.)?(.+)$)'], [['set', ['$h', '$2']]]],
      ['if', ['($request_method', '=', 'OPTIONS', ')'], [['return', ['204']]]],
      ['if', ['(!-f', '$request_filename)'], [['break', []]]],
    ],
  },
  {
    name: 'an unquoted { ends a regex word, as in nginx (regexes with {n} must be quoted)',
    text: 'location ~ ^/a{2}$ { }\nrewrite "^/x{2}$" /y;',
    // nginx reads `^/a` then a block start; `2}$` is then a directive name whose
    // `{ }` is a block, and the location stays open to the end of the file.
    tree: [
      [
        'location',
        ['~', '^/a'],
        [
          ['2}$', [], []],
          ['rewrite', ['^/x{2}$', '/y']],
        ],
      ],
    ],
    errors: [['unclosed-block', 0]],
  },
  {
    name: '${VAR} template placeholders stay one word and do not open blocks',
    text: 'listen ${PORT};\nserver_name ${HOST}.example.com www.${HOST};\nproxy_pass http://${UPSTREAM}:${PORT}/;\nlocation ${WS_PATH} { proxy_pass $scheme://b; }',
    tree: [
      ['listen', ['${PORT}']],
      ['server_name', ['${HOST}.example.com', 'www.${HOST}']],
      ['proxy_pass', ['http://${UPSTREAM}:${PORT}/']],
      ['location', ['${WS_PATH}'], [['proxy_pass', ['$scheme://b']]]],
    ],
  },
  {
    name: 'CRLF line endings',
    text: 'http {\r\n  server {\r\n    listen 80;\r\n  }\r\n}\r\n',
    tree: [['http', [], [['server', [], [['listen', ['80']]]]]]],
  },
  {
    name: 'UTF-8 text, U+FFFD and lone surrogates are ordinary characters',
    text: '# комментарий ✓\nreturn 200 "Привет 🌍";\nadd_header X-\uFFFD a\uD800b;\nadd_header Y \uDC00;\n',
    tree: [
      ['return', ['200', 'Привет 🌍']],
      ['add_header', ['X-\uFFFD', 'a\uD800b']],
      ['add_header', ['Y', '\uDC00']],
    ],
  },
  {
    name: 'escapes: \\" \\\' \\\\ resolve, \\n \\t \\r become control characters, others (\\; \\space) keep their backslash',
    text: 'return 200 "a\\"b \\\\ \\n\\t\\r \\x";\nset $s \'it\\\'s\';\nlocation /a\\ b\\;c {}\n',
    tree: [
      ['return', ['200', 'a"b \\ \n\t\r \\x']],
      ['set', ['$s', "it's"]],
      ['location', ['/a\\ b\\;c'], []],
    ],
  },
  {
    name: '# inside a word is literal; a comment between arguments is skipped',
    text: "add_header X a#b;\nlog_format #c1\n  \\#arg\\ 1 #c2\n  '#arg 2' #c3\n  ;\n",
    tree: [
      ['add_header', ['X', 'a#b']],
      ['log_format', ['\\#arg\\ 1', '#arg 2']],
    ],
  },
  {
    name: 'quotes only open a string at the start of a word',
    text: 'add_header a"b c\'d;\nadd_header inner""empty x;',
    tree: [
      ['add_header', ['a"b', "c'd"]],
      ['add_header', ['inner""empty', 'x']],
    ],
  },
  {
    name: '} inside a word is literal, as in nginx',
    text: 'location /a}b { }\n',
    tree: [['location', ['/a}b'], []]],
  },
  {
    name: 'empty file and whitespace-only file',
    text: '  \n\t\r\n',
    tree: [],
  },
  {
    // Measured (nginx 1.22.1, nginx -t): `events {}\n# c\rworker_processes 2x;` is accepted, so the CR did not end the comment.
    name: 'a comment ends at LF only: a lone CR and what follows it are inside the comment',
    text: 'user a;\n# note\rlisten 80;\rserver_name x;\nuser b; # c\r\nuser c;',
    tree: [
      ['user', ['a']],
      ['user', ['b']],
      ['user', ['c']],
    ],
  },
  {
    // Measured: nginx 1.22.1 reads `worker_processes\u00a02;` as the unknown directive "worker_processes\u00a02".
    name: 'whitespace is space, tab, CR and LF only: U+00A0, U+3000, form feed and vertical tab are word characters',
    text: 'map $host $b {\n\u00a0\u00a0default 1;\n\u3000default 2;\n  default\f3;\n  x\v 4;\n}\n',
    tree: [
      [
        'map',
        ['$host', '$b'],
        [
          ['\u00a0\u00a0default', ['1']],
          ['\u3000default', ['2']],
          ['default\f3', []],
          ['x\v', ['4']],
        ],
      ],
    ],
  },
  {
    // Measured: `map $a $b${{ default 1; } }` makes nginx say `directive "map" has no opening "{"`.
    name: 'every { right after a $ stays in the word',
    text: 'set $a x${{;\nset $b ${ { y; }\n',
    tree: [
      ['set', ['$a', 'x${{']],
      ['set', ['$b', '${'], [['y', []]]],
    ],
  },
  {
    // nginx's own test suite (access_log.t) writes this; nginx statements end at `;`, `{` and `}`, never at a line end.
    name: 'a directive over two lines is one statement, even when a line starts with a directive name',
    text: 'access_log /tmp/test.log test\n    gzip buffer=1m flush=100ms;\nserver_name a.example\n    root /srv;\n',
    tree: [
      ['access_log', ['/tmp/test.log', 'test', 'gzip', 'buffer=1m', 'flush=100ms']],
      ['server_name', ['a.example', 'root', '/srv']],
    ],
  },
  {
    name: 'an unknown (third-party) directive followed by a known name on the next line is not judged',
    text: 'more_set_headers "X: y"\nproxy_pass http://b;\n',
    tree: [['more_set_headers', ['X: y', 'proxy_pass', 'http://b']]],
  },
  {
    // Measured: nginx 1.22 says `unknown directive "\uFEFFevents"` for a file saved with a BOM.
    name: 'a byte-order mark at the start is part of the first word, as nginx reads it',
    text: '\uFEFFuser nobody;',
    tree: [['\uFEFFuser', ['nobody']]],
  },
];

const recoveries: Case[] = [
  {
    name: "missing ';' before '}'",
    text: 'location / {\n    proxy_pass http://x\n}\nlisten 80;\n',
    tree: [
      ['location', ['/'], [['proxy_pass', ['http://x']]]],
      ['listen', ['80']],
    ],
    errors: [['missing-semicolon', 1]],
  },
  {
    name: "missing ';' before a known directive on the next line",
    text: 'location / {\n    proxy_pass http://x\n    proxy_read_timeout 60s;\n}\n',
    tree: [
      [
        'location',
        ['/'],
        [
          ['proxy_pass', ['http://x']],
          ['proxy_read_timeout', ['60s']],
        ],
      ],
    ],
    errors: [['missing-semicolon', 1]],
  },
  {
    name: "missing ';' before a block directive on the next line (nginx: proxy_pass is not terminated by ';')",
    text: 'server {\n    proxy_pass http://x\n    location /a {}\n}\n',
    tree: [
      [
        'server',
        [],
        [
          ['proxy_pass', ['http://x']],
          ['location', ['/a'], []],
        ],
      ],
    ],
    errors: [['missing-semicolon', 1]],
  },
  {
    name: "two missing ';' in one statement nginx rejects, errors in offset order",
    text: 'location / {\n    proxy_pass "http://x"y\n    proxy_set_header A b\n    proxy_read_timeout 1s;\n}\n',
    tree: [
      [
        'location',
        ['/'],
        [
          ['proxy_pass', ['http://x', 'y']],
          ['proxy_set_header', ['A', 'b']],
          ['proxy_read_timeout', ['1s']],
        ],
      ],
    ],
    errors: [
      ['unexpected-token', 1],
      ['missing-semicolon', 1],
      ['missing-semicolon', 2],
    ],
  },
  {
    // nginx: `invalid parameter "server_name"` (listen checks its parameters word by word), `invalid log level "root"`.
    name: "missing ';' where nginx checks each word: listen's parameters, error_log's levels, access_log's options",
    text: 'server {\n    listen 80 ssl\n    server_name a.example;\n    error_log x.log warn\n    root /srv;\n    access_log off\n    index i;\n    listen 81 default_server reuseport so_keepalive=on;\n}\n',
    tree: [
      [
        'server',
        [],
        [
          ['listen', ['80', 'ssl']],
          ['server_name', ['a.example']],
          ['error_log', ['x.log', 'warn']],
          ['root', ['/srv']],
          ['access_log', ['off']],
          ['index', ['i']],
          ['listen', ['81', 'default_server', 'reuseport', 'so_keepalive=on']],
        ],
      ],
    ],
    errors: [
      ['missing-semicolon', 1],
      ['missing-semicolon', 3],
      ['missing-semicolon', 5],
    ],
  },
  {
    name: "missing ';' at end of file",
    text: 'listen 80;\nserver_name example.com',
    tree: [
      ['listen', ['80']],
      ['server_name', ['example.com']],
    ],
    errors: [['missing-semicolon', 1]],
  },
  {
    name: "no false missing ';' inside map bodies (keys may look like directive names)",
    text: 'map $a $b {\n  default\n  listen;\n}\n',
    tree: [['map', ['$a', '$b'], [['default', ['listen']]]]],
  },
  {
    name: "missing '}' at end of file",
    text: 'http {\n  server {\n    listen 80;\n  }\n  access_log off;\n',
    tree: [
      [
        'http',
        [],
        [
          ['server', [], [['listen', ['80']]]],
          ['access_log', ['off']],
        ],
      ],
    ],
    errors: [['unclosed-block', 0]],
  },
  {
    name: "missing '}' in the middle: blamed on the block whose indentation says so, later siblings keep their place",
    text: 'server {\n    location /a {\n        proxy_pass http://a;\n    location /b {\n        proxy_pass http://b;\n    }\n}\nhttp {}\n',
    tree: [
      [
        'server',
        [],
        [
          ['location', ['/a'], [['proxy_pass', ['http://a']]]],
          ['location', ['/b'], [['proxy_pass', ['http://b']]]],
        ],
      ],
      ['http', [], []],
    ],
    errors: [['unclosed-block', 1]],
  },
  {
    name: "missing '}' before an outdented '}': the inner block is the open one",
    text: 'server {\n    location /a {\n        proxy_pass http://a;\n}\nuser x;\n',
    tree: [
      ['server', [], [['location', ['/a'], [['proxy_pass', ['http://a']]]]]],
      ['user', ['x']],
    ],
    errors: [['unclosed-block', 1]],
  },
  {
    name: 'balanced braces with sloppy indentation: no indentation guesses, no errors',
    text: 'http {\nserver {\n  listen 80;\n    }\n      location / {\n}\n}\n',
    tree: [
      [
        'http',
        [],
        [
          ['server', [], [['listen', ['80']]]],
          ['location', ['/'], []],
        ],
      ],
    ],
  },
  {
    name: 'unbalanced braces in a file without indentation fall back to brace counting',
    text: 'http {\nserver {\nlisten 80;\n}\n',
    tree: [['http', [], [['server', [], [['listen', ['80']]]]]]],
    errors: [['unclosed-block', 0]],
  },
  {
    name: "extra '}' at top level",
    text: 'events {}\n}\nhttp { listen 80; }\n',
    tree: [
      ['events', [], []],
      ['http', [], [['listen', ['80']]]],
    ],
    errors: [['unexpected-brace', 1]],
  },
  {
    name: "extra '}' in the middle: reported where it is, later directives stay in their block",
    text: 'http {\n    server {\n        location / {\n        }\n        }\n        location /b {}\n    }\n}\n',
    tree: [
      [
        'http',
        [],
        [
          [
            'server',
            [],
            [
              ['location', ['/'], []],
              ['location', ['/b'], []],
            ],
          ],
        ],
      ],
    ],
    errors: [['unexpected-brace', 4]],
  },
  {
    name: 'unterminated string: ends at its line, later directives parse',
    text: 'server {\n    return 200 "abc;\n    listen 80;\n}\n',
    tree: [
      [
        'server',
        [],
        [
          ['return', ['200', 'abc;']],
          ['listen', ['80']],
        ],
      ],
    ],
    errors: [
      ['unterminated-string', 1],
      ['missing-semicolon', 1],
    ],
  },
  {
    name: "unexpected ';' and '{' without a directive",
    text: ';\n{ listen 80; }\nuser x;',
    tree: [
      ['listen', ['80']],
      ['user', ['x']],
    ],
    errors: [
      ['unexpected-semicolon', 0],
      ['unexpected-brace', 1],
    ],
  },
  {
    name: 'text right after a closing quote (nginx: unexpected character)',
    text: 'add_header "a"b;\nlisten 80;',
    tree: [
      ['add_header', ['a', 'b']],
      ['listen', ['80']],
    ],
    errors: [['unexpected-token', 0]],
  },
  {
    name: 'unclosed lua block reports its directive',
    text: 'listen 80;\ncontent_by_lua_block {\n  ngx.say("x")\n',
    tree: [
      ['listen', ['80']],
      ['content_by_lua_block', [], '\n  ngx.say("x")\n'],
    ],
    errors: [['unclosed-block', 1]],
  },
];

for (const c of [...constructs, ...recoveries]) {
  test(c.name, () => {
    const f = parse(c.text, 'test.conf');
    assert.deepEqual(toPlain(f, { use: 'value' }), expand(c.tree));
    assert.deepEqual(errorsOf(f), c.errors ?? []);
  });
}

function only(f: SourceFile, name: string): Directive {
  const ds = [...f.walk()].filter((d) => d.name === name);
  assert.equal(ds.length, 1, `one '${name}'`);
  return ds[0]!;
}

test('argument kinds and raw text', () => {
  const f = parse('set $a "x y" \'z\' bare $var ${v}x;');
  const d = only(f, 'set');
  assert.deepEqual(
    d.args.map((a) => [a.kind, a.raw, a.value]),
    [
      ['variable', '$a', '$a'],
      ['double', '"x y"', 'x y'],
      ['single', "'z'", 'z'],
      ['bare', 'bare', 'bare'],
      ['variable', '$var', '$var'],
      ['variable', '${v}x', '${v}x'],
    ],
  );
  assert.deepEqual(
    d.args[5]!.variables().map((v) => v.name),
    ['v'],
  );
});

test('ranges: names, arguments, blocks and comments (LF)', () => {
  const text = 'http {\n    server { # main\n        listen 80; # port\n    }\n}\n';
  const f = parse(text);
  const http = only(f, 'http');
  const server = only(f, 'server');
  const listen = only(f, 'listen');
  assert.deepEqual(http.nameToken.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } });
  assert.deepEqual(http.block!.range, { start: { line: 0, character: 5 }, end: { line: 4, character: 1 } });
  assert.deepEqual(http.range, { start: { line: 0, character: 0 }, end: { line: 4, character: 1 } });
  assert.equal(http.block!.bodyStart, 6);
  assert.equal(text[http.block!.bodyEnd], '}');
  assert.deepEqual(server.block!.range, { start: { line: 1, character: 11 }, end: { line: 3, character: 5 } });
  assert.deepEqual(listen.range, { start: { line: 2, character: 8 }, end: { line: 2, character: 18 } });
  assert.deepEqual(listen.args[0]!.range, { start: { line: 2, character: 15 }, end: { line: 2, character: 17 } });
  assert.equal(listen.args[0]!.start, text.indexOf('80'));
  assert.equal(listen.terminated, true);
  assert.equal(listen.comment?.value, ' port');
  assert.deepEqual(listen.comment.range, { start: { line: 2, character: 19 }, end: { line: 2, character: 25 } });
  assert.equal(listen.comment.trailing, true);
  assert.deepEqual(
    f.comments.map((c) => [c.text, c.start]),
    [
      ['# main', text.indexOf('# main')],
      ['# port', text.indexOf('# port')],
    ],
  );
  assert.equal(listen.parent, server);
  assert.equal(server.parent, http);
  assert.equal(http.parent, null);
  assert.equal(f.directiveAt(text.indexOf('80')), listen);
  assert.equal(f.directiveAt(text.indexOf('server') + 2), server);
});

test('ranges in a CRLF file count \\r\\n as one line break', () => {
  const text = 'http {\r\n  server {\r\n    listen 80; # c\r\n  }\r\n}\r\n';
  const f = parse(text);
  const listen = only(f, 'listen');
  assert.deepEqual(listen.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 14 } });
  assert.deepEqual(listen.args[0]!.range, { start: { line: 2, character: 11 }, end: { line: 2, character: 13 } });
  assert.deepEqual(listen.comment!.range, { start: { line: 2, character: 15 }, end: { line: 2, character: 18 } });
  assert.equal(listen.comment!.value, ' c', 'the comment stops before \\r');
  assert.deepEqual(only(f, 'http').block!.range, { start: { line: 0, character: 5 }, end: { line: 4, character: 1 } });
  assert.equal(f.lines.lineCount, 6);
  assert.equal(f.lines.offsetAt({ line: 2, character: 4 }), listen.start);
  // A lone \r is a line break too (old Mac files; nginx treats it as whitespace).
  const g = parse('user a;\rlisten 80;');
  assert.deepEqual(only(g, 'listen').range.start, { line: 1, character: 0 });
});

test('ranges count UTF-16 code units (LSP default): an emoji is two characters', () => {
  const f = parse('return 200 "🌍"; listen 80;');
  const listen = only(f, 'listen');
  // return(6) + space + 200(3) + space + "🌍"(1+2+1) + ; + space = 17
  assert.deepEqual(listen.nameToken.range.start, { line: 0, character: 17 });
});

test('error ranges point at the offending token', () => {
  const text = 'server {\n    proxy_pass http://x\n}\n';
  const f = parse(text);
  assert.equal(f.errors.length, 1);
  const e = f.errors[0]!;
  assert.equal(text.slice(e.start, e.end), 'http://x');
  assert.match(e.message, /Missing ';' after 'proxy_pass'/);
  const g = parse('a {\n}\n}\n');
  assert.equal(g.text.slice(g.errors[0]!.start, g.errors[0]!.end), '}');
  assert.deepEqual(g.rangeOf(g.errors[0]!.start, g.errors[0]!.end).start, { line: 2, character: 0 });
});

test('directives missing their semicolon are marked unterminated; a block counts as terminated', () => {
  const f = parse('a x\n}\nb { }\nc;');
  const [a, b, c] = [only(f, 'a'), only(f, 'b'), only(f, 'c')];
  assert.equal(a.terminated, false);
  assert.equal(b.terminated, true);
  assert.equal(c.terminated, true);
});

test('unclosed blocks extend to the end of the file and are marked open', () => {
  const text = 'http {\n  server {\n    listen 80;\n';
  const f = parse(text);
  const http = only(f, 'http');
  assert.equal(http.block!.closed, false);
  assert.equal(http.block!.end, text.length);
  assert.equal(http.block!.bodyEnd, text.length);
  assert.deepEqual(errorsOf(f), [
    ['unclosed-block', 1],
    ['unclosed-block', 0],
  ]);
});

test('an unterminated string is marked and its value ends at the line end', () => {
  const f = parse('return 200 "abc\nlisten 80;');
  const ret = only(f, 'return');
  assert.equal(ret.args[1]!.terminated, false);
  assert.equal(ret.args[1]!.value, 'abc');
  assert.ok(only(f, 'listen'));
});

test('nesting deeper than the limit is flattened and reported once', () => {
  const depth = 400;
  const text = 'a {'.repeat(depth) + 'leaf;' + '}'.repeat(depth);
  const f = parse(text);
  assert.deepEqual(
    f.errors.map((e) => e.code),
    ['too-deep'],
  );
  assert.equal([...f.walk()].filter((d) => d.name === 'leaf').length, 1);
});

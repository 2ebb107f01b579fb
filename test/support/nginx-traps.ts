/**
 * Configs where what nginx reads differs from what an editor shows (lone
 * CRs, lookalike spaces, `${{`, byte-order marks, glued quotes, directives
 * over two lines), each with what `nginx -t` (Debian's nginx 1.22.1) says
 * about it, measured. test/unit/nginx-lexer-agreement.test.ts holds the
 * parser to nginx's reader on them; test/integration/lexer-nginx.test.ts
 * checks the measured outcomes against the real binary every run.
 */
export interface Trap {
  name: string;
  /** A complete nginx.conf. */
  text: string;
  /** `nginx -t`: 'ok', or its `[emerg]` message without the file and line. */
  nginx: string;
  /** The line (1-based, counted at LF as nginx does) of the `[emerg]`. */
  line?: number;
}

export const TRAPS: Trap[] = [
  { name: 'a lone CR inside a comment', text: 'events {}\n# c\rworker_processes 2x;\n', nginx: 'ok' },
  { name: 'a CR-only file with a comment', text: 'events {}\r# managed by a tool\rhttp {\r    server { listen 80; }\r}\r', nginx: 'ok' },
  { name: 'a CR before a closing brace inside a comment', text: 'events {}\nhttp {\n# c\r}\n}\n', nginx: 'ok' },
  { name: 'CRLF comments', text: 'events {}\r\n# c\r\nhttp { } # d\r\n', nginx: 'ok' },
  { name: 'a no-break space in a map row', text: 'events {}\nhttp { map $host $b {\n\u00a0default 1;\ndefault 2; } }\n', nginx: 'ok' },
  { name: 'an ideographic space in a map row', text: 'events {}\nhttp { map $host $b {\n\u3000default 1;\ndefault 2; } }\n', nginx: 'ok' },
  {
    name: 'a no-break space between a name and its argument',
    text: 'events {}\nworker_processes\u00a02;\n',
    nginx: 'unknown directive "worker_processes\u00a02"',
    line: 2,
  },
  { name: 'a byte-order mark', text: '\ufeffevents {}\n', nginx: 'unknown directive "\ufeffevents"', line: 1 },
  { name: 'a form feed', text: 'events {}\nworker_processes 2\f;\n', nginx: '"worker_processes" directive invalid value', line: 2 },
  {
    name: 'every { after $ stays in the word',
    text: 'events {}\nhttp { map $host $b${{ default 1; } }\n',
    nginx: 'directive "map" has no opening "{"',
    line: 2,
  },
  { name: '${ then a spaced {', text: 'events {}\nhttp { map $host $b${ { default 1; } }\n', nginx: 'ok' },
  {
    name: 'a directive over two lines',
    text: 'events {}\nhttp { access_log /dev/null combined\ngzip buffer=1m flush=100ms; }\n',
    nginx: 'ok',
  },
  { name: 'a # inside a word', text: 'events {}\nhttp { add_header X a#b; }\n', nginx: 'ok' },
  { name: 'text glued to a closing quote', text: 'events {}\nhttp { add_header X "a"b; }\n', nginx: 'unexpected "b"', line: 2 },
  { name: 'a brace glued to a closing quote', text: 'events {}\nhttp { add_header X "a"}\n', nginx: 'unexpected "}"', line: 2 },
  { name: 'a closing paren glued to a quote', text: 'events {}\nhttp { server { if ($host = "a")  { return 204; } } }\n', nginx: 'ok' },
  { name: 'escaped separators', text: 'events {}\nhttp { add_header X a\\;b\\ c\\{d; }\n', nginx: 'ok' },
  { name: 'a brace inside a word', text: 'events {}\nhttp { server { location /a}b { } } }\n', nginx: 'ok' },
  { name: 'a word at the end of the file', text: 'events {}\nuser', nginx: 'unexpected end of file, expecting ";" or "}"', line: 2 },
  { name: 'a comment at the end of the file', text: 'events {}\n# end', nginx: 'ok' },
  // A forgotten `;` before a directive name on the next line: nginx reads on and fails on the name as a parameter.
  {
    name: "a forgotten ';' after listen",
    text: 'events {}\nhttp { server {\n    listen 127.0.0.1:8999 reuseport\n    server_name a.example;\n} }\n',
    nginx: 'invalid parameter "server_name"',
    line: 4,
  },
  {
    name: "a forgotten ';' after error_log",
    text: 'events {}\nhttp { server {\n    error_log stderr warn\n    root /srv;\n} }\n',
    nginx: 'invalid log level "root"',
    line: 4,
  },
  {
    name: "a forgotten ';' after access_log off",
    text: 'events {}\nhttp { server {\n    access_log off\n    index i;\n} }\n',
    nginx: 'invalid parameter "index"',
    line: 4,
  },
];

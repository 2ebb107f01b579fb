import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/engine/syntax/parser';
import { contextProblems, contextProblemsIn, walkInContext } from '../../server/src/engine/model/context-check';
import type { Directive } from '../../server/src/engine/syntax/ast';
import { siteAnalysis, SITE } from '../support/disk-host';
import { join } from 'node:path';
import { rng } from '../support/rng';

type Case = { name: string; text: string; lenient?: boolean; want: string[] };

/** Each expected entry: `severity kind line:"directive"`. */
const CASES: Case[] = [
  {
    name: 'valid full config is clean',
    text: 'events {}\nhttp {\n  server {\n    listen 80;\n    location / { proxy_pass http://b; if ($x) { return 403; } }\n  }\n}\n',
    want: [],
  },
  { name: 'proxy_pass in server', text: 'http { server { proxy_pass http://b; } }', want: ['error context 1:"proxy_pass"'] },
  { name: 'listen in location', text: 'http { server { location / { listen 80; } } }', want: ['error context 1:"listen"'] },
  { name: 'location at top level of a root file', text: 'location / { }\n', want: ['error context 1:"location"'] },
  {
    name: 'lenient snippet with bare locations',
    text: 'location / {\n  proxy_pass http://b;\n}\nlocation /x { return 204; }\n',
    lenient: true,
    want: [],
  },
  {
    name: 'lenient snippet still checks inside blocks',
    text: 'location / {\n  server_name x;\n}\n',
    lenient: true,
    want: ['error context 2:"server_name"'],
  },
  {
    name: 'upstream server vs http server',
    text: 'http { upstream u { server 127.0.0.1; keepalive 4; } server { listen 80; } }',
    want: [],
  },
  {
    name: 'proxy_set_header in upstream',
    text: 'http { upstream u { server a; proxy_set_header X y; } }',
    want: ['error context 1:"proxy_set_header"'],
  },
  {
    name: 'set allowed in if in server, add_header not',
    text: 'http { server { if ($a) { set $b 1; add_header X y; } } }',
    want: ['error context 1:"add_header"'],
  },
  {
    name: 'stream server directives',
    text: 'stream { upstream s { server 127.0.0.1:1; } server { listen 53 udp; proxy_pass s; proxy_timeout 5s; } }',
    want: [],
  },
  {
    name: 'http-only directive in stream server',
    text: 'stream { server { listen 1; proxy_http_version 1.1; } }',
    want: ['error context 1:"proxy_http_version"'],
  },
  { name: 'map bodies are data', text: 'http { map $a $b { default 0; listen 1; } }', want: [] },
  { name: 'lua bodies are opaque', text: 'http { server { location / { content_by_lua_block { listen = 1 } } } }', want: [] },
  {
    name: "third-party directives are checked like nginx's own",
    text: 'http { server { content_by_lua_block { } more_set_headers "X: y"; } }',
    want: ['error context 1:"content_by_lua_block"'],
  },
  { name: 'NGINX Plus directives are hinted', text: 'http { upstream u { server a; ntlm; } }', want: ['hint unknown 1:"ntlm"'] },
  { name: 'unknown directive is a hint only', text: 'http { more_set_headerz "X: y"; }', want: ['hint unknown 1:"more_set_headerz"'] },
  {
    name: 'unknown block body is not checked',
    text: 'http { vhost_traffic_status_zone; thirdparty { anything goes; } }',
    want: ['hint unknown 1:"vhost_traffic_status_zone"', 'hint unknown 1:"thirdparty"'],
  },
  {
    name: 'argument count',
    text: 'http { proxy_read_timeout; keepalive_timeout 1 2 3; gzip on; }',
    want: ['error args 1:"proxy_read_timeout"', 'error args 1:"keepalive_timeout 1 2 3"'],
  },
  { name: 'block misuse', text: 'http { server; gzip { } }', want: ['error block 1:"server"', 'error block 1:"gzip"'] },
  {
    name: 'declared context comment',
    text: '# nginx-ws: context=server\nlocation / { }\nlisten 80;\nworker_processes 2;\n',
    want: ['error context 4:"worker_processes"'],
  },
  { name: 'include allowed anywhere', text: 'include a.conf;\nhttp { upstream u { include b.conf; server x; } }', want: [] },
];

for (const c of CASES) {
  test(`context check: ${c.name}`, () => {
    const file = parse(c.text, '/t/nginx.conf');
    const got = contextProblems(file, { lenient: c.lenient ?? false }).map(
      (p) => `${p.severity} ${p.kind} ${file.lines.positionAt(p.start).line + 1}:"${c.text.slice(p.start, p.end)}"`,
    );
    assert.deepEqual(got, c.want);
  });
}

test('context check: messages name the context and where the directive belongs', () => {
  const file = parse('http { server { proxy_pass http://b; } }', '/t/nginx.conf');
  const [p] = contextProblems(file, { lenient: false });
  assert.equal(
    p!.message,
    '"proxy_pass" directive is not allowed in server (allowed in: location, if in location, limit_except, server (stream))',
  );
});

test("context check: an included file is checked in its includer's context", () => {
  const analysis = siteAnalysis();
  const app = analysis.files.get(join(SITE, 'conf.d/app.conf'))!;
  const ws = analysis.files.get(join(SITE, 'snippets/ws.conf'))!;
  // Without the analysis a bare `server` at the top of a root file is wrong; with it, it sits in http.
  assert.equal(contextProblems(app, { lenient: false }).filter((p) => p.kind === 'context').length, 1);
  assert.deepEqual(contextProblems(app, { lenient: false, analysis }), []);
  assert.deepEqual(contextProblems(ws, { lenient: false, analysis }), []);
});

/** Directives in every shape: fine, wrong argument count, block misuse, wrong context, unknown, quoted, 16 arguments. */
const LINES = [
  'proxy_pass http://b;',
  'proxy_pass a b;',
  'proxy_pass;',
  'listen 80;',
  'listen 80 ssl;',
  'server_name a b c;',
  'server 127.0.0.1;',
  'keepalive 4;',
  'keepalive;',
  'return 204;',
  'return 301 /x;',
  'return;',
  'add_header X y;',
  'add_header X y always;',
  'add_header X;',
  'location /b;',
  'proxy_set_header A b { }',
  'gzip on;',
  'gzip on off;',
  'ssl on;',
  'frobnicate 1;',
  '"quoted_unknown" 1;',
  '"proxy_pass" http://q;',
  'log_format main a b c d e f g h i j k l m n o p;',
  'log_format main a b c d e f g h i j k l m n o p q;',
  'worker_processes 2;',
  'map $a $b { default 1; x 2; }',
  'include x.conf;',
];
const BLOCKS = [
  'http',
  'server',
  'location /a',
  'location ~ ^/r',
  'location = /e',
  'upstream u',
  'events',
  'stream',
  'if ($x)',
  'limit_except GET',
  'mail',
];

function generated(rnd: () => number, depth: number): string {
  const n = 1 + Math.floor(rnd() * 8);
  let out = '';
  for (let i = 0; i < n; i++) {
    if (depth < 5 && rnd() < 0.35) out += `${BLOCKS[Math.floor(rnd() * BLOCKS.length)]} {\n${generated(rnd, depth + 1)}}\n`;
    else out += `${LINES[Math.floor(rnd() * LINES.length)]}\n`;
  }
  return out;
}

test('context check: the verdicts remembered within a walk give what checking each directive afresh gives', () => {
  const rnd = rng(15);
  let problems = 0;
  for (let i = 0; i < 300; i++) {
    const text = generated(rnd, 0);
    const file = parse(text, '/t/nginx.conf');
    for (const lenient of [false, true]) {
      const opts = { lenient };
      // Each directive checked first in a walk of its own: nothing remembered yet when it is checked.
      const directives: Directive[] = [];
      walkInContext(file, opts, (d) => directives.push(d));
      const fresh = directives
        .flatMap((d) => contextProblemsIn(d, opts).filter((p) => p.start === d.nameToken.start))
        .sort((a, b) => a.start - b.start);
      const whole = contextProblems(file, opts);
      assert.deepEqual(whole, fresh, text);
      problems += whole.length;
    }
  }
  // The generated configs do hold problems of every kind.
  assert.ok(problems > 300, `${problems} problems`);
});

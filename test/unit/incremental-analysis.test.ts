/**
 * The incremental analysis (analyze with `previous`) against a whole one:
 * random edits of a config that trips every rule, in its root file and in an
 * included file, in chains where each analysis is the `previous` of the
 * next, must give exactly the findings (ranges, messages, related
 * information, fixes) and WebSocket locations of a fresh whole analysis of
 * the same files. The edits are what typing does inside server blocks
 * (lines that add or remove parts of the WebSocket recipe, variables,
 * upstream references, typos) plus random characters; the test checks that
 * the incremental path is taken often enough to be tested, and that edits
 * which change what a server means to the rest of the config (a variable it
 * defines) still give the right answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, type Analysis } from '../../server/src/engine/analyze';
import type { FileHost, Finding } from '../../server/src/engine/types';
import { DEFAULT_SETTINGS } from '../../server/src/engine/types';
import type { ParseCache } from '../../server/src/engine/model/config';
import { generateConfig } from '../../bench/generate';
import { rng } from '../support/rng';

const ROOT = '/etc/nginx/nginx.conf';
const SITE = '/etc/nginx/conf.d/site.conf';

const SERVERS = `
    server {
        listen 80;
        server_name a.test;
        set $from_a 1;
        location /ws/ {
            proxy_pass http://pool;
            proxy_set_header Upgrade $http_upgrade;
            proxy_read_timeout 20s;
        }
        location /chat/ {
            proxy_pass http://ka;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "";
        }
        location /socket.io/ {
            proxy_pass http://127.0.0.1:3000;
        }
    }
    server {
        listen 81;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        location /live {
            proxy_pass http://ka;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_connect_timeout 300s;
            add_header X-From $from_a;
            add_header X-Nowhere $not_defined;
        }
        location /cable {
            proxy_pass http://ka;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1x;
            proxy_passs http://ka;
        }
    }
`;

const ROOT_TEXT = `events {}
http {
    map $http_upgrade $connection_upgrade {
        default upgrade;
        '' close;
    }
    upstream pool {
        server 127.0.0.1:9001;
        server 127.0.0.1:9002;
    }
    upstream ka {
        server 127.0.0.1:9003;
        keepalive 8;
    }
${SERVERS}
    include conf.d/*.conf;
}
`;

const SITE_TEXT = `server {
    listen 82;
    location /ws {
        proxy_pass http://ka;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_read_timeout 3600s;
    }
    location /hub {
        proxy_pass http://pool;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection upgrade;
    }
}
`;

function host(files: Map<string, string>): FileHost {
  return {
    readFile: (p) => files.get(p),
    glob: (pattern) => {
      const re = new RegExp(
        `^${pattern
          .replace(/[.+^${}()|\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}$`,
      );
      return [...files.keys()].filter((p) => re.test(p)).sort();
    },
    dirname: (p) => p.slice(0, Math.max(0, p.lastIndexOf('/'))) || '/',
    resolve: (dir, rel) => (rel.startsWith('/') ? rel : `${dir.replace(/\/$/, '')}/${rel}`),
  };
}

/** Everything a client sees of an analysis, in a stable order. */
function view(a: Analysis): { findings: string[]; ws: string[] } {
  const key = (f: Finding) => JSON.stringify([f.path, f.range, f.severity, f.code, f.message, f.href ?? null, f.related ?? null, f.fixes]);
  return {
    findings: a.findings.map(key).sort(),
    ws: a.wsLocations
      .map((w) =>
        JSON.stringify([
          w.path,
          w.range,
          w.locationPath,
          w.modifier,
          w.intent,
          w.server?.start ?? null,
          w.proxyPass?.start ?? null,
          w.serverDirectives.length,
        ]),
      )
      .sort(),
  };
}

const LINES = [
  'proxy_set_header Connection "";',
  'proxy_set_header Connection $connection_upgrade;',
  'proxy_set_header Upgrade $http_upgrade;',
  'proxy_http_version 1.0;',
  'proxy_http_version 1.1;',
  'proxy_read_timeout 5s;',
  'proxy_read_timeout 1h30m;',
  'proxy_connect_timeout 90s;',
  'proxy_pass http://ka;',
  'proxy_pass http://pool;',
  'set $from_a 2;',
  'set $late 1;',
  'add_header X-Late $late;',
  'add_header X-Conn $connection_upgrade;',
  'location /ws2/ { proxy_pass http://ka; }',
  'location /api/ { proxy_pass http://127.0.0.1:4000; }',
  'listen 443 ssl;',
  'proxy_pass;',
  'keepalive 16;',
  'include snippets/none.conf;',
  'proxy_buffering off;',
];

/** A random edit of `text`: a line added, removed or changed, or random characters. */
function randomEdit(text: string, r: () => number): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const line = Math.floor(r() * starts.length);
  const at = starts[line]!;
  const end = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at) + 1;
  const kind = r();
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  if (kind < 0.4) return `${text.slice(0, at)}        ${pick(LINES)}\n${text.slice(at)}`;
  if (kind < 0.6) return text.slice(0, at) + text.slice(end);
  if (kind < 0.8) {
    // Change one word of the line (a value typed over).
    const words = [...text.slice(at, end).matchAll(/[^\s;{}]+/g)];
    if (!words.length) return text;
    const w = pick(words);
    const s = at + w.index;
    return (
      text.slice(0, s) + pick(['3600s', 'close', '"upgrade"', '$late', 'ka', 'x', '1.1', '', 'upstream']) + text.slice(s + w[0].length)
    );
  }
  const p = at + Math.floor(r() * (end - at));
  return text.slice(0, p) + pick(['x', ';', '}', '{', '"', '#', '$', ' ']) + text.slice(p);
}

function runChains(base: Map<string, string>, editable: string[], seeds: number, steps: number): { fast: number; whole: number } {
  let fast = 0;
  let whole = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = rng(seed);
    const files = new Map(base);
    const cache: ParseCache = new Map();
    let prev = analyze(ROOT, host(files), DEFAULT_SETTINGS, cache);
    for (let i = 0; i < steps; i++) {
      const path = editable[Math.floor(r() * editable.length)]!;
      files.set(path, randomEdit(files.get(path)!, r));
      const next = analyze(ROOT, host(files), DEFAULT_SETTINGS, cache, prev);
      if (next.model === prev.model) fast++;
      else whole++;
      const fresh = analyze(ROOT, host(new Map(files)), DEFAULT_SETTINGS);
      assert.deepEqual(view(next), view(fresh), `seed ${seed}, step ${i} (edit of ${path})`);
      prev = next;
    }
  }
  return { fast, whole };
}

test('random edits, root and included file: incremental findings and WebSocket locations equal a whole analysis', () => {
  const base = new Map([
    [ROOT, ROOT_TEXT],
    [SITE, SITE_TEXT],
  ]);
  const { fast, whole } = runChains(base, [ROOT, SITE], 80, 12);
  assert.ok(fast > 250, `incremental updates: ${fast}, whole analyses: ${whole}`);
  assert.ok(whole > 50, `whole analyses: ${whole}`);
});

test('random edits of a generated config with many servers: incremental equals whole', () => {
  const base = new Map([[ROOT, generateConfig({ servers: 30 }).replace(/\n}\n$/, `${SERVERS}}\n`)]]);
  // Edits here also land in upstreams and maps (analysed whole), and a brace typed in a chain keeps the rest of it whole.
  const { fast } = runChains(base, [ROOT], 30, 6);
  assert.ok(fast > 25, `incremental updates: ${fast}`);
});

test('an edit that changes what a server defines for the others is analysed whole, and right', () => {
  const files = new Map([
    [ROOT, ROOT_TEXT],
    [SITE, SITE_TEXT],
  ]);
  const cache: ParseCache = new Map();
  const prev = analyze(ROOT, host(files), DEFAULT_SETTINGS, cache);
  assert.ok(!prev.findings.some((f) => f.message.includes('"$from_a"')));
  files.set(ROOT, ROOT_TEXT.replace('set $from_a 1;', 'set $from_b 1;'));
  const next = analyze(ROOT, host(files), DEFAULT_SETTINGS, cache, prev);
  assert.notEqual(next.model, prev.model, 'whole analysis');
  // The other server's use of $from_a is now undefined: a finding outside the edited server.
  assert.ok(next.findings.some((f) => f.code === 'undefined-variable' && f.message.includes('"$from_a"')));
});

test('an edit inside one server keeps the rest: findings after it move with the text', () => {
  const files = new Map([
    [ROOT, ROOT_TEXT],
    [SITE, SITE_TEXT],
  ]);
  const cache: ParseCache = new Map();
  const prev = analyze(ROOT, host(files), DEFAULT_SETTINGS, cache);
  const before = prev.findings.find((f) => f.code === 'invalid-time-value')!;
  files.set(ROOT, ROOT_TEXT.replace('server_name a.test;', 'server_name a.test;\n        server_name b.test;'));
  const next = analyze(ROOT, host(files), DEFAULT_SETTINGS, cache, prev);
  assert.equal(next.model, prev.model, 'incremental update');
  const after = next.findings.find((f) => f.code === 'invalid-time-value')!;
  assert.equal(after.range.start.line, before.range.start.line + 1);
  assert.deepEqual(view(next), view(analyze(ROOT, host(new Map(files)), DEFAULT_SETTINGS)));
});

test("near the findings caps, with suppressions: incremental equals whole, the caps' summary findings included", () => {
  // 42 servers of 5 invalid time values (199 not suppressed) (one of them suppressed in every fourth server) and an undefined variable:
  // edits add and remove findings and suppressions around the cap of 200 per rule and file.
  const server = (i: number) =>
    `    server {\n        listen ${8000 + i};\n        location / {\n` +
    (i % 4 === 0 ? '            # nginx-ws-ignore invalid-time-value: kept on purpose\n' : '') +
    '            proxy_read_timeout 1x;\n'.repeat(5) +
    `            add_header X-${i} $undefined_${i % 7};\n        }\n    }\n`;
  const base = `events {}\nhttp {\n${Array.from({ length: 42 }, (_, i) => server(i)).join('')}}\n`;
  const lines = [
    'proxy_read_timeout 1x;',
    'proxy_read_timeout 1x;',
    'proxy_read_timeout 2y;',
    'proxy_read_timeout 30s;',
    '# nginx-ws-ignore invalid-time-value: kept on purpose',
    '# nginx-ws-ignore undefined-variable: set by a module',
    'add_header X-New $undefined_new;',
  ];
  let fast = 0;
  let summaries = 0;
  let fastNearCap = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const r = rng(seed);
    const files = new Map([[ROOT, base]]);
    const cache: ParseCache = new Map();
    let prev = analyze(ROOT, host(files), DEFAULT_SETTINGS, cache);
    for (let i = 0; i < 25; i++) {
      const text = files.get(ROOT)!;
      const starts = [0];
      for (let at = text.indexOf('\n'); at >= 0 && at + 1 < text.length; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
      const at = starts[Math.floor(r() * starts.length)]!;
      const end = text.indexOf('\n', at) + 1;
      // More additions than removals: the chain climbs past the cap and stays around it.
      const edit =
        r() < 0.7
          ? `${text.slice(0, at)}            ${lines[Math.floor(r() * lines.length)]!}\n${text.slice(at)}`
          : text.slice(0, at) + text.slice(end);
      files.set(ROOT, edit);
      const next = analyze(ROOT, host(files), DEFAULT_SETTINGS, cache, prev);
      const fresh = analyze(ROOT, host(new Map(files)), DEFAULT_SETTINGS);
      assert.deepEqual(view(next), view(fresh), `seed ${seed}, step ${i}`);
      const shown = fresh.findings.filter((f) => f.code === 'invalid-time-value').length;
      if (fresh.findings.some((f) => /are not shown|is not shown/.test(f.message))) summaries++;
      if (next.model === prev.model) {
        fast++;
        if (shown >= 180) fastNearCap++;
      }
      prev = next;
    }
  }
  assert.ok(summaries > 30, `analyses with a summary finding: ${summaries}`);
  assert.ok(fastNearCap > 30, `incremental updates within 20 of the cap: ${fastNearCap} (of ${fast})`);
});

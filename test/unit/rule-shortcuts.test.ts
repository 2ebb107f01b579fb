/**
 * The WebSocket rules answer most questions without running the whole
 * request-model trace (a plain-flow location's handshake can only end at its
 * proxy_pass; a header value is evaluated on its own). This holds those
 * shortcuts to the full trace: on every rule fixture, the generated configs
 * of the differential test and the corpus, the findings are the same either
 * way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, singleFileHost, type Finding } from '../../server/src/engine/index';
import { RULES } from '../../server/src/engine/rules/index';
import { generateConfig } from '../differential/generate';
import { fixture } from '../support/rules';
import { CORPUS, CORPUS_ABSENT } from '../support/corpus';

const key = (f: Finding) => JSON.stringify([f.path, f.range, f.code, f.severity, f.message, f.related ?? null, f.fixes]);

function same(path: string, text: string): void {
  const host = singleFileHost(path, text);
  const quick = analyze(path, host).findings.map(key).sort();
  const full = analyze(path, host, undefined, undefined, undefined, { forceTraces: true }).findings.map(key).sort();
  assert.deepEqual(quick, full, path);
}

test('rule fixtures: the same findings with and without the shortcuts', () => {
  for (const r of RULES) for (const kind of ['bad', 'good'] as const) same(`/fixtures/${r.id}/${kind}.conf`, fixture(r.id, kind)!);
});

test('400 generated configs (those of the differential test): the same findings', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const g = generateConfig(seed);
    // The includes it names are absent here: a whole config still, judged without them.
    same(`/gen/${seed}/nginx.conf`, `events {}\nhttp {\n${g.http.replace(/__[A-Z0-9]+__/g, '9000')}\n}\n`);
  }
});

test('past the findings caps: the same 200 findings per rule and the same summaries', () => {
  // 350 locations without Connection or HTTP/1.1 and 350 with a short timeout, in one file: four WebSocket rules
  // pass their cap of 200 in it; which findings are kept must not depend on the shortcuts.
  const loc = (i: number) =>
    i % 2
      ? `location /socket${i}/ { proxy_pass http://127.0.0.1:4000; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; proxy_read_timeout 5s; }`
      : `location /ws${i}/ { proxy_pass http://127.0.0.1:${3000 + (i % 50)}; proxy_set_header Upgrade $http_upgrade; }`;
  const text = `events {}\nhttp {\n  proxy_set_header Host $host;\n  server {\n    listen 80;\n${Array.from({ length: 700 }, (_, i) => `    ${loc(i)}\n`).join('')}  }\n}\n`;
  const path = '/gen/caps/nginx.conf';
  const summaries = analyze(path, singleFileHost(path, text)).findings.filter((f) =>
    / more [a-z0-9-]+ findings in this file are not shown/.test(f.message),
  );
  assert.equal(summaries.length, 4, summaries.map((f) => f.message).join('\n'));
  same(path, text);
});

test('the corpus: the same findings', { skip: CORPUS_ABSENT }, () => {
  const root = CORPUS;
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.conf') ? [join(d, n)] : []));
  for (const f of walk(root)) same(f, readFileSync(f, 'utf8'));
});

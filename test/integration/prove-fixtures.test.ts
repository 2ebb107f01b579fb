/**
 * The local proof on every rule's fixtures, with real nginx: each bad fixture
 * fails the proof the way real nginx fails it (the `BEFORE` table of
 * fix-proof.test.ts, read from that file so the two can never disagree), each
 * good fixture and each fixed.conf (what "fix all" makes of the bad one,
 * checked again here) passes; and every proof leaves nothing behind.
 *
 * The fixtures are written the way a user deploys them: their placeholder
 * ports become 8080 and 3000/3001 (ports this machine does not give the
 * proof), and an `events {}` line is appended (the fixtures hold only `http`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULES } from '../../server/src/engine/rules/index';
import { analyze, singleFileHost } from '../../server/src/engine/analyze';
import { runProof } from '../../server/src/prove/index';
import type { ProofResult } from '../../server/src/prove/types';
import { NGINX_BINARY, nginxAvailable } from '../support/nginx';
import { FIXTURE_PATH, fixAll, fixture } from '../support/rules';
import { leftovers } from '../support/proof-checks';

const skip = nginxAvailable() ? false : 'nginx is not installed (apt-get install nginx-light)';

/** What real nginx does with each bad fixture, as fix-proof.test.ts measures it (its `BEFORE` table). */
const BEFORE: Record<string, number | string> = (() => {
  const src = readFileSync(join(__dirname, 'fix-proof.test.ts'), 'utf8');
  const block = /const BEFORE[^=]*= \{([\s\S]*?)\n\};/.exec(src)?.[1] ?? '';
  const out: Record<string, number | string> = {};
  for (const m of block.matchAll(/'([a-z0-9-]+)': (\d+|'[^']+')/g)) out[m[1]!] = /^\d+$/.test(m[2]!) ? Number(m[2]) : m[2]!.slice(1, -1);
  return out;
})();

test('fix-proof.test.ts has an expected outcome for every rule', () => {
  assert.deepEqual(Object.keys(BEFORE).sort(), RULES.map((r) => r.id).sort());
});

/** The fixture as deployed: real ports instead of the test placeholders, and the events block nginx needs. */
export function deployed(text: string): string {
  return `${text
    .replace(/__PORT__/g, '8080')
    .replace(/__BACKEND__/g, '3000')
    .replace(/__BACKEND2__/g, '3001')}\nevents {}\n`;
}

/** The location the proof runs: the fixture's first WebSocket location (`location /ws/` where the typo hides it). */
function wsPath(text: string): string {
  const a = analyze(FIXTURE_PATH, singleFileHost(FIXTURE_PATH, text));
  return a.wsLocations[0]?.locationPath ?? '/ws/';
}

/** Request paths for regex locations. */
const REQUEST_PATH: Record<string, string> = { '^/ws/(?<room>[a-z]+)$': '/ws/lobby' };

async function prove(text: string, idleSeconds = 0): Promise<ProofResult> {
  const dir = mkdtempSync(join(tmpdir(), 'prove-fixture-'));
  try {
    const root = join(dir, 'nginx.conf');
    writeFileSync(root, text);
    const path = wsPath(text);
    const r = await runProof({
      root,
      location: { path },
      requestPath: REQUEST_PATH[path],
      nginx: NGINX_BINARY,
      idleSeconds,
      timeoutMs: 10_000,
    });
    assert.deepEqual(leftovers(r), [], 'the proof left something behind');
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rules whose bad fixture nginx answers itself: the status the client sees is not the backend's. */
const BY_NGINX = new Set(['ws-answered-before-proxy', 'ws-handshake-elsewhere', 'ws-timeout-fails-handshake']);

const explain = (r: ProofResult): string =>
  `${r.stage} ${r.status} ${r.error}\n${JSON.stringify(r.diagnosis, null, 1)}\n${r.nginxTest?.output ?? ''}`;

for (const rule of RULES) {
  test(`${rule.id}: the local proof fails the bad fixture as real nginx does`, { skip, timeout: 90_000 }, async () => {
    const bad = deployed(fixture(rule.id, 'bad')!);
    const expected = BEFORE[rule.id]!;
    const idle = expected === 'idle close' ? 3.5 : 0;

    const before = await prove(bad, idle);
    // The copy ran on other ports and another backend: each was recorded.
    assert.ok(
      before.rewrites.some((w) => w.what === 'listen' && w.from.includes('8080')),
      'listen 8080 rewritten',
    );
    if (expected === 'nginx -t fails') {
      assert.equal(before.stage, 'nginx-t', explain(before));
      assert.equal(before.nginxTest?.ok, false);
      assert.ok(before.diagnosis.length > 0 && before.diagnosis[0]!.line, `the nginx -t failure is linked to a line: ${explain(before)}`);
      // nginx's message joined with the linter's finding on that line: the report offers its quick fix.
      assert.equal(before.diagnosis[0]!.code, rule.id, explain(before));
      assert.equal(before.backend?.requests.length ?? 0, 0, 'nothing reached the backend');
    } else {
      assert.equal(before.nginxTest?.ok, true, explain(before));
      assert.ok(
        before.rewrites.some((w) => w.what === 'proxy_pass target' || w.what === 'upstream server'),
        'the backend was replaced',
      );
      if (typeof expected === 'number') {
        assert.equal(before.ok, false);
        assert.equal(before.stage, 'handshake', explain(before));
        assert.equal(before.status, expected, explain(before));
        if (BY_NGINX.has(rule.id)) {
          // nginx answers itself (a deny, another location, a timeout of 0): the backend's answer, if any, never reaches the client.
          assert.ok(!before.backend!.requests.some((q) => q.answer.status === expected), "the status is nginx's own");
        } else {
          const seen = before.backend!.requests[0];
          assert.ok(seen, 'nginx forwarded the request to the echo backend');
          assert.equal(seen.answer.status, expected, 'the backend answered the status the client saw');
          if (rule.id === 'ws-http-version') assert.equal(seen.httpVersion, '1.0', "the strict backend refused nginx's HTTP/1.0 request");
        }
        assert.ok(
          before.diagnosis.some((d) => d.code === rule.id || (rule.id === 'ws-path-without-recipe' && d.line)),
          `the diagnosis names the rule or the line: ${explain(before)}`,
        );
      } else if (expected === 'client rejects 101') {
        // The backend switched protocols; nginx passed the 101 on without the header the client needs.
        assert.equal(before.ok, false, explain(before));
        assert.equal(before.stage, 'handshake', explain(before));
        assert.equal(before.backend!.requests[0]?.answer.status, 101);
        assert.ok(
          before.diagnosis.some((d) => d.code === rule.id),
          explain(before),
        );
      } else if (expected === 'no HTTP/1.1 answer') {
        // The port speaks HTTP/2 only: the handshake never reaches a location, let alone the backend.
        assert.equal(before.ok, false, explain(before));
        assert.equal(before.stage, 'handshake', explain(before));
        assert.equal(before.backend!.requests.length, 0, 'nothing reached the backend');
        assert.ok(
          before.diagnosis.some((d) => d.code === rule.id),
          explain(before),
        );
      } else if (expected === 'idle close') {
        assert.equal(before.stage, 'idle', explain(before));
        assert.ok(
          before.test!.closedAfterIdleMs! >= 1500 && before.test!.closedAfterIdleMs! < 3500,
          `closed after ${before.test!.closedAfterIdleMs} ms`,
        );
        assert.equal(before.backend!.requests[0]?.answer.status, 101);
      } else {
        assert.equal(before.ok, true, explain(before));
        assert.equal(before.test!.reply, 'echo');
        assert.equal(before.backend!.requests.length, 1);
      }
    }
  });

  const noFix = rule.noFix && `${rule.id} has no automatic fix (${rule.noFix}), so fixed.conf is bad.conf`;
  test(`${rule.id}: the local proof passes fixed.conf, fix-all's output`, { skip: skip || noFix, timeout: 90_000 }, async () => {
    assert.equal(fixAll(fixture(rule.id, 'bad')!), fixture(rule.id, 'fixed'), 'fix-all of bad.conf differs from fixed.conf');
    const fixed = deployed(fixture(rule.id, 'fixed')!);
    const after = await prove(fixed, BEFORE[rule.id] === 'idle close' ? 3.5 : 0);
    assert.equal(after.ok, true, `the fixed fixture fails the proof: ${explain(after)}\n--- fixed ---\n${fixed}`);
    assert.equal(after.test!.reply, 'echo');
    assert.equal(after.backend!.requests[0]?.line.endsWith('HTTP/1.1'), true, 'HTTP/1.1 upstream after the fix');
  });

  test(`${rule.id}: the local proof passes the good fixture`, { skip, timeout: 90_000 }, async () => {
    const good = deployed(fixture(rule.id, 'good')!);
    const g = await prove(good);
    assert.equal(g.ok, true, `the good fixture fails the proof: ${explain(g)}`);
  });
}

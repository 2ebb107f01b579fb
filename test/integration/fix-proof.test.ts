/**
 * The real proof of the quick fixes: for every rule's bad fixture, real nginx
 * (Debian's) shows the failure the facts file describes, and its fixed.conf
 * (which fix-all must produce, checked here again) passes `nginx -t` and a real
 * WebSocket handshake through nginx reaches a real backend and echoes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/engine/index';
import { analyze, singleFileHost } from '../../server/src/engine/analyze';
import { RULES } from '../../server/src/engine/rules/index';
import { nginxAvailable, nginxTest, startNginx, type RunningNginx } from '../support/nginx';
import { startStrictBackend, startWsBackend } from '../support/ws-backend';
import { FIXTURE_PATH, fixAll, fixture } from '../support/rules';
import { handshake, type HandshakeOutcome } from '../support/handshake';
import { samplePath } from '../../server/src/engine/request/handshake';

/** What real nginx 1.22 does with each bad fixture before the fix (WEBSOCKET-FACTS.md). */
const BEFORE: Record<string, 'nginx -t fails' | number | 'idle close' | 'works' | 'client rejects 101' | 'no HTTP/1.1 answer'> = {
  'ws-upgrade-header-missing': 426,
  'ws-connection-header': 426,
  'ws-http-version': 400, // with the strict backend
  'ws-inherited-headers-dropped': 426,
  'ws-upgrade-value': 426,
  'ws-handshake-headers-dropped': 400,
  'ws-101-header-hidden': 'client rejects 101',
  'ws-timeout-fails-handshake': 504,
  'ws-listen-http2-cleartext': 'no HTTP/1.1 answer', // HTTP/2 frames (SETTINGS, GOAWAY) instead of a status line
  'ws-answered-before-proxy': 403,
  'ws-handshake-elsewhere': 404,
  'location-unreachable': 'works',
  'undefined-variable': 'nginx -t fails',
  'ws-read-timeout-short': 'idle close',
  'ws-read-timeout-default': 'works',
  'invalid-time-value': 'nginx -t fails',
  'proxy-connect-timeout-too-long': 'works',
  'ws-keepalive-connection-clash': 426,
  'map-close-defeats-keepalive': 'works',
  'ws-upstream-no-affinity': 'works',
  'ws-path-without-recipe': 426,
  'directive-not-allowed': 'nginx -t fails',
  'unknown-directive': 'nginx -t fails',
  'lookalike-whitespace': 'nginx -t fails', // unknown directive "proxy_buffering\u00a0off"
  'needs-newer-nginx': 'nginx -t fails',
  'deprecated-directive': 'works',
};

const STRICT = new Set(['ws-http-version']);
const skip = nginxAvailable() ? false : 'nginx is not installed (apt-get install nginx-light)';

test('every rule has an expected real-nginx outcome', () => {
  assert.deepEqual(Object.keys(BEFORE).sort(), RULES.map((r) => r.id).sort());
});

/** The content of the fixture's `http {}` (the helper wraps it with events, pid and logs). */
function httpBody(text: string): string {
  const http = parse(text).children.find((c) => c.type === 'directive' && c.name === 'http');
  assert.ok(http && http.type === 'directive' && http.block, 'fixture must have an http {} block');
  return text.slice(http.block.bodyStart, http.block.bodyEnd);
}

/** The path of the fixture's first WebSocket location: a regex location gets a path it matches (the request model's sample). */
function wsPath(text: string): string {
  const a = analyze(FIXTURE_PATH, singleFileHost(FIXTURE_PATH, text));
  const loc = a.wsLocations[0];
  assert.ok(loc, 'fixture has a WebSocket location');
  const node = a.requests.locations.nodeOf(a.model.scopeOf.get(loc.directive)!);
  return (node && samplePath(node)) ?? loc.locationPath;
}

/** `nginx -t` with ports that exist only in the test's imagination: nothing connects. */
const checkOnly = (text: string) => nginxTest({ http: httpBody(text), vars: { BACKEND2: '9' } });

async function outcome(
  text: string,
  strict: boolean,
  holdMs?: number,
): Promise<{ t: { ok: boolean; output: string }; hs?: HandshakeOutcome }> {
  const t = await checkOnly(text);
  if (!t.ok) return { t };
  const b1 = strict ? await startStrictBackend() : await startWsBackend();
  const b2 = await startWsBackend();
  let ng: RunningNginx | undefined;
  try {
    ng = await startNginx({ http: httpBody(text), backendPort: b1.port, vars: { BACKEND2: String(b2.port) } });
    const hs = await handshake(`ws://127.0.0.1:${ng.port}${wsPath(text)}`, holdMs === undefined ? {} : { holdMs });
    return { t, hs };
  } finally {
    await ng?.stop();
    await b1.stop();
    await b2.stop();
  }
}

for (const rule of RULES) {
  test(`${rule.id}: real nginx confirms the bad fixture`, { skip, timeout: 60_000 }, async () => {
    const bad = fixture(rule.id, 'bad')!;
    const expected = BEFORE[rule.id]!;
    const strict = STRICT.has(rule.id);
    const idle = expected === 'idle close' ? 3500 : undefined;

    const before = await outcome(bad, strict, idle);
    if (expected === 'nginx -t fails') {
      assert.equal(before.t.ok, false, `nginx -t accepted the bad fixture:\n${before.t.output}`);
    } else {
      assert.ok(before.t.ok, `nginx -t rejected the bad fixture:\n${before.t.output}`);
      if (typeof expected === 'number') assert.equal(before.hs!.status, expected, JSON.stringify(before.hs));
      else if (expected === 'client rejects 101') {
        // nginx passes the backend's 101 on, but without the header the client needs: no WebSocket opens, nothing echoes.
        assert.ok(before.hs!.status === 101 || /Upgrade|Sec-WebSocket-Accept/.test(before.hs!.error ?? ''), JSON.stringify(before.hs));
        assert.equal(before.hs!.echo, undefined, JSON.stringify(before.hs));
      } else if (expected === 'no HTTP/1.1 answer') {
        assert.equal(before.hs!.status, 0, JSON.stringify(before.hs));
        assert.match(before.hs!.error ?? '', /Parse Error/, JSON.stringify(before.hs));
      } else assert.equal(before.hs!.status, 101, JSON.stringify(before.hs));
      if (expected === 'idle close') {
        assert.ok(before.hs!.closedAfterMs !== undefined, 'nginx did not close the idle WebSocket');
        assert.ok(before.hs!.closedAfterMs >= 1500 && before.hs!.closedAfterMs < 3500, `closed after ${before.hs!.closedAfterMs} ms`);
      }
    }
  });

  // A rule without an automatic fix has fixed.conf = bad.conf (test/unit/rules.test.ts): its good fixture shows the valid form.
  const noFix = rule.noFix && `${rule.id} has no automatic fix (${rule.noFix}), so fixed.conf is bad.conf`;
  test(
    `${rule.id}: fix-all makes fixed.conf of the bad fixture, and real nginx accepts it and upgrades`,
    { skip: skip || noFix, timeout: 60_000 },
    async () => {
      const bad = fixture(rule.id, 'bad')!;
      const fixed = fixture(rule.id, 'fixed')!;
      assert.equal(fixAll(bad), fixed, 'fix-all of bad.conf differs from fixed.conf');
      assert.notEqual(fixed, bad, 'fix-all changed nothing');
      const strict = STRICT.has(rule.id);
      const idle = BEFORE[rule.id] === 'idle close' ? 3500 : undefined;
      const after = await outcome(fixed, strict, idle);
      assert.ok(after.t.ok, `nginx -t rejected the fixed config:\n${after.t.output}\n--- fixed config ---\n${fixed}`);
      assert.equal(after.hs!.status, 101, `handshake after the fix: ${JSON.stringify(after.hs)}\n--- fixed config ---\n${fixed}`);
      assert.equal(after.hs!.echo, 'ping-through-nginx');
      if (idle) assert.equal(after.hs!.closedAfterMs, undefined, 'the fixed config still closes the idle WebSocket');
    },
  );
}

test('every good fixture passes nginx -t', { skip }, async () => {
  for (const rule of RULES) {
    const r = await checkOnly(fixture(rule.id, 'good')!);
    assert.ok(r.ok, `${rule.id}/good.conf: ${r.output}`);
  }
});

/**
 * What the good fixtures show is fine must work in real nginx: every good fixture with a WebSocket location
 * upgrades and echoes through it, with the strict backend where the rule is about strictness. (The request-model
 * rules' good fixtures carry the forms that must stay silent: `proxy_send_timeout 0`, `limit_except GET`, an
 * `if` the handshake decides, `^~` over a regex.)
 */
for (const rule of RULES) {
  const good = fixture(rule.id, 'good')!;
  const hasWs = analyze(FIXTURE_PATH, singleFileHost(FIXTURE_PATH, good)).wsLocations.length > 0;
  test(
    `${rule.id}: the good fixture upgrades through real nginx`,
    { skip: skip || (!hasWs && 'good.conf has no WebSocket location to upgrade through'), timeout: 60_000 },
    async () => {
      const r = await outcome(good, STRICT.has(rule.id));
      assert.ok(r.t.ok, `nginx -t: ${r.t.output}`);
      assert.equal(r.hs!.status, 101, JSON.stringify(r.hs));
      assert.equal(r.hs!.echo, 'ping-through-nginx');
    },
  );
}

/**
 * The request model against real nginx (issue: "a request model verified
 * against real nginx"): generated configs run in nginx in front of a
 * recording strict backend, each handshake compared with `trace()` of the
 * same request through the same config file (see test/differential/). The
 * CI sample is a fixed seed range; `npm run verify:nginx -- --count N
 * --seed S` runs more. Any mismatch prints the seed that reproduces it and
 * keeps the config under test-results/differential/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nginxAvailable } from '../support/nginx';
import { generateConfig, runConfig, type ConfigResult } from '../differential/harness';
import { startRecordingBackend } from '../differential/recording-backend';

const COUNT = Number(process.env.REQUEST_MODEL_CONFIGS ?? 600);
const SEED = 1;

test(
  `request model: ${COUNT} generated configs in real nginx, every handshake predicted exactly`,
  { skip: !nginxAvailable() && 'nginx is not installed (apt-get install nginx-light)', timeout: 15 * 60_000 },
  async (t) => {
    const results: ConfigResult[] = [];
    let next = 0;
    const worker = async () => {
      const backend = await startRecordingBackend();
      try {
        while (next < COUNT) results.push(await runConfig(generateConfig(SEED + next++), backend, 'test-results/differential'));
      } finally {
        await backend.stop();
      }
    };
    await Promise.all([worker(), worker()]);
    const rejected = results.filter((r) => r.rejected);
    assert.deepEqual(
      rejected.map((r) => `seed ${r.seed}: ${r.rejected}`),
      [],
      'every generated config passes nginx -t',
    );
    const mismatches = results.flatMap((r) =>
      r.mismatches.map((m) => `seed ${m.seed} request ${m.request} ${m.what}: nginx ${m.nginx} | model ${m.model}`),
    );
    const handshakes = results.reduce((n, r) => n + r.requests, 0);
    const abstained = results.reduce((n, r) => n + r.abstained, 0);
    const agreed = results.reduce((n, r) => n + r.agreed, 0);
    t.diagnostic(`${handshakes} handshakes: ${agreed} predicted exactly, ${abstained} not predicted`);
    assert.deepEqual(mismatches, []);
    assert.equal(agreed + abstained, handshakes);
    // The model may decline (a password it cannot check), but rarely: a model that abstains is not a model.
    assert.ok(abstained <= handshakes * 0.005, `${abstained} of ${handshakes} handshakes not predicted`);
  },
);

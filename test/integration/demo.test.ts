/** `npm start` is the README's first command: it must work and show the whole story. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { nginxAvailable } from '../support/nginx';
import { processesMentioning } from '../support/proof-checks';

test('the demo lints the example, fixes it, and proves both versions with a private local nginx', { timeout: 120_000 }, async (t) => {
  const root = join(__dirname, '..', '..');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'demo.mjs')], { cwd: root, encoding: 'utf8', timeout: 110_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /error ws-inherited-headers-dropped/);
  assert.match(r.stdout, /error ws-keepalive-connection-clash/);
  assert.match(r.stdout, /\+\s+map \$http_upgrade \$connection_upgrade \{/);
  const noNginx = nginxAvailable()
    ? false
    : 'nginx is not installed (apt-get install nginx-light): the demo prints that it skips its proofs';
  await t.test('the original fails the local proof where real nginx fails it, the fixed copy passes twice', { skip: noNginx }, () => {
    // The original fails where real nginx fails it, with the finding that explains it; the fixed copy is proven twice.
    assert.match(
      r.stdout,
      /--location \/ws\/\nLocal nginx proof: location \/ws\/ [^\n]*\nResult: FAILED at nginx -t: nginx -t rejects the config: unknown "connection_upgrade" variable/,
    );
    assert.match(r.stdout, /\[undefined-variable\]/);
    assert.equal(r.stdout.match(/^Result: PASSED$/gm)?.length, 2, r.stdout);
    assert.match(r.stdout, /GET \/notifications\/ HTTP\/1\.1 {2}→ 101/, 'the echo backend received the upgrade through nginx');
    assert.equal(r.stdout.match(/^Cleanup: nothing left running, the private prefix removed$/gm)?.length, 3);
    assert.deepEqual(processesMentioning('nginx-ws-proof-', { orphaned: true }), [], 'no proof nginx outlives the demo');
  });
});

/** `npm start` is the README's first command: it must work and show the whole story. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { nginxAvailable } from '../helpers/nginx';

test('the demo lints the example, fixes it, and passes a real handshake through nginx', { timeout: 120_000 }, () => {
  const root = join(__dirname, '..', '..');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'demo.mjs')], { cwd: root, encoding: 'utf8', timeout: 110_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /error ws-inherited-headers-dropped/);
  assert.match(r.stdout, /error ws-keepalive-connection-clash/);
  assert.match(r.stdout, /\+\s+map \$http_upgrade \$connection_upgrade \{/);
  if (nginxAvailable()) {
    assert.match(r.stdout, /nginx -t \(original\): .*unknown "connection_upgrade" variable/);
    assert.match(r.stdout, /nginx -t \(fixed\): ok/);
    assert.equal(r.stdout.match(/Result: PASSED/g)?.length, 2, r.stdout);
  }
});

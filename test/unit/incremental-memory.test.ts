/**
 * Memory across incremental edits: each edit makes a new document text, and
 * the tree is updated in place, so anything the re-parsed nodes keep that is
 * a view into the text (V8 slices of 13+ characters are) would keep that
 * whole version alive: 300 edits of a 1.35 MB config would hold ~400 MB. The
 * live heap after a full GC must stay near where it started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('300 incremental edits of a 1.35 MB config keep no old versions of the text alive', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, '..', 'support', 'edit-memory.ts'), '300'], {
    cwd: join(__dirname, '..', '..'),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as { before: number; after: number; incremental: number };
  assert.equal(m.incremental, 300, 'every edit took the incremental path');
  const grownMb = (m.after - m.before) / 1048576;
  // One old text is ~1.4 MB; a leak of one per edit would be hundreds of MB.
  assert.ok(grownMb < 40, `live heap grew ${grownMb.toFixed(1)} MB over 300 edits`);
});

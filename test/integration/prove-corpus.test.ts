/**
 * The proof's rewrites never break a config nginx accepts: every config of
 * nginx's own test suite (../shared/corpus/nginx-tests) that passes real
 * `nginx -t` in its own test prefix is proven (its first location) and must
 * get past `nginx -t` and start-up in the proof's private prefix, leaving
 * nothing behind. What happens at the handshake is the config's business
 * (most of these locations are not WebSocket endpoints).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, DEFAULT_SETTINGS } from '../../server/src/engine/index';
import { diskHost } from '../../server/src/node/file-host';
import { runProof } from '../../server/src/prove/index';
import { NGINX_BINARY, nginxAvailable } from '../support/nginx';
import { leftovers } from '../support/proof-checks';
import { corpusPart } from '../support/corpus';

const { dir: TESTS, absent } = corpusPart('nginx-tests');
const skip = !nginxAvailable() ? 'nginx is not installed' : absent;

function nginxT(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      NGINX_BINARY,
      ['-t', '-q', '-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
      { timeout: 10_000 },
      (err) => resolve(!err),
    );
  });
}

test(
  "nginx's own test configs: whatever nginx -t accepts in its own prefix, the proof runs in its private one",
  { skip, timeout: 300_000 },
  async (tc) => {
    const index = JSON.parse(readFileSync(join(TESTS, 'index.json'), 'utf8')) as {
      tests: { name: string; conf: string; files?: string[] }[];
    };
    let proven = 0;
    const failures: string[] = [];
    for (const t of index.tests) {
      const dir = mkdtempSync(join(tmpdir(), `prove-corpus-${t.name}-`));
      try {
        if (existsSync(join(TESTS, `${t.name}.files`))) cpSync(join(TESTS, `${t.name}.files`), dir, { recursive: true });
        const text = readFileSync(join(TESTS, t.conf), 'utf8')
          .replaceAll('@TESTDIR@', dir)
          .replaceAll('@NGINX_MODULES@', '/usr/lib/nginx/modules');
        const root = join(dir, 'nginx.conf');
        writeFileSync(root, text);
        if (!(await nginxT(dir))) continue; // needs a module, a file or a certificate this machine lacks
        const first = (analyze(root, diskHost(), DEFAULT_SETTINGS).model.scopes.get('location') ?? []).find(
          (s) => s.directive?.block && s.parent?.kind === 'server',
        );
        if (!first) continue;
        const d = first.directive!;
        const r = await runProof({
          root,
          location: { file: d.file.uri, line: d.range.start.line + 1 },
          requestPath: '/probe',
          nginx: NGINX_BINARY,
          timeoutMs: 5000,
        });
        proven++;
        if (r.stage === 'setup' || r.stage === 'nginx-t' || r.stage === 'start') failures.push(`${t.name}: ${r.stage}: ${r.error}`);
        const left = leftovers(r);
        if (left.length) failures.push(`${t.name}: left behind ${left.join(', ')}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    tc.diagnostic(`${proven} of ${index.tests.length} configs proven`);
    assert.ok(proven >= 100, `only ${proven} configs were proven`);
    assert.deepEqual(failures, []);
  },
);

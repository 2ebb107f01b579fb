/**
 * The real editor's figures as `npm run bench` prints them: the distribution
 * of the open-to-first-squiggle samples the e2e sessions record, and where the
 * time went when the sessions found the workbench's and the server's log times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eSummary, phasesLine, type SquiggleSample } from '../../bench/e2e-results';

function withHistory(runs: { samples: SquiggleSample[] }[], check: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-ws-e2e-results-'));
  try {
    const path = join(dir, 'history.json');
    writeFileSync(path, JSON.stringify({ runs }));
    check(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('percentiles over every run, and the medians of the phases of the timed samples only', () => {
  const runs = [
    {
      samples: [
        { session: 'diagnostics', label: 'a.conf', ms: 1000, activatedMs: 200, analysedMs: 700 },
        { session: 'trace', label: 'a.conf', ms: 3000, activatedMs: 2000, analysedMs: 2500 },
      ],
    },
    {
      samples: [
        { session: 'diagnostics', label: 'a.conf', ms: 1500, activatedMs: 300, analysedMs: 1200 },
        // No log times (an older record, or a log the session did not find): counted in the distribution only.
        { session: 'untrusted', label: 'b.conf', ms: 9000 },
        // Log times that cannot be right (a clock step): left out of the phases.
        { session: 'trace', label: 'a.conf', ms: 800, activatedMs: 900, analysedMs: 850 },
      ],
    },
  ];
  withHistory(runs, (path) => {
    const s = e2eSummary(path);
    assert.ok(s);
    assert.equal(s.runs, 2);
    assert.equal(s.samples, 5);
    assert.equal(s.p50, 1500);
    assert.equal(s.p95, 9000);
    assert.deepEqual(s.bySession.find((b) => b.name === 'diagnostics: a.conf')?.values, [1000, 1500]);
    // Timed: 1000 (200, 700), 3000 (2000, 2500), 1500 (300, 1200).
    assert.deepEqual(s.phases, { samples: 3, toActivation: 300, toAnalysed: 500, toSquiggle: 300 });
    assert.match(phasesLine(s.phases), /3 timed samples: open → activation begins 300 ms .* 500 ms .* 300 ms/);
  });
});

test('no phases when no sample has both log times', () => {
  withHistory([{ samples: [{ session: 's', label: 'a.conf', ms: 100, activatedMs: 10 }] }], (path) => {
    const s = e2eSummary(path);
    assert.equal(s?.phases, null);
    assert.equal(s?.p95, 100);
  });
});

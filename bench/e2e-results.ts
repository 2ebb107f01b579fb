/**
 * The real editor's figure: how long after a file is opened its first
 * squiggle shows, from the samples the e2e sessions record (test/e2e/lib:
 * `openUntilSquiggle`; test/e2e/run.mjs gathers them after each run).
 *
 * - test-results/e2e-squiggle-times.json: the last run, `{ date, samples }`;
 * - test-results/e2e-squiggle-history.json: the last runs, `{ runs: [{ date, samples }] }`.
 *
 * Each sample is `{ session, label, ms }`. Also a command:
 *   node --import tsx bench/e2e-results.ts [PATH]
 */
import { existsSync, readFileSync } from 'node:fs';

export const E2E_LATEST = 'test-results/e2e-squiggle-times.json';
export const E2E_HISTORY = 'test-results/e2e-squiggle-history.json';

export interface SquiggleSample {
  session: string;
  label: string;
  ms: number;
  /** Ms after the open when the extension host began to activate the extension (absent when its log was not found). */
  activatedMs?: number;
  /** Ms after the open when the language server's analysis of the file ended (absent when its log line was not found). */
  analysedMs?: number;
}

export interface E2eSummary {
  path: string;
  runs: number;
  samples: number;
  p50: number;
  p95: number;
  max: number;
  bySession: { name: string; values: number[] }[];
  /**
   * Medians of where the time went, over the samples that have both log times: VS Code opening the editor up to
   * activating the extension, from there to the end of the server's analysis, and from there to the squiggle.
   */
  phases: { samples: number; toActivation: number; toAnalysed: number; toSquiggle: number } | null;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The distribution of the samples in `path` (a history or a single run), or null when there are none. */
export function e2eSummary(path: string): E2eSummary | null {
  if (!existsSync(path)) return null;
  let data: { runs?: { samples?: SquiggleSample[] }[]; samples?: SquiggleSample[] };
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as typeof data;
  } catch {
    return null;
  }
  const runs = data.runs ?? [data];
  const samples = runs.flatMap((r) => r.samples ?? []).filter((s) => typeof s.ms === 'number' && Number.isFinite(s.ms));
  if (!samples.length) return null;
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const by = new Map<string, number[]>();
  for (const s of samples) {
    const k = `${s.session}: ${s.label}`;
    by.set(k, [...(by.get(k) ?? []), s.ms]);
  }
  return {
    path,
    runs: runs.length,
    samples: samples.length,
    p50: pct(sorted, 50),
    p95: pct(sorted, 95),
    max: sorted[sorted.length - 1]!,
    bySession: [...by].map(([name, values]) => ({ name, values })),
    phases: phasesOf(samples),
  };
}

function phasesOf(samples: SquiggleSample[]): E2eSummary['phases'] {
  const timed = samples.filter(
    (s) => Number.isFinite(s.activatedMs) && Number.isFinite(s.analysedMs) && s.activatedMs! <= s.analysedMs! && s.analysedMs! <= s.ms,
  );
  if (!timed.length) return null;
  const median = (xs: number[]) =>
    pct(
      xs.sort((a, b) => a - b),
      50,
    );
  return {
    samples: timed.length,
    toActivation: median(timed.map((s) => s.activatedMs!)),
    toAnalysed: median(timed.map((s) => s.analysedMs! - s.activatedMs!)),
    toSquiggle: median(timed.map((s) => s.ms - s.analysedMs!)),
  };
}

/** The phases as one line, for the bench and this command. */
export function phasesLine(p: NonNullable<E2eSummary['phases']>): string {
  return (
    `medians of ${p.samples} timed samples: open → activation begins ${p.toActivation} ms (VS Code), ` +
    `→ server's analysis done ${p.toAnalysed} ms (activation, server start, settings, analysis), → squiggle shown ${p.toSquiggle} ms`
  );
}

if (require.main === module) {
  const path = process.argv[2] ?? E2E_HISTORY;
  const s = e2eSummary(path);
  if (!s) {
    console.log(`no squiggle samples in ${path} (npm run test:e2e records them)`);
  } else {
    console.log(
      `${path}: ${s.samples} samples of ${s.runs} run${s.runs === 1 ? '' : 's'}: p50 ${s.p50} ms, p95 ${s.p95} ms, max ${s.max} ms`,
    );
    for (const b of s.bySession) console.log(`  ${b.name}: ${b.values.join(', ')} ms`);
    if (s.phases) console.log(`  ${phasesLine(s.phases)}`);
  }
}

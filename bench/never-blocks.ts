/**
 * Issue 11's "the server never blocks", as figures: a fresh real server
 * (`dist/server.js --stdio`) opens a small config and then a heavy one; while
 * the heavy one is analysed, the small one is hovered five times and edited
 * once. Printed for the server as it ships (the front and its two analysis
 * threads) and, beside it, for the single-threaded server
 * (`NGINX_WS_THREADS=off`), where each of those waits for the heavy analysis.
 * Figures only; `test/integration/lsp-threads.test.ts` holds the behaviour.
 */
import { LspTestClient } from '../test/support/lsp-client';

export interface NeverBlocksRun {
  mode: 'threads' | 'single';
  /** Each hover's latency (ms), sent one after the other while the heavy config is analysed. */
  hoversMs: number[];
  /** An edit of the small config to its diagnostics (ms), still during the heavy analysis. */
  editMs: number | null;
  /** The heavy config's open to its diagnostics (ms). */
  heavyMs: number | null;
  note?: string;
}

const SMALL_URI = 'file:///bench/small/nginx.conf';
const HEAVY_URI = 'file:///bench/heavy/nginx.conf';

async function run(mode: NeverBlocksRun['mode'], heavy: string, small: string, hoverAt: { line: number; character: number }) {
  const out: NeverBlocksRun = { mode, hoversMs: [], editMs: null, heavyMs: null };
  const client = await LspTestClient.start({
    settings: { detectNginxVersion: false },
    env: mode === 'single' ? { NGINX_WS_THREADS: 'off' } : {},
  });
  try {
    client.open(SMALL_URI, small, 1);
    await client.diagnostics(SMALL_URI, (p) => p.version === 1, { timeoutMs: 60_000 });
    const t0 = performance.now();
    client.open(HEAVY_URI, heavy, 1);
    const heavyDone = client.diagnostics(HEAVY_URI, (p) => p.version === 1, { timeoutMs: 300_000 }).then(() => performance.now() - t0);
    // Well inside the heavy analysis (it lasts seconds).
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await client.request('textDocument/hover', { textDocument: { uri: SMALL_URI }, position: hoverAt }, 300_000);
      out.hoversMs.push(performance.now() - t);
    }
    const since = client.mark(SMALL_URI);
    const t = performance.now();
    client.change(SMALL_URI, 2, `${small}\n`);
    await client.diagnostics(SMALL_URI, (p) => p.version === 2, { since, timeoutMs: 300_000 });
    out.editMs = performance.now() - t;
    out.heavyMs = await heavyDone;
  } catch (e) {
    out.note = (e as Error).message.slice(0, 300);
  } finally {
    await client.stop().catch(() => client.kill());
  }
  return out;
}

/** Both modes, threads first. `hoverAt` is a position in `small` worth hovering (a directive name). */
export async function benchNeverBlocks(
  heavy: string,
  small: string,
  hoverAt: { line: number; character: number },
): Promise<NeverBlocksRun[]> {
  return [await run('threads', heavy, small, hoverAt), await run('single', heavy, small, hoverAt)];
}

/** Table rows: [measure, figure]. */
export function neverBlocksRows(runs: NeverBlocksRun[], heavyLabel: string): [string, string][] {
  const ms = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x)} ms`);
  return runs.map((r) => [
    `LSP ${r.mode === 'threads' ? '(front + 2 threads)' : '(NGINX_WS_THREADS=off)'}: during a ${heavyLabel} analysis, 5 hovers / an edit's diagnostics`,
    r.note
      ? `n/a (${r.note})`
      : `hovers ${r.hoversMs.map((x) => Math.round(x)).join(', ')} ms; edit ${ms(r.editMs)}; the heavy file's diagnostics after ${ms(r.heavyMs)}`,
  ]);
}

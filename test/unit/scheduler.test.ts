/**
 * The language server's analysis scheduler (server/src/lsp/scheduler.ts) on the
 * real event loop: after a long analysis the loop gets a gap, so a request that
 * came meanwhile is answered before the next analysis starts. vscode-jsonrpc
 * reads, dispatches and writes a message in setImmediate hops of its own; a
 * chain of such hops stands for it here: 20 of them, more than the few turns
 * the scheduler leaves anyway, so only the gap lets them through. The gaps are
 * set long (500 ms) so the order does not depend on how fast the machine is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisScheduler } from '../../server/src/lsp/scheduler';

/** A synchronous analysis of `ms` milliseconds. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** `n` setImmediate hops, then `done`: a request read, dispatched and answered. */
function hops(n: number, done: () => void): void {
  if (n === 0) done();
  else setImmediate(() => hops(n - 1, done));
}

const opts = { log: () => {}, minGapMs: 500, maxGapMs: 500 };

test('a request that came during a long analysis is answered before the next one, also when that one became due after', async () => {
  // The analyzer's case: the next document's debounce timer expires while a long analysis runs, so it is
  // enqueued just after that one ended, into an empty queue. The gap must hold all the same.
  const s = new AnalysisScheduler(opts);
  const order: string[] = [];
  await new Promise<void>((resolve) => {
    s.enqueue('a', () => {
      setTimeout(() => s.enqueue('b', () => (order.push('b'), resolve())), 0);
      hops(20, () => order.push('reply'));
      busy(60);
      order.push('a');
    });
  });
  assert.deepEqual(order, ['a', 'reply', 'b']);
  s.dispose();
});

test('jobs already queued behind a long one wait for the gap too', async () => {
  const s = new AnalysisScheduler(opts);
  const order: string[] = [];
  await new Promise<void>((resolve) => {
    s.enqueue('a', () => {
      hops(20, () => order.push('reply'));
      busy(60);
      order.push('a');
    });
    s.enqueue('b', () => order.push('b'));
    s.enqueue('c', () => (order.push('c'), resolve()));
  });
  assert.deepEqual(order, ['a', 'reply', 'b', 'c']);
  s.dispose();
});

test('with no gap at all, a request answered as a long analysis ends is written before the next one starts', async () => {
  // No time to spare: what orders them is the turns of the event loop the scheduler leaves, not a duration.
  const s = new AnalysisScheduler({ log: () => {}, minGapMs: 0, maxGapMs: 0 });
  const order: string[] = [];
  await new Promise<void>((resolve) => {
    s.enqueue('a', () => {
      // A request read as the job ends: dispatched in one setImmediate (its handler, or a collection of the
      // garbage, outlasting the gap), its answer written in the next.
      setImmediate(() => {
        busy(20);
        setImmediate(() => order.push('reply'));
      });
      busy(60);
      order.push('a');
    });
    s.enqueue('b', () => (order.push('b'), resolve()));
  });
  assert.deepEqual(order, ['a', 'reply', 'b']);
  s.dispose();
});

test('a job enqueued again before its turn runs once, with the latest work; cancel and dispose drop jobs', async () => {
  const s = new AnalysisScheduler({ log: () => {} });
  const ran: string[] = [];
  s.enqueue('a', () => ran.push('a1'));
  s.enqueue('a', () => ran.push('a2'));
  s.enqueue('b', () => ran.push('b'));
  assert.ok(s.pending('a') && s.pending('b'));
  s.cancel('b');
  assert.ok(!s.pending('b'));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(ran, ['a2']);
  s.enqueue('c', () => ran.push('c'));
  s.dispose();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(ran, ['a2']);
});

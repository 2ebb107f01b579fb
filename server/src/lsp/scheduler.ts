/**
 * When analyses run, so that no document can stop the server from answering.
 *
 * One analysis is synchronous (the engine is pure and synchronous), and
 * bounded: what it may read (bytes, files, glob entries), how it matches
 * (linear-time patterns) and what it reports (findings per rule and file)
 * all have limits. What keeps the server answering between analyses is how
 * they are spaced:
 *
 * - **One at a time, with the event loop turning in between.** Analyses that
 *   are due run one at a time, each in its own macrotask, and after a long one
 *   the loop gets a short gap (a tenth of its duration, 2 to 250 ms), so the
 *   requests that arrived meanwhile are read and answered, and the
 *   diagnostics and responses written, in between: a hover in one file waits
 *   for at most the one analysis in progress, not for every document whose
 *   debounce expired at the same moment.
 * - **A slow document waits longer.** After an analysis that took T ms (over
 *   `slowMs`), the next one of that document waits at least T (at most
 *   `maxDelayMs`) after its last change, so typing in a huge config spends at
 *   most about half of the server's time on it, not all of it. The log says
 *   so once per document.
 */
export interface SchedulerOptions {
  log(message: string): void;
  /** An analysis slower than this makes its document wait longer (default 500 ms). */
  slowMs?: number;
  /** The longest such wait (default 10 s). */
  maxDelayMs?: number;
  /** The gap after a long analysis is a tenth of it, at least this (default 2 ms)... */
  minGapMs?: number;
  /** ...and at most this (default 250 ms). */
  maxGapMs?: number;
}

/** Read, dispatch, answer, write: the setImmediate hops a request takes in vscode-jsonrpc, and one to spare. */
const TURNS_BEFORE_A_JOB = 4;

export class AnalysisScheduler {
  private readonly queue: string[] = [];
  private readonly jobs = new Map<string, () => void>();
  /** Duration of each document's last analysis run through the queue. */
  private readonly cost = new Map<string, number>();
  private readonly warned = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private disposed = false;
  /** No job starts before this (performance.now()): the gap after the last long one, whenever the next becomes due. */
  private restUntil = 0;
  private readonly slowMs: number;
  private readonly maxDelayMs: number;
  private readonly minGapMs: number;
  private readonly maxGapMs: number;

  constructor(private readonly o: SchedulerOptions) {
    this.slowMs = o.slowMs ?? 500;
    this.maxDelayMs = o.maxDelayMs ?? 10_000;
    this.minGapMs = o.minGapMs ?? 2;
    this.maxGapMs = o.maxGapMs ?? 250;
  }

  /** Runs `job` for `uri` after the jobs already due, each in its own turn; a job already due for `uri` is replaced. */
  enqueue(uri: string, job: () => void): void {
    if (this.disposed) return;
    if (!this.jobs.has(uri)) this.queue.push(uri);
    this.jobs.set(uri, job);
    this.pump();
  }

  /** Whether a job for `uri` is waiting its turn. */
  pending(uri: string): boolean {
    return this.jobs.has(uri);
  }

  cancel(uri: string): void {
    if (!this.jobs.delete(uri)) return;
    const i = this.queue.indexOf(uri);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** The debounce to use for `uri`: `base`, or longer while its analyses are slow. */
  delay(uri: string, base: number): number {
    const c = this.cost.get(uri) ?? 0;
    return c > this.slowMs ? Math.max(base, Math.min(Math.round(c), this.maxDelayMs)) : base;
  }

  /** Records how long an analysis of `uri` took (the queue records its own jobs). */
  record(uri: string, ms: number): void {
    this.cost.set(uri, ms);
    if (ms > this.slowMs && !this.warned.has(uri)) {
      this.warned.add(uri);
      this.o.log(
        `nginx-ws: analysing ${uri} took ${Math.round(ms)} ms; while it stays that slow, its diagnostics follow an edit after ${Math.round(Math.min(ms, this.maxDelayMs))} ms without changes, so other files keep being served`,
      );
    } else if (ms <= this.slowMs) {
      this.warned.delete(uri);
    }
  }

  forget(uri: string): void {
    this.cancel(uri);
    this.cost.delete(uri);
    this.warned.delete(uri);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.jobs.clear();
  }

  private pump(): void {
    if (this.timer || this.disposed || this.queue.length === 0) return;
    // A timer, not setImmediate, and after a long job a gap: vscode-jsonrpc dispatches each incoming message
    // and writes each outgoing one (diagnostics, responses, log lines) in a setImmediate of its own, one after
    // the other, so they need a few idle turns of the event loop to go through. The gap is a tenth of the job
    // (2 to 250 ms): with several long analyses due, the server still spends about 90% of its time on them.
    // It is kept from when the long job ended, not from when the next one was enqueued: the next document's
    // debounce timer usually expires while a long job runs and enqueues it just after, into an empty queue,
    // and the gap would be lost (a request that came meanwhile then waited for that analysis too).
    // A gap is time, and time can go to the garbage collector or to writing the diagnostics just published;
    // so once it is over, the job still waits a few turns of setImmediate: a request read in the gap, or just
    // at its end, is dispatched, answered and its answer written first (timers run before setImmediate in a
    // turn of the event loop; without these turns the job would start between the answer and its write).
    this.timer = setTimeout(() => this.afterTurns(TURNS_BEFORE_A_JOB), Math.max(0, this.restUntil - performance.now()));
  }

  private afterTurns(turns: number): void {
    if (this.disposed) return;
    if (turns > 0) setImmediate(() => this.afterTurns(turns - 1));
    else this.step();
  }

  private step(): void {
    this.timer = null;
    const uri = this.queue.shift();
    if (uri === undefined) return;
    const job = this.jobs.get(uri);
    this.jobs.delete(uri);
    let ms = 0;
    try {
      if (job) {
        const started = performance.now();
        job();
        ms = performance.now() - started;
        this.record(uri, ms);
      }
    } finally {
      if (ms > 20) this.restUntil = performance.now() + Math.min(Math.max(ms / 10, this.minGapMs), this.maxGapMs);
      this.pump();
    }
  }
}

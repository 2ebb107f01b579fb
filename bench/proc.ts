/**
 * Whole processes timed from outside, for the bench: wall time, CPU time
 * (user + system, every thread of the process) and peak RSS of one child,
 * as the kernel counts them (`wait4`'s rusage). Node cannot read a child's
 * rusage, so a few lines of Python (python3 is on every machine the tests
 * run on) start the child and report it; without python3 only the wall
 * time is known.
 *
 * CPU time is the figure the ratios use: on a shared machine a process
 * loses wall time to others' work while it waits for the CPU, not CPU time.
 * A child is pinned to one CPU with `taskset` when it is there (the vCPUs
 * of this machine differ in speed, and a ratio must not depend on which one
 * each contender got).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { cpus } from 'node:os';

export const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));
export const PIN_CPU = String(Math.max(0, cpus().length - 1));
const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3', '/bin/python3'].find((p) => existsSync(p));

/** Runs argv[3:] with stdout/stderr to the files argv[1], argv[2] and prints wall, user, sys (s), maxrss (KB) and exit code of that child. */
const RUSAGE_PY = `
import os, sys, time, subprocess
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    t = time.perf_counter()
    p = subprocess.Popen(sys.argv[3:], stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
print("%f %f %f %d %d" % (wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(status)))
`;

export interface ProcRun {
  /** Wall time, ms. */
  wallMs: number;
  /** User + system CPU time of the child and all its threads, ms (null without python3). */
  cpuMs: number | null;
  /** Peak resident set size, KB (null without python3). */
  maxRssKb: number | null;
  exitCode: number;
}

/**
 * One run of `cmd args`, pinned to PIN_CPU when `pin`; stdout and stderr go to the files given (else /dev/null).
 * Throws when the child cannot be started or outlives the timeout.
 */
export function runProcess(
  cmd: string,
  args: string[],
  o: { pin?: boolean; stdout?: string; stderr?: string; timeoutMs?: number; cwd?: string } = {},
): ProcRun {
  const argv = o.pin && TASKSET ? [TASKSET, '-c', PIN_CPU, cmd, ...args] : [cmd, ...args];
  const stdout = o.stdout ?? '/dev/null';
  const stderr = o.stderr ?? '/dev/null';
  const timeout = o.timeoutMs ?? 600_000;
  if (PYTHON) {
    const r = spawnSync(PYTHON, ['-c', RUSAGE_PY, stdout, stderr, ...argv], {
      encoding: 'utf8',
      timeout,
      cwd: o.cwd,
      killSignal: 'SIGKILL',
    });
    if (r.error) throw r.error;
    const [wall, user, sys, rss, code] = (r.stdout.trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (wall === undefined || Number.isNaN(wall) || code === undefined) throw new Error(`rusage runner failed: ${r.stderr.slice(-500)}`);
    return { wallMs: wall * 1000, cpuMs: (user! + sys!) * 1000, maxRssKb: rss!, exitCode: code };
  }
  const out = openSync(stdout, 'w');
  const err = openSync(stderr, 'w');
  try {
    const t = performance.now();
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', out, err], timeout, cwd: o.cwd, killSignal: 'SIGKILL' });
    if (r.error) throw r.error;
    return { wallMs: performance.now() - t, cpuMs: null, maxRssKb: null, exitCode: r.status ?? -1 };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

export const hasRusage = !!PYTHON;

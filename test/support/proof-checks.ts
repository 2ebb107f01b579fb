/**
 * "Nothing left behind" for local proofs, checked on the machine itself: the
 * private prefix is gone, no process mentions it on its command line (nginx
 * master and workers are started with `-p PREFIX`), and every loopback port
 * the proof used can be bound again.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ProofResult } from '../../server/src/prove/types';

/** Processes whose command line contains `needle` (read from /proc). */
export function processesMentioning(needle: string, o: { under?: number; orphaned?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!cmd.includes(needle)) continue;
      // Other test runs on the same machine may be proving too: `under` keeps a process tree's own, `orphaned` the leaked ones.
      if (o.under !== undefined && !descendsFrom(Number(d), o.under)) continue;
      if (o.orphaned && parentOf(Number(d)) !== 1) continue;
      out.push(`${d}: ${cmd.trim()}`);
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // pid (comm) state ppid ...: the command may hold spaces and parentheses, the last ')' ends it.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = pid, i = 0; p > 1 && i < 64; i++) {
    if (p === ancestor) return true;
    try {
      p = parentOf(p);
    } catch {
      return false;
    }
  }
  return false;
}

/** Listening TCP sockets of this process, by local port. */
export function ownListeningPorts(): Set<number> {
  const inodes = new Map<string, number>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10 || c[3] !== '0A') continue;
      inodes.set(c[9]!, parseInt(c[1]!.split(':')[1]!, 16));
    }
  }
  const ports = new Set<number>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m && inodes.has(m[1]!)) ports.add(inodes.get(m[1]!)!);
    } catch {
      // Closed meanwhile.
    }
  }
  return ports;
}

/** What a finished proof left behind; empty when nothing. */
export function leftovers(r: Pick<ProofResult, 'prefix' | 'ports' | 'cleanup'>): string[] {
  const left: string[] = [...r.cleanup.leftovers];
  if (r.prefix) {
    if (existsSync(r.prefix)) left.push(`prefix ${r.prefix} still exists`);
    for (const p of processesMentioning(r.prefix)) left.push(`process ${p}`);
  }
  const own = ownListeningPorts();
  for (const port of r.ports) if (own.has(port)) left.push(`port ${port} still listened on by this process`);
  return left;
}

/**
 * Loopback ports for the proof's copy of a config. All are held open until
 * every one is chosen (so they are distinct), then released for nginx to bind;
 * a port taken by someone else in between makes nginx fail to start with
 * "Address already in use", and the proof tries again with new ones.
 */
import { createServer, type Server } from 'node:net';

function listen(host: string, port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen({ host, port, exclusive: true }, () => resolve(s));
  });
}

function close(s: Server): Promise<void> {
  return new Promise((r) => s.close(() => r()));
}

/** Whether IPv6 loopback (::1) can be bound here. */
export async function ipv6Loopback(): Promise<boolean> {
  const s = await listen('::1', 0);
  if (s) await close(s);
  return !!s;
}

/** `n` distinct ports free on 127.0.0.1 (and on ::1 too when `v6`). */
export async function freePorts(n: number, v6 = false): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < n && tries < n * 20 + 20; tries++) {
      const s = await listen('127.0.0.1', 0);
      if (!s) continue;
      held.push(s);
      const port = (s.address() as { port: number }).port;
      if (v6) {
        const s6 = await listen('::1', port);
        if (!s6) continue;
        held.push(s6);
      }
      ports.push(port);
    }
  } finally {
    await Promise.all(held.map(close));
  }
  if (ports.length < n) throw new Error(`could not find ${n} free loopback ports`);
  return ports;
}

/** Whether a loopback port can be bound now (the tests check that a proof left none taken). */
export async function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const s = await listen(host, port);
  if (s) await close(s);
  return !!s;
}

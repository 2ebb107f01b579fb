/**
 * A WebSocket client for tests that need the plain outcome of a handshake
 * through nginx: the status of a refused upgrade, or an echoed message.
 */
import WebSocket from 'ws';

export interface HandshakeOutcome {
  /** 101 when the upgrade succeeded, otherwise the HTTP status nginx or the backend answered (0: no answer). */
  status: number;
  /** The echoed text, when the upgrade succeeded. */
  echo?: string;
  /** Milliseconds from open to close, when `holdMs` was given and the server closed first. */
  closedAfterMs?: number;
  error?: string;
}

export function handshake(url: string, opts: { message?: string; holdMs?: number; timeoutMs?: number } = {}): Promise<HandshakeOutcome> {
  const message = opts.message ?? 'ping-through-nginx';
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { handshakeTimeout: opts.timeoutMs ?? 5000 });
    let done = false;
    const finish = (o: HandshakeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(overall);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(o);
    };
    const overall = setTimeout(() => finish({ status: 0, error: 'timed out' }), (opts.timeoutMs ?? 5000) + (opts.holdMs ?? 0) + 2000);
    ws.on('unexpected-response', (_req, res) => finish({ status: res.statusCode ?? 0 }));
    ws.on('error', (e) => finish({ status: 0, error: e.message }));
    ws.on('open', () => {
      ws.send(message);
      ws.once('message', (data) => {
        const echo = (data as Buffer).toString();
        if (opts.holdMs === undefined) return finish({ status: 101, echo });
        const openedAt = Date.now();
        const hold = setTimeout(() => finish({ status: 101, echo }), opts.holdMs);
        ws.once('close', () => {
          clearTimeout(hold);
          finish({ status: 101, echo, closedAfterMs: Date.now() - openedAt });
        });
      });
    });
  });
}

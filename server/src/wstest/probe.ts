/**
 * One WebSocket connection attempt, stage by stage: DNS, TCP, TLS, opening
 * handshake, a message exchange, an optional idle hold.
 *
 * Why a raw socket and not the `ws` client: the diagnosis needs what `ws`
 * hides or turns into one generic error — the raw status line, headers and
 * body of a refused handshake, which RFC 6455 check a 101 failed (missing
 * Upgrade vs. wrong accept), how many bytes a trickling or flooding server
 * sent before the deadline, and whether a connection that dies after the
 * upgrade sent a close frame. Writing the handshake ourselves also lets every
 * stage have its own deadline and the header reader a hard size cap. The
 * framing a probe needs (one masked text frame, ping, pong, close) is small;
 * see frames.ts.
 *
 * Invariants: every stage has a deadline, the socket is destroyed on every
 * path (finally), buffered bytes are bounded (MAX_HEAD_BYTES, MAX_BODY_BYTES,
 * MAX_FRAME_PAYLOAD), and nothing here throws: failures are results.
 */
import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { randomBytes } from 'node:crypto';
import {
  buildRequest,
  checkRequestOptions,
  headEnd,
  header,
  MAX_BODY_BYTES,
  MAX_HEAD_BYTES,
  newKey,
  parseHead,
  validateUpgrade,
} from './handshake';
import { maskHeader, looksLikeToken } from './mask';
import { closePayload, encodeFrame, FrameParser, OP, type Frame } from './frames';
import type { FailureKind, HttpHead, ProbeResult, Stage } from './types';

export interface ProbeOptions {
  url: string;
  timeoutMs: number;
  idleSeconds: number;
  insecure: boolean;
  origin?: string;
  headers?: [string, string][];
  protocols?: string[];
  /** false: stop after a valid handshake (cross-origin probe, redirect hops). */
  exchange: boolean;
  signal?: AbortSignal;
  onProgress?: (msg: string) => void;
  /** URLs already visited through redirects. */
  visited?: string[];
  /**
   * Connect here instead of resolving the URL's host (curl's --resolve): the URL still gives the Host header
   * and the TLS server name. Redirects are then reported, never followed (a local proof must not reach out).
   */
  connectTo?: { host: string; port: number };
  /** Asked before following a redirect to another host or port; see EndpointTestOptions. */
  confirmRedirect?: (url: string) => boolean | Promise<boolean>;
}

const MAX_REDIRECTS = 5;
/** Received bytes not yet taken by the probe: past this the socket is paused (TCP backpressure on the server). */
const MAX_PENDING_BYTES = 1024 * 1024;
/** Our unsent bytes: past this, a server's ping is not answered (RFC 6455 lets a pong answer only the latest ping). */
const MAX_UNSENT_BYTES = 64 * 1024;
/** Parsed frames waiting for the probe: past this the oldest data frames are dropped. */
const MAX_QUEUED_FRAMES = 1024;

class Failure extends Error {
  constructor(
    readonly stage: Stage,
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

type Wake = 'data' | 'closed' | 'timeout' | 'aborted';

/** Buffers a socket's bytes and lets the probe await "something happened" with a deadline. */
class Conn {
  private chunks: Buffer[] = [];
  size = 0;
  closed = false;
  error: Error | null = null;
  private waiter: ((w: Wake) => void) | null = null;

  constructor(
    readonly socket: Socket,
    private readonly signal?: AbortSignal,
  ) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      // A flooding server is slowed by TCP instead of filling our memory.
      if (this.size > MAX_PENDING_BYTES) socket.pause();
      this.wake('data');
    });
    socket.on('end', () => this.onClose());
    socket.on('close', () => this.onClose());
    socket.on('error', (e) => {
      this.error ??= e;
      this.onClose();
    });
  }

  private onClose(): void {
    this.closed = true;
    this.wake('closed');
  }

  private wake(w: Wake): void {
    const f = this.waiter;
    this.waiter = null;
    f?.(w);
  }

  take(): Buffer {
    const b = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    if (this.socket.isPaused() && !this.closed) this.socket.resume();
    return b;
  }

  /** Resolves on the next data, close, deadline or abort; pending data or a close resolve at once, but never past the deadline. */
  next(deadlineAt: number): Promise<Wake> {
    if (Date.now() >= deadlineAt) return Promise.resolve('timeout');
    if (this.size > 0) return Promise.resolve('data');
    if (this.closed) return Promise.resolve('closed');
    if (this.signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish('timeout'), Math.max(0, deadlineAt - Date.now()));
      const onAbort = (): void => finish('aborted');
      this.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (w: Wake): void => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
        if (this.waiter === finish) this.waiter = null;
        resolve(w);
      };
      this.waiter = finish;
    });
  }

  write(b: Buffer): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(b);
  }

  /** Bytes written but not yet sent (the server does not read, or reads slowly). */
  get unsent(): number {
    return this.socket.writableLength;
  }
}

export function emptyResult(url: string): ProbeResult {
  return {
    url,
    ok: false,
    stage: 'dns',
    kind: null,
    status: null,
    error: null,
    timings: { dns: null, connect: null, tls: null, handshake: null, roundTrip: null },
    remoteAddress: null,
    tls: null,
    request: null,
    response: null,
    redirects: [],
    negotiated: null,
    reply: null,
    close: null,
    closedAfterIdleMs: null,
    steps: [],
  };
}

/** Parses a ws/wss (or http/https) URL; a Failure for anything else. */
export function parseWsUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new Failure('dns', 'bad-url', `not a URL: ${JSON.stringify(raw)}`);
  }
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    throw new Failure('dns', 'bad-url', `${u.protocol}// is not a WebSocket URL (use ws:// or wss://)`);
  if (!u.hostname) throw new Failure('dns', 'bad-url', `no host in ${raw}`);
  u.hash = '';
  return u;
}

export async function probe(o: ProbeOptions): Promise<ProbeResult> {
  const r = emptyResult(o.url);
  const run: ProbeRun = { o, r, step: (name, ok, detail) => r.steps.push({ step: name, ok, detail }) };
  let conn: Conn | null = null;
  try {
    if (o.signal?.aborted) throw new Failure('dns', 'aborted', 'cancelled');
    const bad = checkRequestOptions(o);
    if (bad) throw new Failure('setup', 'bad-option', `${bad}: nothing was sent`);
    const url = parseWsUrl(o.url);
    r.url = url.toString();
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = o.connectTo ? o.connectTo.port : Number(url.port || (url.protocol === 'wss:' ? 443 : 80));

    const addrs = await resolve(run, host, port);
    const socket = await connect(run, addrs, host, port);
    conn = new Conn(socket, o.signal);
    if (url.protocol === 'wss:') conn = await secure(run, conn, host);
    const rest = await openingHandshake(run, conn, url);
    if (!o.exchange) {
      r.ok = true;
      r.stage = 'done';
      return r;
    }
    const ws = new WsSession(conn, r);
    if (rest.length) ws.feed(rest);
    await exchange(run, conn, ws);
    if (o.idleSeconds > 0) await holdIdle(run, conn, ws);

    r.ok = true;
    r.stage = 'done';
    await ws.closeGracefully(Math.min(o.timeoutMs, 1000));
    return r;
  } catch (e) {
    if (!(e instanceof Failure)) {
      // A bug or an unexpected socket state: still a verdict, never a throw.
      r.kind = r.kind ?? 'protocol-error';
      r.error = `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    } else {
      r.stage = e.stage;
      r.kind = e.kind;
      r.error = e.message;
    }
    r.ok = false;
    run.step(r.stage, false, r.error ?? '');
    return r;
  } finally {
    conn?.socket.destroy();
  }
}

/** One probe in progress: its options, the result it fills, and how a stage records that it passed. */
interface ProbeRun {
  o: ProbeOptions;
  r: ProbeResult;
  step: (name: string, ok: boolean, detail: string) => void;
}

/** 1. DNS: the addresses to try (the pinned one, the literal one, or the resolver's). */
async function resolve({ o, r, step }: ProbeRun, host: string, port: number): Promise<{ address: string; family: number }[]> {
  r.stage = 'dns';
  o.onProgress?.(`Resolving ${host}`);
  const t0 = Date.now();
  let addrs: { address: string; family: number }[];
  if (o.connectTo) addrs = [{ address: o.connectTo.host, family: isIP(o.connectTo.host) || 4 }];
  else if (isIP(host)) addrs = [{ address: host, family: isIP(host) }];
  else {
    addrs = await race(
      lookup(host, { all: true }),
      o.timeoutMs,
      o.signal,
      () => new Failure('dns', 'dns', `resolving ${host} took longer than ${o.timeoutMs} ms`),
    ).catch((e: unknown) => {
      if (e instanceof Failure) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? '';
      throw new Failure('dns', 'dns', `cannot resolve ${host} (${code || (e as Error).message})`);
    });
    if (addrs.length === 0) throw new Failure('dns', 'dns', `${host} has no addresses`);
  }
  r.timings.dns = Date.now() - t0;
  step(
    'dns',
    true,
    o.connectTo
      ? `${host} pinned to ${o.connectTo.host}:${port} (not resolved)`
      : isIP(host)
        ? `${host} is an address`
        : `${host} → ${addrs.map((a) => a.address).join(', ')}`,
  );
  return addrs;
}

/** 2. TCP: try each address (localhost may resolve to ::1 while the server listens on 127.0.0.1). */
async function connect(
  { o, r, step }: ProbeRun,
  addrs: { address: string; family: number }[],
  host: string,
  port: number,
): Promise<Socket> {
  r.stage = 'connect';
  o.onProgress?.(`Connecting to ${host}:${port}`);
  const t0 = Date.now();
  const deadline = t0 + o.timeoutMs;
  let socket: Socket | null = null;
  const errors: string[] = [];
  let allRefused = true;
  for (const a of addrs) {
    try {
      socket = await tcpConnect(a.address, port, deadline, o.signal);
      r.remoteAddress = `${a.family === 6 ? `[${a.address}]` : a.address}:${port}`;
      break;
    } catch (e) {
      if (e instanceof Failure) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      if (code !== 'ECONNREFUSED') allRefused = false;
      errors.push(`${a.address}:${port} ${code}`);
    }
  }
  if (!socket) {
    throw new Failure(
      'connect',
      allRefused ? 'refused' : 'connect-error',
      allRefused ? `connection refused at ${errors.join(', ')}: nothing listens there` : `cannot connect: ${errors.join(', ')}`,
    );
  }
  r.timings.connect = Date.now() - t0;
  step('connect', true, `TCP connected to ${r.remoteAddress} in ${r.timings.connect} ms`);
  return socket;
}

/** 3. TLS over the TCP connection (wss:): the connection to use from here on. */
async function secure({ o, r, step }: ProbeRun, conn: Conn, host: string): Promise<Conn> {
  r.stage = 'tls';
  o.onProgress?.('TLS handshake');
  const t0 = Date.now();
  conn.socket.removeAllListeners('data');
  const tlsSock = await tlsHandshake(conn.socket, host, o.insecure, t0 + o.timeoutMs, o.signal);
  const secured = new Conn(tlsSock, o.signal);
  r.timings.tls = Date.now() - t0;
  const cert = tlsSock.getPeerCertificate();
  r.tls = {
    protocol: tlsSock.getProtocol(),
    authorized: tlsSock.authorized,
    authorizationError: tlsSock.authorizationError ? String(tlsSock.authorizationError) : null,
    subject:
      cert && cert.subject ? `CN=${commonName(cert.subject.CN)}${cert.issuer ? `, issuer CN=${commonName(cert.issuer.CN)}` : ''}` : null,
  };
  step(
    'tls',
    true,
    tlsSock.authorized
      ? `${r.tls.protocol} with a trusted certificate (${r.tls.subject})`
      : `${r.tls.protocol}; certificate NOT trusted (${r.tls.authorizationError}) but accepted because self-signed certificates are allowed`,
  );
  return secured;
}

/** 4. The opening handshake: request, response head, its validation; returns the bytes read after the head. */
async function openingHandshake(run: ProbeRun, conn: Conn, url: URL): Promise<Buffer> {
  const { o, r, step } = run;
  r.stage = 'handshake';
  o.onProgress?.('WebSocket handshake');
  const key = newKey();
  const req = buildRequest({ url, key, origin: o.origin, protocols: o.protocols, headers: o.headers });
  r.request = { line: req.line, headers: req.headers };
  const t0 = Date.now();
  conn.write(req.bytes);
  const { head, rest } = await readHead(conn, t0 + o.timeoutMs, `${o.timeoutMs} ms`);
  r.timings.handshake = Date.now() - t0;
  r.status = head.status;
  r.response = head;
  const v = validateUpgrade(head, key, o.protocols);
  if (!v.ok) {
    if (head.status !== 101) head.body = await readBody(conn, head, rest, Math.min(t0 + o.timeoutMs, Date.now() + 1000));
    if (v.kind === 'redirect') await followRedirect(run, url, head);
    throw new Failure('handshake', v.kind!, v.detail);
  }
  r.negotiated = { protocol: v.protocol, extensions: v.extensions };
  step('handshake', true, `${v.detail} (${r.timings.handshake} ms)`);
  return rest;
}

/** 5. A text message and a ping: an echo, a pong or any message back proves the path carries frames. */
async function exchange({ o, r, step }: ProbeRun, conn: Conn, ws: WsSession): Promise<void> {
  r.stage = 'message';
  o.onProgress?.('Exchanging a message');
  const text = `nginx-ws probe ${randomBytes(6).toString('hex')}`;
  const pingData = randomBytes(8);
  const t0 = Date.now();
  conn.write(encodeFrame(OP.text, Buffer.from(text)));
  conn.write(encodeFrame(OP.ping, pingData));
  const upgradedAt = t0;
  for (;;) {
    const f = await ws.nextFrame(t0 + o.timeoutMs, 'message', upgradedAt);
    if (f === 'timeout')
      throw new Failure('message', 'message-timeout', `no reply and no pong within ${o.timeoutMs} ms after a text message and a ping`);
    if (f.opcode === OP.pong && f.payload.equals(pingData)) r.reply = 'pong';
    else if (f.opcode === OP.text && f.payload.toString() === text) r.reply = 'echo';
    else if (f.opcode === OP.text || f.opcode === OP.binary) r.reply = 'message';
    if (r.reply) break;
  }
  r.timings.roundTrip = Date.now() - t0;
  step(
    'message',
    true,
    `${r.reply === 'echo' ? 'echo received' : r.reply === 'pong' ? 'pong received' : 'a message came back (not an echo)'} after ${r.timings.roundTrip} ms`,
  );
}

/** 6. The idle hold: silence for `idleSeconds`, then a ping that must be answered. */
async function holdIdle({ o, r, step }: ProbeRun, conn: Conn, ws: WsSession): Promise<void> {
  r.stage = 'idle';
  o.onProgress?.(`Holding the connection idle for ${o.idleSeconds} s`);
  const idleStart = Date.now();
  const holdUntil = idleStart + o.idleSeconds * 1000;
  ws.serverPings = 0;
  for (;;) {
    const f = await ws.nextFrame(holdUntil, 'idle', idleStart);
    if (f === 'timeout') break;
  }
  // Still open on our side: prove it with a ping (a silently dead path would pass otherwise).
  const idlePing = randomBytes(8);
  conn.write(encodeFrame(OP.ping, idlePing));
  const pingDeadline = Date.now() + o.timeoutMs;
  for (;;) {
    const f = await ws.nextFrame(pingDeadline, 'idle', idleStart);
    if (f === 'timeout')
      throw new Failure(
        'idle',
        'idle-dead',
        `after ${o.idleSeconds} s idle the connection no longer answers a ping (no pong within ${o.timeoutMs} ms)`,
      );
    if (f.opcode === OP.pong && f.payload.equals(idlePing)) break;
  }
  const skipped = ws.pongsSkipped ? `; ${ws.pongsSkipped} of its pings were not answered: it sent them faster than it read the pongs` : '';
  step(
    'idle',
    true,
    `still open after ${o.idleSeconds} s idle${ws.serverPings ? ` (the server pinged ${ws.serverPings} times, which keeps proxies from timing out${skipped})` : ''}`,
  );
}

/** A redirect answered the handshake: follow it only to tell a loop from a one-off, then fail with what it was. */
async function followRedirect(run: ProbeRun, from: URL, head: HttpHead): Promise<void> {
  const { o: po, r: res, step } = run;
  const loc = header(head, 'Location');
  if (!loc) return;
  let next: URL;
  try {
    next = new URL(loc, from.toString().replace(/^ws/, 'http'));
  } catch {
    return;
  }
  if (next.protocol === 'http:') next.protocol = 'ws:';
  else if (next.protocol === 'https:') next.protocol = 'wss:';
  const visited = [...(po.visited ?? []), from.toString()];
  res.redirects = [next.toString()];
  if (visited.includes(next.toString())) {
    throw new Failure('handshake', 'redirect-loop', `redirect loop: ${[...visited, next.toString()].join(' → ')}`);
  }
  if (po.connectTo || visited.length >= MAX_REDIRECTS || (next.protocol !== 'ws:' && next.protocol !== 'wss:')) {
    throw new Failure(
      'handshake',
      'redirect',
      `${head.status} redirect to ${next.href} (not followed further; WebSocket clients do not follow redirects)`,
    );
  }
  if (from.protocol === 'wss:' && next.protocol === 'ws:') {
    step('redirect', false, `to ${next.href}: from wss:// to plain ws://, not followed (nothing is sent unencrypted)`);
    throw new Failure(
      'handshake',
      'redirect',
      `${head.status} redirect from wss:// to plain ws:// (${next.href}): not followed; WebSocket clients do not follow redirects`,
    );
  }
  // Another host (or port) is another party: it gets no credentials, and the editor asks first in an untrusted workspace.
  let hopOptions: ProbeOptions = { ...po, url: next.toString(), exchange: false, idleSeconds: 0, visited };
  if (next.host !== from.host) {
    const ok = po.confirmRedirect ? await Promise.resolve(po.confirmRedirect(next.toString())).catch(() => false) : true;
    if (!ok) {
      step('redirect', false, `to ${next.href}: another host, not followed (declined)`);
      throw new Failure(
        'handshake',
        'redirect',
        `${head.status} redirect to another host, ${next.href}: not followed; WebSocket clients do not follow redirects`,
      );
    }
    const stripped = withoutCredentials(po);
    hopOptions = { ...hopOptions, ...stripped.options };
    step(
      'redirect',
      true,
      `to ${next.href}: another host, followed without credentials${stripped.dropped.length ? ` (not sent: ${stripped.dropped.join(', ')})` : ''}`,
    );
  }
  // Follow only to tell a loop from a one-off redirect; the verdict stays "redirected".
  const hop = await probe(hopOptions);
  res.redirects.push(...hop.redirects);
  if (hop.kind === 'redirect-loop') throw new Failure('handshake', 'redirect-loop', hop.error!);
  throw new Failure(
    'handshake',
    'redirect',
    `${head.status} redirect to ${next.href}; WebSocket clients do not follow redirects (there: ${hop.ok ? 'a valid WebSocket endpoint' : hop.error})`,
  );
}

/**
 * The options for a hop to another host: the headers that carry credentials (Authorization,
 * Cookie, anything with a credential-like name), the token-like subprotocols and the URL's
 * user:password are left out; says what was.
 */
export function withoutCredentials(o: ProbeOptions): { options: Pick<ProbeOptions, 'headers' | 'protocols'>; dropped: string[] } {
  const dropped: string[] = [];
  const headers = (o.headers ?? []).filter(([k, v]) => {
    const secret = maskHeader(k, v) !== v || /^(authorization|proxy-authorization|cookie)$/i.test(k);
    if (secret) dropped.push(k);
    return !secret;
  });
  const protocols = (o.protocols ?? []).filter((p) => !looksLikeToken(p));
  if (protocols.length !== (o.protocols ?? []).length) dropped.push('token-like subprotocols');
  try {
    const u = new URL(o.url);
    if (u.username || u.password) dropped.push("the URL's user:password");
  } catch {
    // not a URL: nothing to drop
  }
  return { options: { headers, protocols }, dropped };
}

/** Frames after the upgrade; answers server pings, turns close and protocol errors into Failures. */
class WsSession {
  private parser = new FrameParser();
  private queue: Frame[] = [];
  serverPings = 0;
  /** Pings not answered because the server does not read our pongs (see MAX_UNSENT_BYTES). */
  pongsSkipped = 0;
  /** Data frames dropped because too many were waiting (see MAX_QUEUED_FRAMES). */
  framesDropped = 0;
  private closeSent = false;

  constructor(
    private readonly conn: Conn,
    private readonly result: ProbeResult,
  ) {}

  feed(b: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.parser.push(b);
    } catch (e) {
      throw new Failure('message', 'protocol-error', (e as Error).message);
    }
    for (const f of frames) {
      if (f.opcode === OP.ping) {
        this.serverPings++;
        // A server that floods pings and reads nothing would grow our write buffer without bound.
        if (this.conn.unsent < MAX_UNSENT_BYTES) this.conn.write(encodeFrame(OP.pong, f.payload));
        else this.pongsSkipped++;
      } else {
        if (this.queue.length >= MAX_QUEUED_FRAMES) {
          const i = this.queue.findIndex((q) => q.opcode !== OP.close);
          if (i >= 0) {
            this.queue.splice(i, 1);
            this.framesDropped++;
          }
        }
        this.queue.push(f);
      }
    }
  }

  async nextFrame(deadlineAt: number, stage: 'message' | 'idle', since: number): Promise<Frame | 'timeout'> {
    for (;;) {
      // Checked first: a server that never stops sending must not keep a stage past its deadline.
      if (Date.now() >= deadlineAt) return 'timeout';
      const f = this.queue.shift();
      if (f) {
        if (f.opcode === OP.close) this.onCloseFrame(f, stage, since);
        return f;
      }
      const w = await this.conn.next(deadlineAt);
      if (w === 'timeout') return 'timeout';
      if (w === 'aborted') throw new Failure(stage, 'aborted', 'cancelled');
      if (w === 'data') {
        try {
          this.feed(this.conn.take());
        } catch (e) {
          if (e instanceof Failure) throw new Failure(stage, 'protocol-error', e.message);
          throw e;
        }
        continue;
      }
      // Socket closed without a close frame.
      const after = Date.now() - since;
      throw this.closedFailure(stage, after, null, '', this.conn.error);
    }
  }

  private onCloseFrame(f: Frame, stage: 'message' | 'idle', since: number): never {
    const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null;
    const reason = f.payload.length > 2 ? f.payload.subarray(2).toString() : '';
    if (!this.closeSent) {
      this.closeSent = true;
      this.conn.write(encodeFrame(OP.close, code === null ? Buffer.alloc(0) : closePayload(code)));
    }
    throw this.closedFailure(stage, Date.now() - since, code, reason, null);
  }

  private closedFailure(stage: 'message' | 'idle', after: number, code: number | null, reason: string, err: Error | null): Failure {
    const how =
      code !== null
        ? `with close code ${code}${reason ? ` "${reason}"` : ''}`
        : `without a close frame${err ? ` (${(err as NodeJS.ErrnoException).code ?? err.message})` : ''}`;
    const e =
      stage === 'idle'
        ? new Failure('idle', 'idle-closed', `closed by the server after ${(after / 1000).toFixed(1)} s idle, ${how}`)
        : new Failure(
            'message',
            'closed-after-handshake',
            `the connection was closed ${after} ms after the upgrade, ${how}, before any reply`,
          );
    this.result.close = { code, reason, afterMs: after };
    if (stage === 'idle') this.result.closedAfterIdleMs = after;
    return e;
  }

  async closeGracefully(waitMs: number): Promise<void> {
    this.closeSent = true;
    this.conn.write(encodeFrame(OP.close, closePayload(1000, 'probe done')));
    const until = Date.now() + waitMs;
    for (;;) {
      const w = await this.conn.next(until);
      if (w !== 'data') return;
      try {
        for (const f of this.parser.push(this.conn.take())) if (f.opcode === OP.close) return;
      } catch {
        return;
      }
    }
  }
}

async function readHead(conn: Conn, deadlineAt: number, timeoutText: string): Promise<{ head: HttpHead; rest: Buffer }> {
  let buf = Buffer.alloc(0);
  for (;;) {
    const end = headEnd(buf);
    if (end >= 0) {
      if (end > MAX_HEAD_BYTES)
        throw new Failure(
          'handshake',
          'headers-too-large',
          `response head larger than ${MAX_HEAD_BYTES / 1024} KiB: refused without reading the rest`,
        );
      const text = buf.subarray(0, end).toString('latin1');
      const parsed = parseHead(text);
      if (!parsed) throw new Failure('handshake', 'not-http', `the answer is not HTTP: ${printable(buf.subarray(0, 80))}`);
      return { head: { ...parsed, body: '' }, rest: buf.subarray(end) };
    }
    if (buf.length > MAX_HEAD_BYTES) {
      conn.socket.pause();
      throw new Failure(
        'handshake',
        'headers-too-large',
        `response head larger than ${MAX_HEAD_BYTES / 1024} KiB with no end in sight: refused after ${buf.length} bytes`,
      );
    }
    // Garbage is recognisable from the first bytes; no need to wait for a blank line that may never come.
    if (buf.length >= 5 && !/^HTTP\//.test(buf.subarray(0, 5).toString('latin1'))) {
      throw new Failure('handshake', 'not-http', `the answer is not HTTP: ${printable(buf.subarray(0, 80))}`);
    }
    const w = await conn.next(deadlineAt);
    if (w === 'data') {
      buf = Buffer.concat([buf, conn.take()]);
      continue;
    }
    if (w === 'aborted') throw new Failure('handshake', 'aborted', 'cancelled');
    if (w === 'closed') {
      const err = conn.error ? ` (${(conn.error as NodeJS.ErrnoException).code ?? conn.error.message})` : '';
      throw new Failure(
        'handshake',
        buf.length && !/^HTTP\//.test(buf.toString('latin1', 0, 5)) && buf.length >= 5 ? 'not-http' : 'closed-before-response',
        buf.length
          ? `the server closed the connection in the middle of its response head, after ${buf.length} bytes${err}`
          : `the server closed the connection without answering the handshake${err}`,
      );
    }
    throw new Failure(
      'handshake',
      'handshake-timeout',
      buf.length
        ? `response head still incomplete after ${timeoutText}: only ${buf.length} bytes received (server too slow or trickling)`
        : `no answer to the handshake within ${timeoutText} (the server accepted the connection but said nothing)`,
    );
  }
}

async function readBody(conn: Conn, head: HttpHead, rest: Buffer, deadlineAt: number): Promise<string> {
  const len = Number(header(head, 'Content-Length') ?? NaN);
  const chunked = /chunked/i.test(header(head, 'Transfer-Encoding') ?? '');
  let buf = rest;
  const complete = (): boolean =>
    buf.length >= MAX_BODY_BYTES ||
    (Number.isFinite(len) && buf.length >= len) ||
    (chunked && buf.includes('\r\n0\r\n\r\n')) ||
    (chunked && buf.subarray(0, 5).toString() === '0\r\n\r\n');
  while (!complete() && !(Number.isFinite(len) && len === 0)) {
    const w = await conn.next(deadlineAt);
    if (w !== 'data') break;
    buf = Buffer.concat([buf, conn.take()]);
  }
  let body = buf.subarray(0, Number.isFinite(len) ? Math.min(len, MAX_BODY_BYTES) : MAX_BODY_BYTES);
  if (chunked) body = dechunk(body);
  return body.toString('utf8');
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    const nl = b.indexOf('\r\n', i);
    if (nl < 0) break;
    const size = parseInt(b.subarray(i, nl).toString(), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(b.subarray(nl + 2, nl + 2 + size));
    i = nl + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function printable(b: Buffer): string {
  return JSON.stringify(b.toString('latin1').replace(/[^\x20-\x7e]/g, '.'));
}

function race<T>(p: Promise<T>, ms: number, signal: AbortSignal | undefined, onTimeout: () => Failure): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(() => reject(onTimeout())), ms);
    const onAbort = (): void => done(() => reject(new Failure('dns', 'aborted', 'cancelled')));
    signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const done = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    p.then(
      (v) => done(() => resolve(v)),
      (e: unknown) => done(() => reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

function tcpConnect(address: string, port: number, deadlineAt: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: address, port });
    s.setNoDelay(true);
    const timer = setTimeout(
      () =>
        fail(
          new Failure(
            'connect',
            'connect-timeout',
            `no TCP connection to ${address}:${port} within the deadline (filtered port or unreachable host)`,
          ),
        ),
      Math.max(0, deadlineAt - Date.now()),
    );
    const onAbort = (): void => fail(new Failure('connect', 'aborted', 'cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      s.off('error', onError);
    };
    const fail = (e: Error): void => {
      cleanup();
      s.destroy();
      reject(e);
    };
    const onError = (e: Error): void => fail(e);
    s.once('error', onError);
    s.once('connect', () => {
      cleanup();
      resolve(s);
    });
  });
}

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY|HOSTNAME|ALTNAME|UNTRUSTED/i;

function tlsHandshake(socket: Socket, host: string, insecure: boolean, deadlineAt: number, signal?: AbortSignal): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tlsConnect({ socket, servername: isIP(host) ? undefined : host, rejectUnauthorized: !insecure, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(
      () => fail(new Failure('tls', 'tls-timeout', 'TLS handshake did not complete within the deadline (is this port speaking TLS?)')),
      Math.max(0, deadlineAt - Date.now()),
    );
    const onAbort = (): void => fail(new Failure('tls', 'aborted', 'cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      t.off('error', onError);
    };
    const fail = (e: Error): void => {
      cleanup();
      t.destroy();
      socket.destroy();
      reject(e);
    };
    const onError = (e: NodeJS.ErrnoException): void => {
      const code = e.code ?? '';
      if (CERT_CODES.test(code))
        fail(
          new Failure(
            'tls',
            'tls-cert',
            `certificate rejected: ${e.message} (${code}); allow self-signed certificates (--insecure) only if you trust this server`,
          ),
        );
      else if (/wrong version number|packet length too long|unknown protocol|http request|record layer failure/i.test(e.message))
        fail(
          new Failure(
            'tls',
            'tls-not-tls',
            `the server does not speak TLS on this port (${e.message}): use ws:// or add ssl to its listen`,
          ),
        );
      else fail(new Failure('tls', 'tls-error', `TLS handshake failed: ${e.message}${code ? ` (${code})` : ''}`));
    };
    t.once('error', onError);
    t.once('secureConnect', () => {
      cleanup();
      resolve(t);
    });
  });
}

/** A certificate name field, which Node gives as a list when the certificate repeats it. */
function commonName(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(', ') : (v ?? '?');
}

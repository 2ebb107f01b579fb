/**
 * The request model against real nginx. For each generated config: run it
 * in real nginx in front of the recording backend, send each generated
 * handshake, and compare with `trace()` of the same request through the
 * same config file: which location answered (each location logs to its own
 * file), the request line and headers the backend received, the status the
 * client got, the Location of a redirect, and the headers of a 101.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { analyze } from '../../server/src/engine/index';
import { RequestModel, show, trace, type HttpRequest, type Trace } from '../../server/src/engine/request/index';
import { diskHost } from '../../server/src/node/file-host';
import { startNginx } from '../support/nginx';
import { HANDSHAKE_KEY } from '../../server/src/engine/request/index';
import { generateConfig, type GeneratedConfig, type GeneratedRequest } from './generate';
import type { Recorded, RecordingBackend } from './recording-backend';

export interface Mismatch {
  seed: number;
  request: number;
  what: string;
  nginx: string;
  model: string;
}

export interface ConfigResult {
  seed: number;
  requests: number;
  agreed: number;
  /** Requests the model declined to predict (outcome unknown): counted apart, not as agreement. */
  abstained: number;
  /** Why, per abstention. */
  unknown: string[];
  mismatches: Mismatch[];
  /** nginx refused the generated config (a generator bug): its error. */
  rejected?: string;
  confPath?: string;
}

interface Observed {
  status: number | 'closed' | 'timeout';
  headers: [string, string][];
}

function rawRequest(r: GeneratedRequest, id: string): { text: string; headers: { name: string; value: string }[] } {
  const headers = [
    { name: 'Host', value: r.host },
    { name: 'Upgrade', value: 'websocket' },
    { name: 'Connection', value: 'Upgrade' },
    { name: 'Sec-WebSocket-Key', value: HANDSHAKE_KEY },
    { name: 'Sec-WebSocket-Version', value: '13' },
    ...r.headers,
    { name: 'X-Req', value: String(id) },
  ].filter((h) => h.name !== r.omit);
  return { text: `GET ${r.target} HTTP/1.1\r\n${headers.map((h) => `${h.name}: ${h.value}\r\n`).join('')}\r\n`, headers };
}

function send(port: number, text: string, timeoutMs = 3000): Promise<Observed> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(text));
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (o: Observed) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ status: 'timeout', headers: [] }), timeoutMs);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      finish({ status, headers: lines.slice(1).map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()]) });
    });
    sock.on('error', () => finish({ status: 'closed', headers: [] }));
    sock.on('close', () => finish({ status: 'closed', headers: [] }));
  });
}

/** The access-log file a trace says the request is logged to: its location's, else its server's. */
function predictedLog(t: Trace): string | null {
  const scopes = [t.location?.scope, t.server?.server.scope];
  for (const s of scopes) {
    const d = s?.items.find((x) => x.name === 'access_log');
    if (d) return /\/([A-Z]\d+)\.log$/.exec(d.args[0]?.value ?? '')?.[1] ?? null;
  }
  return null;
}

function predictedStatus(t: Trace): string {
  const o = t.outcome;
  if (o.kind === 'upgraded') return '101';
  if (o.kind === 'status') return String(o.status);
  if (o.kind === 'closed') return 'closed';
  if (o.kind === 'stalls') return 'timeout';
  return 'unknown';
}

async function waitForLogs(dir: string, want: number, timeoutMs = 3000): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = new Map<string, string>();
    for (const f of readdirSync(dir)) {
      const m = /^([A-Z]\d+)\.log$/.exec(f);
      if (!m) continue;
      for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
        const id = line.split(' ')[0];
        if (id && id !== '-') found.set(id, m[1]!);
      }
    }
    if (found.size >= want || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 15));
  }
}

export async function runConfig(gen: GeneratedConfig, backend: RecordingBackend, keepDir?: string): Promise<ConfigResult> {
  const result: ConfigResult = { seed: gen.seed, requests: gen.requests.length, agreed: 0, abstained: 0, unknown: [], mismatches: [] };
  let ng;
  try {
    ng = await startNginx({
      http: gen.http,
      files: gen.files,
      backendPort: backend.port,
      ports: 2,
      errorLogLevel: 'warn',
      startTimeoutMs: 5000,
    });
  } catch (e) {
    result.rejected = e instanceof Error ? e.message.slice(0, 2000) : String(e);
    return result;
  }
  try {
    // nginx's workers run as nobody: the temp prefix (0700) must be readable for static files to be "not found", not "forbidden".
    chmodSync(ng.prefix, 0o755);
    chmodSync(join(ng.prefix, 'html'), 0o755);
    const conf = ng.confPath;
    const analysis = analyze(conf, diskHost());
    const model = new RequestModel(analysis.model);
    const observed: Observed[] = [];
    const starts: number[] = [];
    const requests: HttpRequest[] = [];
    const traces: Trace[] = [];
    for (let i = 0; i < gen.requests.length; i++) {
      const g = gen.requests[i]!;
      const port = g.port === 'PORT' ? ng.ports[0]! : ng.ports[1]!;
      const raw = rawRequest(g, `${gen.seed}-${i}`);
      const req: HttpRequest = {
        method: 'GET',
        target: g.target,
        protocol: 'HTTP/1.1',
        headers: raw.headers,
        scheme: 'http',
        address: '127.0.0.1',
        port,
        clientAddress: '127.0.0.1',
      };
      requests.push(req);
      const t = trace(model, req, { files: 'empty', nginxVersion: '1.22.1', backendHeaders: [{ name: 'X-Backend', value: 'echo' }] });
      traces.push(t);
      starts.push(backend.all.length);
      observed.push(await send(port, raw.text));
      // The backend runs in this process too: let its socket events run before the next request. A request that
      // carries no X-Req to the backend (proxy_pass_request_headers off) is matched by arrival, so wait for it.
      const untagged = t.sent && !!t.proxy && !t.proxy.passRequestHeaders.value;
      const until = Date.now() + (untagged ? 300 : 5);
      do await new Promise((r) => setTimeout(r, 5));
      while (untagged && backend.all.length === starts[i] && Date.now() < until);
    }
    const logs = await waitForLogs(join(ng.prefix, 'logs'), gen.requests.length);
    // A request nginx wrote upstream just before giving up (proxy_read_timeout 0) may reach the backend's data
    // handler after the client got its 504, on a loaded machine: give the ones the model says were sent a moment.
    const tagged = (i: number) =>
      backend.all.some((rec) => rec.headers.some(([h, v]) => h.toLowerCase() === 'x-req' && v === `${gen.seed}-${i}`));
    const expected = traces.map((t, i) => (t.sent && t.proxy?.passRequestHeaders.value ? i : -1)).filter((i) => i >= 0);
    for (const deadline = Date.now() + 1000; Date.now() < deadline && !expected.every(tagged);) await new Promise((r) => setTimeout(r, 10));
    // What the backend got for each request: by its X-Req header first, then the untagged ones by arrival order.
    const received: (Recorded | null)[] = requests.map(() => null);
    const untagged: number[] = [];
    for (let k = starts[0] ?? 0; k < backend.all.length; k++) {
      const id = backend.all[k]!.headers.find(([h]) => h.toLowerCase() === 'x-req')?.[1];
      if (id?.startsWith(`${gen.seed}-`)) received[Number(id.slice(`${gen.seed}-`.length))] ??= backend.all[k]!;
      else untagged.push(k);
    }
    for (const k of untagged) {
      let at = -1;
      for (let j = 0; j < starts.length; j++) if (starts[j]! <= k) at = j;
      if (at >= 0 && !received[at]) received[at] = backend.all[k]!;
    }
    for (let i = 0; i < requests.length; i++) {
      const t = traces[i]!;
      const before = result.mismatches.length;
      const miss = (what: string, nginx: string, predicted: string) =>
        result.mismatches.push({ seed: gen.seed, request: i, what, nginx, model: predicted });
      const o = observed[i]!;
      if (t.outcome.kind === 'unknown') {
        result.abstained++;
        result.unknown.push(`seed ${gen.seed} request ${i}: ${t.outcome.why} (nginx: ${o.status})`);
        continue;
      }
      const status = predictedStatus(t);
      if (String(o.status) !== status) miss('status', String(o.status), `${status} (${t.outcome.why})`);
      const log = logs.get(`${gen.seed}-${i}`) ?? '(not logged)';
      const plog = predictedLog(t) ?? '(none)';
      // A URI nginx rejects is refused before the headers are read: the log has no X-Req to find it by.
      const unparsed = o.status === 400 && log === '(not logged)' && t.outcome.kind === 'status' && t.outcome.status === 400 && !t.location;
      if (log !== plog && !unparsed) miss('location', log, plog);
      const got = received[i];
      const br = t.backendRequest;
      if (br && t.sent) {
        if (!got) miss('backend', '(no request reached the backend)', `${br.method} ${show(br.uri)}`);
        else {
          const line = `${br.method} ${typeof br.uri === 'string' ? br.uri : show(br.uri)} HTTP/${br.version}`;
          if (got.line !== line) miss('request line', got.line, line);
          const gh = got.headers.map(([k, v]) => `${k}: ${v}`).join(' | ');
          const ph = br.headers.map((h) => `${h.name}: ${typeof h.value === 'string' ? h.value : show(h.value)}`).join(' | ');
          if (gh !== ph) miss('backend headers', gh, ph);
        }
      } else if (got) miss('backend', `${got.line}`, '(the model says nothing reaches the backend)');
      if (t.outcome.kind === 'status' && t.outcome.location !== undefined) {
        const loc = o.headers.find(([k]) => k.toLowerCase() === 'location')?.[1] ?? '(none)';
        const pl = typeof t.outcome.location === 'string' ? t.outcome.location : show(t.outcome.location);
        if (loc !== pl) miss('Location', loc, pl);
      }
      if (o.status === 101 && t.response) {
        const gn = o.headers.map(([k]) => k.toLowerCase()).join(',');
        const pn = t.response.headers.map((h) => h.name.toLowerCase()).join(',');
        if (gn !== pn) miss('101 headers', gn, pn);
      }
      if (result.mismatches.length === before) result.agreed++;
    }
    if (result.mismatches.length && keepDir) {
      mkdirSync(keepDir, { recursive: true });
      result.confPath = join(keepDir, `seed-${gen.seed}.conf`);
      writeFileSync(result.confPath, readFileSync(conf, 'utf8'));
      writeFileSync(join(keepDir, `seed-${gen.seed}.requests.json`), JSON.stringify(gen.requests, null, 1));
    }
  } finally {
    await ng.stop();
  }
  return result;
}

export { generateConfig };

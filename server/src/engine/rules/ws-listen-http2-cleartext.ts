import { head, type Directive } from '../syntax/ast';
import { versionAtLeast } from '../model/websocket';
import { parseListen, type ServerEntry } from '../request/servers';
import { fix, replaceArgs } from '../fixes/edits';
import { locationAsWritten, type Rule } from './rule';

/** Since nginx 1.25.1 a cleartext HTTP/2 port tells the HTTP/2 preface from HTTP/1.1 (ngx_http_wait_request_handler). */
const SNIFFS_SINCE: [number, number, number] = [1, 25, 1];

/** One TCP listening socket as nginx merges it: `ssl` and `http2` set on any `listen` of the address apply to all of them. */
interface Socket {
  ssl: boolean;
  /** The `listen` lines that set `http2` on it. */
  http2: Directive[];
}

/** A server's TCP listening sockets: each `listen` (a `quic` one is UDP, apart), or `*:80` without any. */
function listensOf(e: ServerEntry): { key: string; directive: Directive | null; ssl: boolean; http2: boolean }[] {
  if (!e.listenDirectives.length) return [{ key: '*|80', directive: null, ssl: false, http2: false }];
  const out = [];
  for (const d of e.listenDirectives) {
    const params = d.args.slice(1).map((a) => a.value);
    if (params.includes('quic')) continue;
    const l = parseListen(d);
    // An address nginx would read but this does not (a template placeholder): the text names the socket.
    out.push({
      key: l ? `${l.address}|${l.port}` : `text|${d.arg(0) ?? ''}`,
      directive: d,
      ssl: params.includes('ssl'),
      http2: params.includes('http2'),
    });
  }
  return out;
}

export const wsListenHttp2Cleartext: Rule = {
  id: 'ws-listen-http2-cleartext',
  defaultSeverity: 'error',
  title: 'WebSocket server on a cleartext port that speaks only HTTP/2',
  why:
    'Before nginx 1.25.1, `listen ... http2` without `ssl` makes the port speak HTTP/2 only (h2c with prior knowledge): a WebSocket ' +
    'handshake is HTTP/1.1, so nginx answers it with HTTP/2 frames and every client fails (measured with nginx 1.22). The `http2` and ' +
    '`ssl` parameters belong to the address and port, merged over every server listening there. WebSocket over HTTP/2 is in no released ' +
    'nginx; from 1.25.1 nginx tells HTTP/2 from HTTP/1.1 on such a port (and `http2 on;` replaces the parameter).',
  href: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#listen',
  versions: '< 1.25.1',
  check(ctx) {
    if (versionAtLeast(ctx.settings.nginxVersion, SNIFFS_SINCE)) return;
    // A finding needs a `listen ... http2`: without one anywhere, no server's listens need reading.
    if (!ctx.anywhere('listen', (d) => hasArgAfterFirst(d, 'http2'))) return;
    const locations = ctx.webSocketLocations.filter((l) => l.server);
    if (!locations.length) return;
    const sockets = new Map<string, Socket>();
    for (const e of ctx.requests.servers.servers) {
      for (const l of listensOf(e)) {
        const key = l.key;
        let s = sockets.get(key);
        if (!s) sockets.set(key, (s = { ssl: false, http2: [] }));
        s.ssl ||= l.ssl;
        if (l.http2 && l.directive) s.http2.push(l.directive);
      }
    }
    const target = ctx.settings.nginxVersion
      ? `nginx ${ctx.settings.nginxVersion}`
      : 'nginx before 1.25.1 (set nginxWs.nginxVersion if yours is newer)';
    const reported = new Set<string>();
    for (const loc of locations) {
      const entry = ctx.requests.servers.entryOf(loc.server!);
      if (!entry) continue;
      for (const l of listensOf(entry)) {
        const s = sockets.get(l.key);
        if (!s || s.ssl || !s.http2.length) continue;
        const at = l.directive ?? loc.server!.directive!;
        const key = `${at.file.uri}:${at.start}`;
        if (reported.has(key) || !ctx.proxiesHere(loc)) continue;
        reported.add(key);
        const own = l.directive && s.http2.includes(l.directive) ? l.directive : null;
        const where = l.directive ? `"${l.directive.text.replace(/\s+/g, ' ').replace(/;$/, '')}"` : 'this server (port 80, no listen)';
        ctx.report({
          at: head(at),
          message:
            `${where}: the port speaks only HTTP/2 without ssl on ${target}, so WebSocket handshakes (HTTP/1.1) to ${locationAsWritten(loc.directive)} get HTTP/2 frames back and fail` +
            (own ? '' : `; http2 is set on this address by another listen`),
          related: [
            { at: head(loc.directive), message: `${locationAsWritten(loc.directive)} takes WebSocket handshakes on this port` },
            ...s.http2.filter((d) => d !== own).map((d) => ({ at: head(d), message: 'http2 is set for the same address and port here' })),
          ],
          // Every listen that sets http2 on the address: nginx merges them, so all must go for HTTP/1.1 to be spoken there.
          fixes: [
            fix(
              s.http2.length === 1 && own
                ? 'Remove http2 from this listen'
                : `Remove http2 from the ${s.http2.length === 1 ? 'listen' : `${s.http2.length} listens`} of this address`,
              s.http2.map((d) =>
                replaceArgs(
                  d,
                  d.args
                    .filter((a) => a.value !== 'http2')
                    .map((a) => a.raw)
                    .join(' '),
                ),
              ),
            ),
          ],
        });
      }
    }
  },
};

/** Some argument after the first is `value` (read without making the argument nodes). */
function hasArgAfterFirst(d: Directive, value: string): boolean {
  for (let i = 1, n = d.argCount; i < n; i++) if (d.arg(i) === value) return true;
  return false;
}

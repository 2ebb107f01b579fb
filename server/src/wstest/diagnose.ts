/**
 * From what the endpoint did to the likely cause in the config, with the line.
 * The engine's findings for the location come first (they name the exact
 * directive and carry a fix); when there are none, the relevant directive is
 * named instead. What each status means follows ../../../../shared/WEBSOCKET-FACTS.md
 * (426: Upgrade/Connection not passed; 400 from a strict backend: HTTP/1.0
 * upstream; 502: backend down or https:// to a plain backend; idle close:
 * proxy_read_timeout).
 */
import type { DirectiveRef, LocationContext } from '../engine/index';
import type { ContextFinding, Diagnosis, EndpointTestResult, ProbeResult } from './types';

type Directive = DirectiveRef;
type WsLocation = LocationContext;

const HEADER_RULES = [
  'ws-upgrade-header-missing',
  'ws-connection-header',
  'ws-inherited-headers-dropped',
  'ws-upgrade-value',
  'ws-keepalive-connection-clash',
  'map-close-defeats-keepalive',
  'ws-path-without-recipe',
  'undefined-variable',
];
/** Findings of the request model that say why nginx answered itself, or why another location did. */
const ROUTING_RULES = ['ws-answered-before-proxy', 'ws-handshake-elsewhere'];
const HANDSHAKE_HEADER_RULES = ['ws-handshake-headers-dropped'];
const HIDDEN_101_RULES = ['ws-101-header-hidden'];
const VERSION_RULES = ['ws-http-version'];
const IDLE_RULES = ['ws-read-timeout-short', 'ws-read-timeout-default', 'invalid-time-value'];
const TIMEOUT_RULES = ['ws-timeout-fails-handshake', 'proxy-connect-timeout-too-long', 'ws-read-timeout-short', 'invalid-time-value'];

type Input = Pick<
  EndpointTestResult,
  'ok' | 'kind' | 'status' | 'stage' | 'response' | 'closedAfterIdleMs' | 'url' | 'backend' | 'crossOrigin' | 'nginxTest' | 'errorLog'
>;

export function diagnose(r: Input, context?: { location: LocationContext; findings: ContextFinding[] }): Diagnosis[] {
  const out: Diagnosis[] = [];
  const loc = context?.location;
  const findings = context?.findings ?? [];
  const used = new Set<ContextFinding>();
  const fromFindings = (codes: string[]): boolean => {
    let any = false;
    for (const f of findings) {
      if (!codes.includes(f.code) || used.has(f)) continue;
      used.add(f);
      out.push({ message: f.message, path: f.path ?? loc?.path, line: f.range.start.line + 1, code: f.code });
      any = true;
    }
    return any;
  };
  const at = (message: string, d: Directive | null | undefined): void => {
    out.push(d ? { message, path: d.path, line: d.line } : { message });
  };
  const sd = (name: string): Directive | undefined => loc?.serverDirectives.find((d) => d.name === name);
  const listen = loc?.serverDirectives.find((d) => d.name === 'listen') ?? null;
  const log = (r.errorLog ?? []).join('\n');
  const host = safeHost(r.url);

  if (r.nginxTest && !r.nginxTest.ok) {
    at(`nginx -t fails, so the running nginx may not have this config: ${firstLine(r.nginxTest.output)}`, null);
  }

  switch (r.kind) {
    case null:
      break;
    case 'aborted':
      at('test cancelled before it finished', null);
      break;
    case 'bad-url':
      at('the URL is not a ws:// or wss:// URL', null);
      break;
    case 'bad-option':
      at(
        'a header, the Origin or a subprotocol cannot be sent as given (line breaks, control characters or an invalid name): fix the option or setting; nothing was sent',
        null,
      );
      break;
    case 'dns':
      at(
        `${host} does not resolve from here: if the config's server_name is not where it is deployed, set the base URL override or edit the URL`,
        sd('server_name') ?? null,
      );
      break;
    case 'refused':
      at(`nothing listens at ${host}: nginx is not running there, or its listen port differs from the URL`, listen);
      break;
    case 'connect-timeout':
    case 'connect-error':
      at(`${host} cannot be reached (firewall, wrong address, or host down)`, listen);
      break;
    case 'tls-cert':
      at(
        'the TLS certificate is not trusted (self-signed, expired, or for another name): fix ssl_certificate, or allow self-signed certificates for this test',
        sd('ssl_certificate') ?? listen,
      );
      break;
    case 'tls-not-tls':
      at('this port does not speak TLS: the listen has no ssl flag (use ws://) or the URL port is wrong', listen);
      break;
    case 'tls-error':
    case 'tls-timeout':
      at(
        'TLS handshake failed: check ssl_certificate, ssl_protocols and that this listen has ssl',
        sd('ssl_protocols') ?? sd('ssl_certificate') ?? listen,
      );
      break;
    case 'handshake-timeout':
      at(
        'the server accepted the connection but did not complete an HTTP answer in time: another service on this port, or nginx waiting on a backend that hangs (nginx answers 504 only after proxy_read_timeout)',
        loc?.proxyPass ?? listen,
      );
      break;
    case 'closed-before-response':
      at(
        'the connection was closed before any HTTP answer: not an HTTP server on this port, or a proxy in front dropped the upgrade request',
        listen,
      );
      break;
    case 'not-http':
      // HTTP/2 frames on a cleartext port: nginx before 1.25.1 with `listen ... http2` and no ssl.
      if (fromFindings(['ws-listen-http2-cleartext'])) break;
      at('the port answers something that is not HTTP: wrong port, or TLS expected (use wss://)', listen);
      break;
    case 'headers-too-large':
      at('the response head exceeded 64 KiB: not a WebSocket endpoint (or a misbehaving server); refused for safety', listen);
      break;
    case 'redirect':
    case 'redirect-loop':
      if (fromFindings(ROUTING_RULES)) break;
      at(
        `${r.kind === 'redirect-loop' ? 'a redirect loop' : 'a redirect'} instead of an upgrade: WebSocket clients do not follow redirects; a \`return 301\`/\`rewrite\` covers this path (http→https? then use wss://; trailing slash? match the location path exactly)`,
        findDirective(loc, ['return', 'rewrite']) ?? locLine(loc),
      );
      break;
    case 'http-status':
      statusCause(r, loc, fromFindings, at, log);
      break;
    case 'bad-upgrade':
    case 'bad-connection':
    case 'bad-accept':
    case 'bad-extension':
      if (fromFindings(HIDDEN_101_RULES)) break;
      at(
        'a 101 that is not a valid WebSocket answer: a middlebox or a server that is not a WebSocket server answered (wrong backend port?)',
        loc?.proxyPass ?? listen,
      );
      break;
    case 'bad-protocol':
      at(
        'subprotocol negotiation is inconsistent: the backend picked a subprotocol the client did not offer; proxy_set_header Sec-WebSocket-Protocol in the config?',
        findHeader(loc, 'sec-websocket-protocol') ?? locLine(loc),
      );
      break;
    case 'message-timeout':
      at(
        'the upgrade worked but nothing came back (no echo, no pong): the backend accepted and then stalled',
        loc?.proxyPass ?? locLine(loc),
      );
      break;
    case 'closed-after-handshake':
      if (/upstream prematurely closed/.test(log))
        at('nginx reports "upstream prematurely closed connection": the backend closes right after the upgrade', loc?.proxyPass);
      else
        at(
          'the connection closed right after the upgrade: the backend rejected the session (authentication, path, or protocol)',
          loc?.proxyPass ?? locLine(loc),
        );
      break;
    case 'protocol-error':
      at('frames after the upgrade violate RFC 6455: not a WebSocket server behind this path', loc?.proxyPass ?? locLine(loc));
      break;
    case 'idle-closed':
    case 'idle-dead': {
      const secs = r.closedAfterIdleMs === null ? null : Math.round(r.closedAfterIdleMs / 1000);
      if (!fromFindings(IDLE_RULES)) {
        const rt = findDirective(loc, ['proxy_read_timeout']);
        at(
          rt
            ? `closed after ${secs ?? '?'} s idle: proxy_read_timeout ${rt.args[0]} ends idle WebSockets; raise it, or have the backend ping more often than that`
            : `closed after ${secs ?? '?'} s idle: an idle WebSocket dies after proxy_read_timeout (default 60s); set a longer proxy_read_timeout here or ping from the backend`,
          rt ?? locLine(loc),
        );
      }
      break;
    }
  }

  // An idle close is not comparable with a short direct test of the backend.
  if (!r.ok && r.backend && r.stage !== 'idle') backendVerdict(r, r.backend, at, loc);
  if (r.crossOrigin?.accepted) {
    at(
      `accepts a handshake with the foreign Origin ${r.crossOrigin.origin}: open to cross-site WebSocket hijacking unless it authenticates otherwise; the backend should check Origin`,
      loc?.proxyPass ?? locLine(loc),
    );
  }
  return out;
}

function statusCause(
  r: Input,
  loc: WsLocation | undefined,
  fromFindings: (codes: string[]) => boolean,
  at: (m: string, d: Directive | null | undefined) => void,
  log: string,
): void {
  const s = r.status ?? 0;
  const body = r.response?.body ?? '';
  const pp = loc?.proxyPass;
  if (s === 426 || (s >= 200 && s < 300) || (s === 400 && /upgrade/i.test(body) && !/HTTP\/1\.0|version/i.test(body))) {
    if (!fromFindings(HEADER_RULES)) {
      at(
        `${s}: the backend did not see an upgrade request — nginx drops the hop-by-hop Upgrade and Connection headers unless this location sets proxy_set_header Upgrade $http_upgrade and Connection "upgrade" (a location's own proxy_set_header list replaces the inherited one)`,
        findHeader(loc, 'connection') ?? findHeader(loc, 'upgrade') ?? locLine(loc),
      );
    }
    return;
  }
  if (s === 400) {
    const backendOk = r.backend?.ok === true;
    if (!fromFindings(VERSION_RULES) && !fromFindings(HANDSHAKE_HEADER_RULES)) {
      const v = findDirective(loc, ['proxy_http_version']);
      at(
        v && v.args[0] === '1.1'
          ? '400: the request is malformed for this server (check extra headers and the Host it expects)'
          : `400: a strict backend refuses the HTTP/1.0 request nginx sends upstream without proxy_http_version 1.1${backendOk ? ' (the backend accepts WebSocket when reached directly)' : ''}`,
        v ?? locLine(loc),
      );
    }
    fromFindings(HEADER_RULES);
    return;
  }
  if (s === 404) {
    if (fromFindings(ROUTING_RULES)) return;
    at(
      '404: nothing serves this path — the request does not reach this location, or the backend has no WebSocket route there (with a URI part in proxy_pass nginx replaces the location prefix)',
      pp ?? locLine(loc),
    );
    return;
  }
  if (s === 401 || s === 403) {
    if (fromFindings(ROUTING_RULES)) return;
    at(
      s === 401
        ? "401: the endpoint needs credentials: pass them as a header (--header 'Authorization: ...') or cookie"
        : "403: refused — allow/deny or auth_request in nginx, or the backend checks Origin (try --origin with the site's origin)",
      findDirective(loc, ['deny', 'auth_request', 'auth_basic']) ?? pp ?? locLine(loc),
    );
    return;
  }
  if (s === 502) {
    const b = r.backend;
    const httpsToPlain =
      /SSL_do_handshake|wrong version number|ssl3_get_record|packet length too long/i.test(log) ||
      (b?.kind === 'tls-not-tls' && /^https:/i.test(pp?.args[0] ?? ''));
    if (httpsToPlain) {
      at('502: proxy_pass uses https:// but the backend speaks plain HTTP on that port: use http://', pp);
    } else if (/Connection refused|connect\(\) failed|no live upstreams|host not found/i.test(log) || b?.kind === 'refused') {
      at('502: nginx cannot connect to the backend — it is down or the proxy_pass address/port is wrong', pp);
    } else {
      at(
        '502: nginx could not get a valid answer from the backend — it is down, the port is wrong, or proxy_pass says https:// to a plain backend',
        pp ?? locLine(loc),
      );
    }
    return;
  }
  if (s === 503) {
    at('503: no backend available (all upstream servers down or marked failed), or a limit_req/limit_conn refused it', pp ?? locLine(loc));
    return;
  }
  if (s === 504) {
    if (fromFindings(TIMEOUT_RULES)) return;
    // nginx's error_log says which timeout expired ("upstream timed out ... while connecting to upstream" or
    // "... while reading response header from upstream"); the directive that set it is the line to show.
    const timeout = (name: string): { d: Directive | undefined; value: string } => {
      const d = findDirective(loc, [name]);
      return { d, value: d?.args[0] ? `${name} ${d.args[0]}` : `${name} (60 s by default)` };
    };
    if (/timed out[^\n]*while connecting to upstream/i.test(log)) {
      const t = timeout('proxy_connect_timeout');
      at(
        `504: nginx could not connect to the backend within ${t.value}: an address that drops packets, or a firewall in between`,
        t.d ?? pp ?? locLine(loc),
      );
    } else if (/timed out[^\n]*while reading (?:response header from )?upstream/i.test(log)) {
      const t = timeout('proxy_read_timeout');
      at(
        `504: the backend accepted the connection but sent no answer to the upgrade request within ${t.value}: a hung backend, or one with no WebSocket route there`,
        t.d ?? pp ?? locLine(loc),
      );
    } else {
      at(
        '504: the backend did not answer within proxy_connect_timeout/proxy_read_timeout — wrong address that drops packets, or a hung backend',
        pp ?? locLine(loc),
      );
    }
    return;
  }
  if (s >= 500) {
    if (fromFindings(ROUTING_RULES)) return;
    at(`${s}: server error${log ? ' — see the error_log lines below' : ''}`, pp ?? locLine(loc));
    return;
  }
  at(`${s}: not an upgrade`, locLine(loc));
}

function backendVerdict(
  r: Input,
  b: ProbeResult,
  at: (m: string, d: Directive | null | undefined) => void,
  loc: WsLocation | undefined,
): void {
  if (b.ok) {
    at(`backend OK when reached directly (${b.url}): nginx breaks it`, loc?.proxyPass ?? locLine(loc));
  } else if (b.stage === 'handshake' && b.status !== null) {
    at(
      `the backend itself refuses WebSocket (${b.url} answered ${b.status}${r.status === b.status ? ', the same as through nginx' : ''})`,
      loc?.proxyPass,
    );
  } else {
    at(`the backend is not reachable directly either (${b.url}: ${b.error})`, loc?.proxyPass);
  }
}

/** The `location` line itself, as a directive reference. */
function locLine(loc: WsLocation | undefined): Directive | undefined {
  return loc ? { name: 'location', args: [], path: loc.path, line: loc.line } : undefined;
}

function findDirective(loc: WsLocation | undefined, names: string[]): Directive | undefined {
  if (!loc) return undefined;
  for (const d of loc.directives) if (names.includes(d.name)) return d;
  for (const d of loc.serverDirectives) if (names.includes(d.name)) return d;
  return undefined;
}

function findHeader(loc: WsLocation | undefined, name: string): Directive | undefined {
  if (!loc) return undefined;
  return loc.directives.find((d) => d.name === 'proxy_set_header' && d.args[0]?.toLowerCase() === name);
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return url;
  }
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .find((l) => /emerg|error|failed/.test(l))
      ?.trim() ??
    s.split('\n')[0]?.trim() ??
    ''
  );
}

/**
 * `trace(model, request)`: what nginx does with one request, step by step,
 * each step naming the directive that decided it. The phases follow
 * ngx_http_core_module's: server choice, server rewrites, location search,
 * location rewrites (`rewrite ... last` searches again), access (`allow`/
 * `deny`, `auth_basic`, `limit_except`), `try_files`, then the content
 * handler. For `proxy_pass`: the effective proxy settings after
 * inheritance, the request the backend receives (request line and every
 * header, evaluated), what a strict RFC 6455 backend answers, and what the
 * client receives. Where only a running server could tell (a variable from
 * Lua, the file system, DNS), the trace says so in `uncertain` and the
 * rules that read it stay silent.
 */
import type { Directive } from '../syntax/ast';
import { nearest, nearestLast, own, ownFirst, type Scope } from '../model/config';
import { compileNginxRegex } from '../model/regex';
import { parseNginxTime } from '../model/time';
import { upstreamByName } from '../model/websocket';
import { headerValue, normalizeUri, splitTarget, type Header, type HttpRequest } from './http';
import { Evaluator, type RequestState } from './evaluate';
import { explainStep, type LocationNode, type LocationResult } from './locations';
import type { RequestModel } from './model';
import type { ServerChoice } from './servers';
import { Unknown, isUnknown, show, type Value } from './values';
import { judgeHandshake, type BackendAnswer, type BackendRequest, type SentHeader } from './backend';

export type { BackendRequest, SentHeader };

export type Phase =
  'server' | 'server-rewrite' | 'location' | 'rewrite' | 'access' | 'precontent' | 'content' | 'proxy' | 'backend' | 'client';

export interface TraceStep {
  phase: Phase;
  message: string;
  /** The directive that decided this step, when one did. */
  directive: Directive | null;
}

export type Outcome =
  /** Proxied, the backend switched protocols, and the client accepts the 101. */
  | { kind: 'upgraded'; why: string; directive: Directive | null }
  /** The client sees this status (from nginx or the backend), or a 101 it must reject (`status` 101, `rejected`). */
  | {
      kind: 'status';
      status: number;
      by: 'nginx' | 'backend';
      why: string;
      directive: Directive | null;
      location?: Value;
      rejected?: string;
    }
  /** nginx closes the connection without a response (`return 444`), or nothing listens there. */
  | { kind: 'closed'; why: string; directive: Directive | null }
  /** No response reaches the client until a timeout (a 101 from the backend to a request that asked for no upgrade). */
  | { kind: 'stalls'; why: string; directive: Directive | null }
  /** Only a running server can tell. */
  | { kind: 'unknown'; why: string; directive: Directive | null };

export interface Setting<T> {
  value: T;
  /** The directive it comes from; null for nginx's default. */
  directive: Directive | null;
}

export interface Timeout {
  /** Milliseconds; null when the value is not a valid time. */
  ms: number | null;
  raw: string;
  directive: Directive | null;
}

export interface ProxySettings {
  proxyPass: Directive;
  /** The proxy_pass URL, evaluated. */
  target: Value;
  /** `upstream` block the target names, if any. */
  upstream: Scope | null;
  httpVersion: Setting<'1.0' | '1.1'>;
  passRequestHeaders: Setting<boolean>;
  /** The level whose proxy_set_header list applies (nginx does not merge lists across levels). */
  headerList: { directives: readonly Directive[]; scope: Scope | null };
  /** Upstream response headers hidden from the client, and the directives that hide them. */
  hidden: readonly { name: string; directive: Directive | null }[];
  connectTimeout: Timeout;
  readTimeout: Timeout;
  sendTimeout: Timeout;
}

export interface ClientResponse {
  status: number;
  headers: { name: string; value: string; from: 'backend' | 'nginx' }[];
  /** Backend headers nginx did not pass on. */
  hidden: { name: string; directive: Directive | null }[];
}

export interface Trace {
  request: HttpRequest;
  steps: TraceStep[];
  server: ServerChoice | null;
  /** The location whose configuration handled the request in the end (null: none matched, or before the search). */
  location: LocationNode | null;
  /** The scope whose configuration applied: the location, or an `if`/`limit_except` block inside it. */
  scope: Scope | null;
  /** Every location the request was searched into, in order (rewrites and internal redirects add more). */
  visited: LocationNode[];
  proxy: ProxySettings | null;
  backendRequest: BackendRequest | null;
  backendAnswer: BackendAnswer | null;
  response: ClientResponse | null;
  /** The request reached the backend (false when nginx gave up before sending it: `proxy_connect_timeout 0`). */
  sent: boolean;
  outcome: Outcome;
  /** Why the trace may not be what the running server does. */
  uncertain: string[];
  /** The `map` rows that decided variables on the way (`$connection_upgrade` → the `default upgrade;` row). */
  mapRows: { variable: string; value: Value; row: Directive }[];
}

export interface TraceOptions {
  /** Target nginx version (defaults and behaviour changes); empty: before 1.29.7. */
  nginxVersion?: string;
  /**
   * What exists on disk under `root`, for `try_files` and static files:
   * `empty` (only the root directory itself, as in the differential tests),
   * or `unknown` (assume no file of that name, and say so).
   */
  files?: 'empty' | 'unknown';
  /** Headers the backend adds to its 101 beyond Upgrade, Connection and Sec-WebSocket-Accept. */
  backendHeaders?: Header[];
  /**
   * Stop once the location is final (after the rewrites, before access and
   * content): the outcome is then `unknown`. For callers that only ask
   * where a request goes; skips the proxy phase.
   */
  routeOnly?: boolean;
  /** Record the human-readable steps (default true); the rules only read the results. */
  steps?: boolean;
}

const MAX_URI_CHANGES = 10;

/** Response headers the proxy module hides by default (ngx_http_proxy_hide_headers); shared, never mutated. */
const DEFAULT_HIDDEN_ENTRIES: readonly { name: string; directive: Directive | null }[] = Object.freeze(
  ['Date', 'Server', 'X-Pad', 'X-Accel-Expires', 'X-Accel-Redirect', 'X-Accel-Limit-Rate', 'X-Accel-Buffering', 'X-Accel-Charset'].map(
    (name) => Object.freeze({ name, directive: null }),
  ),
);

/** The proxy module's default request headers (ngx_http_proxy_headers): before 1.29.7, and since (keep-alive upstream). */
type DefaultHeader = { name: string; lc: string; raw: string };
const defaultHeaders = (connection: string): readonly DefaultHeader[] =>
  [
    ['Host', '$proxy_host'],
    ['Connection', connection],
    ['Content-Length', '$proxy_internal_body_length'],
    ['Transfer-Encoding', '$proxy_internal_chunked'],
    ['TE', ''],
    ['Keep-Alive', ''],
    ['Expect', ''],
    ['Upgrade', ''],
  ].map(([name, raw]) => ({ name: name!, lc: name!.toLowerCase(), raw: raw! }));
const DEFAULT_HEADERS_OLD = defaultHeaders('close');
const DEFAULT_HEADERS_1_29_7 = defaultHeaders('');

/** Rewrite-phase directives of third-party modules that can end or redirect the request: the trace cannot follow them. */
const OPAQUE_HANDLERS = /^(rewrite_by_lua|access_by_lua|content_by_lua|perl$|js_content$|js_access$)/;

class Tracer {
  readonly steps: TraceStep[] = [];
  readonly uncertain: string[] = [];
  readonly visited: LocationNode[] = [];
  readonly state: RequestState;
  readonly ev: Evaluator;
  internal = false;
  validUnparsedUri = true;
  validLocation = true;
  uriChanged = false;
  location: LocationNode | null = null;
  scope: Scope | null = null;
  server: ServerChoice | null = null;
  /** The server block whose locations are searched (a snippet's top level when it has none). */
  serverScope!: Scope;
  errorPageUsed = false;
  /** nginx allows 10 URI changes (rewrites, internal redirects, named locations) per request: r->uri_changes. */
  uriChanges = MAX_URI_CHANGES + 1;
  readonly quotedUri: boolean;

  /** Spends one URI change; false when the budget is gone (nginx answers 500). */
  change(): boolean {
    return --this.uriChanges > 0;
  }

  constructor(
    readonly model: RequestModel,
    readonly req: HttpRequest,
    readonly opts: TraceOptions,
  ) {
    const { path, args } = splitTarget(req.target);
    // nginx escapes a URI it rebuilds when the client's was escaped (r->quoted_uri).
    this.quotedUri = path.indexOf('%') >= 0;
    this.state = {
      req,
      uri: path,
      args,
      captures: null,
      vars: new Map(),
      serverName: '',
      nginxVersion: opts.nginxVersion ?? '',
      mapCache: new Map(),
      used: [],
    };
    this.ev = new Evaluator(model.variables, this.state);
  }

  /** Whether steps are recorded (callers skip building a message nobody reads). */
  get recording(): boolean {
    return this.opts.steps !== false;
  }

  step(phase: Phase, message: string, directive: Directive | null = null): void {
    if (this.opts.steps !== false) this.steps.push({ phase, message, directive });
  }

  unsure(why: string): void {
    if (!this.uncertain.includes(why)) this.uncertain.push(why);
  }

  result(outcome: Outcome, extra: Partial<Trace> = {}): Trace {
    return {
      request: this.req,
      steps: this.steps,
      server: this.server,
      location: this.location,
      scope: this.scope,
      visited: this.visited,
      proxy: null,
      backendRequest: null,
      backendAnswer: null,
      response: null,
      sent: false,
      outcome,
      uncertain: this.uncertain,
      mapRows: this.state.used.map((u) => ({ variable: u.name.replace(/^\$/, ''), value: u.value, row: u.directive })),
      ...extra,
    };
  }
}

/** The trace of `req` through the config `model` describes. */
export function trace(model: RequestModel, req: HttpRequest, opts: TraceOptions = {}): Trace {
  const t = new Tracer(model, req, opts);
  const host = headerValue(req.headers, 'host');
  const choice = model.servers.choose(host, req.address, req.port);
  if (!choice) {
    t.step('server', `no server listens on port ${req.port}${req.address ? ` of ${req.address}` : ''}`);
    return t.result({ kind: 'closed', why: `nothing listens on port ${req.port}: the connection is refused`, directive: null });
  }
  t.server = choice;
  if (choice.uncertain) t.unsure(choice.uncertain);
  const serverScope = choice.server.scope;
  t.serverScope = serverScope;
  const firstName = choice.server.names[0]?.name;
  t.state.serverName = firstName && !firstName.startsWith('~') ? firstName : '';
  if (choice.captures) t.state.captures = choice.captures;
  const m = choice.match;
  const where = choice.listen?.directive ? `listen ${choice.listen.directive.args.map((a) => a.value).join(' ')}` : `port ${req.port}`;
  if (m.how === 'exact' || m.how === 'wildcard' || m.how === 'regex') {
    t.step(
      'server',
      `Host ${JSON.stringify(host ?? '')} matches server_name ${m.name} (${m.how === 'exact' ? 'exact name' : m.how === 'wildcard' ? 'wildcard' : 'regex'}) on ${where}`,
      m.directive,
    );
  } else {
    const why =
      m.how === 'only' ? 'the only server' : choice.listen?.defaultServer ? 'the default_server' : 'the first server, the default';
    t.step(
      'server',
      `Host ${JSON.stringify(host ?? '')} matches no server_name on ${where}: ${why} answers`,
      choice.listen?.directive ?? serverScope.directive,
    );
  }
  if (req.protocol === 'HTTP/1.1' && host === undefined) {
    return t.result({ kind: 'status', status: 400, by: 'nginx', why: 'an HTTP/1.1 request without Host', directive: null });
  }
  const uri = normalizeUri(t.state.uri, nearestLast(serverScope, 'merge_slashes')?.directive.arg(0) !== 'off');
  if (uri === null)
    return t.result({ kind: 'status', status: 400, by: 'nginx', why: `nginx rejects the URI ${req.target}`, directive: null });
  t.state.uri = uri;

  // Server rewrite phase (server-level set/rewrite/return/if).
  const serverRewrite = runRewrites(t, serverScope, 'server-rewrite');
  if (serverRewrite) return serverRewrite;
  return findAndHandle(t, serverScope);
}

/**
 * The trace of `req` once it is in the location `location` (as if the
 * search had chosen it): what that location's own configuration does with
 * a handshake, whatever routing leads there. Rules judge a WebSocket
 * location's recipe with it; `trace` says whether the handshake gets there.
 * Named and internal locations are entered as by an internal redirect.
 */
export function traceLocation(model: RequestModel, location: Scope, req: HttpRequest, opts: TraceOptions = {}): Trace {
  let serverScope: Scope = location;
  while (serverScope.parent && serverScope.kind !== 'server') serverScope = serverScope.parent;
  const server = serverScope;
  const entry = server.kind === 'server' ? model.servers.entryOf(server) : undefined;
  const start = (): Tracer => {
    const t = new Tracer(model, req, opts);
    t.serverScope = server;
    if (entry) {
      const listen = entry.listens.find((l) => l.port === req.port) ?? entry.listens[0] ?? null;
      t.server = { server: entry, listen, match: { how: 'only', listen } };
      const first = entry.names[0]?.name;
      t.state.serverName = first && !first.startsWith('~') ? first : '';
    }
    const uri = normalizeUri(t.state.uri);
    if (uri !== null) t.state.uri = uri;
    return t;
  };
  let t = start();
  // The server's rewrite phase runs before any location: what it sets is what this location reads. When it
  // answers or changes the URI, the handshake does not arrive here as it is (`trace` says where it goes): the
  // location is then judged without it.
  if (server.kind === 'server' && server.items.some((d) => REWRITE_DIRECTIVES.has(d.name) || OPAQUE_HANDLERS.test(d.name))) {
    if (runRewrites(t, server, 'server-rewrite') || t.uriChanged) t = start();
  }
  const node = model.locations.nodeOf(location);
  if (!node) return t.result({ kind: 'unknown', why: 'not a location', directive: location.directive });
  t.location = node;
  t.scope = node.scope;
  t.visited.push(node);
  t.internal = node.modifier === '@' || node.internal;
  if (node.regex?.ok) {
    const m = node.regex.exec(t.state.uri);
    if (m) t.state.captures = m;
  }
  t.step('location', `in location ${node.modifier ? `${node.modifier} ` : ''}${node.name}`, node.directive);
  if (!limitExcept(t)) {
    const r = runRewrites(t, node.scope, 'rewrite');
    if (r) return r;
  }
  if (t.uriChanged) {
    if (!t.change()) return t.result({ kind: 'status', status: 500, by: 'nginx', why: CYCLE, directive: null });
    t.step('rewrite', `the URI is now ${t.state.uri}: nginx searches the locations again`);
    return findAndHandle(t, serverScope);
  }
  return afterRewrite(t, serverScope);
}

const CYCLE = 'rewrite or internal redirection cycle: nginx gives up after 10 URI changes and answers 500';

/** find_config → location rewrites → (again on a changed URI) → access → try_files → content. */
function findAndHandle(t: Tracer, serverScope: Scope): Trace {
  for (;;) {
    const found: LocationResult = t.model.locations.find(serverScope, t.state.uri);
    if (found.uncertain) t.unsure(found.uncertain);
    if (t.recording) for (const p of found.path) t.step('location', explainStep(p, t.state.uri), p.node.directive);
    t.uriChanged = false;
    t.validLocation = true;
    t.location = found.node;
    t.scope = found.node?.scope ?? serverScope;
    if (found.node) t.visited.push(found.node);
    else t.step('location', `no location matches ${t.state.uri}: the server's own configuration applies`, serverScope.directive);
    if (found.captures) t.state.captures = found.captures;
    // find_config checks `internal` before it sends the trailing-slash redirect.
    if (found.node?.internal && !t.internal) {
      return finish(
        t,
        404,
        `location ${found.node.name} is internal: a request from a client gets 404`,
        ownFirst(found.node.scope, 'internal'),
      );
    }
    if (found.redirect) {
      const loc = found.node!;
      return t.result({
        kind: 'status',
        status: 301,
        by: 'nginx',
        why: `${t.state.uri} lacks the trailing slash of location ${loc.name}, which proxies: nginx redirects (301) to ${loc.name}`,
        directive: loc.directive,
        location: redirectUrl(t, loc.name + (t.state.args ? `?${t.state.args}` : '')),
      });
    }
    const limited = limitExcept(t);
    if (found.node && !limited) {
      const r = runRewrites(t, found.node.scope, 'rewrite');
      if (r) return r;
    }
    if (t.uriChanged) {
      if (!t.change()) return t.result({ kind: 'status', status: 500, by: 'nginx', why: CYCLE, directive: null });
      t.step('rewrite', `the URI is now ${t.state.uri}: nginx searches the locations again`);
      continue;
    }
    return afterRewrite(t, serverScope);
  }
}

/** `limit_except`: a method not listed makes the block's configuration apply (usually `deny all`). */
function limitExcept(t: Tracer): boolean {
  if (!t.location) return false;
  const le = t.location.scope.children.find((c) => c.kind === 'limit_except');
  if (!le?.directive) return false;
  const methods = le.directive.args.map((a) => a.value.toUpperCase());
  if (methods.includes('GET')) methods.push('HEAD');
  if (methods.includes(t.req.method.toUpperCase())) {
    t.step('access', `${t.req.method} is allowed by limit_except ${methods.join(' ')}`, le.directive);
    return false;
  }
  t.step('access', `${t.req.method} is not listed in limit_except: its block's configuration applies`, le.directive);
  t.scope = le;
  return true;
}

/**
 * Runs the rewrite module's directives of one scope in order (the if blocks
 * inline, as nginx compiles them). Returns a finished trace when the request
 * ends here (return, redirect, 444), else null; sets `uriChanged` for a
 * `rewrite` that asks for a new location search.
 */
/** What a rewrite phase runs (third-party handlers only make the trace unsure). */
const REWRITE_DIRECTIVES = new Set(['set', 'rewrite', 'return', 'if', 'break']);

function runRewrites(t: Tracer, scope: Scope, phase: Phase): Trace | null {
  const stop = { stopped: false };
  return runItems(t, scope, scope.items, phase, stop);
}

function runItems(t: Tracer, scope: Scope, items: readonly Directive[], phase: Phase, stop: { stopped: boolean }): Trace | null {
  const st = t.state;
  for (const d of items) {
    if (stop.stopped) return null;
    switch (d.name) {
      case 'set': {
        const name = d.arg(0);
        if (!name?.startsWith('$')) break;
        const v = t.ev.complex(d.arg(1) ?? '');
        st.vars.set(name.replace(/^\$\{?|\}$/g, '').toLowerCase(), v);
        t.step(phase, `set ${name} = ${show(v)}`, d);
        break;
      }
      case 'break':
        if (t.uriChanged) {
          t.validLocation = false;
          t.uriChanged = false;
        }
        t.step(phase, 'break: no more rewrite directives here', d);
        stop.stopped = true;
        return null;
      case 'return': {
        stop.stopped = true;
        return doReturn(t, d);
      }
      case 'rewrite': {
        const r = doRewrite(t, d, phase, stop);
        if (r) return r;
        break;
      }
      case 'if': {
        const child = scope.children.find((c) => c.directive === d);
        const cond = evaluateCondition(t, d);
        if (cond === null) {
          t.unsure(`if (${conditionText(d)}) cannot be decided before the request runs`);
          t.step(phase, `if (${conditionText(d)}): cannot be decided here; assumed false`, d);
          break;
        }
        t.step(phase, `if (${conditionText(d)}) is ${cond ? 'true' : 'false'}`, d);
        if (!cond || !child) break;
        if (phase === 'rewrite') t.scope = child;
        const r = runItems(t, child, child.items, phase, stop);
        if (r) return r;
        break;
      }
      default:
        if (OPAQUE_HANDLERS.test(d.name)) t.unsure(`${d.name} runs code the model does not evaluate`);
    }
  }
  return null;
}

function conditionText(d: Directive): string {
  const s = d.args.map((a) => a.raw).join(' ');
  return s.replace(/^\(\s*/, '').replace(/\s*\)$/, '');
}

/** An `if` condition: true/false, or null when it depends on what the model cannot know. */
function evaluateCondition(t: Tracer, d: Directive): boolean | null {
  const args = d.args.map((a) => a.value);
  if (!args.length) return null;
  args[0] = args[0]!.replace(/^\(/, '');
  args[args.length - 1] = args[args.length - 1]!.replace(/\)$/, '');
  const parts = args.filter((a, i) => a !== '' || i === 2);
  if (parts.length === 1) {
    const v = t.ev.complex(parts[0]!);
    if (isUnknown(v)) return null;
    return v !== '' && v !== '0';
  }
  const [lhs, op, rhs] = parts;
  if (!lhs || !op) return null;
  if (['-f', '!-f', '-d', '!-d', '-e', '!-e', '-x', '!-x'].includes(lhs)) {
    const negative = lhs.startsWith('!');
    const path = t.ev.complex(op);
    if (isUnknown(path)) return null;
    const exists = fileExists(t, path, lhs.includes('d') ? 'dir' : lhs.includes('f') ? 'file' : 'any');
    return negative ? !exists : exists;
  }
  const left = t.ev.complex(lhs);
  if (isUnknown(left)) return null;
  if (op === '=' || op === '!=') {
    const right = t.ev.complex(rhs ?? '');
    if (isUnknown(right)) return null;
    return op === '=' ? left === right : left !== right;
  }
  if (op === '~' || op === '~*' || op === '!~' || op === '!~*') {
    const re = compileNginxRegex(rhs ?? '', op.endsWith('*'));
    if (!re.ok) return null;
    const m = re.exec(left);
    if (m && !op.startsWith('!')) t.state.captures = m;
    return op.startsWith('!') ? !m : !!m;
  }
  return null;
}

/**
 * Whether `path` (under root) is a directory (`kind` dir), a regular file
 * (`file`) or either (`any`), as far as the model knows: with `files:
 * 'empty'` only the root directory exists; otherwise nothing is assumed to
 * exist, and the trace says so.
 */
function fileExists(t: Tracer, path: string, kind: 'file' | 'dir' | 'any'): boolean {
  const isRoot = path === '/' || path === '';
  if (t.opts.files === 'empty') return isRoot && kind !== 'file';
  t.unsure(`whether ${path || '/'} exists on disk is assumed (no), not known`);
  return false;
}

function doReturn(t: Tracer, d: Directive): Trace {
  const a0 = d.arg(0) ?? '';
  if (/^\d+$/.test(a0)) {
    const code = Number(a0);
    const text = d.args[1] ? t.ev.complex(d.args[1].value) : '';
    if (code === 444) {
      t.step('rewrite', 'return 444: nginx closes the connection without answering', d);
      return t.result({ kind: 'closed', why: 'return 444 closes the connection without a response', directive: d });
    }
    if ([301, 302, 303, 307, 308].includes(code)) {
      return t.result({
        kind: 'status',
        status: code,
        by: 'nginx',
        why: `return ${code} redirects`,
        directive: d,
        location: isUnknown(text) ? text : redirectUrl(t, text),
      });
    }
    if (code >= 400 && !d.args[1]) return finish(t, code, `return ${code}`, d);
    return t.result({ kind: 'status', status: code, by: 'nginx', why: `return ${code}`, directive: d });
  }
  const url = t.ev.complex(a0);
  return t.result({ kind: 'status', status: 302, by: 'nginx', why: 'return with a URL redirects (302)', directive: d, location: url });
}

function doRewrite(t: Tracer, d: Directive, phase: Phase, stop: { stopped: boolean }): Trace | null {
  const st = t.state;
  const pattern = d.arg(0) ?? '';
  let replacement = d.arg(1) ?? '';
  const flag = d.arg(2) ?? '';
  const re = compileNginxRegex(pattern, false);
  if (!re.ok) {
    t.unsure(`rewrite ${pattern} ${re.reason}`);
    t.step(phase, `rewrite ${pattern}: not evaluated (${re.reason}); assumed not to match`, d);
    return null;
  }
  const m = re.exec(st.uri);
  if (!m) {
    st.captures = null;
    t.step(phase, `rewrite ${pattern} does not match ${st.uri}`, d);
    return null;
  }
  st.captures = m;
  let addArgs = true;
  if (replacement.endsWith('?')) {
    replacement = replacement.slice(0, -1);
    addArgs = false;
  }
  const redirectFlag = flag === 'redirect' || flag === 'permanent' || /^(https?:\/\/|\$scheme)/.test(replacement);
  const value = t.ev.complex(replacement);
  if (redirectFlag) {
    stop.stopped = true;
    const status = flag === 'permanent' ? 301 : 302;
    let location: Value = value;
    if (!isUnknown(location) && addArgs && st.args) location += (location.includes('?') ? '&' : '?') + st.args;
    t.step(phase, `rewrite ${pattern} matches: ${status} redirect to ${show(location)}`, d);
    return t.result({
      kind: 'status',
      status,
      by: 'nginx',
      why: `rewrite ... ${flag || 'to an absolute URL'} redirects`,
      directive: d,
      location: isUnknown(location) ? location : redirectUrl(t, location),
    });
  }
  if (isUnknown(value)) {
    t.unsure(`the rewritten URI ${value.why}`);
    stop.stopped = true;
    return t.result({ kind: 'unknown', why: `rewrite ${pattern}: the new URI depends on ${value.why}`, directive: d });
  }
  const q = value.indexOf('?');
  if (q >= 0) {
    st.args = value.slice(q + 1) + (addArgs && st.args ? `&${st.args}` : '');
    st.uri = value.slice(0, q);
  } else {
    st.uri = value;
    if (!addArgs) st.args = '';
  }
  t.internal = true;
  t.validUnparsedUri = false;
  if (flag === 'break') {
    t.validLocation = false;
    t.uriChanged = false;
    stop.stopped = true;
    t.step(phase, `rewrite ${pattern} matches: the URI is now ${st.uri} (break: stays in this location)`, d);
  } else {
    t.uriChanged = true;
    if (flag === 'last') stop.stopped = true;
    t.step(phase, `rewrite ${pattern} matches: the URI is now ${st.uri}${flag === 'last' ? ' (last)' : ''}`, d);
  }
  return null;
}

/** A redirect's Location as nginx sends it: relative paths made absolute (absolute_redirect on). */
function redirectUrl(t: Tracer, target: string): Value {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) || !target.startsWith('/')) return target;
  const scope = t.scope ?? t.serverScope;
  if (nearestLast(scope, 'absolute_redirect')?.directive.arg(0) === 'off') return target;
  const inRedirect = nearestLast(scope, 'server_name_in_redirect')?.directive.arg(0) === 'on';
  const host = inRedirect ? t.state.serverName : t.ev.variable('host');
  if (isUnknown(host)) return host;
  const portOn = nearestLast(scope, 'port_in_redirect')?.directive.arg(0) !== 'off';
  const port = t.req.port;
  const dflt = t.req.scheme === 'https' ? 443 : 80;
  return `${t.req.scheme}://${host}${portOn && port !== dflt ? `:${port}` : ''}${target}`;
}

/** A status nginx produces itself: `error_page` may turn it into an internal redirect. */
function finish(t: Tracer, status: number, why: string, directive: Directive | null): Trace {
  const scope = t.scope ?? t.serverScope;
  if (!t.errorPageUsed) {
    const level = nearest(scope, 'error_page');
    for (const ep of level?.directives ?? []) {
      const args = ep.args.map((a) => a.value);
      const target = args[args.length - 1]!;
      let codes = args.slice(0, -1);
      let override: string | null = null;
      const last = codes[codes.length - 1];
      if (last?.startsWith('=')) {
        override = last.slice(1);
        codes = codes.slice(0, -1);
      }
      if (!codes.includes(String(status))) continue;
      t.errorPageUsed = true;
      t.step('content', `${why}: error_page ${status} sends the request to ${target}`, ep);
      if (t.req.method !== 'HEAD') t.state.req = { ...t.state.req };
      t.internal = true;
      if (target.startsWith('@')) {
        const named = t.model.locations.named(t.serverScope, target);
        if (!named)
          return t.result({ kind: 'status', status: 500, by: 'nginx', why: `named location ${target} does not exist`, directive: ep });
        return enterNamed(t, named, override === '' ? null : override);
      }
      if (/^(https?:\/\/|\$scheme)/.test(target)) {
        return t.result({
          kind: 'status',
          status: 302,
          by: 'nginx',
          why: `error_page ${status} redirects`,
          directive: ep,
          location: t.ev.complex(target),
        });
      }
      const v = t.ev.complex(target);
      if (isUnknown(v)) return t.result({ kind: 'unknown', why: `error_page target ${v.why}`, directive: ep });
      if (!t.change()) return t.result({ kind: 'status', status: 500, by: 'nginx', why: CYCLE, directive: ep });
      const { path, args: a } = splitTarget(v);
      t.state.uri = path;
      t.state.args = a;
      const r = runRewrites(t, t.serverScope, 'server-rewrite');
      if (r) return r;
      const after = findAndHandle(t, t.serverScope);
      if (override && /^\d+$/.test(override) && after.outcome.kind === 'status' && after.outcome.by === 'nginx')
        after.outcome.status = Number(override);
      return after;
    }
  }
  return t.result({ kind: 'status', status, by: 'nginx', why, directive });
}

function enterNamed(t: Tracer, named: LocationNode, override: string | null): Trace {
  if (!t.change()) return t.result({ kind: 'status', status: 500, by: 'nginx', why: CYCLE, directive: named.directive });
  t.location = named;
  t.scope = named.scope;
  t.visited.push(named);
  t.step('location', `named location ${named.name}`, named.directive);
  if (!limitExcept(t)) {
    const r = runRewrites(t, named.scope, 'rewrite');
    if (r) return r;
  }
  if (t.uriChanged) {
    if (!t.change()) return t.result({ kind: 'status', status: 500, by: 'nginx', why: CYCLE, directive: null });
    return findAndHandle(t, t.serverScope);
  }
  void override;
  return afterRewrite(t, t.serverScope);
}

/** Access, try_files and content, once the location is final. */
function afterRewrite(t: Tracer, serverScope: Scope): Trace {
  if (t.opts.routeOnly) return t.result({ kind: 'unknown', why: 'only the route was traced', directive: null });
  const scope = t.scope ?? serverScope;
  const denied = accessPhase(t, scope);
  if (denied) return denied;

  // try_files: not inherited, and read from the configuration in force, so an `if` that matched leaves none (if is evil).
  const tf = t.location ? ownFirst(scope, 'try_files') : null;
  if (tf && tf.argCount >= 2) {
    const files = tf.args.slice(0, -1);
    for (const f of files) {
      // A parameter written with a trailing slash tests for a directory (ngx_http_try_files: the slash is cut before evaluation).
      const testDir = f.value.endsWith('/');
      const v = t.ev.complex(testDir ? f.value.slice(0, -1) : f.value);
      if (isUnknown(v)) return t.result({ kind: 'unknown', why: `try_files ${f.value}: ${v.why}`, directive: tf });
      if (fileExists(t, v, testDir ? 'dir' : 'file')) {
        t.step('precontent', `try_files: ${v}${testDir ? '/' : ''} exists`, tf);
        t.state.uri = v || '/';
        return staticContent(t, testDir ? `${v}/` : v);
      }
    }
    const last = tf.arg(tf.argCount - 1)!;
    t.step('precontent', `try_files: no file of ${files.map((f) => f.value).join(' ')} exists; falls back to ${last}`, tf);
    t.internal = true;
    if (last.startsWith('=')) return finish(t, Number(last.slice(1)) || 404, `try_files ${last}`, tf);
    if (last.startsWith('@')) {
      const named = t.model.locations.named(serverScope, last);
      if (!named)
        return t.result({ kind: 'status', status: 500, by: 'nginx', why: `named location ${last} does not exist`, directive: tf });
      return enterNamed(t, named, null);
    }
    const v = t.ev.complex(last);
    if (isUnknown(v)) return t.result({ kind: 'unknown', why: `try_files ${last}: ${v.why}`, directive: tf });
    if (!t.change()) return t.result({ kind: 'status', status: 500, by: 'nginx', why: CYCLE, directive: tf });
    // ngx_http_split_args: the fallback's own arguments, none when it has no `?` (the request's are dropped).
    const { path, args } = splitTarget(v);
    t.state.uri = path;
    t.state.args = args;
    t.validUnparsedUri = false;
    const r = runRewrites(t, serverScope, 'server-rewrite');
    if (r) return r;
    return findAndHandle(t, serverScope);
  }

  // The content handler: proxy_pass of the location (or inherited into an if / limit_except block).
  const pp = proxyPassFor(t, scope);
  if (pp) return proxy(t, scope, pp);
  for (const h of ['fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass']) {
    const d = ownFirst(scope, h) ?? (t.location ? ownFirst(t.location.scope, h) : null);
    if (d)
      return t.result({
        kind: 'unknown',
        why: `${h} hands the request to a ${h.replace('_pass', '')} backend, which does not upgrade to WebSocket`,
        directive: d,
      });
  }
  for (const d of scope.items) {
    if (OPAQUE_HANDLERS.test(d.name))
      return t.result({ kind: 'unknown', why: `${d.name} handles the request with code the model does not run`, directive: d });
  }
  return staticContent(t, t.state.uri);
}

/** No proxy: nginx serves files from `root`; a WebSocket handshake never gets a 101 here. */
function staticContent(t: Tracer, uri: string): Trace {
  if (t.opts.files === 'empty') {
    if (uri.endsWith('/')) {
      if (uri === '/')
        return finish(t, 403, `no proxy_pass: nginx serves ${uri} from disk and finds no index file (directory listing is off)`, null);
      return finish(t, 404, `no proxy_pass: nginx serves ${uri} from disk, where it does not exist`, null);
    }
    return finish(t, 404, `no proxy_pass: nginx serves ${uri} from disk, where it does not exist`, null);
  }
  return t.result({
    kind: 'unknown',
    why: `no proxy_pass: nginx serves ${uri} as a file (a handshake never gets 101 there)`,
    directive: t.location?.directive ?? null,
  });
}

/** allow/deny, then auth_basic (auth_request and satisfy any as far as they can be decided). */
function accessPhase(t: Tracer, scope: Scope): Trace | null {
  const satisfyAny = nearestLast(scope, 'satisfy')?.directive.arg(0) === 'any';
  let accessDenied: { directive: Directive } | null = null;
  let accessUnknown = false;
  const rules = nearestAny(scope, ['allow', 'deny']);
  if (rules) {
    for (const d of rules) {
      const who = d.arg(0) ?? '';
      const hit = addressMatches(who, t.req.clientAddress);
      if (hit === null) {
        accessUnknown = true;
        t.unsure(`${d.name} ${who}: depends on the client's address`);
        break;
      }
      if (!hit) continue;
      if (d.name === 'deny') accessDenied = { directive: d };
      else t.step('access', `allow ${who} admits the client`, d);
      break;
    }
  }
  const realm = nearestLast(scope, 'auth_basic');
  const needsAuth = !!realm && realm.directive.arg(0) !== 'off';
  let authFailed: Directive | null = null;
  let authUnknown = false;
  if (needsAuth) {
    if (headerValue(t.req.headers, 'authorization') === undefined) authFailed = realm.directive;
    else authUnknown = true;
  }
  const authRequest = nearestLast(scope, 'auth_request');
  if (authRequest && authRequest.directive.arg(0) !== 'off') {
    t.unsure(`auth_request ${authRequest.directive.arg(0)}: decided by a subrequest`);
    authUnknown = true;
  }
  const accessOk = !accessDenied && !accessUnknown;
  const authOk = !authFailed && !authUnknown;
  if (satisfyAny && (accessOk || authOk)) return null;
  if (accessDenied && (!satisfyAny || (!authUnknown && !!authFailed))) {
    if (satisfyAny && authFailed)
      return finish(
        t,
        401,
        `auth_basic ${show(realm!.directive.arg(0) ?? '')} and no credentials (satisfy any: neither passes)`,
        authFailed,
      );
    return finish(t, 403, `${accessDenied.directive.text.replace(/\s+/g, ' ')}: the client's address is refused`, accessDenied.directive);
  }
  if (authFailed && !(satisfyAny && accessUnknown)) {
    return finish(t, 401, `auth_basic asks for credentials and the handshake sends none`, authFailed);
  }
  if (accessUnknown || authUnknown) {
    return t.result({
      kind: 'unknown',
      why: 'whether access is granted depends on the client (address, credentials or an auth subrequest)',
      directive: rules?.[0] ?? realm?.directive ?? authRequest?.directive ?? null,
    });
  }
  return null;
}

/** The nearest level that has any directive of these names (allow and deny form one list), in config order. */
function nearestAny(scope: Scope, names: string[]): Directive[] | null {
  for (let s: Scope | null = scope; s && INHERITING_KINDS.has(s.kind); s = s.parent) {
    // `own` answers from the scope's name index: the http level of a big config has thousands of items.
    if (!names.some((n) => own(s, n).length)) continue;
    return s.items.filter((d) => names.includes(d.name));
  }
  return null;
}

const INHERITING_KINDS = new Set(['http', 'server', 'location', 'if', 'limit_except']);

/** `all`, an address, or a CIDR against the client's address; null when the address is unknown. */
function addressMatches(rule: string, client: string | null): boolean | null {
  if (rule === 'all') return true;
  if (client === null) return null;
  if (rule === 'unix:') return false;
  const [net, bitsRaw] = rule.split('/');
  const toNum = (a: string) => {
    const p = a.split('.').map(Number);
    return p.length === 4 && p.every((x) => x >= 0 && x < 256) ? ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]! : null;
  };
  const a = toNum(client);
  const n = toNum(net ?? '');
  if (a === null || n === null) return client === rule;
  const bits = bitsRaw === undefined ? 32 : Number(bitsRaw);
  if (bits === 0) return true;
  const mask = bits >= 32 ? 0xffffffff : ~((1 << (32 - bits)) - 1) >>> 0;
  return (a & mask) >>> 0 === (n & mask) >>> 0;
}

/** proxy_pass that handles the request: the scope's own, or inherited from the location into an if / limit_except block. */
function proxyPassFor(t: Tracer, scope: Scope): Directive | null {
  const own1 = ownFirst(scope, 'proxy_pass');
  if (own1) return own1;
  if ((scope.kind === 'if' || scope.kind === 'limit_except') && t.location) return ownFirst(t.location.scope, 'proxy_pass');
  return null;
}

const DEFAULT_10: Setting<'1.0' | '1.1'> = Object.freeze({ value: '1.0', directive: null });
const DEFAULT_11: Setting<'1.0' | '1.1'> = Object.freeze({ value: '1.1', directive: null });
const DEFAULT_PASS_HEADERS: Setting<boolean> = Object.freeze({ value: true, directive: null });
const NO_DIRECTIVES: readonly Directive[] = Object.freeze([]);

/** nginx's default for the three proxy timeouts; shared, never mutated. */
const DEFAULT_TIMEOUT: Timeout = Object.freeze({ ms: 60000, raw: '60s', directive: null });

function timeout(scope: Scope, name: string): Timeout {
  const n = nearestLast(scope, name);
  if (!n) return DEFAULT_TIMEOUT;
  const raw = n.directive.arg(0) ?? '';
  return { ms: parseNginxTime(raw), raw, directive: n.directive };
}

/** The proxy module's effective settings for a scope, and the request it builds. */
function proxy(t: Tracer, scope: Scope, pp: Directive): Trace {
  const st = t.state;
  const version = t.state.nginxVersion;
  const modern = t.model.defaultsSince1297(version);
  const hv = nearestLast(scope, 'proxy_http_version');
  const httpVersion: Setting<'1.0' | '1.1'> = hv
    ? { value: hv.directive.arg(0) === '1.1' ? '1.1' : '1.0', directive: hv.directive }
    : modern
      ? DEFAULT_11
      : DEFAULT_10;
  const prh = nearestLast(scope, 'proxy_pass_request_headers');
  const passRequestHeaders: Setting<boolean> = prh
    ? { value: prh.directive.arg(0) !== 'off', directive: prh.directive }
    : DEFAULT_PASS_HEADERS;
  const list = nearest(scope, 'proxy_set_header');
  const listed = list?.directives ?? NO_DIRECTIVES;
  const headerList = {
    directives: listed.every((d) => d.argCount >= 2) ? listed : listed.filter((d) => d.argCount >= 2),
    scope: list?.scope ?? null,
  };

  // Hidden response headers: nginx's defaults, plus proxy_hide_header, minus proxy_pass_header (each list inherited on its own).
  const hide = nearest(scope, 'proxy_hide_header')?.directives ?? [];
  const pass = nearest(scope, 'proxy_pass_header')?.directives ?? [];
  let hidden: readonly { name: string; directive: Directive | null }[] = DEFAULT_HIDDEN_ENTRIES;
  if (hide.length || pass.length) {
    const list = [...DEFAULT_HIDDEN_ENTRIES];
    for (const d of hide) {
      const n = d.arg(0);
      if (n && !list.some((h) => h.name.toLowerCase() === n.toLowerCase())) list.push({ name: n, directive: d });
    }
    for (const d of pass) {
      const n = d.arg(0)?.toLowerCase();
      const i = list.findIndex((h) => h.name.toLowerCase() === n);
      if (i >= 0) list.splice(i, 1);
    }
    hidden = list;
  }

  // The target: URL, upstream, $proxy_host.
  const target = t.ev.complex(pp.arg(0) ?? '');
  let upstream: Scope | null = null;
  let uriPart: string | null = null;
  if (!isUnknown(target)) {
    const m = /^(https?):\/\/([^/?]*)([/?].*)?$/i.exec(target);
    if (!m) {
      return t.result({
        kind: 'status',
        status: 500,
        by: 'nginx',
        why: `proxy_pass ${target} is not an http:// or https:// URL`,
        directive: pp,
      });
    }
    const https = m[1]!.toLowerCase() === 'https';
    const hostPort = m[2]!;
    uriPart = m[3] ?? null;
    const portM = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(hostPort);
    const host = portM?.[1] ?? hostPort;
    const port = portM?.[2] ?? (https ? '443' : '80');
    upstream = upstreamByName(t.model.config, hostPort);
    st.proxy = { host: portM?.[2] ? hostPort : host, port };
    if (!upstream && pp.arg(0)!.includes('$') && !/^(\d{1,3}\.){3}\d{1,3}$|^\[/.test(host) && host !== 'localhost') {
      t.unsure(`proxy_pass resolves ${host} at run time (resolver)`);
    }
  } else {
    t.unsure(`the proxy_pass target ${target.why}`);
  }

  const proxySettings: ProxySettings = {
    proxyPass: pp,
    target,
    upstream,
    httpVersion,
    passRequestHeaders,
    headerList,
    hidden,
    connectTimeout: timeout(scope, 'proxy_connect_timeout'),
    readTimeout: timeout(scope, 'proxy_read_timeout'),
    sendTimeout: timeout(scope, 'proxy_send_timeout'),
  };
  if (t.recording) t.step('content', `proxy_pass ${pp.arg(0) ?? ''}${upstream ? ` (upstream ${upstream.directive!.arg(0)!})` : ''}`, pp);

  // The URI the backend gets (ngx_http_proxy_create_request). The location prefix a URI part replaces is that of the
  // location proxy_pass is written in (inherited into an if block with it); none for regex, named and if locations.
  let uri: Value;
  const ppInLocation = !!t.location && ownFirst(t.location.scope, 'proxy_pass') === pp;
  const prefixName = ppInLocation && ['', '^~', '='].includes(t.location!.modifier) ? t.location!.name : '';
  const args = st.args ? `?${st.args}` : '';
  const quoted = t.internal || t.quotedUri;
  const rest = (from: number) => (quoted ? escapeUri(st.uri.slice(from)) : st.uri.slice(from));
  if (pp.arg(0)!.includes('$') && uriPart) uri = uriPart;
  else if (!uriPart && t.validUnparsedUri) uri = t.req.target;
  else if (uriPart && t.validLocation) uri = uriPart + rest(prefixName.length) + args;
  else uri = rest(0) + args;
  if (isUnknown(target)) uri = new Unknown(target.why);

  // Headers: the list of the level that has one, then nginx's defaults not named there; empty values are not sent.
  const merged: { name: string; lc: string; raw: string; from: Directive | 'default' }[] = [];
  for (const d of headerList.directives) merged.push({ name: d.arg(0)!, lc: d.arg(0)!.toLowerCase(), raw: d.arg(1)!, from: d });
  const userCount = merged.length;
  for (const h of modern ? DEFAULT_HEADERS_1_29_7 : DEFAULT_HEADERS_OLD) {
    let named = false;
    for (let i = 0; i < userCount && !named; i++) named = merged[i]!.lc === h.lc;
    if (!named) merged.push({ name: h.name, lc: h.lc, raw: h.raw, from: 'default' });
  }
  const headers: SentHeader[] = [];
  const dropped: BackendRequest['dropped'] = [];
  for (const h of merged) {
    if (h.raw === '') {
      if (h.from !== 'default') dropped.push({ name: h.name, why: `proxy_set_header ${h.name} "" removes it`, directive: h.from });
      continue;
    }
    const rowsBefore = st.used.length;
    const v = t.ev.complex(h.raw);
    // The map rows that decided this value (a map is evaluated once per request: the first header to use it owns them).
    const decidedBy = st.used.length > rowsBefore ? st.used.slice(rowsBefore).map((u) => u.directive) : undefined;
    if (v === '') {
      if (h.from !== 'default')
        dropped.push({
          name: h.name,
          why: `its value ${h.raw} is empty for this request, and nginx does not send an empty header`,
          directive: h.from,
          ...(decidedBy ? { decidedBy } : {}),
        });
      continue;
    }
    headers.push({ name: h.name, value: v, from: h.from, ...(decidedBy ? { decidedBy } : {}) });
  }
  for (const c of t.req.headers) {
    if (!passRequestHeaders.value) {
      dropped.push({
        name: c.name,
        why: "proxy_pass_request_headers off passes none of the client's headers",
        directive: passRequestHeaders.directive,
      });
      continue;
    }
    const lc = c.name.toLowerCase();
    const set = merged.find((h) => h.lc === lc);
    if (set) {
      if (set.from === 'default') {
        const why =
          set.raw === ''
            ? `hop-by-hop: nginx does not pass the client's ${c.name}`
            : `nginx sends its own ${set.name}: ${set.raw} instead of the client's`;
        dropped.push({ name: c.name, why, directive: null });
      }
      continue;
    }
    headers.push({ name: c.name, value: c.value, from: 'client' });
  }
  const backendRequest: BackendRequest = { method: t.req.method, uri, version: httpVersion.value, headers, dropped };
  if (t.recording) t.step('proxy', `the backend receives ${t.req.method} ${show(uri)} HTTP/${httpVersion.value}`, httpVersion.directive);

  // Timeouts with a special meaning (measured: see docs).
  for (const to of [proxySettings.connectTimeout, proxySettings.readTimeout]) {
    if (to.ms === 0) {
      const which = to === proxySettings.connectTimeout ? 'connect' : 'read';
      return t.result(
        {
          kind: 'status',
          status: 504,
          by: 'nginx',
          why: `proxy_${which}_timeout ${to.raw}: nginx gives up at once and answers 504 (measured: every handshake)`,
          directive: to.directive,
        },
        { proxy: proxySettings, backendRequest, sent: which === 'read' },
      );
    }
  }

  const answer = judgeHandshake(backendRequest, t.opts.backendHeaders ?? []);
  if (answer.status === null) {
    t.unsure(answer.why);
    return t.result(
      { kind: 'unknown', why: answer.why, directive: null },
      { proxy: proxySettings, backendRequest, backendAnswer: answer, sent: true },
    );
  }
  if (t.recording) t.step('backend', `a strict WebSocket backend answers ${answer.status}: ${answer.why}`);
  if (answer.status !== 101) {
    const decisive = decisiveDirective(answer, backendRequest, proxySettings);
    return t.result(
      { kind: 'status', status: answer.status, by: 'backend', why: answer.why, directive: decisive },
      { proxy: proxySettings, backendRequest, backendAnswer: answer, sent: true },
    );
  }

  // nginx tunnels only when the client asked for an upgrade itself (ngx_http_proxy_process_header: r->headers_in.upgrade).
  if (headerValue(t.req.headers, 'upgrade') === undefined) {
    const why =
      "the backend answers 101, but the client's request has no Upgrade header: nginx does not switch to a tunnel, and the client gets no response until proxy_read_timeout (measured)";
    t.step('client', why, proxySettings.readTimeout.directive);
    return t.result({ kind: 'stalls', why, directive: pp }, { proxy: proxySettings, backendRequest, backendAnswer: answer, sent: true });
  }
  // The 101 the client receives: nginx's own Server/Date/Connection, the backend's headers except the hidden ones.
  const response: ClientResponse = { status: 101, headers: [], hidden: [] };
  // ngx_http_header_filter writes Server, Date, then "Connection: upgrade" for a 101, then the headers from the backend.
  // proxy_pass_header Server (or Date) passes the backend's instead of nginx's own, and none when the backend sends none (measured).
  const hiddenLc = hidden.map((x) => x.name.toLowerCase());
  const passed = (n: string) => !hiddenLc.includes(n);
  if (!passed('server')) response.headers.push({ name: 'Server', value: 'nginx', from: 'nginx' });
  if (!passed('date')) response.headers.push({ name: 'Date', value: '', from: 'nginx' });
  response.headers.push({ name: 'Connection', value: 'upgrade', from: 'nginx' });
  for (const h of answer.headers) {
    const i = hiddenLc.indexOf(h.name.toLowerCase());
    const hit = i >= 0 ? hidden[i] : undefined;
    if (h.name.toLowerCase() === 'connection') continue;
    if (hit) response.hidden.push({ name: h.name, directive: hit.directive });
    else response.headers.push({ name: h.name, value: h.value, from: 'backend' });
  }
  const rejected = clientRejects(response);
  if (rejected) {
    const by = response.hidden.find((h) => rejected.includes(h.name))?.directive ?? null;
    t.step('client', `the client rejects the 101: ${rejected}`, by);
    return t.result(
      { kind: 'status', status: 101, by: 'backend', why: rejected, directive: by, rejected },
      { proxy: proxySettings, backendRequest, backendAnswer: answer, response, sent: true },
    );
  }
  t.step('client', 'the client receives 101 Switching Protocols and the WebSocket is open');
  return t.result(
    { kind: 'upgraded', why: 'the backend switched protocols and nginx tunnels the connection', directive: pp },
    { proxy: proxySettings, backendRequest, backendAnswer: answer, response, sent: true },
  );
}

/** The directive behind a failed handshake: the Upgrade/Connection line (or the list level that lacks it), the HTTP version. */
function decisiveDirective(answer: BackendAnswer, req: BackendRequest, p: ProxySettings): Directive | null {
  const header = answer.header;
  if (answer.cause === 'version') return p.httpVersion.directive;
  if (header) {
    const sent = req.headers.find((h) => h.name.toLowerCase() === header);
    if (sent && sent.from !== 'default' && sent.from !== 'client') return sent.from;
    const dropped = req.dropped.find((h) => h.name.toLowerCase() === header);
    if (dropped?.directive) return dropped.directive;
  }
  return p.headerList.directives[0] ?? null;
}

/** What a WebSocket client checks in a 101 (RFC 6455 4.1): Upgrade, Connection, Sec-WebSocket-Accept. */
function clientRejects(r: ClientResponse): string | null {
  const get = (n: string) => r.headers.find((h) => h.name.toLowerCase() === n)?.value;
  const upgrade = get('upgrade');
  if (!upgrade || upgrade.toLowerCase() !== 'websocket')
    return 'the 101 reaches the client without "Upgrade: websocket" (nginx hid the Upgrade header)';
  if (!get('sec-websocket-accept')) return 'the 101 reaches the client without Sec-WebSocket-Accept (nginx hid it)';
  return null;
}

/** nginx's escaping of a URI it re-builds (ngx_escape_uri, NGX_ESCAPE_URI): controls, space, `"#%<>?\\^\`{|}` and non-ASCII. */
function escapeUri(s: string): string {
  // eslint-disable-next-line no-control-regex -- the control characters are what nginx escapes
  return s.replace(/[\x00-\x20"#%<>?\\^`{|}\x7f-\xff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export type { Header };

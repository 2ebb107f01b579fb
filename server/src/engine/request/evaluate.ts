/**
 * nginx variables evaluated for one request, as far as the config and the
 * request decide them: the request's own (`$http_*`, `$uri`, `$args`,
 * `$arg_*`, `$cookie_*`, `$host`...), `set`, `map` (exact, hostnames and
 * regex keys, `default`), regex captures, and the proxy module's
 * (`$proxy_host`, `$proxy_add_x_forwarded_for`). Anything only a running
 * server knows (time, connection ids, the file system, DNS, upstream
 * responses, Lua or njs) is `Unknown`, with the reason.
 */
import type { Directive } from '../syntax/ast';
import type { Scope } from '../model/config';
import { compileNginxRegex, type NginxRegex, type RegexMatch } from '../model/regex';
import { headerValue, type Header, type HttpRequest } from './http';
import { Unknown, isUnknown, parseComplex, type Value } from './values';

/** A `map` block, read once per config. */
export interface MapDef {
  directive: Directive;
  source: string;
  hostnames: boolean;
  volatile: boolean;
  exact: Map<string, { value: string; row: Directive }>;
  /** Leading (`*.example.com`, `.example.com`) and trailing (`www.example.*`) wildcards, with `hostnames`. */
  wildcards: { head?: string; tail?: string; value: string; row: Directive }[];
  regexes: { regex: NginxRegex; value: string; row: Directive }[];
  defaultValue: { value: string; row: Directive | null };
}

/** What the evaluator knows of the config: its maps and which names `set` or other directives define (looked up, not listed). */
export interface VariableSources {
  /** The `map` (in `http`) that defines `$name`, if any. */
  map(name: string): MapDef | undefined;
  /** Directives other than `map` that define `$name`: `set` anywhere (empty until set in this request), `geo`, `split_clients`, Lua, njs, perl... */
  defined(name: string): readonly Directive[] | undefined;
}

export function readMap(d: Directive, scope: Scope): MapDef | null {
  const source = d.arg(0);
  const target = d.arg(1);
  if (!source || !target?.startsWith('$')) return null;
  const def: MapDef = {
    directive: d,
    source,
    hostnames: false,
    volatile: false,
    exact: new Map(),
    wildcards: [],
    regexes: [],
    defaultValue: { value: '', row: null },
  };
  for (const row of scope.items) {
    const key = row.name;
    const value = row.arg(0) ?? '';
    if (key === 'hostnames' && !row.argCount) def.hostnames = true;
    else if (key === 'volatile' && !row.argCount) def.volatile = true;
    else if (key === 'include') continue;
    else if (key === 'default') def.defaultValue = { value, row };
    else if (key.startsWith('~')) {
      const caseless = key.startsWith('~*');
      def.regexes.push({ regex: compileNginxRegex(key.slice(caseless ? 2 : 1), caseless), value, row });
    } else {
      let k = key.startsWith('\\') ? key.slice(1) : key;
      k = k.toLowerCase();
      if (def.hostnames && (k.startsWith('*.') || k.startsWith('.'))) {
        def.wildcards.push({ head: k.startsWith('*') ? k.slice(1) : k, value, row });
        // `.example.com` is also the name itself.
        if (k.startsWith('.') && !def.exact.has(k.slice(1))) def.exact.set(k.slice(1), { value, row });
      } else if (def.hostnames && k.endsWith('.*')) def.wildcards.push({ tail: k.slice(0, -1), value, row });
      else if (!def.exact.has(k)) def.exact.set(k, { value, row });
    }
  }
  return def;
}

/** The state of one request as the rewrite phase goes: its URI, arguments, captures and `set` variables. */
export interface RequestState {
  req: HttpRequest;
  /** The current (normalised, possibly rewritten) URI: `$uri`. */
  uri: string;
  args: string;
  /** Captures of the last regex that matched: `$1`... and named ones. */
  captures: RegexMatch | null;
  /** Variables `set` so far (lower-case names). */
  vars: Map<string, Value>;
  /** `server_name`'s first name: `$server_name`. */
  serverName: string;
  /** `$proxy_host` and `$proxy_port` once the proxy target is known. */
  proxy?: { host: Value; port: Value };
  /** nginx version, for `$nginx_version`; empty when unknown. */
  nginxVersion: string;
  /** Map results already computed (a map is evaluated once per request unless `volatile`). */
  mapCache: Map<string, { value: Value; used: RequestState['used'] }>;
  /** Directives whose value was used, for the trace (which map row decided). */
  used: { name: string; value: Value; directive: Directive }[];
}

const RUNTIME: Record<string, string> = {
  request_id: 'a random id per request',
  msec: 'the time of the request',
  time_local: 'the time of the request',
  time_iso8601: 'the time of the request',
  pid: "the worker's process id",
  connection: 'the connection serial number',
  connection_requests: 'the number of requests on the connection',
  remote_port: "the client's port",
  hostname: "the machine's host name",
  request_time: 'the time spent so far',
  binary_remote_addr: "the client's address in binary",
  document_root: 'the file system',
  realpath_root: 'the file system',
  request_filename: 'the file system',
  status: 'the response, not known yet when the request is proxied',
  bytes_sent: 'the response',
  body_bytes_sent: 'the response',
  request_body: 'the request body',
};

export class Evaluator {
  private depth = 0;

  constructor(
    private readonly sources: VariableSources,
    readonly state: RequestState,
  ) {}

  /** The value of `$name` (without `$`). */
  variable(rawName: string): Value {
    const name = rawName.toLowerCase();
    const st = this.state;
    const req = st.req;
    if (st.vars.size && st.vars.has(name)) return st.vars.get(name)!;
    if (st.captures && st.captures.named.size && st.captures.named.has(name)) return st.captures.named.get(name) ?? '';
    const map = this.sources.map(rawName) ?? (rawName === name ? undefined : this.sources.map(name));
    if (map) return this.mapValue(name, map);
    if (name.startsWith('http_')) {
      const header = name.slice(5);
      if (header === 'cookie') return joinHeaders(req, 'cookie', '; ');
      if (header === 'x_forwarded_for') return joinHeaders(req, 'x-forwarded-for', ', ');
      const names = variableNames(req.headers);
      for (let i = 0; i < names.length; i++) if (names[i] === header) return req.headers[i]!.value;
      return '';
    }
    if (name.startsWith('arg_')) return argValue(st.args, name.slice(4));
    if (name.startsWith('cookie_')) return cookieValue(joinHeaders(req, 'cookie', '; '), name.slice(7));
    if (name.startsWith('sent_http_') || name.startsWith('upstream_') || name.startsWith('sent_trailer_'))
      return new Unknown(`$${name} comes from the response`);
    if (name.startsWith('ssl_')) return new Unknown(`$${name} comes from the TLS handshake`);
    switch (name) {
      case 'uri':
      case 'document_uri':
        return st.uri;
      case 'args':
      case 'query_string':
        return st.args;
      case 'is_args':
        return st.args ? '?' : '';
      case 'request_uri':
        return req.target;
      case 'request_method':
        return req.method;
      case 'request':
        return `${req.method} ${req.target} ${req.protocol}`;
      case 'server_protocol':
        return req.protocol;
      case 'scheme':
        return req.scheme;
      case 'https':
        return req.scheme === 'https' ? 'on' : '';
      case 'host': {
        const h = headerValue(req.headers, 'host');
        if (h === undefined || h === '') return st.serverName;
        const lc = h.toLowerCase();
        if (lc.startsWith('[')) return lc.slice(0, lc.indexOf(']') + 1);
        const c = lc.indexOf(':');
        const host = c >= 0 ? lc.slice(0, c) : lc;
        return host.endsWith('.') ? host.slice(0, -1) : host;
      }
      case 'server_name':
        return st.serverName;
      case 'server_port':
        return String(req.port);
      case 'server_addr':
        return req.address === null ? new Unknown('the address the client connected to') : req.address.replace(/^\[|\]$/g, '');
      case 'remote_addr':
      case 'realip_remote_addr':
        return req.clientAddress ?? new Unknown("the client's address");
      case 'proxy_add_x_forwarded_for': {
        const xff = joinHeaders(req, 'x-forwarded-for', ', ');
        const addr: Value = req.clientAddress ?? new Unknown("the client's address");
        if (isUnknown(addr)) return addr;
        return xff ? `${xff}, ${addr}` : addr;
      }
      case 'proxy_host':
        return st.proxy?.host ?? new Unknown('no proxy_pass target yet');
      case 'proxy_port':
        return st.proxy?.port ?? new Unknown('no proxy_pass target yet');
      case 'proxy_internal_body_length':
      case 'proxy_internal_chunked':
        return '';
      case 'content_length':
        return headerValue(req.headers, 'content-length') ?? '';
      case 'content_type':
        return headerValue(req.headers, 'content-type') ?? '';
      case 'nginx_version':
        return st.nginxVersion || new Unknown('the nginx version is not set');
    }
    if (RUNTIME[name]) return new Unknown(`$${name} is ${RUNTIME[name]}`);
    const defined = this.sources.defined(rawName) ?? (rawName === name ? undefined : this.sources.defined(name));
    if (defined) {
      // Defined by `set` elsewhere (empty until set in this request), or by a module the model does not run.
      if (defined.every((d) => d.name === 'set')) return '';
      return new Unknown(`$${name} is set by ${defined[0]!.name}, which the model does not evaluate`);
    }
    return new Unknown(`$${name} is not a variable the model knows`);
  }

  /** A value with variables and captures: a `proxy_set_header` value, a `return` text, a `rewrite` replacement. */
  complex(raw: string): Value {
    if (raw.indexOf('$') < 0) return raw;
    const parts = parseComplex(raw);
    // The common value is one variable (`$http_upgrade`, `$connection_upgrade`): no concatenation.
    if (parts.length === 1 && parts[0]!.kind === 'variable') return this.variable(parts[0]!.text);
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.kind === 'literal') out += p.text;
      else {
        const v = p.kind === 'capture' ? (this.state.captures?.groups[p.n] ?? '') : this.variable(p.text);
        if (typeof v !== 'string') return v;
        out += v;
      }
    }
    return out;
  }

  private mapValue(name: string, map: MapDef): Value {
    const cached = map.volatile ? undefined : this.state.mapCache.get(name);
    if (cached) {
      // Served from the request's cache: the rows that decided it are still what a reader should be shown.
      for (const u of cached.used) this.state.used.push(u);
      return cached.value;
    }
    if (this.depth > 16) return new Unknown(`map $${name} refers to itself`);
    this.depth++;
    const from = this.state.used.length;
    let result: Value;
    try {
      result = this.evaluateMap(map);
    } finally {
      this.depth--;
    }
    if (!map.volatile) this.state.mapCache.set(name, { value: result, used: this.state.used.slice(from) });
    return result;
  }

  private evaluateMap(map: MapDef): Value {
    const source = this.complex(map.source);
    if (isUnknown(source)) return new Unknown(`map ${map.source} ${map.directive.arg(1)!}: ${source.why}`);
    let key = source.toLowerCase();
    if (map.hostnames && key.endsWith('.')) key = key.slice(0, -1);
    const pick = (value: string, row: Directive | null): Value => {
      const v = this.complex(value);
      if (row) this.state.used.push({ name: map.directive.arg(1)!, value: v, directive: row });
      return v;
    };
    const exact = map.exact.get(key);
    if (exact) return pick(exact.value, exact.row);
    if (map.hostnames && key) {
      let best: MapDef['wildcards'][number] | null = null;
      for (const w of map.wildcards)
        if (w.head && key.endsWith(w.head) && key.length > w.head.length && (!best?.head || w.head.length > best.head.length)) best = w;
      if (!best)
        for (const w of map.wildcards)
          if (w.tail && key.startsWith(w.tail) && key.length > w.tail.length && (!best || w.tail.length > (best.tail?.length ?? 0)))
            best = w;
      if (best) return pick(best.value, best.row);
    }
    if (source) {
      for (const r of map.regexes) {
        if (!r.regex.ok) return new Unknown(`map key ~${r.regex.source} ${r.regex.reason}`);
        const m = r.regex.exec(source);
        if (m) {
          // A map regex's captures are usable in its value.
          const saved = this.state.captures;
          this.state.captures = m;
          try {
            return pick(r.value, r.row);
          } finally {
            this.state.captures = saved;
          }
        }
      }
    }
    return pick(map.defaultValue.value, map.defaultValue.row);
  }
}

/** Header names as `$http_*` spells them (lower case, `-` as `_`), memoised per header list: handshakes share theirs. */
const headerVariableNames = new WeakMap<readonly Header[], string[]>();

function variableNames(headers: readonly Header[]): string[] {
  let names = headerVariableNames.get(headers);
  if (!names) {
    names = headers.map((h) => h.name.toLowerCase().replace(/-/g, '_'));
    headerVariableNames.set(headers, names);
  }
  return names;
}

function joinHeaders(req: HttpRequest, name: string, sep: string): string {
  return req.headers
    .filter((h) => h.name.toLowerCase() === name)
    .map((h) => h.value)
    .join(sep);
}

/** `$arg_name`: the first argument of that name (ngx_http_arg: case-insensitive). */
function argValue(args: string, name: string): string {
  for (const part of args.split('&')) {
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    if (k.toLowerCase() === name) return eq < 0 ? '' : part.slice(eq + 1);
  }
  return '';
}

function cookieValue(cookies: string, name: string): string {
  for (const part of cookies.split(/;\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === name) return part.slice(eq + 1);
  }
  return '';
}

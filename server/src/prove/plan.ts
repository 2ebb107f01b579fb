/**
 * The copy of a config that runs here: which files go into the private
 * prefix, and the few directives that must change so the copy can run on
 * loopback as the current user without touching anything outside the prefix.
 * Works from the engine's parse tree (directive and argument offsets) and
 * emits text edits, so the copy differs from the original only where a
 * rewrite is recorded, and every edit keeps its line breaks (nginx's
 * "in FILE:LINE" is the user's line).
 *
 * What changes, and nothing else:
 * - `listen` → 127.0.0.1 (or [::1]) on free ports; the proven server gets
 *   ports of its own, so the request reaches it whatever its server_name;
 *   a server without `listen` gets one (nginx's default is *:80).
 * - The proven location's `proxy_pass` target (URL, the servers of its
 *   upstream, or the values of the map/set variable it uses) → the echo
 *   backend; other targets named by host name (resolved by nginx at start-up)
 *   → a parked loopback port.
 * - Everything nginx writes (pid, error_log, access_log, temp and cache
 *   paths, lock_file, working_directory) → inside the prefix, including the
 *   compiled-in defaults (`-g`, `-e`, and http-level directives added on the
 *   `http {` line).
 * - Certificates and keys that cannot be read here → a generated pair;
 *   other TLS files that cannot be read → disabled.
 * - `user`, `daemon` → as needed to run as the current user in the foreground.
 * - Includes: files inside the config's folder are copied with the same
 *   layout; a file outside it is read in place unless the copy needs it
 *   changed, then it is copied and its include rewritten.
 * - Directives of modules this nginx does not have → disabled (commented out).
 */
import * as nodePath from 'node:path';
import {
  type Analysis,
  type Argument,
  type Directive,
  type EngineSettings,
  type SourceFile,
  type WsLocation,
  own,
  type Scope,
  collectDefinitions,
  deriveEndpoint,
  parseListenAddress,
} from '../engine/index';
import { isDiskPath } from '../node/paths';
import { applyOffsetEdits, disableSpan, type OffsetEdit } from './text-edits';
import type { NginxInfo } from '../nginx/binary';
import type { ProofCaveat, ProofRewrite } from './types';

export interface PlanEnv {
  /** A regular file this process can read. */
  readable(path: string): boolean;
  exists(path: string): boolean;
  /** The file's text on disk (undefined when missing): a differing editor text means unsaved edits. */
  diskText(path: string): string | undefined;
  /** Absolute paths matching an absolute glob (nginx include syntax). */
  glob(pattern: string): string[];
  isRoot: boolean;
  /** IPv6 loopback usable here. */
  ipv6: boolean;
}

export interface PlanInput {
  analysis: Analysis;
  /** Text of each file as the editor sees it (the analysis' own texts). */
  root: string;
  settings: EngineSettings;
  loc: WsLocation;
  requestPath?: string;
  /** The private prefix (absolute, no trailing slash). */
  prefix: string;
  echo: { port: number; tls: boolean };
  /** Free loopback ports, taken in order. */
  ports: () => number;
  /** A loopback port nothing listens on, for targets the proof does not exercise. */
  parkPort: number;
  nginx: NginxInfo;
  env: PlanEnv;
  /** Directive names this nginx does not know (found by `nginx -t`): commented out. */
  disabled?: ReadonlySet<string>;
  /** `load_module` arguments whose module cannot be loaded here: commented out. */
  disabledModules?: ReadonlySet<string>;
}

export interface PlannedFile {
  /** Engine path of the original. */
  original: string;
  /** Where the copy goes (absolute, inside the prefix). */
  target: string;
  text: string;
}

export interface Plan {
  files: PlannedFile[];
  /** Files copied byte for byte (certificates and keys read by a relative path). */
  copies: { from: string; to: string }[];
  /** `-c` */
  confPath: string;
  /** `-g` directives. */
  globals: string[];
  rewrites: ProofRewrite[];
  caveats: ProofCaveat[];
  readInPlace: string[];
  /** A generated certificate is needed (names for its subjectAltName). */
  cert: { cert: string; key: string; names: string[] } | null;
  /** The URL a client would use (server_name kept) and where to connect here. */
  url: string | null;
  urlProblem: string | null;
  connect: { host: string; port: number } | null;
  /** Error logs inside the prefix to read after the test. */
  errorLogs: string[];
  /** The error log the proven location writes to. */
  locationLog: string;
  /** Directories to create inside the prefix before nginx runs. */
  dirs: string[];
  ports: number[];
  /** Maps paths inside the prefix in nginx's output back to the original files. */
  toOriginal(text: string): string;
}

/** Directives naming files nginx reads, resolved against the config prefix. */
const CERT_PAIRS: [string, string][] = [
  ['ssl_certificate', 'ssl_certificate_key'],
  ['proxy_ssl_certificate', 'proxy_ssl_certificate_key'],
  ['grpc_ssl_certificate', 'grpc_ssl_certificate_key'],
  ['uwsgi_ssl_certificate', 'uwsgi_ssl_certificate_key'],
];
/** CA bundles: a missing one is replaced by the generated certificate (a valid PEM bundle). */
const CA_FILES = new Set([
  'ssl_trusted_certificate',
  'ssl_client_certificate',
  'proxy_ssl_trusted_certificate',
  'grpc_ssl_trusted_certificate',
  'uwsgi_ssl_trusted_certificate',
]);
/** Other TLS files: a missing one is disabled (nginx -t would fail on it). */
const OTHER_TLS_FILES = new Set([
  'ssl_crl',
  'proxy_ssl_crl',
  'ssl_dhparam',
  'ssl_password_file',
  'proxy_ssl_password_file',
  'ssl_stapling_file',
  'ssl_session_ticket_key',
  'ssl_ecdh_curve_file',
]);
const TEMP_PATHS = ['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path'];
const CACHE_PATHS = new Set(['proxy_cache_path', 'fastcgi_cache_path', 'uwsgi_cache_path', 'scgi_cache_path']);
const STORES = new Set(['proxy_store', 'fastcgi_store', 'uwsgi_store', 'scgi_store']);
const PASSES = new Set(['proxy_pass', 'grpc_pass', 'uwsgi_pass', 'scgi_pass', 'fastcgi_pass', 'memcached_pass', 'auth_http']);
const LINUX_EVENT_METHODS = new Set(['epoll', 'poll', 'select']);
/** listen parameters that cannot work for a direct local client, or not on this OS. */
const LISTEN_DROP = /^(proxy_protocol|setfib=.*|accept_filter=.*|ipv6only=.*)$/;
const GLOB = /[*?[]/;

export function oneLine(s: string, max = 200): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || /^\[[0-9a-fA-F:.]*\]$/.test(host);
}

/** `scheme://host[:port]rest` of a proxy_pass-like target; `unix:/path:` hosts kept whole. */
export function splitTarget(v: string): { scheme: string; host: string; rest: string } | null {
  const m = /^(\$\{?\w+\}?|[a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(v);
  if (!m) return null;
  const after = m[2]!;
  if (/^unix:/i.test(after)) {
    const i = after.indexOf(':', 5);
    return i < 0 ? { scheme: m[1]!, host: after, rest: '' } : { scheme: m[1]!, host: after.slice(0, i + 1), rest: after.slice(i + 1) };
  }
  const i = after.search(/[/?]/);
  return { scheme: m[1]!, host: i < 0 ? after : after.slice(0, i), rest: i < 0 ? '' : after.slice(i) };
}

function hostOnly(hostPort: string): string {
  const v6 = /^(\[[^\]]*\])/.exec(hostPort);
  if (v6) return v6[1]!;
  return hostPort.replace(/:\d+$/, '');
}

/** A host name nginx resolves while loading the config (not an address, not a unix socket, not a variable). */
export function resolvedAtStart(hostPort: string): boolean {
  if (!hostPort || hostPort.includes('$') || /^unix:/i.test(hostPort)) return false;
  const h = hostOnly(hostPort);
  return !isIpLiteral(h) && h !== 'localhost' && h !== '*';
}

class Builder {
  readonly edits = new Map<string, OffsetEdit[]>();
  readonly rewrites: ProofRewrite[] = [];
  readonly caveats: ProofCaveat[] = [];
  readonly readInPlace = new Set<string>();
  readonly copies: { from: string; to: string }[] = [];
  readonly globals: string[] = [];
  readonly dirs = new Set<string>();
  /** Directives already given an edit (a file included twice lists its directives twice). */
  readonly done = new Set<Directive>();
  /** Spans already disabled per file (edits inside them are dropped). */
  readonly disabledSpans = new Map<string, [number, number][]>();

  constructor(
    readonly files: Map<string, SourceFile>,
    readonly onPath: (scope: Scope) => boolean,
    readonly prefix: string,
  ) {}

  private push(file: string, e: OffsetEdit): void {
    let l = this.edits.get(file);
    if (!l) this.edits.set(file, (l = []));
    l.push(e);
  }

  isDisabled(d: Directive): boolean {
    return (this.disabledSpans.get(d.file.uri) ?? []).some(([s, e]) => d.start >= s && d.end <= e);
  }

  /** Replaces argument `i` of `d` with `value` (raw nginx text). */
  arg(d: Directive, a: Argument, value: string): void {
    if (this.isDisabled(d)) return;
    this.push(d.file.uri, { start: a.start, end: a.end, text: value });
  }

  /** Inserts `text` (one line, no line break) at `offset` of `file`. */
  insert(file: string, offset: number, text: string): void {
    this.push(file, { start: offset, end: offset, text });
  }

  /** Comments `d` out (its block too), keeping line breaks. */
  disable(d: Directive): void {
    if (this.isDisabled(d)) return;
    const f = d.file;
    const end = d.block ? d.block.end : d.end;
    // Edits inside the span are moot now.
    const list = this.edits.get(f.uri);
    if (list)
      this.edits.set(
        f.uri,
        list.filter((e) => e.end <= d.start || e.start >= end),
      );
    let spans = this.disabledSpans.get(f.uri);
    if (!spans) this.disabledSpans.set(f.uri, (spans = []));
    spans.push([d.start, end]);
    this.push(f.uri, { start: d.start, end, text: disableSpan(f.text, d.start, end) });
  }

  /** `at`: the offset of an insertion (the line that changes), when it is not the directive's first line. */
  record(what: string, d: Directive | null, from: string, to: string, why: string, at?: number): void {
    // The prefix is a fresh temporary folder each run: shown as <prefix>.
    const shown = to.split(this.prefix).join('<prefix>');
    const line = d ? (at !== undefined ? d.file.lines.positionAt(at).line : d.range.start.line) + 1 : null;
    const endLine = d ? (at !== undefined ? line : d.file.lines.positionAt(d.block ? d.block.end : d.end).line + 1) : null;
    this.rewrites.push({ what, from: oneLine(from), to: oneLine(shown, 400), file: d ? d.file.uri : null, line, endLine, why });
  }

  caveat(message: string, d: Directive | null, scope: Scope | null): void {
    this.caveats.push({
      message,
      file: d ? d.file.uri : null,
      line: d ? d.range.start.line + 1 : null,
      onPath: scope ? this.onPath(scope) : false,
    });
  }
}

/** `name arg...;` with some arguments replaced (for the "to" column). */
function render(d: Directive, replace: Map<number, string> | null, drop: Set<number> = new Set()): string {
  const args = d.args.map((a, i) => (replace?.has(i) ? replace.get(i)! : a.text)).filter((_, i) => !drop.has(i));
  return `${d.name}${args.length ? ` ${args.join(' ')}` : ''}${d.block ? ' { … }' : ';'}`;
}

function directiveText(d: Directive): string {
  return d.block ? `${d.file.text.slice(d.start, d.block.start).trim()} { … }` : d.file.text.slice(d.start, d.end);
}

/** Replaces `host` inside an argument's raw text (quotes and the rest kept). */
function replaceHost(a: Argument, host: string, by: string): string | null {
  const raw = a.text;
  const at = raw.indexOf('://');
  const i = raw.indexOf(host, at < 0 ? 0 : at + 3);
  return i < 0 ? null : raw.slice(0, i) + by + raw.slice(i + host.length);
}

function quoteIfNeeded(v: string): string {
  return /[\s;{}'"#]/.test(v) ? `"${v.replace(/["\\]/g, '\\$&')}"` : v;
}

export function plan(input: PlanInput): Plan {
  const { analysis, loc, prefix, env, nginx } = input;
  const model = analysis.model;
  const files = analysis.files;
  const disabledNames = input.disabled ?? new Set<string>();
  const disabledModules = input.disabledModules ?? new Set<string>();
  const confDir = input.settings.prefix
    ? nodePath.resolve(input.settings.prefix)
    : isDiskPath(input.root)
      ? nodePath.dirname(input.root)
      : null;
  const confTarget = nodePath.join(prefix, 'conf');
  const logs = nodePath.join(prefix, 'logs');
  const ports: number[] = [];
  const takePort = (): number => {
    const p = input.ports();
    ports.push(p);
    return p;
  };

  // --- where the proven location is: its scope chain decides what is "on the path" of the request.
  const locScope = model.scopeOf.get(loc.directive) ?? null;
  const ancestors = new Set<Scope>();
  for (let s: Scope | null = locScope; s; s = s.parent) ancestors.add(s);
  const inside = (s: Scope): boolean => {
    for (let x: Scope | null = s; x; x = x.parent) if (x === locScope) return true;
    return false;
  };
  const onPath = (s: Scope): boolean => ancestors.has(s) || inside(s);
  const b = new Builder(files, onPath, prefix);
  const provenServer = loc.server ? (model.scopeOf.get(loc.server) ?? null) : null;

  const inTree = (p: string): boolean => {
    if (!confDir || !isDiskPath(p)) return false;
    const rel = nodePath.relative(confDir, p);
    return rel !== '' && !rel.startsWith('..') && !nodePath.isAbsolute(rel);
  };
  const mapPath = (p: string): string =>
    inTree(p) ? nodePath.join(confTarget, nodePath.relative(confDir!, p)) : nodePath.join(prefix, 'ext', p);
  /** A conf-prefix-relative path (include, ssl_certificate...) as nginx resolves it on the user's machine. */
  const confResolve = (v: string): string | null => (nodePath.isAbsolute(v) ? v : confDir ? nodePath.resolve(confDir, v) : null);

  // Every scope with its directives, each directive once (a file included twice shares its directive objects).
  const placed: { d: Directive; scope: Scope }[] = [];
  {
    const seen = new Set<Directive>();
    const stack: Scope[] = [model.root];
    while (stack.length) {
      const s = stack.pop()!;
      for (const d of s.items) {
        if (seen.has(d)) continue;
        seen.add(d);
        placed.push({ d, scope: s });
      }
      for (let i = s.children.length - 1; i >= 0; i--) stack.push(s.children[i]!);
    }
  }
  const named = (name: string) => placed.filter((p) => p.d.name === name);
  const httpScope = (model.scopes.get('http') ?? [])[0] ?? null;
  const mainScope = model.root;

  // --- 1. Directives of modules this nginx lacks, and load_module lines that cannot load here.
  for (const { d, scope } of placed) {
    if (disabledNames.has(d.name)) {
      b.disable(d);
      b.record('disabled', d, directiveText(d), '# (commented out)', `this nginx has no module for "${d.name}"`);
      b.caveat(
        `${d.name} did not run here (no such module in this nginx)${onPath(scope) ? ': the result does not cover what it does for this location' : ''}`,
        d,
        scope,
      );
    }
  }
  for (const { d, scope } of named('load_module')) {
    const v = d.arg(0);
    if (!v || b.isDisabled(d)) continue;
    const abs = nodePath.isAbsolute(v) ? v : nodePath.resolve(nginx.prefix ?? '/usr/share/nginx', v);
    if (disabledModules.has(v) || !env.exists(abs)) {
      b.disable(d);
      b.record('load_module', d, directiveText(d), '# (commented out)', `${abs} cannot be loaded here`);
      b.caveat(`module ${nodePath.basename(v)} is not available here: its directives did not run`, d, scope);
    } else if (!nodePath.isAbsolute(v)) {
      b.arg(d, d.args[0]!, abs);
      b.record(
        'load_module',
        d,
        directiveText(d),
        render(d, new Map([[0, abs]])),
        "relative to nginx's own prefix, which the proof replaces",
      );
    }
  }

  // --- 2. listen: loopback on free ports.
  const shared = new Map<string, number>();
  const portOfListen = new Map<Directive, { host: string; port: number }>();
  const loopback = (v6: boolean): string => (v6 && env.ipv6 ? '[::1]' : '127.0.0.1');
  // `main` too: a piece of a config analysed on its own (nginx -t will say it is misplaced; its listens still must not escape).
  const servers = (model.scopes.get('server') ?? []).filter((s) => s.parent && ['http', 'stream', 'mail', 'main'].includes(s.parent.kind));
  let defaultListenPort: number | null = null;
  for (const server of servers) {
    const listens = own(server, 'listen').filter((d) => !b.isDisabled(d));
    const isProven = server === provenServer;
    if (
      listens.length === 0 &&
      (server.parent!.kind === 'http' || server.parent!.kind === 'main') &&
      server.directive?.block &&
      !b.isDisabled(server.directive)
    ) {
      // nginx's default is *:80 (as root) or *:8000: never that here.
      let port: number;
      if (isProven) port = takePort();
      else port = defaultListenPort ??= takePort();
      const text = `listen 127.0.0.1:${port};`;
      b.insert(server.directive.file.uri, server.directive.block.bodyStart, ` ${text}`);
      b.record(
        'listen',
        server.directive,
        'server { (no listen: *:80)',
        `server { ${text}`,
        'nginx listens on *:80 without a listen; here on a free loopback port',
        server.directive.block.bodyStart,
      );
      if (isProven) portOfListen.set(server.directive, { host: '127.0.0.1', port });
      continue;
    }
    for (const d of listens) {
      if (b.done.has(d)) continue;
      b.done.add(d);
      const a = d.args[0];
      if (!a) continue;
      const raw = a.value;
      if (d.args.some((x) => x.value === 'quic')) {
        b.disable(d);
        b.record(
          'listen',
          d,
          directiveText(d),
          '# (commented out)',
          'QUIC (HTTP/3) listens need nginx 1.25+ built with it; the proof speaks TCP',
        );
        b.caveat('the QUIC listen did not run here: HTTP/3 is not covered', d, server);
        continue;
      }
      const unix = raw.startsWith('unix:');
      const v6 = raw.startsWith('[');
      const { address, port } = unix ? { address: 'unix', port: 0 } : parseListenAddress(raw);
      const key = `${v6 ? 6 : 4}|${address === null || address === '*' || address === '0.0.0.0' || address === '[::]' ? '*' : address}|${unix ? raw : port}`;
      const newPort = isProven ? takePort() : (shared.get(key) ?? (shared.set(key, takePort()), shared.get(key)!));
      const host = loopback(v6);
      const addr = `${host}:${newPort}`;
      b.arg(d, a, addr);
      const drop = new Set<number>();
      d.args.forEach((x, i) => {
        if (i > 0 && LISTEN_DROP.test(x.value)) drop.add(i);
      });
      for (const i of drop) b.arg(d, d.args[i]!, '');
      portOfListen.set(d, { host: host === '[::1]' ? '::1' : host, port: newPort });
      const dropped = [...drop].map((i) => d.arg(i)!);
      b.record(
        'listen',
        d,
        directiveText(d),
        render(d, new Map([[0, addr]]), drop),
        `${unix ? 'a unix socket' : `port ${port}`} on this machine is not the proof's to take: a free loopback port${isProven ? ' of its own, so the request reaches this server' : ''}${dropped.length ? `; ${dropped.join(', ')} dropped (the proof's client connects directly)` : ''}`,
      );
      if (dropped.includes('proxy_protocol') && isProven)
        b.caveat('proxy_protocol dropped: the load balancer that adds the PROXY header is not part of the proof', d, server);
    }
  }

  // --- 3. The proven location's target → the echo backend; other start-up-resolved targets → parked.
  const echoAddr = `127.0.0.1:${input.echo.port}`;
  const parked = `127.0.0.1:${input.parkPort}`;
  const echoUpstreams = new Set<string>();
  const pp = loc.proxyPass;
  let targetNote: string | null = null;
  if (pp && pp.args[0] && !b.isDisabled(pp)) {
    const a = pp.args[0];
    const t = splitTarget(a.value);
    const ppScope = model.scopeOf.get(loc.directive) ?? null;
    b.done.add(pp);
    if (!t) {
      b.caveat(`proxy_pass ${a.value} is not a URL the proof can redirect: the backend was not replaced`, pp, ppScope);
    } else if (!t.host.includes('$')) {
      if (analysis.upstreams.has(t.host)) {
        echoUpstreams.add(t.host);
      } else {
        const by = replaceHost(a, t.host, echoAddr);
        if (by) {
          b.arg(pp, a, by);
          b.record(
            'proxy_pass target',
            pp,
            directiveText(pp),
            render(pp, new Map([[0, by]])),
            'the backend is replaced by a strict RFC 6455 echo backend the proof starts',
          );
        }
      }
    } else {
      // A variable: its map/set values that name an upstream or an address are made local.
      const m = /^\$\{?(\w+)\}?$/.exec(t.host);
      const defs = m ? (collectDefinitions(model).get(m[1]!) ?? []) : [];
      const values: { d: Directive; a: Argument }[] = [];
      let resolvable = defs.length > 0;
      for (const def of defs) {
        if (def.directive.name === 'set') {
          const v = def.directive.args[1];
          if (v) values.push({ d: def.directive, a: v });
          else resolvable = false;
        } else if (def.directive.name === 'map' && def.directive.block) {
          for (const e of def.directive.block.directives()) {
            if (['hostnames', 'volatile', 'include'].includes(e.name)) continue;
            const v = e.args[0];
            if (v) values.push({ d: e, a: v });
          }
        } else resolvable = false;
      }
      if (resolvable && values.every(({ a: v }) => !v.value.includes('$'))) {
        for (const { d, a: v } of values) {
          if (analysis.upstreams.has(v.value)) echoUpstreams.add(v.value);
          else if (v.value && !b.isDisabled(d)) {
            b.arg(d, v, echoAddr);
            b.record(
              'proxy_pass target',
              d,
              directiveText(d),
              render(d, new Map([[d.name === 'set' ? 1 : 0, echoAddr]])),
              `a value of $${m![1]} (the proxy_pass target): replaced by the echo backend`,
            );
          }
        }
      } else {
        const by = replaceHost(a, t.host, echoAddr);
        if (by) {
          b.arg(pp, a, by);
          b.record(
            'proxy_pass target',
            pp,
            directiveText(pp),
            render(pp, new Map([[0, by]])),
            'the backend is chosen at request time from variables: replaced by the echo backend',
          );
          b.caveat(
            `the backend address comes from ${t.host} at request time: the proof used the echo backend instead and does not cover which backend it picks (or the resolver)`,
            pp,
            ppScope,
          );
        }
      }
    }
    if (t && t.scheme.startsWith('$'))
      b.caveat(
        `the proxy_pass scheme is a variable (${t.scheme}): the echo backend speaks ${input.echo.tls ? 'TLS' : 'plain HTTP'}`,
        pp,
        ppScope,
      );
    targetNote = t?.host ?? null;
  }
  // Upstream server lines.
  for (const up of model.scopes.get('upstream') ?? []) {
    const name = up.directive?.arg(0);
    const toEcho = !!name && echoUpstreams.has(name) && up.parent?.kind === 'http';
    for (const d of own(up, 'server')) {
      if (b.done.has(d) || b.isDisabled(d) || !d.args[0]) continue;
      b.done.add(d);
      const v = d.args[0].value;
      if (toEcho) {
        b.arg(d, d.args[0], echoAddr);
        b.record(
          'upstream server',
          d,
          directiveText(d),
          render(d, new Map([[0, echoAddr]])),
          `upstream ${name} serves the proven location: its servers are replaced by the echo backend`,
        );
      } else if (resolvedAtStart(v)) {
        b.arg(d, d.args[0], parked);
        b.record(
          'upstream server',
          d,
          directiveText(d),
          render(d, new Map([[0, parked]])),
          `nginx resolves ${hostOnly(v)} when it starts; not this proof's backend, so parked on a loopback port where nothing listens`,
        );
      }
    }
  }
  // Other proxy_pass-like targets named by host name.
  for (const { d } of placed) {
    if (!PASSES.has(d.name) || b.done.has(d) || b.isDisabled(d) || !d.args[0]) continue;
    const v = d.args[0].value;
    const t = splitTarget(v);
    const hostPort = t ? t.host : v;
    if (analysis.upstreams.has(hostPort) || !resolvedAtStart(hostPort)) continue;
    b.done.add(d);
    const by = t ? replaceHost(d.args[0], hostPort, parked) : parked;
    if (!by) continue;
    b.arg(d, d.args[0], by);
    b.record(
      `${d.name} target`,
      d,
      directiveText(d),
      render(d, new Map([[0, by]])),
      `nginx resolves ${hostOnly(hostPort)} when it starts; not this proof's backend, so parked on a loopback port where nothing listens`,
    );
  }

  // --- 4. What nginx writes: into the prefix.
  const globals: string[] = [];
  const mainOwn = (n: string): Directive | null => own(mainScope, n).find((d) => !b.isDisabled(d)) ?? null;
  const pidPath = nodePath.join(prefix, 'run', 'nginx.pid');
  const pid = mainOwn('pid');
  if (pid && pid.args[0]) {
    b.arg(pid, pid.args[0], pidPath);
    b.record('pid', pid, directiveText(pid), `pid ${pidPath};`, 'the pid file goes inside the private prefix');
  } else {
    globals.push(`pid ${pidPath};`);
    b.record(
      'pid',
      null,
      `(not set: ${nginx.defaults.pid ?? 'compiled-in path'})`,
      `-g 'pid ${pidPath};'`,
      'the pid file goes inside the private prefix',
    );
  }
  const daemon = mainOwn('daemon');
  if (daemon && daemon.arg(0) !== 'off' && daemon.args[0]) {
    b.arg(daemon, daemon.args[0], 'off');
    b.record('daemon', daemon, directiveText(daemon), 'daemon off;', 'nginx runs in the foreground, so the proof can stop it');
  } else if (!daemon) {
    globals.push('daemon off;');
    b.record('daemon', null, '(not set: daemon on)', "-g 'daemon off;'", 'nginx runs in the foreground, so the proof can stop it');
  }
  const user = mainOwn('user');
  if (user) {
    if (env.isRoot) {
      if (user.arg(0) !== 'root' && user.args[0]) {
        b.arg(user, user.args[0], 'root');
        if (user.args[1]) b.arg(user, user.args[1], 'root');
        b.record(
          'user',
          user,
          directiveText(user),
          'user root;',
          'the workers run as the current user (root), who owns the private prefix',
        );
      }
    } else {
      b.disable(user);
      b.record('user', user, directiveText(user), '# (commented out)', 'only root can switch users; nginx runs as the current user');
    }
  } else if (env.isRoot) {
    globals.push('user root;');
    b.record(
      'user',
      null,
      `(not set: workers run as nobody)`,
      "-g 'user root;'",
      'the workers run as the current user (root), who owns the private prefix',
    );
  }
  for (const { d, scope } of named('use')) {
    if (scope.kind === 'events' && d.arg(0) && !LINUX_EVENT_METHODS.has(d.arg(0)!) && !b.isDisabled(d)) {
      b.disable(d);
      b.record('events', d, directiveText(d), '# (commented out)', `the ${d.arg(0)} event method does not exist on this system`);
    }
  }
  let n = 0;
  const errorLogs: string[] = [];
  const logFor = new Map<Directive, string>();
  for (const { d } of named('error_log')) {
    const a = d.args[0];
    if (!a || b.isDisabled(d)) continue;
    if (a.value === 'stderr' || a.value.startsWith('memory:')) continue;
    const file = nodePath.join(logs, `error-${++n}.log`);
    b.arg(d, a, file);
    errorLogs.push(file);
    logFor.set(d, file);
    b.record(
      'error_log',
      d,
      directiveText(d),
      render(d, new Map([[0, file]])),
      'logs go inside the private prefix (and are shown in the report)',
    );
  }
  const proofLog = nodePath.join(logs, 'proof.log');
  globals.push(`error_log ${proofLog} info;`);
  b.record(
    'error_log',
    null,
    `(${nginx.defaults.errorLog ?? 'compiled-in'})`,
    `-g 'error_log ${proofLog} info;'`,
    'one more log, at info level, inside the private prefix: the report shows its lines',
  );
  errorLogs.unshift(proofLog);
  let accessN = 0;
  for (const { d } of named('access_log')) {
    const a = d.args[0];
    if (!a || a.value === 'off' || b.isDisabled(d)) continue;
    const file = nodePath.join(logs, `access-${++accessN}.log`);
    b.arg(d, a, file);
    b.record('access_log', d, directiveText(d), render(d, new Map([[0, file]])), 'logs go inside the private prefix');
  }
  for (const name of ['lock_file', 'working_directory']) {
    const d = mainOwn(name);
    if (!d || !d.args[0]) continue;
    const p = nodePath.join(prefix, name === 'lock_file' ? 'run/nginx.lock' : 'work');
    b.arg(d, d.args[0], p);
    b.record(name, d, directiveText(d), `${name} ${p};`, 'inside the private prefix');
  }
  let tempN = 0;
  for (const name of TEMP_PATHS) {
    for (const { d } of named(name)) {
      if (!d.args[0] || b.isDisabled(d)) continue;
      const p = nodePath.join(prefix, 'temp', `${name.replace('_temp_path', '')}-${++tempN}`);
      b.arg(d, d.args[0], p);
      b.record(
        'temp path',
        d,
        directiveText(d),
        render(d, new Map([[0, p]])),
        'nginx writes temporary files there: inside the private prefix',
      );
    }
  }
  let cacheN = 0;
  for (const { d } of placed) {
    if (!CACHE_PATHS.has(d.name) || !d.args[0] || b.isDisabled(d)) continue;
    const p = nodePath.join(prefix, 'cache', `${++cacheN}`);
    b.arg(d, d.args[0], p);
    const repl = new Map([[0, p]]);
    d.args.forEach((x, i) => {
      if (x.value.startsWith('temp_path=')) {
        const t = `temp_path=${nodePath.join(prefix, 'cache', `${cacheN}-temp`)}`;
        b.arg(d, x, t);
        repl.set(i, t);
      }
    });
    b.record('cache path', d, directiveText(d), render(d, repl), 'nginx writes its cache there: inside the private prefix');
  }
  for (const { d } of placed) {
    if (!STORES.has(d.name) || !d.args[0] || d.arg(0) === 'off' || b.isDisabled(d)) continue;
    b.arg(d, d.args[0], 'off');
    b.record(d.name, d, directiveText(d), `${d.name} off;`, 'it writes proxied responses to disk, outside the private prefix');
  }
  if (httpScope?.directive?.block && !b.isDisabled(httpScope.directive)) {
    const add: string[] = [];
    const was: string[] = [];
    for (const name of TEMP_PATHS) {
      if (own(httpScope, name).length) continue;
      add.push(`${name} ${nodePath.join(prefix, 'temp', name.replace('_temp_path', ''))};`);
      was.push(nginx.defaults.temp[name] ?? name);
    }
    if (!own(httpScope, 'access_log').length) {
      add.push(`access_log ${nodePath.join(logs, 'access.log')};`);
      was.push(nginx.defaults.accessLog ?? 'access.log');
    }
    if (add.length) {
      b.insert(httpScope.directive.file.uri, httpScope.directive.block.bodyStart, ` ${add.join(' ')}`);
      b.record(
        'compiled-in paths',
        httpScope.directive,
        `http { (defaults: ${was.join(', ')})`,
        `http { ${add.join(' ')}`,
        'nginx writes to its compiled-in paths unless told otherwise: inside the private prefix, on the http line so no line moves',
        httpScope.directive.block.bodyStart,
      );
    }
  }

  // --- 5. Files nginx reads by path: certificates and keys, CA bundles, other TLS files.
  let needCert = false;
  const certPath = nodePath.join(prefix, 'certs', 'proof.crt');
  const keyPath = nodePath.join(prefix, 'certs', 'proof.key');
  const readPath = (d: Directive, scope: Scope, replaceWith: string | null, why: string): void => {
    const a = d.args[0];
    if (!a || b.isDisabled(d)) return;
    const v = a.value;
    if (v.includes('$') || v.startsWith('data:') || v.startsWith('engine:')) {
      if (d.name.startsWith('ssl_certificate')) b.caveat(`${d.name} ${v} is chosen at run time (or not a file): used as written`, d, scope);
      return;
    }
    const abs = confResolve(v);
    const ok = abs !== null && env.readable(abs);
    if (ok) {
      if (!nodePath.isAbsolute(v)) {
        if (inTree(abs)) b.copies.push({ from: abs, to: mapPath(abs) });
        else {
          b.arg(d, a, abs);
          b.record(d.name, d, directiveText(d), render(d, new Map([[0, abs]])), 'relative to the config folder, outside it: read in place');
        }
      } else b.readInPlace.add(abs);
      return;
    }
    if (replaceWith === null) return;
    if (replaceWith === '') {
      b.disable(d);
      b.record(d.name, d, directiveText(d), '# (commented out)', `${abs ?? v} cannot be read here`);
      b.caveat(`${d.name} did not run here (${abs ?? v} cannot be read)`, d, scope);
      return;
    }
    b.done.add(d);
    b.arg(d, a, replaceWith);
    b.record(d.name, d, directiveText(d), render(d, new Map([[0, replaceWith]])), why.replace('%s', abs ?? v));
  };
  for (const [certName, keyName] of CERT_PAIRS) {
    const scopes = new Set<Scope>();
    for (const p of [...named(certName), ...named(keyName)]) scopes.add(p.scope);
    for (const scope of scopes) {
      const certs = own(scope, certName).filter((d) => !b.isDisabled(d));
      const keys = own(scope, keyName).filter((d) => !b.isDisabled(d));
      for (let i = 0; i < Math.max(certs.length, keys.length); i++) {
        const c = certs[i];
        const k = keys[i];
        const usable = (d: Directive | undefined): boolean => {
          const v = d?.arg(0);
          if (!v) return true;
          if (v.includes('$') || v.startsWith('data:') || v.startsWith('engine:')) return true;
          const abs = confResolve(v);
          return abs !== null && env.readable(abs);
        };
        if (usable(c) && usable(k)) {
          if (c && !b.done.has(c)) readPath(c, scope, null, '');
          if (k && !b.done.has(k)) readPath(k, scope, null, '');
        } else {
          needCert = true;
          if (c && !b.done.has(c))
            readPath(c, scope, certPath, '%s cannot be read here: a self-signed certificate generated for the proof');
          if (k && !b.done.has(k)) readPath(k, scope, keyPath, '%s cannot be read here: the key of the generated certificate');
          if (onPath(scope) || scope === provenServer)
            b.caveat('TLS ran with a generated self-signed certificate: the proof does not cover your certificate', c ?? k ?? null, scope);
        }
        if (c) b.done.add(c);
        if (k) b.done.add(k);
      }
    }
  }
  for (const { d, scope } of placed) {
    if (b.done.has(d)) continue;
    if (CA_FILES.has(d.name)) {
      const abs = d.arg(0) ? confResolve(d.arg(0)!) : null;
      if (d.arg(0) && !d.arg(0)!.includes('$') && !(abs && env.readable(abs))) needCert = true;
      readPath(d, scope, certPath, '%s cannot be read here: the generated certificate stands in');
    } else if (OTHER_TLS_FILES.has(d.name) || d.name === 'auth_basic_user_file') {
      readPath(d, scope, d.name === 'auth_basic_user_file' ? null : '', '');
    }
  }
  // An https target: the echo backend speaks TLS with the generated certificate; nginx must trust it when it verifies.
  if (input.echo.tls) {
    needCert = true;
    const verify = nearestOwn(locScope, 'proxy_ssl_verify');
    if (verify && verify.arg(0) === 'on') {
      const trusted = nearestOwn(locScope, 'proxy_ssl_trusted_certificate');
      if (trusted && trusted.args[0] && !b.isDisabled(trusted)) {
        // Unless the CA bundle was unreadable and already replaced by the generated certificate.
        if (!b.done.has(trusted)) {
          b.done.add(trusted);
          b.arg(trusted, trusted.args[0], certPath);
          b.record(
            'proxy_ssl_trusted_certificate',
            trusted,
            directiveText(trusted),
            `proxy_ssl_trusted_certificate ${certPath};`,
            "nginx verifies the backend: it must trust the echo backend's generated certificate",
          );
        }
      } else {
        b.insert(verify.file.uri, verify.end, ` proxy_ssl_trusted_certificate ${certPath};`);
        b.record(
          'proxy_ssl_trusted_certificate',
          verify,
          directiveText(verify),
          `${directiveText(verify)} proxy_ssl_trusted_certificate ${certPath};`,
          "nginx verifies the backend: it must trust the echo backend's generated certificate",
          verify.end,
        );
      }
      // nginx checks the backend's certificate against the proxy_pass host, now 127.0.0.1: keep the name it had.
      const host = targetNote ? hostOnly(targetNote) : null;
      if (
        pp &&
        host &&
        !host.includes('$') &&
        !isIpLiteral(host) &&
        !host.startsWith('unix:') &&
        !nearestOwn(locScope, 'proxy_ssl_name') &&
        !analysis.upstreams.has(targetNote!)
      ) {
        b.insert(pp.file.uri, pp.end, ` proxy_ssl_name ${host};`);
        b.record(
          'proxy_ssl_name',
          pp,
          directiveText(pp),
          `proxy_ssl_name ${host};`,
          `nginx verifies the backend's certificate for ${host}, the name proxy_pass had before it pointed at the echo backend`,
          pp.end,
        );
      }
    }
  }

  // --- 6. Includes: what is copied, what is read in place.
  const includes = named('include').filter(({ d }) => d.args[0] && !d.args[0].value.includes('$'));
  const resolveTargets = (abs: string): string[] | null => {
    if (GLOB.test(abs)) return env.glob(abs).filter((p) => files.has(p));
    return files.has(abs) ? [abs] : env.readable(abs) ? [] : null;
  };
  for (const { d, scope } of includes) {
    if (b.isDisabled(d)) continue;
    const v = d.arg(0)!;
    const abs = confResolve(v);
    const targets = abs ? resolveTargets(abs) : null;
    if (targets === null && !GLOB.test(v)) {
      // Not found where nginx looks. nginx's own files (mime.types, fastcgi_params) live in its conf folder.
      const own2 = !nodePath.isAbsolute(v) && nginx.confDir ? nodePath.join(nginx.confDir, v) : null;
      if (own2 && env.readable(own2)) {
        b.done.add(d);
        b.arg(d, d.args[0]!, own2);
        b.readInPlace.add(own2);
        b.record('include', d, directiveText(d), `include ${own2};`, `not in the config's folder: nginx's own ${own2} is read in place`);
      } else {
        b.done.add(d);
        b.disable(d);
        b.record('include', d, directiveText(d), '# (commented out)', `${abs ?? v} does not exist here`);
        b.caveat(`${abs ?? v} does not exist here: the proof ran without it`, d, scope);
      }
    }
  }
  const copied = new Set<string>();
  for (const p of files.keys()) {
    if (p === input.root || inTree(p) || b.edits.get(p)?.length) copied.add(p);
    else {
      const disk = env.diskText(p);
      if (disk === undefined || disk !== files.get(p)!.text) copied.add(p);
    }
  }
  // Fixpoint: an include whose files are copied must name the copies; the file holding it is then copied too.
  for (let changed = true; changed;) {
    changed = false;
    for (const { d } of includes) {
      if (b.done.has(d) || b.isDisabled(d)) continue;
      const v = d.arg(0)!;
      const abs = confResolve(v);
      if (!abs) continue;
      const targets = resolveTargets(abs) ?? [];
      const relativeInTree = !nodePath.isAbsolute(v) && inTree(abs);
      if (relativeInTree) continue; // resolves to the copy by itself
      const escapes = !nodePath.isAbsolute(v);
      if (targets.some((t) => copied.has(t)) || escapes) {
        b.done.add(d);
        const anyCopied = targets.some((t) => copied.has(t));
        const to = anyCopied ? mapPath(abs) : abs;
        if (anyCopied) for (const t of targets) copied.add(t);
        b.arg(d, d.args[0]!, quoteIfNeeded(to));
        b.record(
          'include',
          d,
          directiveText(d),
          `include ${to};`,
          anyCopied
            ? 'the included file is copied (it runs changed, or with unsaved edits)'
            : 'relative to the config folder but outside it: read in place',
        );
        if (!anyCopied) for (const t of targets) b.readInPlace.add(t);
        if (!copied.has(d.file.uri)) copied.add(d.file.uri);
        changed = true;
      } else {
        for (const t of targets) b.readInPlace.add(t);
      }
    }
  }
  for (const p of copied) b.readInPlace.delete(p);

  // --- 7. The URL of the proven location, and where to connect.
  const derived = deriveEndpoint(loc, analysis.upstreams, { path: input.requestPath });
  let url: string | null = null;
  let urlProblem: string | null = null;
  let connect: { host: string; port: number } | null = null;
  const provenListens = provenServer ? [...own(provenServer, 'listen'), provenServer.directive!] : [];
  const chosen =
    (derived.listen && portOfListen.get(derived.listen)) ?? provenListens.map((d) => portOfListen.get(d)).find((x) => x) ?? null;
  if (derived.needsPath) urlProblem = derived.notes.join('; ') || 'the location needs a concrete request path';
  else if (!chosen) urlProblem = "the location's server does not listen anywhere the proof can connect to";
  else {
    const host = derived.serverName ?? 'localhost';
    url = `${derived.scheme}://${host}:${chosen.port}${derived.path ?? loc.locationPath}`;
    connect = chosen;
  }
  if (targetNote === null && !pp) b.caveat('this location has no proxy_pass: there is no backend to stand in for', loc.directive, locScope);

  // Certificates for the generated pair: every concrete server name of the config, and loopback.
  const names = new Set<string>(['localhost', '127.0.0.1', '::1']);
  for (const { d } of named('server_name'))
    for (const a of d.args) if (/^[A-Za-z0-9.-]+$/.test(a.value) && a.value.includes('.')) names.add(a.value);
  if (targetNote && !targetNote.includes('$') && !targetNote.startsWith('unix:')) names.add(hostOnly(targetNote).replace(/^\[|\]$/g, ''));
  for (const { d } of named('proxy_ssl_name')) if (d.arg(0) && !d.arg(0)!.includes('$')) names.add(d.arg(0)!);

  // --- 8. The copy.
  const out: PlannedFile[] = [];
  let confPath = '';
  for (const p of copied) {
    const f = files.get(p)!;
    let target = mapPath(p);
    if (p === input.root) {
      target = nodePath.join(confTarget, nodePath.basename(isDiskPath(p) ? p : 'nginx.conf'));
      if (inTree(p) && nodePath.dirname(nodePath.relative(confDir!, p)) === '.') target = mapPath(p);
      else if ([...copied].some((q) => q !== p && mapPath(q) === target)) target = nodePath.join(confTarget, 'nginx-ws-root.conf');
      confPath = target;
    }
    out.push({ original: p, target, text: applyOffsetEdits(f.text, b.edits.get(p) ?? []) });
  }
  for (const [p, list] of b.edits) if (list.length && !copied.has(p)) throw new Error(`internal: ${p} has edits but is not copied`);

  const locLog = (() => {
    for (let s: Scope | null = locScope; s; s = s.parent) {
      for (const d of own(s, 'error_log')) {
        const f = logFor.get(d);
        if (f) return f;
      }
    }
    return proofLog;
  })();

  const backMap: [string, string][] = out.map((f) => [f.target, f.original]);
  backMap.sort((x, y) => y[0].length - x[0].length);
  const toOriginal = (text: string): string => {
    let t = text;
    for (const [from, to] of backMap) t = t.split(from).join(to);
    return t.split(`${prefix}/`).join('(proof prefix)/').split(prefix).join('(proof prefix)');
  };

  return {
    files: out,
    copies: b.copies,
    confPath,
    globals,
    rewrites: b.rewrites,
    caveats: b.caveats,
    readInPlace: [...b.readInPlace].sort(),
    cert: needCert ? { cert: certPath, key: keyPath, names: [...names] } : null,
    url,
    urlProblem,
    connect,
    errorLogs,
    locationLog: locLog,
    dirs: ['conf', 'ext', 'logs', 'temp', 'cache', 'run', 'certs', 'work'].map((d) => nodePath.join(prefix, d)),
    ports,
    toOriginal,
  };
}

/** The nearest own directive of `name` from `scope` up through location, server and http. */
function nearestOwn(scope: Scope | null, name: string): Directive | null {
  for (let s = scope; s && s.kind !== 'main'; s = s.parent) {
    const l = own(s, name);
    if (l.length) return l[l.length - 1]!;
  }
  return null;
}

/**
 * What a rule is, and what it sees. Each rule lives in one file of this
 * folder with its metadata; its fixtures live in test/fixtures/rules/<id>/
 * (bad.conf, good.conf), and a meta-test checks that both exist.
 */
import type { Directive, Range, SourceFile } from '../syntax/ast';
import type { ConfigModel, Scope } from '../model/config';
import type { VariableDefinition } from '../model/variables';
import type { HeaderEntry, LocationInfo } from '../model/websocket';
import type { EngineSettings, Finding, Fix, RelatedInfo, Severity } from '../types';
import { insertAtTop, insertLines, fix } from '../fixes/edits';
import { directivesNamed, flatDirectives, own, subtreeDirectives, type Placed } from '../model/config';
import { contextProblems, contextProblemsIn, type ContextProblem } from '../features/context-check';
import { proxyUpstream } from '../model/websocket';
import type { RequestModel } from '../request/model';
import { trace, traceLocation, type Trace } from '../request/trace';
import { handshakeFor, handshakeMapValue, serverTarget, type LocationHandshake, type ServerTarget } from '../request/handshake';

/** A handshake to a WebSocket location and its trace. */
export interface LocationTrace {
  handshake: LocationHandshake;
  trace: Trace;
}

/** A handshake to a WebSocket location; its route, or null when the location search alone showed it lands here. */
export interface LocationRoute {
  handshake: LocationHandshake;
  trace: Trace | null;
}

/** Whether `scope` is `ancestor` or lies inside it. */
export function within(scope: Scope, ancestor: Scope): boolean {
  for (let s: Scope | null = scope; s; s = s.parent) if (s === ancestor) return true;
  return false;
}

/** Server-level directives that can move or end a request before the location search (rewrite module, third-party handlers). */
const SERVER_REWRITES = new Set(['set', 'rewrite', 'return', 'if', 'break', 'rewrite_by_lua', 'rewrite_by_lua_block', 'rewrite_by_lua_file', 'set_by_lua', 'set_by_lua_block', 'set_by_lua_file', 'perl_set', 'js_set']);
import type { FileEdit } from '../types';

export interface RuleMeta {
  id: string;
  defaultSeverity: Severity;
  /** One line: what is wrong. */
  title: string;
  /** Why it breaks WebSockets (or why it does not, for information rules), with the measured fact behind it. */
  why: string;
  /** Documentation: nginx.org or the README section. */
  href: string;
  /** nginx versions the rule applies to, e.g. "all" or "< 1.29.7". */
  versions: string;
  /** Why the rule offers no quick fix, for rules that cannot fix safely. */
  noFix?: string;
}

export interface Rule extends RuleMeta {
  check(ctx: RuleContext): void;
}

interface Spanned {
  file: SourceFile;
  start: number;
  end: number;
}

export interface Report {
  at: Spanned | { file: SourceFile; range: Range };
  message: string;
  /** Overrides the rule's default severity for this finding (e.g. a lenient snippet context). */
  severity?: Severity;
  related?: { at: Spanned; message: string }[];
  fixes?: Fix[];
}

/**
 * An incremental run checks one scope's subtree (a `server` whose block was
 * edited) instead of the whole config; what the rules need to know of the
 * rest comes from the previous whole run.
 */
export interface Focus {
  scope: Scope;
  /** The whole config's `webSocketsUseKeepalive`. */
  webSocketsUseKeepalive: boolean;
}

export class RuleContext {
  readonly findings: Finding[] = [];
  private current: Rule | null = null;

  constructor(
    readonly model: ConfigModel,
    readonly settings: EngineSettings,
    /** Every location of the config (of the focus, when there is one), classified. */
    readonly locations: LocationInfo[],
    /** Every variable definition of the whole config. */
    readonly definitions: Map<string, VariableDefinition[]>,
    /** True when the config has no `http {}`: a snippet whose includer is unknown. */
    readonly lenient: boolean,
    /** The request model over the same config: the rules judge traces of handshakes. */
    readonly requests: RequestModel,
    /** Check only this scope's subtree. */
    readonly focus?: Focus,
  ) {
    if (focus) this.keepaliveCache = focus.webSocketsUseKeepalive;
  }

  private wsCache?: LocationInfo[];
  private readonly traces = new Map<LocationInfo, LocationTrace | null>();
  private readonly routes = new Map<LocationInfo, LocationRoute | null>();

  private readonly handshakes = new Map<LocationInfo, LocationHandshake | null>();
  private readonly targets = new Map<Scope | null, ServerTarget>();

  private handshake(loc: LocationInfo): LocationHandshake | null {
    let hs = this.handshakes.get(loc);
    if (hs === undefined) {
      const node = this.requests.locations.nodeOf(loc.scope);
      let target = this.targets.get(loc.server);
      if (!target) this.targets.set(loc.server, (target = serverTarget(loc.server?.items ?? [])));
      hs = node ? handshakeFor(node, target) : null;
      this.handshakes.set(loc, hs);
    }
    return hs;
  }

  /**
   * The WebSocket handshake this location serves, traced from inside the
   * location: what its own configuration (rewrites, access, proxy settings)
   * does with the handshake, whatever routing leads there.
   */
  traceAt(loc: LocationInfo): LocationTrace | null {
    let t = this.traces.get(loc);
    if (t === undefined) {
      const hs = this.handshake(loc);
      t = hs ? { handshake: hs, trace: traceLocation(this.requests, loc.scope, hs.request, { nginxVersion: this.settings.nginxVersion, steps: false }) } : null;
      this.traces.set(loc, t);
    }
    return t;
  }

  /**
   * The same handshake sent by a client: where nginx really takes it (null
   * when the location has no concrete path). When it lands in this location
   * the route's `trace` is null (`traceAt` has what happens there): most
   * servers have no server-level rewrites, and then the location search
   * alone says so; otherwise, or when it lands elsewhere, the whole trace.
   */
  traceTo(loc: LocationInfo): LocationRoute | null {
    let t = this.routes.get(loc);
    if (t === undefined) {
      const hs = this.handshake(loc);
      t = null;
      if (hs?.concretePath && loc.server) {
        const opts = { nginxVersion: this.settings.nginxVersion, steps: false };
        let here = false;
        if (!loc.server.items.some((d) => SERVER_REWRITES.has(d.name))) {
          const found = this.requests.locations.find(loc.server, hs.request.target);
          // The search ends in this location, or in one nested in it (whose configuration inherits this one's).
          here = !found.uncertain && !!found.node && within(found.node.scope, loc.scope);
        } else here = trace(this.requests, hs.request, { ...opts, routeOnly: true }).visited.some((n) => within(n.scope, loc.scope));
        t = { handshake: hs, trace: here ? null : trace(this.requests, hs.request, opts) };
      }
      this.routes.set(loc, t);
    }
    return t;
  }

  /**
   * Whether the handshake, once in this location, is proxied from it (or
   * only the running server can tell). False when nginx answers first
   * (return, deny, a redirect...) or a rewrite takes it to another
   * location: the recipe rules then have nothing to judge, and the rules
   * that explain why speak instead.
   */
  proxiesHere(loc: LocationInfo): boolean {
    const at = this.traceAt(loc);
    if (!at) return true;
    const t = at.trace;
    if (t.location && t.location.scope !== loc.scope) return false;
    if (t.outcome.kind === 'unknown') return true;
    return t.proxy !== null;
  }
  private keepaliveCache?: boolean;
  private flatCache?: { directives: readonly Directive[]; scopes: readonly Scope[] };

  /** The directives to check (all of the config, or the focus's) and, at the same index, their scopes. */
  directives(): { readonly directives: readonly Directive[]; readonly scopes: readonly Scope[] } {
    return (this.flatCache ??= this.focus ? subtreeDirectives(this.focus.scope) : flatDirectives(this.model));
  }

  /** The directives of one name to check, with their scopes. */
  directivesNamed(name: string): readonly Placed[] {
    if (!this.focus) return directivesNamed(this.model, name);
    const { directives, scopes } = this.directives();
    const out: Placed[] = [];
    for (let i = 0; i < directives.length; i++) if (directives[i]!.name === name) out.push({ d: directives[i]!, scope: scopes[i]! });
    return out;
  }

  /** Context/argument problems to report, per file: every file's, or those of the focus's subtree. */
  contextProblems(): { file: SourceFile; problems: ContextProblem[] }[] {
    if (this.focus) {
      const d = this.focus.scope.directive!;
      return [{ file: d.file, problems: contextProblemsIn(d, { lenient: this.lenient, analysis: this }) }];
    }
    return [...this.model.files.values()].map((file) => ({ file, problems: this.contextProblemsOf(file) }));
  }

  /** Locations that proxy and carry WebSocket intent, except RFC 8441 extended CONNECT ones. */
  get webSocketLocations(): LocationInfo[] {
    return (this.wsCache ??= this.locations.filter((l) => l.intent !== null && l.proxyPass && !l.extendedConnect));
  }

  /** Some WebSocket location proxies to an upstream with keepalive. */
  get webSocketsUseKeepalive(): boolean {
    return (this.keepaliveCache ??= this.webSocketLocations.some((l) => {
      const u = proxyUpstream(this.model, l.proxyPass);
      return !!u && own(u, 'keepalive').length > 0;
    }));
  }

  run(rule: Rule): void {
    this.current = rule;
    try {
      rule.check(this);
    } finally {
      this.current = null;
    }
  }

  report(r: Report): void {
    const rule = this.current!;
    const override = this.settings.rules[rule.id];
    const severity: Severity = override && override !== 'off' ? override : (r.severity ?? rule.defaultSeverity);
    const range = 'range' in r.at ? r.at.range : r.at.file.rangeOf(r.at.start, r.at.end);
    const related: RelatedInfo[] | undefined = r.related?.map((x) => ({
      path: x.at.file.uri,
      range: x.at.file.rangeOf(x.at.start, x.at.end),
      message: x.message,
    }));
    this.findings.push({
      path: r.at.file.uri,
      range,
      severity,
      code: rule.id,
      message: r.message,
      href: rule.href,
      ...(related && related.length ? { related } : {}),
      fixes: r.fixes ?? [],
    });
  }

  private readonly contextChecks = new Map<SourceFile, ContextProblem[]>();

  /** Context/argument problems of a file, computed once for the rules that share them. */
  contextProblemsOf(file: SourceFile): ContextProblem[] {
    let p = this.contextChecks.get(file);
    if (!p) this.contextChecks.set(file, (p = contextProblems(file, { lenient: this.lenient, analysis: this })));
    return p;
  }

  hasMap(name: string): boolean {
    return this.definitions.has(name);
  }

  /** The `http` scope that holds this location (or the first http of the config). */
  httpScope(scope?: Scope): Scope | null {
    for (let s = scope ?? null; s; s = s.parent) if (s.kind === 'http') return s;
    return this.model.scopes.get('http')?.[0] ?? null;
  }
}

/** The head of a block directive: name and arguments, without the block. */
export function head(d: Directive): { file: SourceFile; start: number; end: number } {
  const last = d.args[d.args.length - 1];
  return { file: d.file, start: d.start, end: last ? last.end : d.nameToken.end };
}

/** The last effective header of a name (lower case), as `[...loc.headers].reverse().find(...)` without the copy. */
export function lastHeader(loc: LocationInfo, name: string): HeaderEntry | undefined {
  const hs = loc.headers;
  for (let i = hs.length - 1; i >= 0; i--) if (hs[i]!.name === name) return hs[i];
  return undefined;
}

export function describeLocation(d: Directive): string {
  return `location ${d.args.map((a) => a.raw).join(' ')}`.trim();
}

/**
 * Lines to add to a location. When the location has no `proxy_set_header`
 * of its own but inherits a list, adding one would hide the inherited list
 * (nginx replaces, not merges), so the inherited lines are copied in too.
 */
export function addToLocation(loc: LocationInfo, lines: string[], title: string): Fix {
  const block = loc.directive.block!;
  const out = [...lines];
  const addsHeader = lines.some((l) => l.startsWith('proxy_set_header '));
  if (addsHeader && loc.headersFrom && loc.headersFrom !== loc.scope) {
    const copied = loc.headers.map((h) => normalise(h.directive.text));
    out.unshift(...copied.filter((c) => !lines.includes(c)));
  }
  return fix(title, [insertLines(block, out)]);
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\s*;$/, ';');
}

export function connectionValue(ctx: RuleContext): string {
  const v = upgradeMapVariable(ctx);
  return v ? `$${v}` : '"upgrade"';
}

/**
 * The variable a `map $http_upgrade $NAME` of this config defines
 * (`connection_upgrade` first), so a fix reuses the map that is there under
 * whatever name instead of adding a second one; null when there is none.
 */
export function upgradeMapVariable(ctx: RuleContext): string | null {
  // Only a map that yields `upgrade` for a WebSocket handshake is worth reusing (the request model evaluates it).
  const yields = (name: string) => {
    const v = handshakeMapValue(ctx.requests, name);
    return v !== null && v.split(',').some((t) => t.trim().toLowerCase() === 'upgrade');
  };
  if (ctx.hasMap('connection_upgrade') && yields('connection_upgrade')) return 'connection_upgrade';
  for (const m of ctx.model.scopes.get('map') ?? []) {
    const d = m.directive;
    const name = d?.args[1]?.value;
    if (d?.args[0]?.value === '$http_upgrade' && name?.startsWith('$') && ctx.hasMap(name.slice(1)) && yields(name.slice(1))) return name.slice(1);
  }
  return null;
}

/**
 * The `map $http_upgrade $connection_upgrade` block this config needs, at the
 * top of http {}. Every rule that adds it asks here, so two fixes add the
 * identical block (and fix-all adds it once). When a WebSocket location
 * proxies to an upstream with keepalive, `'' ''` keeps keep-alive for plain
 * requests where `'' close` would defeat it.
 */
export function connectionUpgradeMap(ctx: RuleContext, scope?: Scope): FileEdit | null {
  const http = ctx.httpScope(scope);
  if (!http?.directive?.block) return null;
  return insertAtTop(http.directive.block, ['map $http_upgrade $connection_upgrade {', '    default upgrade;', `    ''      ${ctx.webSocketsUseKeepalive ? "''" : 'close'};`, '}']);
}

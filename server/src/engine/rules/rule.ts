/**
 * What a rule is, and what it sees. Each rule lives in one file of this
 * folder with its metadata; its fixtures live in test/fixtures/rules/<id>/
 * (bad.conf, good.conf), and a meta-test checks that both exist.
 */
import type { Directive, Range, SourceFile } from '../syntax/ast';
import type { ConfigModel, Scope } from '../model/config';
import type { VariableDefinition } from '../model/variables';
import type { LocationInfo } from '../model/websocket';
import { FINDING_LIMITS, type EngineSettings, type Finding, type Fix, type RelatedInfo, type Severity } from '../types';
import { insertAtTop, insertLines, fix } from '../fixes/edits';
import { directivesNamed, flatDirectives, hasOwn, own, ownFirst, someNamed, subtreeDirectives, type DirectiveList } from '../model/config';
import { contextProblems, contextProblemsIn, type ContextProblem } from '../model/context-check';
import { proxyUpstream } from '../model/websocket';
import type { RequestModel } from '../request/model';
import { TextMemo } from '../model/text-memo';
import type { CheckCache } from '../model/version-check';
import { Evaluator, type RequestState } from '../request/evaluate';
import { parseComplex, type Value } from '../request/values';
import { trace, traceLocation, type Trace } from '../request/trace';
import {
  GENERIC_HANDSHAKE,
  handshakeFor,
  handshakeMapValue,
  samplePath,
  serverTarget,
  type LocationHandshake,
  type ServerTarget,
} from '../request/handshake';

/** A handshake to a WebSocket location and its trace. */
export interface LocationTrace {
  handshake: LocationHandshake;
  trace: Trace;
}

/** A handshake to a WebSocket location and its route: both null when the location search alone showed it lands here. */
export type LocationRoute = { handshake: null; trace: null } | { handshake: LocationHandshake; trace: Trace };

/** The route of a handshake the location search alone takes to its location: one shared answer, not one per location. */
const LANDS_HERE: LocationRoute = Object.freeze({ handshake: null, trace: null });

/** Whether `scope` is `ancestor` or lies inside it. */
export function within(scope: Scope, ancestor: Scope): boolean {
  for (let s: Scope | null = scope; s; s = s.parent) if (s === ancestor) return true;
  return false;
}

/** Location directives that change the flow of a request through it (rewrite module, precontent, access, content). */
const FLOW = new Set([
  'set',
  'rewrite',
  'return',
  'if',
  'break',
  'try_files',
  'error_page',
  'internal',
  'auth_request',
  'auth_basic',
  'allow',
  'deny',
  'limit_except',
  'satisfy',
  'mirror',
]);
/** Third-party phase handlers the trace cannot follow. */
const OPAQUE_FLOW = /_by_lua|^perl$|^js_(content|access)$/;
/** Whether a directive name moves or ends a request (FLOW or OPAQUE_FLOW), memoized: names repeat, the regex is the cost. */
const flowNames = new TextMemo<boolean>(Infinity);
function movesRequest(name: string): boolean {
  return flowNames.get(name) ?? flowNames.remember(name, FLOW.has(name) || OPAQUE_FLOW.test(name));
}
/** Access directives a location inherits. */
const ACCESS = ['allow', 'deny', 'auth_basic', 'auth_request'];
/** Scopes through which settings inherit (as in model/config.ts). */
const INHERITING = new Set(['http', 'server', 'location', 'if', 'limit_except']);

/** Server-level directives that can move or end a request before the location search (rewrite module, third-party handlers). */
const SERVER_REWRITES = new Set([
  'set',
  'rewrite',
  'return',
  'if',
  'break',
  'rewrite_by_lua',
  'rewrite_by_lua_block',
  'rewrite_by_lua_file',
  'set_by_lua',
  'set_by_lua_block',
  'set_by_lua_file',
  'perl_set',
  'js_set',
]);
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

/**
 * One rule's findings in one file, for the cap: how many kept count against it, and the lines of
 * those kept before the file's suppressions were read (null once they were, on first reaching the
 * cap; `suppressed` then says which findings do not count).
 */
interface Tally {
  key: string;
  n: number;
  lines: number[] | null;
  suppressed: ((line: number, code: string) => boolean) | null;
}

/** What one run of the rules computes once and shares: the checks' (CheckCache) and the rules' own. */
export interface RunCache extends CheckCache {
  /** The variable of the `map $http_upgrade` a Connection fix reuses, null when there is none (`upgradeMapVariable`). */
  upgradeMapVariable?: string | null;
}

export class RuleContext {
  readonly findings: Finding[] = [];
  /** Findings not kept because their rule already reported FINDING_LIMITS.perRulePerFile in that file: where the first was, how many. */
  readonly overflow = new Map<string, { rule: Rule; path: string; range: Range; count: number }>();
  /**
   * The inline suppressions of a file, as `applySuppressions` reads them (analyze sets it; the
   * engine's suppressions module imports the rules, so it is handed in rather than imported).
   * A suppressed finding does not count against the cap: it is kept for `applySuppressions`.
   */
  suppressedIn: (file: SourceFile) => ((line: number, code: string) => boolean) | null = () => null;
  private readonly counts = new Map<string, Tally>();
  private readonly suppressionChecks = new Map<SourceFile, ((line: number, code: string) => boolean) | null>();
  private current: Rule | null = null;
  /** What the checks of this run share (version problems, variable uses, the map a fix reuses): computed once, for every rule that asks. */
  readonly cache: RunCache = {};

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
      t = hs
        ? {
            handshake: hs,
            trace: traceLocation(this.requests, loc.scope, hs.request, { nginxVersion: this.settings.nginxVersion, steps: false }),
          }
        : null;
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
      t = null;
      const node = loc.server ? this.requests.locations.nodeOf(loc.scope) : null;
      const path = node ? samplePath(node) : null;
      if (node && path !== null && loc.server) {
        const opts = { nginxVersion: this.settings.nginxVersion, steps: false };
        let here: boolean;
        if (!loc.server.items.some((d) => SERVER_REWRITES.has(d.name))) {
          // The search ends in this location, or in one nested in it (whose configuration inherits this one's).
          const found = this.requests.locations.find(loc.server, path);
          here = !found.uncertain && !!found.node && within(found.node.scope, loc.scope);
        } else {
          const hs = this.handshake(loc)!;
          here = trace(this.requests, hs.request, { ...opts, routeOnly: true }).visited.some((n) => within(n.scope, loc.scope));
        }
        if (here) t = LANDS_HERE;
        else {
          const hs = this.handshake(loc)!;
          t = { handshake: hs, trace: trace(this.requests, hs.request, opts) };
        }
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
    if (this.plainFlow(loc)) return true;
    const at = this.traceAt(loc);
    if (!at) return true;
    const t = at.trace;
    if (t.location && t.location.scope !== loc.scope) return false;
    if (t.outcome.kind === 'unknown') return true;
    return t.proxy !== null;
  }

  private readonly plain = new Map<LocationInfo, boolean>();
  private readonly levelAccess = new Map<Scope, boolean>();
  private readonly serverRewrites = new Map<Scope, boolean>();
  private accessScopes?: Set<Scope>;

  /** Whether a level has allow/deny/auth_basic/auth_request of its own. */
  private hasAccess(s: Scope): boolean {
    // A whole analysis reads the model's index once; a focused one (an edit) asks each level it meets.
    if (!this.focus) {
      if (!this.accessScopes) {
        this.accessScopes = new Set();
        for (const n of ACCESS) for (const s of directivesNamed(this.model, n).scopes) this.accessScopes.add(s);
      }
      return this.accessScopes.has(s);
    }
    let a = this.levelAccess.get(s);
    if (a === undefined) this.levelAccess.set(s, (a = ACCESS.some((n) => own(s, n).length > 0)));
    return a;
  }

  /**
   * Whether any directive `name` of the config passes `test`: lets a rule
   * that needs one (a 0 timeout, a hidden Upgrade) skip every location when
   * there is none. A focused analysis (an edit) answers true: its
   * locations are few, and the model's index would be rebuilt for it.
   */
  anywhere(name: string, test: (d: Directive) => boolean): boolean {
    if (this.focus || this.forceTraces) return true;
    return someNamed(this.model, name, test);
  }

  /**
   * Whether entering this location can only end at its own proxy_pass: it
   * has no rewrite-module directive, no `if`/`limit_except` block, no
   * try_files, error_page, `internal`, auth_request or third-party handler,
   * no level it inherits from has allow/deny/auth_basic/auth_request, and
   * its server has no rewrite phase of its own. Then the trace's flow is known without running it, and only the values
   * a rule reads need evaluating (`handshakeValue`); the rules ask the full
   * trace for everything else. `forceTraces` turns this off (the test that
   * holds the shortcut to the full trace).
   */
  plainFlow(loc: LocationInfo): boolean {
    if (this.forceTraces) return false;
    let p = this.plain.get(loc);
    if (p !== undefined) return p;
    p = !!loc.proxyPass && loc.proxyPass.parentBlock === loc.directive.block;
    // Indexed loops: asked for every WebSocket location, often while the code is still interpreted (no iterator objects then).
    const { items, children } = loc.scope;
    for (let i = 0; p && i < items.length; i++) if (movesRequest(items[i]!.name)) p = false;
    for (let i = 0; p && i < children.length; i++) if (children[i]!.kind === 'if' || children[i]!.kind === 'limit_except') p = false;
    for (let s: Scope | null = loc.scope; p && s && INHERITING.has(s.kind); s = s.parent) if (this.hasAccess(s)) p = false;
    // The server's rewrite phase (a `set` a value reads, a return) runs before the location: the trace follows it.
    if (p && loc.server) {
      let r = this.serverRewrites.get(loc.server);
      if (r === undefined) this.serverRewrites.set(loc.server, (r = loc.server.items.some((d) => SERVER_REWRITES.has(d.name))));
      if (r) p = false;
    }
    this.plain.set(loc, p);
    return p;
  }

  /** Full traces for every question (the shortcuts off): the oracle the shortcut test compares with. */
  forceTraces = false;

  private readonly evaluators = new Map<LocationInfo, Evaluator | null>();
  private readonly headerValues = new Map<string, { value: Value; mapRows: Directive[] }>();
  private readonly headerOnly = new Map<string, boolean>();

  /**
   * Whether a value depends on nothing but the handshake's own headers other
   * than Host (`$http_upgrade`, a map on it...): then it is the same for every
   * location's handshake. Captures, `$host`, the URI, the client and the
   * proxy target make it depend on the location.
   */
  private headersOnly(raw: string, depth = 0): boolean {
    let known = depth === 0 ? this.headerOnly.get(raw) : undefined;
    if (known !== undefined) return known;
    known = depth <= 8;
    for (const p of known ? parseComplex(raw) : []) {
      if (p.kind === 'literal') continue;
      // A map value's captures come from the map's own regex, decided by its source.
      if (p.kind === 'capture') {
        if (depth === 0) known = false;
        continue;
      }
      const name = p.text.toLowerCase();
      if (name.startsWith('http_') && name !== 'http_host') continue;
      const map = this.requests.variables.map(p.text);
      if (
        !map ||
        !this.headersOnly(map.source, depth + 1) ||
        ![
          map.defaultValue.value,
          ...[...map.exact.values()].map((r) => r.value),
          ...map.wildcards.map((w) => w.value),
          ...map.regexes.map((r) => r.value),
        ].every((v) => this.headersOnly(v, depth + 1))
      ) {
        known = false;
        break;
      }
    }
    if (depth === 0) this.headerOnly.set(raw, known);
    return known;
  }

  /** An evaluator for the handshake as it enters a plain-flow location (no `set` runs there): one per location. */
  private evaluatorAt(loc: LocationInfo): Evaluator | null {
    let ev = this.evaluators.get(loc);
    if (ev === undefined) {
      const hs = this.handshake(loc);
      const node = this.requests.locations.nodeOf(loc.scope);
      ev = null;
      if (hs && node) {
        const captures = node.regex?.ok ? node.regex.exec(hs.request.target) : null;
        const first = loc.server ? ownFirst(loc.server, 'server_name')?.arg(0)?.toLowerCase() : undefined;
        const state: RequestState = {
          req: hs.request,
          uri: hs.request.target,
          args: '',
          captures,
          vars: new Map(),
          serverName: first && !first.startsWith('~') ? first : '',
          nginxVersion: this.settings.nginxVersion,
          mapCache: new Map(),
          used: [],
        };
        ev = new Evaluator(this.requests.variables, state);
      }
      this.evaluators.set(loc, ev);
    }
    return ev;
  }

  /**
   * What a `proxy_set_header` line of this location's list sends for its
   * handshake, as the trace's proxy phase evaluates it ('' when nothing is
   * sent), with the map rows that decided it; null when the handshake is not
   * proxied from here. For a plain-flow location (no `set`, no rewrites) the
   * value is the handshake's own evaluation with the location regex's
   * captures; otherwise, or for a value that needs the proxy target
   * (`$proxy_host`), the full trace's.
   */
  handshakeValue(loc: LocationInfo, line: Directive): { value: Value; mapRows: Directive[] } | null {
    const raw = line.arg(1) ?? '';
    if (this.plainFlow(loc) && this.headersOnly(raw)) {
      // The same for every location's handshake: evaluated once.
      let v = this.headerValues.get(raw);
      if (!v) {
        const state: RequestState = {
          req: GENERIC_HANDSHAKE,
          uri: '/',
          args: '',
          captures: null,
          vars: new Map(),
          serverName: '',
          nginxVersion: this.settings.nginxVersion,
          mapCache: new Map(),
          used: [],
        };
        const value = new Evaluator(this.requests.variables, state).complex(raw);
        this.headerValues.set(raw, (v = { value, mapRows: state.used.map((u) => u.directive) }));
      }
      return v;
    }
    if (this.plainFlow(loc) && !/\$\{?proxy_(host|port)\b/i.test(raw)) {
      const ev = this.evaluatorAt(loc);
      if (!ev) return null;
      const from = ev.state.used.length;
      const value = ev.complex(raw);
      return { value, mapRows: ev.state.used.slice(from).map((u) => u.directive) };
    }
    const t = this.traceAt(loc)?.trace;
    if (!t?.backendRequest) return null;
    const h = t.backendRequest.headers.find((x) => x.from === line);
    if (h) return { value: h.value, mapRows: h.decidedBy ?? [] };
    return { value: '', mapRows: t.backendRequest.dropped.find((x) => x.directive === line)?.decidedBy ?? [] };
  }
  private keepaliveCache?: boolean;
  private flatCache?: DirectiveList;

  /** The directives to check (all of the config, or the focus's) and, at the same index, their scopes. */
  directives(): DirectiveList {
    return (this.flatCache ??= this.focus ? subtreeDirectives(this.focus.scope) : flatDirectives(this.model));
  }

  /** The directives of one name to check, with their scopes. */
  directivesNamed(name: string): DirectiveList {
    if (!this.focus) return directivesNamed(this.model, name);
    const { directives, scopes } = this.directives();
    const out = { directives: [] as Directive[], scopes: [] as Scope[] };
    for (let i = 0; i < directives.length; i++) {
      if (directives[i]!.name !== name) continue;
      out.directives.push(directives[i]!);
      out.scopes.push(scopes[i]!);
    }
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

  /** Locations that proxy and carry WebSocket intent. */
  get webSocketLocations(): LocationInfo[] {
    return (this.wsCache ??= this.locations.filter((l) => l.intent !== null && l.proxyPass));
  }

  /** Some WebSocket location proxies to an upstream with keepalive. */
  get webSocketsUseKeepalive(): boolean {
    return (this.keepaliveCache ??= this.webSocketLocations.some((l) => {
      const u = proxyUpstream(this.model, l.proxyPass);
      return !!u && hasOwn(u, 'keepalive');
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

  /**
   * Whether the running rule has reached its cap (FINDING_LIMITS.perRulePerFile) in `file`: what it
   * reports there from now on is only counted for the summary (or, when suppressed, dropped), so a
   * rule with many findings may skip building their fixes. It must still report each one.
   */
  atCap(file: SourceFile): boolean {
    return this.tally(file).n >= FINDING_LIMITS.perRulePerFile;
  }

  /** The running rule's count in `file`, made exact (the file's suppressions read) once it reaches the cap. */
  private tally(file: SourceFile): Tally {
    const key = `${this.current!.id}\u0000${file.uri}`;
    let c = this.counts.get(key);
    if (!c) this.counts.set(key, (c = { key, n: 0, lines: [], suppressed: null }));
    if (c.lines && c.n >= FINDING_LIMITS.perRulePerFile) {
      let check = this.suppressionChecks.get(file);
      if (check === undefined) this.suppressionChecks.set(file, (check = this.suppressedIn(file)));
      if (check) {
        const id = this.current!.id;
        c.n = c.lines.filter((line) => !check(line, id)).length;
      }
      c.suppressed = check;
      c.lines = null;
    }
    return c;
  }

  report(r: Report): void {
    const rule = this.current!;
    const file = r.at.file;
    // A hostile file can make a rule fire 800,000 times: past the cap, count instead of building findings.
    const c = this.tally(file);
    let at: Range | undefined;
    const rangeNow = () => (at ??= 'range' in r.at ? r.at.range : file.rangeOf(r.at.start, r.at.end));
    // A suppressed finding is kept for applySuppressions (which drops it) and does not count.
    const counts = !c.suppressed?.(rangeNow().start.line, rule.id);
    if (counts && c.n >= FINDING_LIMITS.perRulePerFile) {
      const o = this.overflow.get(c.key);
      if (o) o.count++;
      else this.overflow.set(c.key, { rule, path: file.uri, range: rangeNow(), count: 1 });
      return;
    }
    if (counts) {
      c.n++;
      c.lines?.push(rangeNow().start.line);
    }
    const override = this.settings.rules[rule.id];
    const severity: Severity = override && override !== 'off' ? override : (r.severity ?? rule.defaultSeverity);
    const range = rangeNow();
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

/** A location as written in the file (its arguments' raw text), for finding messages. */
export function locationAsWritten(d: Directive): string {
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
  // The same for every location of one analysis: asked once per finding, evaluated once per context.
  if (ctx.cache.upgradeMapVariable === undefined) ctx.cache.upgradeMapVariable = findUpgradeMapVariable(ctx);
  return ctx.cache.upgradeMapVariable;
}

function findUpgradeMapVariable(ctx: RuleContext): string | null {
  // Only a map that yields `upgrade` for a WebSocket handshake is worth reusing (the request model evaluates it).
  const yields = (name: string) => {
    const v = handshakeMapValue(ctx.requests, name);
    return v !== null && v.split(',').some((t) => t.trim().toLowerCase() === 'upgrade');
  };
  if (ctx.hasMap('connection_upgrade') && yields('connection_upgrade')) return 'connection_upgrade';
  for (const m of ctx.model.scopes.get('map') ?? []) {
    const d = m.directive;
    const name = d?.arg(1);
    if (d?.arg(0) === '$http_upgrade' && name?.startsWith('$') && ctx.hasMap(name.slice(1)) && yields(name.slice(1))) return name.slice(1);
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
  return insertAtTop(http.directive.block, [
    'map $http_upgrade $connection_upgrade {',
    '    default upgrade;',
    `    ''      ${ctx.webSocketsUseKeepalive ? "''" : 'close'};`,
    '}',
  ]);
}

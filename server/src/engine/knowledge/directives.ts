/**
 * What nginx knows about its directives: where each may appear and how many
 * arguments it takes (nginx's own `ngx_command_t` tables, read from its
 * sources at every release tag: `data/nginx.ts`), when it appeared, changed
 * or went away, and whose it is: nginx's own modules, NGINX Plus, njs and
 * the other modules NGINX publishes apart (from `@nginx/reference-lib`), or
 * a common third-party module (from that module's own sources). Syntax,
 * default and description come from the official reference on first read.
 *
 * A name may have several entries (`server` in http, upstream, stream and
 * mail; `proxy_pass` in http and stream): `lookupDirective` returns them all,
 * `directiveFor` picks the one for a context. `test/integration/knowledge-
 * nginx.test.ts` holds contexts and argument counts to a real nginx binary.
 */
import { DIRECTIVES, REFERENCE_ONLY, THIRD_PARTY, THIRD_PARTY_MODULES } from './data/nginx';
import { moduleUrl, plainSyntax, referenceDirective } from './reference';
import { compareVersions } from './versions';

export type Context =
  | 'main'
  | 'events'
  | 'http'
  | 'server'
  | 'location'
  | 'server-if'
  | 'location-if'
  | 'limit_except'
  | 'upstream'
  | 'stream'
  | 'stream-server'
  | 'stream-upstream'
  | 'mail'
  | 'mail-server';

export const ALL_CONTEXTS: readonly Context[] = [
  'main',
  'events',
  'http',
  'server',
  'location',
  'server-if',
  'location-if',
  'limit_except',
  'upstream',
  'stream',
  'stream-server',
  'stream-upstream',
  'mail',
  'mail-server',
];

/** How nginx labels a context in its docs ("Context: http, server, location"). */
export const CONTEXT_LABELS: Record<Context, string> = {
  main: 'main',
  events: 'events',
  http: 'http',
  server: 'server',
  location: 'location',
  'server-if': 'if in server',
  'location-if': 'if in location',
  limit_except: 'limit_except',
  upstream: 'upstream',
  stream: 'stream',
  'stream-server': 'server (stream)',
  'stream-upstream': 'upstream (stream)',
  mail: 'mail',
  'mail-server': 'server (mail)',
};

/** The subsystem a context belongs to (`stream-server` → stream), for wording messages. */
export function subsystemOf(ctx: Context): 'core' | 'http' | 'stream' | 'mail' {
  if (ctx === 'main' || ctx === 'events') return 'core';
  if (ctx.startsWith('stream')) return 'stream';
  if (ctx.startsWith('mail')) return 'mail';
  return 'http';
}

/**
 * Argument count in nginx's terms: NGX_CONF_NOARGS, TAKE1..TAKE7 and their
 * unions (TAKE12, TAKE123 ...), FLAG (exactly one: on|off), 1MORE, 2MORE, ANY.
 */
export interface ArgSpec {
  /** Allowed counts for TAKEn unions; empty for FLAG/1MORE/2MORE/ANY. */
  counts: number[];
  flag: boolean;
  /** At least this many, no upper bound (1MORE: 1, 2MORE: 2, ANY or not known: 0). */
  atLeast?: number;
}

/**
 * Whose directive it is. `nginx`: nginx's own sources. `plus`: NGINX Plus
 * only. `njs`, `otel`, `acme`: modules NGINX publishes apart from nginx
 * (loaded with load_module). `removed`: documented, gone before 1.18.
 * `third-party`: a common module of someone else (OpenResty's Lua, ...).
 */
export type Origin = 'nginx' | 'plus' | 'njs' | 'otel' | 'acme' | 'removed' | 'third-party';

/** One state of a directive's history, from `since` on. */
export interface DirectiveState {
  /** First nginx version with this state; '' when it predates the versions scanned and no note says when. */
  since: string;
  /** False: nginx no longer has the directive from `since` on. */
  present: boolean;
  contexts: Context[];
  args: ArgSpec;
  block: boolean;
  /** Accepted with a "deprecated"/"obsolete" warning naming this replacement ('' = none). */
  deprecated?: string;
  /** Obsolete: nginx ignores the value (a "deprecated" directive is still applied). */
  ignored?: boolean;
}

export interface DirectiveInfo {
  name: string;
  /** Contexts of its latest state in which nginx has it. */
  contexts: Context[];
  /** True for `include`, allowed anywhere. */
  anyContext: boolean;
  args: ArgSpec;
  /** Takes a `{ ... }` block (NGX_CONF_BLOCK). */
  block: boolean;
  /** Documentation module (`ngx_http_proxy_module`), or the third-party module's name. */
  module: string;
  origin: Origin;
  /** nginx's own directives: every state since the first version scanned (oldest first). */
  history: readonly DirectiveState[];
  url: string;
  /** Argument part of the first syntax line (`time`, `on | off`), from the reference; '' when not documented. */
  readonly syntax: string;
  /** Every syntax line's argument part. */
  readonly syntaxes: readonly string[];
  /** Default as the docs write it; '' when there is none. */
  readonly default: string;
  /** Description (Markdown), from the reference; a short note for third-party directives. */
  readonly doc: string;
}

const CTX: Record<string, Context> = {
  M: 'main',
  E: 'events',
  H: 'http',
  S: 'server',
  L: 'location',
  SIF: 'server-if',
  LIF: 'location-if',
  LMT: 'limit_except',
  U: 'upstream',
  ST: 'stream',
  STS: 'stream-server',
  STU: 'stream-upstream',
  ML: 'mail',
  MLS: 'mail-server',
};

function contextsOf(codes: string, name: string): Context[] {
  if (codes === '*') return [...ALL_CONTEXTS];
  return codes.split(' ').map((c) => {
    const v = CTX[c];
    if (!v) throw new Error(`knowledge: unknown context code ${c} for ${name}`);
    return v;
  });
}

function parseArgs(code: string): { args: ArgSpec; block: boolean } {
  const block = code.endsWith('B');
  const c = block ? code.slice(0, -1) : code;
  if (c === 'flag') return { args: { counts: [], flag: true }, block };
  const more = /^(\d)\+$/.exec(c);
  if (more) return { args: { counts: [], flag: false, atLeast: Number(more[1]) }, block };
  return { args: { counts: [...c].map(Number), flag: false }, block };
}

const NOT_CHECKED: ArgSpec = { counts: [], flag: false, atLeast: 0 };

const ORIGIN_NOTE: Record<Origin, string> = {
  nginx: '',
  plus: 'NGINX Plus only: open-source nginx does not have this directive.',
  njs: 'njs (NGINX JavaScript): a module NGINX publishes apart from nginx; load it with `load_module modules/ngx_http_js_module.so;` (or `ngx_stream_js_module.so`).',
  otel: 'nginx-otel: an OpenTelemetry module NGINX publishes apart from nginx; load it with `load_module modules/ngx_otel_module.so;`.',
  acme: "nginx-acme: an ACME (Let's Encrypt) module NGINX publishes apart from nginx; load it with `load_module modules/ngx_http_acme_module.so;`.",
  removed: 'Removed from nginx (see the documentation for the version and the replacement).',
  'third-party': '',
};

class Entry implements DirectiveInfo {
  anyContext: boolean;
  private docCache?: { syntaxes: string[]; default: string; doc: string };

  constructor(
    readonly name: string,
    readonly contexts: Context[],
    readonly args: ArgSpec,
    readonly block: boolean,
    readonly module: string,
    readonly origin: Origin,
    readonly history: readonly DirectiveState[],
    readonly url: string,
    private readonly thirdPartyNote = '',
  ) {
    this.anyContext = contexts.length === ALL_CONTEXTS.length;
  }

  private docs(): { syntaxes: string[]; default: string; doc: string } {
    if (this.docCache) return this.docCache;
    const ref = this.origin === 'third-party' ? undefined : referenceDirective(this.name, this.module);
    const note = this.origin === 'third-party' ? this.thirdPartyNote : ORIGIN_NOTE[this.origin];
    const syntaxes = ref
      ? ref.syntax.map((s) =>
          plainSyntax(s)
            .replace(/\s*\{\.\.\.\}$/, ' { ... }')
            .trim(),
        )
      : [];
    const doc = [note, ref?.description ?? ''].filter(Boolean).join('\n\n');
    return (this.docCache = { syntaxes, default: ref?.default.trim() ?? '', doc });
  }

  get syntax(): string {
    return this.docs().syntaxes[0] ?? '';
  }

  get syntaxes(): readonly string[] {
    return this.docs().syntaxes;
  }

  get default(): string {
    return this.docs().default;
  }

  get doc(): string {
    return this.docs().doc;
  }
}

function build(): Map<string, DirectiveInfo[]> {
  const out = new Map<string, DirectiveInfo[]>();
  const add = (e: DirectiveInfo) => {
    const list = out.get(e.name);
    if (list) list.push(e);
    else out.set(e.name, [e]);
  };
  for (const [name, module, states] of DIRECTIVES) {
    const history: DirectiveState[] = states.map(([since, codes, argCode, deprecated, ignored]) => {
      if (codes === '-') return { since, present: false, contexts: [], args: NOT_CHECKED, block: false };
      const { args, block } = parseArgs(argCode);
      return {
        since,
        present: true,
        contexts: contextsOf(codes, name),
        args,
        block,
        ...(deprecated !== undefined ? { deprecated } : {}),
        ...(ignored ? { ignored: true } : {}),
      };
    });
    const last = [...history].reverse().find((s) => s.present)!;
    add(new Entry(name, last.contexts, last.args, last.block, module, 'nginx', history, `${moduleUrl(module)}#${name}`));
  }
  for (const [name, module, codes, block, origin] of REFERENCE_ONLY) {
    add(new Entry(name, contextsOf(codes, name), NOT_CHECKED, block, module, origin as Origin, [], `${moduleUrl(module)}#${name}`));
  }
  for (const [name, m, codes, argCode] of THIRD_PARTY) {
    const [label, docs] = THIRD_PARTY_MODULES[m]!;
    const { args, block } = parseArgs(argCode);
    const note = `From **${label}**, a third-party module: nginx knows this directive only when that module is built in or loaded with \`load_module\`.`;
    add(new Entry(name, contextsOf(codes, name), args, block, label, 'third-party', [], `${docs}${name}`, note));
  }
  return out;
}

/** Built on first use, not when the server starts: its first lint needs it, its `initialize` answer does not. */
let built: Map<string, DirectiveInfo[]> | undefined;
function table(): Map<string, DirectiveInfo[]> {
  return (built ??= build());
}

/** Every directive name in the table. */
export function directiveNames(): IterableIterator<string> {
  return table().keys();
}

/** All entries for a name (several for `server`, `listen`, `proxy_pass` ...); empty when unknown. */
export function lookupDirective(name: string): readonly DirectiveInfo[] {
  return table().get(name) ?? [];
}

/** The entry valid in `ctx`, else the first entry for the name. */
export function directiveFor(name: string, ctx: Context | null): DirectiveInfo | undefined {
  const list = table().get(name);
  if (!list) return undefined;
  if (ctx) for (const d of list) if (d.contexts.includes(ctx)) return d;
  return list[0];
}

export function isAllowedIn(name: string, ctx: Context): boolean {
  const list = table().get(name);
  return !!list && list.some((d) => d.contexts.includes(ctx));
}

/** Entries allowed in a context, one per name (nginx's own first, then the others). */
export function directivesIn(ctx: Context): DirectiveInfo[] {
  const out: DirectiveInfo[] = [];
  for (const list of table().values()) {
    const d = list.find((x) => x.contexts.includes(ctx));
    if (d) out.push(d);
  }
  return out;
}

export function argCountOk(spec: ArgSpec, n: number): boolean {
  if (spec.flag) return n === 1;
  if (spec.atLeast !== undefined) return n >= spec.atLeast;
  return spec.counts.includes(n);
}

/** Human form of the argument count ("1 or 2 arguments"). */
export function describeArgCount(spec: ArgSpec): string {
  if (spec.flag) return 'on | off';
  if (spec.atLeast !== undefined) return spec.atLeast === 0 ? 'any number of arguments' : `${spec.atLeast} or more arguments`;
  const c = spec.counts;
  if (c.length === 1) return c[0] === 0 ? 'no arguments' : `${c[0]} argument${c[0] === 1 ? '' : 's'}`;
  return `${c.slice(0, -1).join(', ')} or ${c[c.length - 1]} arguments`;
}

/** The syntax line as nginx.org shows it: `proxy_read_timeout time;` / `location [ = | ~ | ~* | ^~ ] uri { ... }`. */
export function syntaxLine(d: DirectiveInfo, syntax = d.syntax): string {
  const body = syntax ? `${d.name} ${syntax}` : d.name;
  return d.block || /\{ \.\.\. \}$/.test(body) ? body : `${body};`;
}

/**
 * Values a completion can offer for an argument, from the syntax line:
 * `on | off`, `1.0 | 1.1 | 2`, `all | any`. Only for single-word alternatives.
 */
export function enumValues(d: DirectiveInfo): string[] {
  if (d.args.flag) return ['on', 'off'];
  if (!d.syntax.includes('|')) return [];
  const parts = d.syntax.split('|').map((s) => s.trim());
  if (!parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p))) return [];
  return parts;
}

/** The state of a directive's history at an nginx version ('' or unparsable: the latest). */
export function stateAt(d: DirectiveInfo, version: string): DirectiveState | undefined {
  if (!d.history.length || !/^\d+\.\d+/.test(version)) return d.history[d.history.length - 1];
  let found: DirectiveState | undefined;
  for (const s of d.history) if (!s.since || compareVersions(s.since, version) <= 0) found = s;
  return found;
}

/**
 * True when nginx's own modules have this directive, but the given version does not (not yet, or no longer):
 * an "unknown directive" from that nginx is then about its version, not a module missing from its build.
 */
export function notInVersion(name: string, version: string): boolean {
  if (!/^\d+\.\d+/.test(version)) return false;
  const own = lookupDirective(name).filter((e) => e.origin === 'nginx');
  return own.length > 0 && !own.some((e) => stateAt(e, version)?.present);
}

/** The version from which the directive is in its present contexts (the first state with them); '' when always. */
export function since(d: DirectiveInfo): string {
  return d.history[0]?.since ?? '';
}

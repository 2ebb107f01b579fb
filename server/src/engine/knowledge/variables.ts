/**
 * nginx's built-in variables, per subsystem (http and stream; mail has none):
 * every variable and prefix family of nginx's own sources (`data/nginx.ts`,
 * read at every release, with the version each appeared in), NGINX Plus and
 * njs variables from the official reference, and the regex captures $1..$9.
 * Descriptions come from the reference on first read. Names are without `$`;
 * nginx looks variable names up case-insensitively, so lookups lowercase first.
 */
import { REFERENCE_ONLY_VARIABLES, VARIABLES } from './data/nginx';
import { moduleUrl, referenceVariable } from './reference';
import { compareVersions } from './versions';

export type VariableSubsystem = 'http' | 'stream';

export interface VariableInfo {
  /** Name without `$`; for a prefix entry, the prefix itself (`http_`). */
  name: string;
  /** True for a prefix entry: `http_` matches `http_upgrade` (and `http_` itself, an empty name). */
  prefix: boolean;
  subsystem: VariableSubsystem;
  /** Documentation module: `ngx_http_core_module`, `ngx_stream_upstream_module` ... */
  module: string;
  /** `nginx` (its own sources), `plus` (NGINX Plus only), `njs`, `otel`, `acme`. */
  origin: 'nginx' | 'plus' | 'njs' | 'otel' | 'acme';
  /** First nginx version that has it ('' when it predates the versions scanned); removed variables are not listed. */
  since: string;
  url: string;
  /** Description (Markdown) from the reference; '' when it documents none. */
  readonly doc: string;
}

const CAPTURE_DOC =
  'Regex capture: the text matched by the numbered group of the last regular expression matched (location ~, rewrite, if, server_name, map).';

class Var implements VariableInfo {
  constructor(
    readonly name: string,
    readonly prefix: boolean,
    readonly subsystem: VariableSubsystem,
    readonly module: string,
    readonly origin: VariableInfo['origin'],
    readonly since: string,
    readonly url: string,
    private readonly refName: string,
    private readonly fixedDoc?: string,
  ) {}

  get doc(): string {
    if (this.fixedDoc !== undefined) return this.fixedDoc;
    return referenceVariable(this.refName, this.module)?.description ?? '';
  }
}

interface Tables {
  exact: Map<string, VariableInfo[]>;
  prefixes: VariableInfo[];
}

let tables: Tables | undefined;

function build(): Tables {
  const exact = new Map<string, VariableInfo[]>();
  const prefixes: VariableInfo[] = [];
  const add = (v: VariableInfo) => {
    if (v.prefix) {
      prefixes.push(v);
      return;
    }
    const list = exact.get(v.name);
    if (list) list.push(v);
    else exact.set(v.name, [v]);
  };
  for (const [sub, name, module, prefix, states] of VARIABLES) {
    const last = states[states.length - 1]!;
    if (!last[1]) continue; // gone from the latest release
    const since = states.find((s) => s[1])![0];
    const s = sub as VariableSubsystem;
    add(new Var(name, prefix, s, module, 'nginx', since, `${moduleUrl(module)}#var_${name}`, prefix ? `${name}NAME` : name));
  }
  // Variables nginx's sources lack (NGINX Plus, njs ...), listed from the reference by the generator; docs on first read.
  for (const [sub, name, module, prefix, origin] of REFERENCE_ONLY_VARIABLES) {
    add(
      new Var(
        name,
        prefix,
        sub as VariableSubsystem,
        module,
        origin as VariableInfo['origin'],
        '',
        `${moduleUrl(module)}#var_${prefix ? `${name}name` : name}`,
        prefix ? `${name}NAME` : name,
      ),
    );
  }
  for (const sub of ['http', 'stream'] as const) {
    for (let i = 1; i <= 9; i++) {
      add(
        new Var(
          String(i),
          false,
          sub,
          sub === 'http' ? 'ngx_http_rewrite_module' : 'ngx_stream_core_module',
          'nginx',
          '',
          'https://nginx.org/en/docs/http/ngx_http_core_module.html#location',
          '',
          CAPTURE_DOC,
        ),
      );
    }
  }
  // Longest prefix first: `upstream_http_` must win over `http_` (it does not start with it, but keep the rule general).
  prefixes.sort((a, b) => b.name.length - a.name.length);
  return { exact, prefixes };
}

/** Tables are built on first use. */
function t(): Tables {
  return (tables ??= build());
}

function pick(list: readonly VariableInfo[] | undefined, sub: VariableSubsystem | undefined): VariableInfo | undefined {
  if (!list) return undefined;
  return (sub && list.find((v) => v.subsystem === sub)) || (sub ? undefined : list[0]);
}

/**
 * Built-in variable info for a name without `$` (prefix entries for `$http_*` & co.) in a subsystem, or in any
 * when `sub` is not given; undefined when nginx does not define it there.
 */
export function lookupVariable(name: string, sub?: VariableSubsystem): VariableInfo | undefined {
  const n = name.toLowerCase();
  const { exact, prefixes } = t();
  const hit = pick(exact.get(n), sub);
  if (hit) return hit;
  // `$10` is capture 1 followed by a literal "0" in nginx's script compiler.
  if (/^[0-9]+$/.test(n)) return pick(exact.get(n[0] === '0' ? '1' : n[0]!), sub);
  // nginx matches a prefix variable on `name.len >= prefix.len`: `$arg_` itself is the argument with the empty name.
  for (const p of prefixes) if (n.startsWith(p.name) && (!sub || p.subsystem === sub)) return p;
  return undefined;
}

/** True when nginx (or NGINX Plus, njs ...) defines this variable itself (name without `$`). */
export function isBuiltinVariable(name: string, sub?: VariableSubsystem): boolean {
  return lookupVariable(name, sub) !== undefined;
}

/** The same name in the other subsystem, when only that one defines it (for "an http variable in a stream config"). */
export function otherSubsystem(name: string, sub: VariableSubsystem): VariableInfo | undefined {
  return lookupVariable(name, sub === 'http' ? 'stream' : 'http');
}

/** Every exact built-in (not prefixes, not captures) of a subsystem (or of both), for completion. */
export function builtinVariables(sub?: VariableSubsystem): VariableInfo[] {
  const out: VariableInfo[] = [];
  for (const list of t().exact.values()) {
    const v = pick(list, sub);
    if (v && !/^[0-9]$/.test(v.name)) out.push(v);
  }
  return out;
}

/** The dynamic prefixes (`http_`, `cookie_` ...) of a subsystem (or of both), for completion. */
export function variablePrefixes(sub?: VariableSubsystem): readonly VariableInfo[] {
  const seen = new Set<string>();
  return t().prefixes.filter((p) => (!sub || p.subsystem === sub) && !seen.has(p.name) && seen.add(p.name));
}

/** True when the variable exists in nginx `version` (no version: always). */
export function variableExistsIn(v: VariableInfo, version: string): boolean {
  return !v.since || !version || compareVersions(v.since, version) <= 0;
}

/**
 * Variables a config defines itself: `map`, `set`, `geo`, `split_clients`,
 * `perl_set`/`js_set`/`auth_request_set`/`set_by_lua*`, `$name` entries of
 * third-party blocks (geoip2), and named captures of regexes.
 */
import type { Argument, Directive } from '../syntax/ast';
import { visitNamed, type ConfigModel, type DirectiveList, type Scope } from './config';
import { walkDirectives, type DirectiveVisitor } from './directive-walk';

export interface VariableDefinition {
  name: string;
  directive: Directive;
  /** The argument that names the variable (or holds the regex capture). */
  arg: Argument;
  /** The scope the directive sits in. */
  scope: Scope;
}

/** Directives whose argument at this index defines a variable (a Map: names are fresh strings, and a Map probe beats a keyed property load). */
export const DEFINING_ARG: ReadonlyMap<string, number> = new Map<string, number>([
  ['set', 0],
  ['perl_set', 0],
  ['js_set', 0],
  ['js_var', 0],
  ['auth_request_set', 0],
  ['set_by_lua', 0],
  ['set_by_lua_block', 0],
  ['set_by_lua_file', 0],
  ['map', 1],
  ['split_clients', 1],
]);

/** Regex named captures: (?<name>...), (?P<name>...), (?'name'...). */
const NAMED_CAPTURE = /\(\?(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/g;

/** Directives whose arguments may be regexes with named captures. */
const REGEX_HOLDERS = new Set(['location', 'server_name', 'if', 'rewrite']);

/**
 * The definitions of a whole model: `definitionsIn(flatDirectives(model))`, reading only the directives whose
 * name can define something (`DefinitionCollector.mayDefine`), found with the model's name index.
 */
export function collectDefinitions(model: ConfigModel): Map<string, VariableDefinition[]> {
  const collector = new DefinitionCollector();
  visitNamed(model, DefinitionCollector.mayDefine, collector);
  return collector.definitions;
}

/** The definitions made by a list of directives with their scopes (a whole model's, or one scope's subtree). */
export function definitionsIn(list: DirectiveList, defs = new Map<string, VariableDefinition[]>()): Map<string, VariableDefinition[]> {
  const collector = new DefinitionCollector(defs);
  walkDirectives(list, [collector]);
  return defs;
}

/** The definitions pass as a visitor of `walkDirectives` (analyze.ts walks it with the variable uses). */
export class DefinitionCollector implements DirectiveVisitor {
  constructor(readonly definitions = new Map<string, VariableDefinition[]>()) {}

  /**
   * False for a name whose directives `visit` passes over in every scope: not a defining directive, not `geo`,
   * not a `$name` entry, not a regex holder, and no named capture in the name itself (a `map` row's key is its
   * name). Keep it in step with `visit`.
   */
  static mayDefine(this: void, name: string): boolean {
    return DEFINING_ARG.has(name) || name === 'geo' || name.startsWith('$') || REGEX_HOLDERS.has(name) || name.indexOf('(?') >= 0;
  }

  visit(d: Directive, scope: Scope): void {
    const name = d.name;
    const idx = DEFINING_ARG.get(name);
    if (idx !== undefined && idx >= 0) {
      const a = d.args[idx];
      if (a && a.value.startsWith('$')) this.add(stripDollar(a.value), d, a, scope);
    } else if (name === 'geo') {
      // geo [$source] $variable { ... }
      const a = d.args[d.argCount - 1];
      if (a && a.value.startsWith('$')) this.add(stripDollar(a.value), d, a, scope);
    } else if (name.startsWith('$') && scope.kind !== 'main' && scope.kind !== 'map') {
      // geoip2 / maxminddb style: `$var path ...;` entries inside a module's block.
      this.add(stripDollar(name), d, d.nameToken, scope);
    }
    if (scope.kind === 'map') {
      const a = d.nameToken;
      if (a.value.indexOf('(?') >= 0) for (const m of a.value.matchAll(NAMED_CAPTURE)) this.add(m[1] ?? m[2]!, d, a, scope);
    } else if (REGEX_HOLDERS.has(name)) {
      // Values read without making the argument nodes: only an argument with a named capture is kept as one.
      for (let i = 0, n = d.argCount; i < n; i++) {
        const v = d.arg(i)!;
        if (v.indexOf('(?') < 0) continue;
        const a = d.args[i]!;
        for (const m of v.matchAll(NAMED_CAPTURE)) this.add(m[1] ?? m[2]!, d, a, scope);
      }
    }
  }

  private add(name: string, directive: Directive, arg: Argument, scope: Scope): void {
    const defs = this.definitions;
    let l = defs.get(name);
    if (!l) defs.set(name, (l = []));
    l.push({ name, directive, arg, scope });
  }
}

function stripDollar(v: string): string {
  return v.startsWith('${') && v.endsWith('}') ? v.slice(2, -1) : v.slice(1);
}

/**
 * Whether a variable the config defines can hold `token` (case-insensitive):
 * some row or the default of its `map`, or the value of a `set`, contains
 * it, directly or through another such variable. Variables defined by
 * modules the analysis does not evaluate (Lua, njs, perl) count as able to.
 */
export function variableCanYield(definitions: Map<string, VariableDefinition[]>, name: string, token: string, depth = 0): boolean {
  const defs = definitions.get(name);
  if (!defs || depth > 8) return false;
  const values: string[] = [];
  for (const def of defs) {
    const d = def.directive;
    if (d.name === 'map') {
      for (const row of d.block?.directives() ?? []) if (row.args[0]) values.push(row.args[0].value);
    } else if (d.name === 'set') values.push(d.arg(1) ?? '');
    else if (d.name === 'geo' || d.name === 'split_clients') {
      for (const row of d.block?.directives() ?? []) values.push(row.arg(row.argCount - 1) ?? '');
    } else return true;
  }
  const lc = token.toLowerCase();
  for (const v of values) {
    if (
      v
        .toLowerCase()
        .split(/[\s,]+/)
        .includes(lc)
    )
      return true;
    for (const m of v.matchAll(/\$\{?([A-Za-z0-9_]+)\}?/g)) if (variableCanYield(definitions, m[1]!, token, depth + 1)) return true;
  }
  return false;
}

/**
 * Where a config uses nginx variables: every `$name` in an argument nginx
 * compiles as a script, with its directive and scope. Not the arguments that
 * name a variable being defined (`set $x`, `map ... $x`), not code handed to
 * another language (`perl 'sub { my $r ... }'`), not the rows of data blocks
 * (checked through their block's output). Listed once per directive list and
 * shared by the rules that read variables (`undefined-variable`, the
 * version check): the scan of every argument is the costly part.
 */
import { findVariables, hasDollarIn, type Argument, type Directive } from '../syntax/ast';
import type { DirectiveList, Scope } from './config';
import { DEFINING_ARG } from './variables';
import { walkDirectives, type DirectiveVisitor } from './directive-walk';
import { TextMemo } from './text-memo';

export class VariableUse {
  constructor(
    /** Without `$`, as written. */
    readonly name: string,
    readonly start: number,
    readonly end: number,
    readonly directive: Directive,
    /** Which of the directive's arguments holds the use (see `arg`). */
    readonly argIndex: number,
    readonly scope: Scope,
  ) {}

  /** The argument that holds the use, as a node (made on first read: a big config has ~100k uses). */
  get arg(): Argument {
    return this.directive.args[this.argIndex]!;
  }
}

/**
 * Arguments that are code or names for another language, not nginx scripts: nginx hands them over as they are,
 * so a `$r` in `perl 'sub { my $r = shift; ... }'` is Perl's. The index of the first such argument, and the last
 * (inclusive; -1: to the end). `set_by_lua $res 'code' $arg ...` passes nginx variables after its code.
 */
const NOT_SCRIPTS = new Map<string, [number, number]>([
  ['perl', [0, -1]],
  ['perl_set', [1, -1]],
  ['perl_modules', [0, -1]],
  ['perl_require', [0, -1]],
  ['js_import', [0, -1]],
  ['js_set', [1, -1]],
  ['js_content', [0, -1]],
  ['js_access', [0, -1]],
  ['js_preread', [0, -1]],
  ['js_filter', [0, -1]],
  ['js_header_filter', [0, -1]],
  ['js_body_filter', [0, -1]],
  ['js_path', [0, -1]],
  ['js_preload_object', [0, -1]],
  ['lua_package_path', [0, -1]],
  ['lua_package_cpath', [0, -1]],
  ['set_by_lua', [1, 1]],
  ...['content', 'access', 'rewrite', 'header_filter', 'body_filter', 'log', 'init', 'init_worker', 'preread'].map(
    (p): [string, [number, number]] => [`${p}_by_lua`, [0, -1]],
  ),
]);

/** Where one run keeps the uses it found, so the rules and the version check of a run find them once (RuleContext.cache). */
export interface VariableUsesCache {
  variableUses?: VariableUse[];
}

/**
 * The variables of an argument's text, offsets relative to its start: `findVariables`, once per
 * distinct text. A config repeats a handful of them (`$http_upgrade`, `$host` on each of 20,000
 * servers); the memo spares the scan and gives every use of one name the same string. Bounded, and
 * keyed by the text alone (what it holds depends on nothing else).
 */
const scanned = new TextMemo<readonly { name: string; start: number; end: number }[]>(256);

function variablesOf(raw: string): readonly { name: string; start: number; end: number }[] {
  return scanned.get(raw) ?? scanned.remember(raw, findVariables(raw, 0));
}

/** Every variable use of `list` (not the definitions); kept in `cache` when given, which must belong to this list. */
export function variableUses(list: DirectiveList, cache?: VariableUsesCache): VariableUse[] {
  const hit = cache?.variableUses;
  if (hit) return hit;
  const collector = new UseCollector();
  walkDirectives(list, [collector]);
  if (cache) cache.variableUses = collector.uses;
  return collector.uses;
}

/** The uses pass as a visitor of `walkDirectives` (analyze.ts walks it with the definitions). */
export class UseCollector implements DirectiveVisitor {
  readonly uses: VariableUse[] = [];

  visit(d: Directive, scope: Scope): void {
    // Most directives have no `$`: the parser's mark on each token passes them over without reading their text.
    const n = d.argCount;
    if (n === 0 || !d.argsMayHaveDollar()) return;
    // Read in place: the argument nodes are made only if something asks a use for its `arg`.
    const text = d.file.text;
    if (scope.kind === 'map' || scope.kind === 'geo' || scope.kind === 'split_clients') return;
    const skip = d.name === 'geo' ? n - 1 : (DEFINING_ARG.get(d.name) ?? -1);
    const code = NOT_SCRIPTS.get(d.name);
    const out = this.uses;
    for (let i = 0; i < n; i++) {
      if (i === skip || (code && i >= code[0] && (code[1] < 0 || i <= code[1]))) continue;
      const start = d.argStart(i);
      const end = d.argEnd(i);
      if (!hasDollarIn(text, start, end)) continue;
      const vs = variablesOf(text.slice(start, end));
      for (let j = 0; j < vs.length; j++) {
        const v = vs[j]!;
        out.push(new VariableUse(v.name, start + v.start, start + v.end, d, i, scope));
      }
    }
  }
}

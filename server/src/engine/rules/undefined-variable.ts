import { findVariables } from '../syntax/ast';
import type { Scope } from '../model/config';
import { isBuiltinVariable, otherSubsystem, type VariableSubsystem } from '../knowledge/variables';
import { fix } from '../fixes/edits';
import { isPlaceholderAt } from '../templates';
import type { Fix, Range } from '../types';
import { connectionUpgradeMap, upgradeMapVariable, type Rule, type RuleContext } from './rule';

/** Arguments that name a variable being defined, not used. */
const DEFINING = new Map<string, number>([
  ['set', 0], ['map', 1], ['split_clients', 1], ['perl_set', 0], ['js_set', 0], ['js_var', 0], ['auth_request_set', 0],
  ['set_by_lua', 0], ['set_by_lua_block', 0], ['set_by_lua_file', 0],
]);

/**
 * Arguments that are code or names for another language, not nginx scripts: nginx hands them over as they are,
 * so a `$r` in `perl 'sub { my $r = shift; ... }'` is Perl's. The index of the first such argument, and the last
 * (inclusive; -1: to the end). `set_by_lua $res 'code' $arg ...` passes nginx variables after its code.
 */
const NOT_SCRIPTS = new Map<string, [number, number]>([
  ['perl', [0, -1]], ['perl_set', [1, -1]], ['perl_modules', [0, -1]], ['perl_require', [0, -1]],
  ['js_import', [0, -1]], ['js_set', [1, -1]], ['js_content', [0, -1]], ['js_access', [0, -1]], ['js_preread', [0, -1]], ['js_filter', [0, -1]],
  ['js_header_filter', [0, -1]], ['js_body_filter', [0, -1]], ['js_path', [0, -1]], ['js_preload_object', [0, -1]],
  ['lua_package_path', [0, -1]], ['lua_package_cpath', [0, -1]], ['set_by_lua', [1, 1]],
  ...['content', 'access', 'rewrite', 'header_filter', 'body_filter', 'log', 'init', 'init_worker', 'preread'].map((p): [string, [number, number]] => [`${p}_by_lua`, [0, -1]]),
]);

export const undefinedVariable: Rule = {
  id: 'undefined-variable',
  defaultSeverity: 'error',
  title: 'A variable is used but never defined',
  why:
    'nginx refuses to start on an unknown variable (`nginx -t`: unknown "connection_upgrade" variable). The WebSocket recipe ' +
    '`proxy_set_header Connection $connection_upgrade;` needs the `map $http_upgrade $connection_upgrade` block in http {}.',
  href: 'https://nginx.org/en/docs/http/ngx_http_map_module.html#map',
  versions: 'all',
  check(ctx) {
    const seen = new Set<string>();
    const { directives, scopes } = ctx.directives();
    for (let k = 0; k < directives.length; k++) {
      const d = directives[k]!;
      const scope = scopes[k]!;
      if (scope.kind === 'map' || scope.kind === 'geo' || scope.kind === 'split_clients') continue; // data bodies are checked through their map's output
      if (d.args.length === 0) continue;
      const skip = d.name === 'geo' ? d.args.length - 1 : (DEFINING.get(d.name) ?? -1);
      const code = NOT_SCRIPTS.get(d.name);
      for (let i = 0; i < d.args.length; i++) {
        if (i === skip || (code && i >= code[0] && (code[1] < 0 || i <= code[1]))) continue;
        const a = d.args[i]!;
        if (!a.hasDollar()) continue;
        for (const v of findVariables(a.raw, a.start)) {
          // Config-defined first: one Map probe, where the built-in check lower-cases and tries prefixes.
          if (ctx.definitions.has(v.name)) continue;
          const sub = subsystemOf(scope);
          if (sub === 'mail' || isBuiltinVariable(v.name, sub ?? undefined)) continue;
          if (isPlaceholderAt(d.file.uri, a.raw, v.start - a.start)) continue; // envsubst fills it in before nginx reads the file
          const key = `${d.file.uri}:${v.start}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const isConnUpgrade = v.name === 'connection_upgrade' && sub !== 'stream';
          // A snippet whose includer is unknown may get the definition from it; inside a visible http/stream block, not.
          const lenient = ctx.lenient && sub === null;
          ctx.report({
            at: { file: d.file, start: v.start, end: v.end },
            severity: lenient ? 'information' : undefined,
            message: message(v.name, sub, lenient),
            fixes: isConnUpgrade ? mapFix(ctx, scope, { path: d.file.uri, range: d.file.rangeOf(v.start, v.end) }) : [],
          });
        }
      }
    }
  },
};

/** The subsystem whose variables a directive sees: the `http`, `stream` or `mail` block around it; null in a snippet of unknown context. */
function subsystemOf(scope: Scope): VariableSubsystem | 'mail' | null {
  for (let s: Scope | null = scope; s; s = s.parent) if (s.kind === 'http' || s.kind === 'stream' || s.kind === 'mail') return s.kind;
  return null;
}

function message(name: string, sub: VariableSubsystem | null, lenient: boolean): string {
  const block = sub ? `${sub} {}` : 'http {}';
  if (lenient) return `Variable "$${name}" is not defined in the files seen; the ${block} that includes this file must define it (e.g. with map), or nginx -t fails`;
  const other = sub ? otherSubsystem(name, sub) : undefined;
  if (sub && other) {
    return `"$${name}" is ${other.subsystem === 'http' ? 'an http' : 'a stream'} variable (${other.module}); ${sub} {} has no such variable, so nginx -t fails with: unknown "${name}" variable`;
  }
  return `Unknown variable "$${name}": nothing defines it (map, set, geo...)${sub === 'stream' ? ' and no stream module has it' : ''}, so nginx -t fails with: unknown "${name}" variable`;
}

function mapFix(ctx: RuleContext, scope: Scope, use: { path: string; range: Range }): Fix[] {
  // The config already maps $http_upgrade under another name: use that variable rather than add a second map.
  const existing = upgradeMapVariable(ctx);
  if (existing) return [fix(`Use $${existing} (the existing map $http_upgrade $${existing})`, [{ path: use.path, edits: [{ range: use.range, newText: `$${existing}` }] }])];
  const edit = connectionUpgradeMap(ctx, scope);
  return edit ? [fix('Add the "map $http_upgrade $connection_upgrade" block to http {}', [edit])] : [];
}

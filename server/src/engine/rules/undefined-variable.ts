import type { Scope } from '../model/config';
import { isBuiltinVariable, otherSubsystem, type VariableSubsystem } from '../knowledge/variables';
import { fix } from '../fixes/edits';
import { isPlaceholderAt } from '../templates';
import { variableUses } from '../model/variable-uses';
import type { Fix, Range } from '../types';
import { connectionUpgradeMap, upgradeMapVariable, type Rule, type RuleContext } from './rule';

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
    // Whether a name is built in, per subsystem: a config uses a few names thousands of times.
    const builtin = new Map<VariableSubsystem | null, Map<string, boolean>>();
    const isBuiltin = (name: string, sub: VariableSubsystem | null): boolean => {
      let known = builtin.get(sub);
      if (!known) builtin.set(sub, (known = new Map<string, boolean>()));
      let b = known.get(name);
      if (b === undefined) known.set(name, (b = isBuiltinVariable(name, sub ?? undefined)));
      return b;
    };
    const uses = variableUses(ctx.directives(), ctx.cache);
    for (let i = 0; i < uses.length; i++) {
      const { name, start, end, directive: d, argIndex, scope } = uses[i]!;
      // Config-defined first: one Map probe, where the built-in check lower-cases and tries prefixes.
      if (ctx.definitions.has(name)) continue;
      const sub = subsystemOf(scope);
      if (sub === 'mail' || isBuiltin(name, sub)) continue;
      const at = d.argStart(argIndex);
      // envsubst fills it in before nginx reads the file
      if (isPlaceholderAt(d.file.uri, d.file.text.slice(at, d.argEnd(argIndex)), start - at)) continue;
      const key = `${d.file.uri}:${start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const isConnUpgrade = name === 'connection_upgrade' && sub !== 'stream';
      // A snippet whose includer is unknown may get the definition from it; inside a visible http/stream block, not.
      const lenient = ctx.lenient && sub === null;
      ctx.report({
        at: { file: d.file, start, end },
        severity: lenient ? 'information' : undefined,
        message: message(name, sub, lenient),
        fixes: isConnUpgrade ? mapFix(ctx, scope, { path: d.file.uri, range: d.file.rangeOf(start, end) }) : [],
      });
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
  if (lenient)
    return `Variable "$${name}" is not defined in the files seen; the ${block} that includes this file must define it (e.g. with map), or nginx -t fails`;
  const other = sub ? otherSubsystem(name, sub) : undefined;
  if (sub && other) {
    return `"$${name}" is ${other.subsystem === 'http' ? 'an http' : 'a stream'} variable (${other.module}); ${sub} {} has no such variable, so nginx -t fails with: unknown "${name}" variable`;
  }
  return `Unknown variable "$${name}": nothing defines it (map, set, geo...)${sub === 'stream' ? ' and no stream module has it' : ''}, so nginx -t fails with: unknown "${name}" variable`;
}

function mapFix(ctx: RuleContext, scope: Scope, use: { path: string; range: Range }): Fix[] {
  // The config already maps $http_upgrade under another name: use that variable rather than add a second map.
  const existing = upgradeMapVariable(ctx);
  if (existing)
    return [
      fix(`Use $${existing} (the existing map $http_upgrade $${existing})`, [
        { path: use.path, edits: [{ range: use.range, newText: `$${existing}` }] },
      ]),
    ];
  const edit = connectionUpgradeMap(ctx, scope);
  return edit ? [fix('Add the "map $http_upgrade $connection_upgrade" block to http {}', [edit])] : [];
}

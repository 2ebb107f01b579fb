import { fix, replaceArg } from '../fixes/edits';
import { head } from '../syntax/ast';
import { locationAsWritten, type Rule } from './rule';

export const locationUnreachable: Rule = {
  id: 'location-unreachable',
  defaultSeverity: 'warning',
  title: 'A location that the location search never chooses for its own path',
  why:
    'nginx picks a location by its own search (exact match, longest prefix, then the regexes in order), not by the order of the blocks. ' +
    'A prefix location whose own path, and the paths under it, all end in a regex location that is tried after it is dead ' +
    'configuration: its directives never apply. The request model runs the search for the path and a few below it; `^~` makes nginx ' +
    'skip the regexes when the prefix is the longest match.',
  href: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#location',
  versions: 'all',
  check(ctx) {
    const index = ctx.requests.locations;
    const locations = ctx.locations;
    for (let i = 0; i < locations.length; i++) {
      const loc = locations[i]!;
      // WebSocket locations get ws-handshake-elsewhere, which says what the handshake gets.
      if (loc.intent !== null && loc.proxyPass) continue;
      const node = index.nodeOf(loc.scope);
      if (!node || (node.modifier !== '' && node.modifier !== '^~') || !node.name.startsWith('/')) continue;
      if (!index.regexCouldTake(loc.scope, node.name)) continue;
      let server = loc.scope.parent;
      while (server && server.kind === 'location') server = server.parent;
      if (!server || server.kind !== 'server') continue;
      const p = node.name;
      const probes = p.endsWith('/') ? [p, `${p}x`, `${p}x/y`] : [p, `${p}/`, `${p}x`, `${p}/x`];
      let winner: typeof node | null = null;
      let chosen = false;
      let uncertain = false;
      for (const probe of probes) {
        const r = index.find(server, probe);
        if (r.uncertain) uncertain = true;
        if (
          r.path.some((x) => x.node.scope === loc.scope && x.matched) &&
          (r.node?.scope === loc.scope || isInside(r.node?.scope, loc.scope))
        ) {
          chosen = true;
          break;
        }
        winner ??= r.node;
      }
      if (chosen || uncertain || !winner || winner.modifier === '=') continue;
      const byRegex = winner.modifier === '~' || winner.modifier === '~*';
      const arg = loc.directive.args[0];
      ctx.report({
        at: head(loc.directive),
        message: `${locationAsWritten(loc.directive)} is never chosen for ${p} or the paths under it: location ${winner.modifier ? `${winner.modifier} ` : ''}${winner.name} wins${byRegex ? ' (regex locations are tried after the longest prefix)' : ''}, so its directives never apply`,
        related: [{ at: winner.directive, message: 'this location answers instead' }],
        fixes:
          byRegex && node.modifier === '' && arg && loc.directive.argCount === 1
            ? [fix(`Make it "location ^~ ${arg.value}"`, [replaceArg(arg, `^~ ${arg.raw}`)])]
            : [],
      });
    }
  },
};

function isInside(scope: import('../model/config').Scope | undefined, ancestor: import('../model/config').Scope): boolean {
  for (let s = scope?.parent ?? null; s; s = s.parent) if (s === ancestor) return true;
  return false;
}

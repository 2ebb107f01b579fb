import { fix, replaceArg } from '../fixes/edits';
import { head } from '../syntax/ast';
import { locationAsWritten, within, type Rule } from './rule';

export const wsHandshakeElsewhere: Rule = {
  id: 'ws-handshake-elsewhere',
  defaultSeverity: 'warning',
  title: 'A WebSocket handshake to this location is handled by another location',
  why:
    "nginx's location search, not the order of the blocks, decides: regex locations (`~`, `~*`) are tried after the longest prefix and " +
    'win over it unless that prefix is `^~`; a server-level `rewrite` changes the URI first. The request model runs the search for the ' +
    "location's own path: when another location answers, this one's WebSocket recipe is never used (measured against real nginx by " +
    'the differential test). For a prefix location shadowed by a regex, `^~` makes nginx skip the regexes.',
  href: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#location',
  versions: 'all',
  check(ctx) {
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue;
      const to = ctx.traceTo(loc);
      if (!to?.handshake) continue;
      const t = to.trace;
      // Only a request that reached this location's server says something about the location (a Host the model chose may land elsewhere).
      if (!t.server || t.server.server.scope !== loc.server) continue;
      if (t.visited.some((n) => within(n.scope, loc.scope))) continue;
      if (t.uncertain.length || t.outcome.kind === 'unknown') continue;
      const other = t.location;
      const byRegex = other?.modifier === '~' || other?.modifier === '~*';
      const rewritten = t.steps.some((s) => s.phase === 'server-rewrite' && /the URI is now/.test(s.message));
      const whereText = other
        ? `location ${other.modifier ? `${other.modifier} ` : ''}${other.name}`
        : "the server's own configuration (no location)";
      const outcome =
        t.outcome.kind === 'upgraded'
          ? 'it upgrades there'
          : t.outcome.kind === 'status'
            ? `the client gets ${t.outcome.status}`
            : 'the connection is closed';
      const reason = rewritten
        ? 'a server-level rewrite changes the URI first'
        : byRegex
          ? 'a regex location wins over a prefix location'
          : 'the location search picks it';
      const d = loc.directive;
      const fixes = [];
      const arg = d.args[0];
      if (
        byRegex &&
        !rewritten &&
        arg &&
        d.argCount === 1 &&
        !arg.value.startsWith('@') &&
        !arg.value.startsWith('=') &&
        !arg.value.startsWith('~')
      ) {
        fixes.push(fix(`Make it "location ^~ ${arg.value}" so regex locations are not tried`, [replaceArg(arg, `^~ ${arg.raw}`)]));
      }
      ctx.report({
        at: head(d),
        message: `A WebSocket handshake to ${to.handshake.url} is handled by ${whereText}, not by ${locationAsWritten(d)}: ${reason}, and ${outcome}`,
        related: other ? [{ at: other.directive, message: 'the handshake ends up here' }] : [],
        fixes,
      });
    }
  },
};

import { hasOwn, own, type Scope } from '../model/config';
import { lastHeader, proxyUpstream } from '../model/websocket';
import { replaceArg, fix } from '../fixes/edits';
import type { Directive } from '../syntax/ast';
import { type Rule } from './rule';

export const mapCloseDefeatsKeepalive: Rule = {
  id: 'map-close-defeats-keepalive',
  defaultSeverity: 'information',
  title: "`'' close` in the Connection map turns off upstream keep-alive",
  why:
    'The usual map sends "Connection: close" for plain requests. Behind an upstream with keepalive that closes every plain request\'s ' +
    "upstream connection, so keep-alive buys nothing. Mapping '' to '' keeps it; WebSockets work either way.",
  href: 'https://nginx.org/en/docs/http/websocket.html',
  versions: 'all',
  check(ctx) {
    const reported = new Set<Scope>();
    // The scope each `map` opens, as `model.scopeOf` has it (the last one listed wins), from the map scopes alone:
    // `scopeOf` would index every block of the config for the few maps asked about.
    let mapScopes: Map<Directive, Scope> | undefined;
    const mapScopeOf = (d: Directive) => {
      if (!mapScopes) {
        mapScopes = new Map();
        for (const s of ctx.model.scopes.get('map') ?? []) if (s.directive) mapScopes.set(s.directive, s);
      }
      return mapScopes.get(d);
    };
    for (const loc of ctx.webSocketLocations) {
      const conn = lastHeader(loc, 'connection');
      const m = conn && /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(conn.value.trim());
      if (!m) continue;
      const upstream = proxyUpstream(ctx.model, loc.proxyPass);
      if (!upstream || !hasOwn(upstream, 'keepalive')) continue;
      for (const def of ctx.definitions.get(m[1]!) ?? []) {
        if (def.directive.name !== 'map' || def.directive.arg(0) !== '$http_upgrade') continue;
        const mapScope = mapScopeOf(def.directive);
        if (!mapScope || reported.has(mapScope)) continue;
        const entry = mapScope.items.find((d) => d.name === '' && d.nameToken.quoted && d.arg(0)?.toLowerCase() === 'close');
        if (!entry) continue;
        reported.add(mapScope);
        ctx.report({
          at: entry,
          message: `"'' close" sends "Connection: close" on plain requests, defeating keepalive of upstream ${upstream.directive!.arg(0)!}; "'' ''" keeps it (WebSockets work either way)`,
          related: [{ at: own(upstream, 'keepalive')[0]!, message: 'upstream keepalive is enabled here' }],
          fixes: [fix("Map '' to '' to keep upstream keep-alive", [replaceArg(entry.args[0]!, "''")])],
        });
      }
    }
  },
};

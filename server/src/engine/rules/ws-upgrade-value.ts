import { isUnknown, show } from '../request/values';
import { fix, replaceArgs } from '../fixes/edits';
import type { LocationInfo } from '../model/websocket';
import type { Directive } from '../syntax/ast';
import { connectionValue, type Rule } from './rule';

const NAMES = ['upgrade', 'connection'] as const;

/**
 * The last `proxy_set_header name value` line (with a value) of the location's effective list: the
 * entries classifyLocation read, names already lower-cased (no list or lower-cased copy per location).
 */
function lastLine(loc: LocationInfo, name: string): Directive | null {
  const hs = loc.headers;
  for (let i = hs.length - 1; i >= 0; i--) {
    const h = hs[i]!;
    if (h.name === name && h.directive.argCount >= 2) return h.directive;
  }
  return null;
}

/** Whether a sent value carries the token a handshake needs (`websocket` for Upgrade, `upgrade` for Connection). */
function upgrades(name: 'upgrade' | 'connection', value: string): boolean {
  const want = name === 'upgrade' ? 'websocket' : 'upgrade';
  if (value.toLowerCase() === want) return true;
  return value.split(',').some((x) => x.trim().toLowerCase() === want);
}

export const wsUpgradeValue: Rule = {
  id: 'ws-upgrade-value',
  defaultSeverity: 'error',
  title: 'The Upgrade or Connection value cannot upgrade a WebSocket handshake',
  why:
    'nginx evaluates `proxy_set_header` values per request and sends no header whose value is empty. A misspelled variable ' +
    '(`$http_upgrde`) is empty, so the backend gets no Upgrade; a `map` whose rows never yield `upgrade` sends "Connection: close". ' +
    'Either way the backend answers 426 (measured with nginx 1.22). The request model evaluates the value for a real handshake ' +
    '(`$http_*`, `map` rows, `set`), so the finding names the value the backend gets.',
  href: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header',
  versions: 'all',
  check(ctx) {
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path') continue;
      // The list the location's handshake is proxied with (nginx never merges lists): the same as its trace's.
      for (const name of NAMES) {
        const line = lastLine(loc, name);
        if (!line) continue;
        const raw = line.arg(1) ?? '';
        // Literal Connection values are ws-connection-header's; an empty literal is the keep-alive recipe (its own rule).
        if (name === 'connection' && !raw.includes('$')) continue;
        if (name === 'upgrade' && raw === '') continue;
        const got = ctx.handshakeValue(loc, line);
        if (!got || isUnknown(got.value)) continue;
        const value = got.value;
        if (upgrades(name, value)) continue;
        if (!ctx.proxiesHere(loc)) continue; // last: it may need a trace (see ws-answered-before-proxy)
        const decided = got.mapRows[got.mapRows.length - 1] ?? null;
        const shown = value ? `"${value}"` : 'empty (so nginx sends no such header)';
        const good = name === 'upgrade' ? '$http_upgrade' : connectionValue(ctx);
        ctx.report({
          at: line,
          message: `proxy_set_header ${line.arg(0)!} ${line.args[1]!.raw}: for a WebSocket handshake the value is ${shown}, so the backend gets no ${name === 'upgrade' ? 'Upgrade: websocket' : '"Connection: upgrade"'} and answers 426`,
          related: decided ? [{ at: decided, message: `this map row decides the value: ${show(value)}` }] : [],
          fixes: [fix(`Set ${line.arg(0)!} to ${good}`, [replaceArgs(line, `${line.args[0]!.raw} ${good}`)])],
        });
      }
    }
  },
};

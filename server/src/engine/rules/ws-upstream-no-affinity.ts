import { own } from '../model/config';
import { proxyUpstream } from '../model/websocket';
import { insertLines, fix } from '../fixes/edits';
import type { Rule } from './rule';

const AFFINITY = ['ip_hash', 'hash', 'sticky'];
const OTHER_METHODS = ['least_conn', 'random', 'least_time'];

export const wsUpstreamNoAffinity: Rule = {
  id: 'ws-upstream-no-affinity',
  defaultSeverity: 'information',
  title: 'WebSocket upstream with several servers and no session affinity',
  why:
    'Each WebSocket stays on the server it was opened on, but a reconnect or a polling fallback (Socket.IO, SignalR) may land on ' +
    'another server that does not know the session. ip_hash, hash $remote_addr consistent or sticky keep a client on one server.',
  href: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#ip_hash',
  versions: 'all',
  check(ctx) {
    const seen = new Set<string>();
    for (const loc of ctx.webSocketLocations) {
      if (loc.intent === 'path' || !loc.proxyPass) continue;
      const upstream = proxyUpstream(ctx.model, loc.proxyPass);
      if (!upstream) continue;
      const listed = own(upstream, 'server');
      // One server balances nothing: its parameters need no reading (an upstream's first read of them is the cost here).
      if (listed.length < 2) continue;
      // backup and down servers take no share of the balancing.
      const servers = listed.filter((d) => !d.args.some((a) => a.value === 'backup' || a.value === 'down'));
      if (servers.length < 2 || AFFINITY.some((a) => own(upstream, a).length)) continue;
      const key = `${loc.proxyPass.file.uri}:${loc.proxyPass.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const other = OTHER_METHODS.map((m) => own(upstream, m)[0]).find(Boolean);
      const name = upstream.directive!.arg(0)!;
      ctx.report({
        at: loc.proxyPass,
        message:
          `upstream ${name} balances WebSockets over ${servers.length} servers with no affinity (ip_hash, hash, sticky): reconnects and polling fallbacks may reach a server that lacks the session` +
          // Replacing a balancing method the user chose is a decision, not a fix.
          (other ? `; it uses ${other.name}, so affinity means choosing another method (no automatic fix)` : ''),
        related: [{ at: upstream.directive!, message: `upstream ${name} is defined here` }],
        fixes: other ? [] : [fix(`Add ip_hash to upstream ${name}`, [insertLines(upstream.directive!.block!, ['ip_hash;'], () => false)])],
      });
    }
  },
};

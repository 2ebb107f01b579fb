/**
 * Minimal URL derivation for a WebSocket location, used until the engine's
 * `deriveEndpoint` (engine/endpoints.ts) lands: `listen` port and `ssl` flag,
 * the first concrete `server_name` (else `localhost`), the location path.
 */
import type { Directive, WsLocation } from '../engine/index';

export interface DerivedEndpoint {
  origin: string;
  url: string | null;
  serverName: string | null;
  backendUrl: string | null;
}

export function deriveEndpointFallback(loc: WsLocation, upstreams: Map<string, Directive>): DerivedEndpoint {
  const listens = loc.serverDirectives.filter((d) => d.name === 'listen' && d.args.length > 0 && !d.arg(0)!.startsWith('unix:'));
  const listen = listens.find((d) => d.args.some((a) => a.value === 'ssl')) ?? listens[0];
  const tls = !!listen?.args.some((a) => a.value === 'ssl');
  const { address, port } = parseListen(listen?.arg(0));
  const serverName =
    loc.serverDirectives
      .filter((d) => d.name === 'server_name')
      .flatMap((d) => d.args.map((a) => a.value))
      .find((n) => n !== '' && n !== '_' && !n.includes('*') && !n.startsWith('~') && !n.startsWith('.') && !n.includes('$')) ?? null;
  const host = serverName ?? (address && !['*', '0.0.0.0', '[::]'].includes(address) ? address : 'localhost');
  const scheme = tls ? 'wss' : 'ws';
  const defaultPort = tls ? 443 : 80;
  const origin = `${scheme}://${host}${port === defaultPort ? '' : `:${port}`}`;
  const concrete = loc.modifier === '' || loc.modifier === '=' || loc.modifier === '^~';
  return { origin, url: concrete ? origin + loc.locationPath : null, serverName, backendUrl: backendUrl(loc, upstreams) };
}

function parseListen(arg: string | undefined): { address: string | null; port: number } {
  if (!arg) return { address: null, port: 80 };
  if (/^\d+$/.test(arg)) return { address: null, port: Number(arg) };
  const m = /^(\[[^\]]*\]|[^:]+)(?::(\d+))?$/.exec(arg);
  if (!m) return { address: null, port: 80 };
  return { address: m[1]!, port: m[2] ? Number(m[2]) : 80 };
}

function backendUrl(loc: WsLocation, upstreams: Map<string, Directive>): string | null {
  const target = loc.proxyPass?.arg(0);
  if (!target || target.includes('$')) return null;
  const m = /^(https?):\/\/([^/]+)(\/.*)?$/.exec(target);
  if (!m) return null;
  let hostPort = m[2]!;
  const upstream = upstreams.get(hostPort);
  if (upstream) {
    const server = upstream.block?.directives().find((d) => d.name === 'server' && d.args.length > 0);
    const addr = server?.arg(0);
    if (!addr || addr.startsWith('unix:')) return null;
    hostPort = /:\d+$/.test(addr) ? addr : `${addr}:80`;
  }
  const path = m[3] ?? (loc.modifier === '' || loc.modifier === '=' || loc.modifier === '^~' ? loc.locationPath : '/');
  return `${m[1] === 'https' ? 'wss' : 'ws'}://${hostPort}${path}`;
}

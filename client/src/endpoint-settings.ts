/**
 * `nginxWs.endpoint.*` settings for the endpoint test. Pure (no vscode import)
 * so a test can compare these defaults with the ones package.json declares.
 * Which of them an untrusted workspace may set is package.json's
 * `restrictedConfigurations` (VS Code then ignores the workspace's values).
 */
import { checkRequestOptions } from '../../server/src/wstest/handshake';
export interface EndpointSettings {
  /** Replaces scheme, host and port of the derived URL (e.g. `wss://staging.example.com`). */
  baseUrl: string;
  allowSelfSigned: boolean;
  origin: string;
  subprotocols: string[];
  headers: Record<string, string>;
  idleSeconds: number;
  testBackendDirect: boolean;
  crossOriginProbe: boolean;
  timeoutMs: number;
  /** Shell command run (trusted workspaces only) after a fix applied from the report, before the test runs again. */
  reloadCommand: string;
}

export const DEFAULT_ENDPOINT_SETTINGS: EndpointSettings = {
  baseUrl: '',
  allowSelfSigned: false,
  origin: '',
  subprotocols: [],
  headers: {},
  idleSeconds: 0,
  testBackendDirect: false,
  crossOriginProbe: false,
  timeoutMs: 10000,
  reloadCommand: '',
};

/** Reads settings with a `get(key)` accessor, keeping defaults for values of the wrong type. */
export function readEndpointSettings(get: (key: keyof EndpointSettings) => unknown): EndpointSettings {
  const d = DEFAULT_ENDPOINT_SETTINGS;
  const str = (k: 'baseUrl' | 'origin' | 'reloadCommand') => {
    const v = get(k);
    return typeof v === 'string' ? v.trim() : d[k];
  };
  const bool = (k: 'allowSelfSigned' | 'testBackendDirect' | 'crossOriginProbe') => {
    const v = get(k);
    return typeof v === 'boolean' ? v : d[k];
  };
  const num = (k: 'idleSeconds' | 'timeoutMs', min: number) => {
    const v = get(k);
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : d[k];
  };
  const protocols = get('subprotocols');
  const headers = get('headers');
  return {
    baseUrl: str('baseUrl'),
    origin: str('origin'),
    reloadCommand: str('reloadCommand'),
    allowSelfSigned: bool('allowSelfSigned'),
    testBackendDirect: bool('testBackendDirect'),
    crossOriginProbe: bool('crossOriginProbe'),
    idleSeconds: num('idleSeconds', 0),
    timeoutMs: num('timeoutMs', 100),
    subprotocols: Array.isArray(protocols) ? protocols.filter((p): p is string => typeof p === 'string' && p.length > 0) : d.subprotocols,
    headers:
      typeof headers === 'object' && headers !== null && !Array.isArray(headers)
        ? Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'))
        : d.headers,
  };
}

/**
 * The URL to offer for a location: `baseUrl` (scheme://host[:port], any path
 * in it kept as a prefix) + the location path when set, else the derived URL.
 */
export function endpointUrl(derivedOrigin: string, path: string, baseUrl: string): string {
  const base = baseUrl ? baseUrl.replace(/\/+$/, '') : derivedOrigin;
  return base + (path.startsWith('/') ? path : `/${path}`);
}

/** A ws:// or wss:// URL, or an explanation of what is wrong with it. */
export function checkWsUrl(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return 'Not a URL; expected ws://host[:port]/path or wss://...';
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return `The scheme must be ws: or wss: (got ${u.protocol})`;
  if (!u.hostname) return 'The URL has no host';
  return undefined;
}

/**
 * Why the headers, Origin or subprotocols of the settings cannot be sent (a line break, a
 * control character, an invalid header name or subprotocol), naming the setting; undefined: fine.
 */
export function checkEndpointSettings(s: Pick<EndpointSettings, 'headers' | 'origin' | 'subprotocols'>): string | undefined {
  const headers = checkRequestOptions({ headers: Object.entries(s.headers) });
  if (headers) return `nginxWs.endpoint.headers: ${headers}`;
  const origin = s.origin ? checkRequestOptions({ origin: s.origin }) : undefined;
  if (origin) return `nginxWs.endpoint.origin: ${origin}`;
  const protocols = checkRequestOptions({ protocols: s.subprotocols });
  if (protocols) return `nginxWs.endpoint.subprotocols: ${protocols}`;
  return undefined;
}

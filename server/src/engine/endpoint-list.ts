/**
 * The WebSocket endpoints of one analysed config, as a list: what the
 * editor's "WebSocket endpoints" view shows (through the language server's
 * `nginxWs/workspaceEndpoints`) and what `nginx-ws endpoints` prints. One
 * function, so the two can never disagree. Pure: no I/O.
 */
import type { Analysis, WsLocation } from './analyze';
import { deriveEndpoint } from './endpoints';
import type { Finding, Range } from './types';

export interface EndpointServer {
  /** `server_name` and listen, e.g. `chat.example.com:8443 (ssl)`; `server` when neither is set. */
  label: string;
  /** File and 0-based range of the `server` line; null for a location outside any server (a snippet). */
  file: string | null;
  range: Range | null;
}

export interface EndpointListItem {
  /** The file holding the location (engine path). */
  file: string;
  /** 1-based line of the `location` directive. */
  line: number;
  /** Range of the `location` line (0-based). */
  range: Range;
  /** `location /ws/`, `location ~ ^/ws/`. */
  location: string;
  modifier: string;
  path: string;
  /** Why it counts as a WebSocket location: the recipe, a path that looks like one, or a setting's pattern. */
  intent: WsLocation['intent'];
  /** Derived URL; null when a concrete request path is needed (regex and named locations) or the base URL is invalid. */
  url: string | null;
  needsPath: boolean;
  backendUrl: string | null;
  notes: string[];
  server: EndpointServer;
  /** The engine's findings inside the location block, by severity. */
  findings: { error: number; warning: number; information: number; hint: number };
  /**
   * A hash of the location block's text and of its server's directives: a test result recorded with another
   * fingerprint was made before the location (or what it inherits from its server) was edited.
   */
  fingerprint: string;
}

export interface ListOptions {
  /** `nginxWs.endpoint.baseUrl` / `--base-url`: where the config is really deployed. */
  baseUrl?: string;
}

/** Every WebSocket location of the analysis, in config order, with its derived URL and findings. */
export function listEndpoints(analysis: Analysis, opts: ListOptions = {}): EndpointListItem[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of analysis.findings) {
    let list = byFile.get(f.path);
    if (!list) byFile.set(f.path, (list = []));
    list.push(f);
  }
  return analysis.wsLocations.map((loc) => {
    const derived = deriveEndpoint(loc, analysis.upstreams, { baseUrl: opts.baseUrl });
    const counts = { error: 0, warning: 0, information: 0, hint: 0 };
    for (const f of findingsWithin(loc, byFile.get(loc.path) ?? [])) counts[f.severity]++;
    return {
      file: loc.path,
      line: loc.directive.range.start.line + 1,
      range: loc.range,
      location: locationLabel(loc),
      modifier: loc.modifier,
      path: loc.locationPath,
      intent: loc.intent,
      url: derived.url,
      needsPath: derived.needsPath,
      backendUrl: derived.backendUrl,
      notes: derived.notes,
      server: serverOf(loc, derived.origin),
      findings: counts,
      fingerprint: fingerprint(loc),
    };
  });
}

/** A location as its parsed modifier and path say it (`location ~ ^/ws/`), for lists and reports; the rules quote it as written (`locationAsWritten`). */
export function locationLabel(loc: WsLocation): string {
  return `location ${loc.modifier ? `${loc.modifier} ` : ''}${loc.locationPath}`;
}

/**
 * The engine's findings on a location's way: inside its block (what the editor shows there), and on the
 * `listen` lines of its server, where every handshake to it arrives (a socket that cannot speak HTTP/1.1).
 */
export function findingsWithin<F extends { path: string; range: Range }>(loc: WsLocation, findings: F[]): F[] {
  const listens = loc.serverDirectives.filter((d) => d.name === 'listen');
  return findings.filter(
    (f) =>
      (f.path === loc.path && contains(loc.directive.range, f.range.start)) ||
      listens.some((d) => f.path === d.file.uri && contains(d.range, f.range.start)),
  );
}

function contains(r: Range, p: Range['start']): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

function serverOf(loc: WsLocation, origin: string): EndpointServer {
  if (!loc.server) return { label: 'no server block', file: null, range: null };
  const names = loc.serverDirectives.filter((d) => d.name === 'server_name').flatMap((d) => d.args.map((a) => a.value));
  const listen = loc.serverDirectives.find((d) => d.name === 'listen');
  const ssl = loc.serverDirectives.some(
    (d) => (d.name === 'listen' && d.args.some((a) => a.value === 'ssl')) || (d.name === 'ssl' && d.arg(0) === 'on'),
  );
  const name = names.find((n) => n && n !== '_') ?? null;
  const port = listen?.arg(0);
  const label =
    name || port ? `${name ?? '(no server_name)'}${port ? ` · listen ${port}${ssl ? ' ssl' : ''}` : ''}` : origin.replace(/^wss?:\/\//, '');
  return { label, file: loc.server.file.uri, range: { start: loc.server.range.start, end: loc.server.range.start } };
}

/** FNV-1a (32 bit) of the location block and its server's own directives: cheap, stable, pure. */
function fingerprint(loc: WsLocation): string {
  const d = loc.directive;
  let h = 0x811c9dc5;
  const feed = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  feed(d.file.text.slice(d.start, d.end));
  for (const s of loc.serverDirectives) feed(`\0${s.name}\0${s.args.map((a) => a.value).join('\0')}`);
  return h.toString(16).padStart(8, '0');
}

/**
 * The endpoint tester's diagnosis points at config lines, so it needs the
 * engine's own `WsLocation` (directives with ranges), which cannot cross the
 * protocol. The client re-analyses the config in-process (same engine, same
 * texts: open editors first, then disk) and picks the location the server
 * named. Pure apart from the `openText` it is given.
 */
import { analyze, type Directive, type Finding, type WsLocation } from '../../server/src/engine/index';
import { DiskReader, LspFileHost, type OpenText } from '../../server/src/node/file-host';
import type { EndpointContext } from '../../server/src/lsp/protocol';
import { normalizeSettings } from '../../server/src/lsp/settings';

export interface LocalLocation {
  location: WsLocation;
  upstreams: Map<string, Directive>;
}

export function findLocalLocation(ep: EndpointContext, openText: (path: string) => OpenText | undefined, rawSettings: unknown): LocalLocation | undefined {
  try {
    const host = new LspFileHost(openText, new DiskReader());
    const analysis = analyze(ep.configPath, host, normalizeSettings(rawSettings).settings);
    const location = analysis.wsLocations.find(
      (l) => l.path === ep.location.file && l.locationPath === ep.location.path && l.range.start.line === ep.location.range.start.line,
    );
    return location ? { location, upstreams: analysis.upstreams } : undefined;
  } catch {
    // The test still runs, only without line-level diagnosis.
    return undefined;
  }
}

/** The server's findings for the location, in the engine's shape the tester expects. */
export function toFindings(ep: EndpointContext): Finding[] {
  return ep.findings.map((f) => ({ path: f.path, range: f.range, severity: f.severity, code: f.code, message: f.message, fixes: [] }));
}

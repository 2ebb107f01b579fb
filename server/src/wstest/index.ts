/**
 * The endpoint tester's public API (no vscode import): the editor command and
 * the CLI are thin shells around `runEndpointTest` and `formatReport`.
 */
import { diagnose } from './diagnose';
import { logLinesSince, logOffset, nginxConfigTest } from './nginx-check';
import { emptyResult, probe } from './probe';
import type { EndpointTestOptions, EndpointTestResult } from './types';

export { deriveEndpoint, type DerivedEndpoint, type DeriveOptions, type BackendTarget } from '../engine/endpoints';
export { formatReport, formatDiagnosis, summaryLine } from './report';
export { maskHeader, maskUrl } from './mask';
export { acceptFor } from './handshake';
export type * from './types';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** A syntactically valid origin that can never be a real site (RFC 6761 `.invalid`). */
export const FOREIGN_ORIGIN = 'https://cross-origin-probe.invalid';


export async function runEndpointTest(opts: EndpointTestOptions): Promise<EndpointTestResult> {
  const timeoutMs = validNumber(opts.timeoutMs, DEFAULT_TIMEOUT_MS);
  const idleSeconds = validNumber(opts.idleSeconds, 0, true);
  const progress = (m: string): void => {
    try {
      opts.onProgress?.(m);
    } catch {
      // A failing progress callback must not fail the test.
    }
  };
  const loc = opts.context?.location;
  const base: Omit<EndpointTestResult, keyof ReturnType<typeof emptyResult>> = {
    diagnosis: [],
    backend: null,
    crossOrigin: null,
    nginxTest: null,
    errorLog: null,
    findings: opts.context?.findings ?? [],
    location: loc ? { path: loc.path, line: loc.directive.range.start.line + 1, text: `location ${loc.modifier ? `${loc.modifier} ` : ''}${loc.locationPath}` } : null,
  };
  if (timeoutMs === null || idleSeconds === null) {
    const r: EndpointTestResult = { ...emptyResult(opts.url), ...base, kind: 'bad-url', error: 'timeoutMs must be a positive number and idleSeconds zero or more' };
    return r;
  }

  const logStart = opts.errorLogPath ? logOffset(opts.errorLogPath) : null;
  const nginxTest = opts.nginx ? (progress('Running nginx -t'), nginxConfigTest(opts.nginx, timeoutMs, opts.signal)) : null;

  const main = await probe({
    url: opts.url,
    timeoutMs,
    idleSeconds,
    insecure: !!opts.insecure,
    origin: opts.origin,
    headers: opts.headers,
    protocols: opts.protocols,
    exchange: true,
    signal: opts.signal,
    onProgress: progress,
  });
  const r: EndpointTestResult = { ...main, ...base };

  if (opts.backendUrl && !opts.signal?.aborted) {
    progress(`Testing the backend directly: ${opts.backendUrl}`);
    r.backend = await probe({
      url: opts.backendUrl,
      timeoutMs,
      idleSeconds: 0,
      insecure: true, // The backend's certificate is nginx's business (proxy_ssl_verify), not the client's.
      origin: opts.origin,
      headers: opts.headers,
      protocols: opts.protocols,
      exchange: true,
      signal: opts.signal,
    });
  }

  // Only meaningful when the normal handshake was accepted.
  if (opts.crossOriginProbe && main.negotiated && !opts.signal?.aborted) {
    const origin = typeof opts.crossOriginProbe === 'string' ? opts.crossOriginProbe : FOREIGN_ORIGIN;
    progress(`Cross-origin probe with Origin: ${origin}`);
    const c = await probe({ url: opts.url, timeoutMs, idleSeconds: 0, insecure: !!opts.insecure, origin, headers: opts.headers, protocols: opts.protocols, exchange: false, signal: opts.signal });
    r.crossOrigin = {
      origin,
      accepted: c.ok,
      status: c.status,
      detail: c.ok
        ? 'ACCEPTED: the endpoint upgrades a connection from a foreign site (cross-site WebSocket hijacking risk)'
        : c.status !== null
          ? `refused with ${c.status} (the Origin is checked)`
          : `inconclusive: ${c.error}`,
    };
  }

  if (nginxTest) r.nginxTest = await nginxTest;
  if (opts.errorLogPath) {
    r.errorLog = logStart === null ? null : logLinesSince(opts.errorLogPath, logStart);
  }
  r.diagnosis = diagnose(r, opts.context);
  return r;
}

function validNumber(v: number | undefined, dflt: number, zeroOk = false): number | null {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!zeroOk && v === 0)) return null;
  return v;
}

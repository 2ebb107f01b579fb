/**
 * The endpoint tester's public API (no vscode import): the editor command and
 * the CLI are thin shells around `runEndpointTest` and `formatReport`.
 *
 *   const ac = new AbortController();                      // wire to the progress notification's cancel
 *   const r = await runEndpointTest({
 *     url,                                                 // derived (deriveEndpoint / nginxWs/endpointContext) or edited by the user
 *     timeoutMs, idleSeconds, insecure, origin, headers, protocols,
 *     backendUrl,                                          // optional backend-direct test
 *     crossOriginProbe: true,                              // optional
 *     nginx: trusted ? { binary, configFile, prefix } : undefined,  // runs `nginx -t`: only in a trusted workspace
 *     errorLogPath,                                        // lines it gains are shown
 *     signal: ac.signal, onProgress: (m) => progress.report({ message: m }),
 *     context: { location: locationContext(loc) /* or the WsLocation itself *\/, findings },
 *   });
 *   notify(r.ok, summaryLine(r)); output.append(formatReport(r));
 *
 * It never throws for a bad URL or a hostile endpoint: every failure is a
 * result with `stage`, `kind`, `error` and a `diagnosis`.
 */
import { locationContext, type LocationContext, type WsLocation } from '../engine/index';
import { diagnose } from './diagnose';
import { errorLogNote, logLinesSince, logOffset } from '../nginx/error-log';
import { nginxConfigTest } from '../nginx/config-test';
import { emptyResult, probe } from './probe';
import { redact, redactText, secretsOf } from './mask';
import type { EndpointTestOptions, EndpointTestResult } from './types';

export {
  deriveEndpoint,
  locationContext,
  type DerivedEndpoint,
  type DeriveOptions,
  type BackendTarget,
  type LocationContext,
  type DirectiveRef,
} from '../engine/index';
export { formatReport, formatDiagnosis, summaryLine } from './report';
export { maskHeader, maskUrl } from './mask';
export { acceptFor } from './handshake';
export type * from './types';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** A syntactically valid origin that can never be a real site (RFC 6761 `.invalid`). */
export const FOREIGN_ORIGIN = 'https://cross-origin-probe.invalid';

/**
 * Runs the test. Every string of the result is masked (credential headers, cookies, the URL's
 * password, credential-like query values, token-like subprotocols), not only the report: errors,
 * steps, redirects, error_log lines and bodies too.
 */
export async function runEndpointTest(opts: EndpointTestOptions): Promise<EndpointTestResult> {
  const secrets = secretsOf({ urls: [opts.url, opts.backendUrl ?? ''], headers: opts.headers, protocols: opts.protocols });
  return redact(await runUnmasked(opts, secrets), secrets);
}

async function runUnmasked(opts: EndpointTestOptions, secrets: string[]): Promise<EndpointTestResult> {
  const timeoutMs = validNumber(opts.timeoutMs, DEFAULT_TIMEOUT_MS);
  const idleSeconds = validNumber(opts.idleSeconds, 0, true);
  const progress = (m: string): void => {
    try {
      opts.onProgress?.(redactText(m, secrets));
    } catch {
      // A failing progress callback must not fail the test.
    }
  };
  const loc = opts.context ? toContext(opts.context.location) : undefined;
  const context = loc ? { location: loc, findings: opts.context!.findings } : undefined;
  const base: Omit<EndpointTestResult, keyof ReturnType<typeof emptyResult>> = {
    diagnosis: [],
    backend: null,
    crossOrigin: null,
    nginxTest: null,
    errorLog: null,
    findings: opts.context?.findings ?? [],
    location: loc ? { path: loc.path, line: loc.line, text: loc.text } : null,
  };
  if (timeoutMs === null || idleSeconds === null) {
    const r: EndpointTestResult = {
      ...emptyResult(opts.url),
      ...base,
      kind: 'bad-url',
      error: 'timeoutMs must be a positive number and idleSeconds zero or more',
    };
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
    connectTo: opts.connectTo,
    confirmRedirect: opts.confirmRedirect,
  });
  const r: EndpointTestResult = { ...main, ...base };

  const setupFailed = main.kind === 'bad-option' || main.kind === 'bad-url';
  if (opts.backendUrl && !opts.signal?.aborted && !setupFailed) {
    progress(`Testing the backend directly: ${opts.backendUrl}`);
    r.backend = await probe({
      url: opts.backendUrl,
      timeoutMs,
      idleSeconds: 0,
      // The certificate is checked like the endpoint's: a backend address comes from the config, and
      // turning checks off for it is the user's choice (allowSelfSigned / --insecure), not the config's.
      insecure: !!opts.insecure,
      confirmRedirect: opts.confirmRedirect,
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
    const c = await probe({
      url: opts.url,
      timeoutMs,
      idleSeconds: 0,
      insecure: !!opts.insecure,
      origin,
      headers: opts.headers,
      protocols: opts.protocols,
      exchange: false,
      signal: opts.signal,
      connectTo: opts.connectTo,
      confirmRedirect: opts.confirmRedirect,
    });
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
    if (r.errorLog === null) r.errorLogNote = errorLogNote(opts.errorLogPath);
  }
  r.diagnosis = diagnose(r, context);
  return r;
}

function validNumber(v: number | undefined, dflt: number, zeroOk = false): number | null {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!zeroOk && v === 0)) return null;
  return v;
}

function toContext(l: WsLocation | LocationContext): LocationContext {
  return 'directive' in l ? locationContext(l) : l;
}

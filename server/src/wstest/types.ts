/**
 * Public shapes of the endpoint tester. The editor command and the CLI both
 * build an `EndpointTestOptions`, call `runEndpointTest`, and render the
 * `EndpointTestResult` (or `formatReport` it).
 */
import type { Finding, Range, Severity, WsLocation, LocationContext } from '../engine/index';

/** An engine finding as the diagnosis needs it (an engine `Finding`, or the LSP's serialised one; `path` defaults to the location's file). */
export interface ContextFinding {
  code: string;
  message: string;
  range: Range;
  severity?: Severity;
  path?: string;
}

/** Where the test stopped: the step that failed, or `done`. `setup`: the options themselves were refused (a header with CR/LF...). */
export type Stage = 'setup' | 'dns' | 'connect' | 'tls' | 'handshake' | 'message' | 'idle' | 'done';

/** Machine-readable cause of a failure; drives the diagnosis. */
export type FailureKind =
  | 'bad-url'
  | 'bad-option'
  | 'aborted'
  | 'dns'
  | 'refused'
  | 'connect-timeout'
  | 'connect-error'
  | 'tls-cert'
  | 'tls-not-tls'
  | 'tls-error'
  | 'tls-timeout'
  | 'handshake-timeout'
  | 'closed-before-response'
  | 'not-http'
  | 'headers-too-large'
  | 'http-status'
  | 'redirect'
  | 'redirect-loop'
  | 'bad-upgrade'
  | 'bad-connection'
  | 'bad-accept'
  | 'bad-protocol'
  | 'bad-extension'
  | 'message-timeout'
  | 'closed-after-handshake'
  | 'protocol-error'
  | 'idle-closed'
  | 'idle-dead';

export interface EndpointTestOptions {
  /** `ws://` or `wss://` (http/https accepted and mapped). */
  url: string;
  /** Deadline of every single stage (DNS, connect, TLS, handshake, reply). Default 10000 ms. */
  timeoutMs?: number;
  /** Keep the connection idle this long after the exchange and report whether it was closed. Default 0 (no hold). */
  idleSeconds?: number;
  /** Accept self-signed and otherwise untrusted certificates (the report still says so). */
  insecure?: boolean;
  origin?: string;
  /** Extra request headers. Credentials are masked in every report. */
  headers?: [string, string][];
  protocols?: string[];
  /** Also test the proxy_pass target directly (from `deriveEndpoint(...).backendUrl`). */
  backendUrl?: string;
  /** Repeat the handshake with a foreign Origin: `true` for the default probe origin, or the origin to use. */
  crossOriginProbe?: boolean | string;
  /** Connect to this address instead of resolving the URL's host (a local proof); redirects are then not followed. */
  connectTo?: { host: string; port: number };
  /**
   * Asked before a redirect to another host (or port) is followed, with its URL; false: it is
   * reported, not followed. Without it such a redirect is followed, never with the credentials
   * given (headers with credentials, cookies, the URL's password, token-like subprotocols).
   * A redirect from wss:// to ws:// is never followed. The editor asks in an untrusted workspace.
   */
  confirmRedirect?: (url: string) => boolean | Promise<boolean>;
  /** Run `nginx -t` (only when the caller trusts the workspace). */
  nginx?: { binary: string; configFile: string; prefix?: string };
  /** The config's error_log: lines it gains during the test go into the report. */
  errorLogPath?: string;
  signal?: AbortSignal;
  onProgress?: (msg: string) => void;
  /**
   * The location the URL came from and the engine's findings there, for a diagnosis that names the line.
   * `location` is the engine's `WsLocation` (in-process: CLI, tests) or its plain-data form
   * `locationContext(loc)` (across the LSP, for the editor client).
   */
  context?: { location: WsLocation | LocationContext; findings: (Finding | ContextFinding)[] };
}

export interface StepVerdict {
  step: string;
  ok: boolean;
  detail: string;
}

export interface Diagnosis {
  /** One line: the likely cause in the config. */
  message: string;
  /** Config file and 1-based line, when the cause is a line. */
  path?: string;
  line?: number;
  /** Rule id of the engine finding behind it, if any. */
  code?: string;
}

export interface Timings {
  dns: number | null;
  connect: number | null;
  tls: number | null;
  /** From sending the request to a complete response head. */
  handshake: number | null;
  /** Message or ping sent → first reply or pong. */
  roundTrip: number | null;
}

export interface HttpHead {
  statusLine: string;
  status: number;
  headers: [string, string][];
  /** Up to 4 KiB of a refused handshake's body (text). */
  body: string;
}

/** One connection attempt: the main test, the backend-direct test and the cross-origin probe each make one. */
export interface ProbeResult {
  url: string;
  ok: boolean;
  stage: Stage;
  kind: FailureKind | null;
  status: number | null;
  error: string | null;
  timings: Timings;
  /** Address actually connected to. */
  remoteAddress: string | null;
  tls: { protocol: string | null; authorized: boolean; authorizationError: string | null; subject: string | null } | null;
  /** Request line and headers as sent (credentials masked, like every string of a result of `runEndpointTest`). */
  request: { line: string; headers: [string, string][] } | null;
  response: HttpHead | null;
  /** Locations followed on 3xx (for loops). */
  redirects: string[];
  negotiated: { protocol: string | null; extensions: string | null } | null;
  /** How the exchange was answered. */
  reply: 'echo' | 'message' | 'pong' | null;
  /** Closing handshake or socket close seen after the upgrade. */
  close: { code: number | null; reason: string; afterMs: number } | null;
  closedAfterIdleMs: number | null;
  steps: StepVerdict[];
}

export interface EndpointTestResult extends ProbeResult {
  diagnosis: Diagnosis[];
  backend: ProbeResult | null;
  crossOrigin: { origin: string; accepted: boolean; status: number | null; detail: string } | null;
  nginxTest: { ok: boolean; output: string } | null;
  /** Lines the error_log gained during the test. */
  errorLog: string[] | null;
  /** Why the error_log was not read, when it was given but is not a readable regular file (a FIFO, a device...). */
  errorLogNote?: string;
  /** Findings of the location that were passed in `context`. */
  findings: ContextFinding[];
  /** The location, for the report's header (path:line). */
  location: { path: string; line: number; text: string } | null;
}

/**
 * The extension's own protocol between client and server: method names and
 * payloads beyond LSP. Types only (no runtime dependency), so the VS Code
 * client imports this file without pulling the server in.
 */
import type { LocationContext, EndpointListItem, EngineSettings, Position, Range, Severity, TraceReport } from '../engine/index';

export const ENDPOINT_CONTEXT_REQUEST = 'nginxWs/endpointContext';
/** Client → server: the workspace trust changed (VS Code only ever grants it). */
export const WORKSPACE_TRUST_NOTIFICATION = 'nginxWs/workspaceTrust';
export const TEST_ENDPOINT_COMMAND = 'nginxWs.testEndpoint';
export const FIX_ALL_COMMAND = 'nginxWs.fixAll';
export const CODE_LENS_TITLE = '▶ Test WebSocket endpoint';

export interface InitializationOptions {
  /** Whether the workspace is trusted: only then may the server run nginx (`nginx -v`). */
  workspaceTrusted?: boolean;
  /** Diagnostics debounce in ms (tests shorten it). */
  debounceMs?: number;
  /** Settings for clients without `workspace/configuration`. */
  settings?: unknown;
}

/**
 * From the server's front to an analysis thread (front/front.ts): this version of the document went
 * over a budget of the whole server (time or memory); until it changes it is not analysed, and its one
 * diagnostic is `message`.
 */
export const OVER_BUDGET_NOTIFICATION = 'nginxWs/overBudget';

/** From the primary analysis thread, through the front, to the replica: the version `nginx -v` gave (the replica runs nothing). */
export const DETECTED_VERSION_NOTIFICATION = 'nginxWs/detectedVersion';

/** From the server's front to the replica thread: analyse this open document now and publish its diagnostics (the primary is busy). */
export const PUBLISH_NOW_NOTIFICATION = 'nginxWs/publishNow';

export interface OverBudgetParams {
  uri: string;
  version: number;
  message: string;
}

export interface WorkspaceTrustParams {
  trusted: boolean;
}

/** Arguments of the CodeLens command. */
export interface TestEndpointArgs {
  uri: string;
  range: Range;
  locationPath: string;
  modifier: string;
}

export interface EndpointContextParams {
  uri: string;
  /** Picks the location containing it; omitted: every WebSocket location of the document. */
  position?: Position;
  /** A concrete request path (regex locations, or the path the user typed): URLs are derived for it. */
  path?: string;
  /** `nginxWs.endpoint.baseUrl`: where the config is really deployed. */
  baseUrl?: string;
}

export interface EndpointFinding {
  /** The file the finding is in (an engine path). */
  path: string;
  code: string;
  severity: Severity;
  message: string;
  range: Range;
}

export interface EndpointContext {
  uri: string;
  /** The config file analysed (root of the analysis); a filesystem path when on disk. */
  configPath: string;
  configOnDisk: boolean;
  location: {
    path: string;
    modifier: string;
    isRegex: boolean;
    /** Regex and named locations: the client must ask for a concrete request path. */
    needsPath: boolean;
    /** Range of the `location` line, in `file`. */
    range: Range;
    /** The file holding the location (an engine path: filesystem path, or the URI of an untitled document). */
    file: string;
  };
  /** `ws://host[:port]` or `wss://...` derived from `listen` and `server_name`. */
  origin: string;
  /** The full derived URL (engine `deriveEndpoint`, no base URL); null when a concrete path is needed. */
  url: string | null;
  serverName: string | null;
  /** First argument of the effective `proxy_pass`, as written. */
  proxyPass: string | null;
  /** The backend's own WebSocket URL (upstream resolved), for a backend-direct test; null when not derivable. */
  backendUrl: string | null;
  /** Why parts could not be derived (variables in proxy_pass, unix sockets...). */
  notes: string[];
  /** Docker template placeholders (`${NGINX_PORT}`) the URL depends on: the client asks for the deployed URL. */
  placeholders?: string[];
  /** `error_log` file of the server or main context, when it names a file. */
  errorLogPath: string | null;
  /** The engine's findings inside this location. */
  findings: EndpointFinding[];
  /** The location as plain data (directive lines and ranges) for the tester's diagnosis. */
  context: LocationContext;
  /**
   * What the request model predicts for this handshake before anything
   * connects (the client's handshake through the config in the editor);
   * null when it cannot say (a regex location with no path).
   */
  prediction?: TraceReport | null;
}

export interface EndpointContextResult {
  endpoints: EndpointContext[];
}

/** Client → server: every WebSocket location of the workspace's configs, for the "WebSocket endpoints" view. */
export const WORKSPACE_ENDPOINTS_REQUEST = 'nginxWs/workspaceEndpoints';

export interface WorkspaceEndpointsParams {
  /** `nginxWs.endpoint.baseUrl`, applied to every derived URL. */
  baseUrl?: string;
}

export interface WorkspaceConfigEndpoints {
  /** The config root analysed (a filesystem path) and its URI. */
  configPath: string;
  configUri: string;
  /** Items as `listEndpoints` (engine/endpoint-list.ts) returns them, with the file's URI added. */
  endpoints: (EndpointListItem & { uri: string })[];
}

export interface WorkspaceEndpointsResult {
  configs: WorkspaceConfigEndpoints[];
  /** Why the list may be partial (roots that could not be read, limits reached). */
  notes: string[];
}

/** Client → server: the config a document belongs to, exactly as analysed (unsaved edits included), for a local proof. */
export const CONFIG_SNAPSHOT_REQUEST = 'nginxWs/configSnapshot';
/** "Prove WebSocket location with local nginx" (trusted workspaces with an nginx binary only). */
export const PROVE_COMMAND = 'nginxWs.proveLocation';
export const PROVE_LENS_TITLE = '⚗ Prove with local nginx';

export interface ConfigSnapshotParams {
  uri: string;
}

export interface ConfigSnapshotResult {
  /** The config root analysed (an engine path); null when the document has no analysis. */
  rootPath: string | null;
  /** The engine settings of that analysis (prefix, patterns...). */
  settings: EngineSettings | null;
  /** Every file of the analysis with the text it was analysed with (open buffers included). */
  files: { path: string; text: string }[];
  /** Why the snapshot is empty (too large, no analysis). */
  note: string | null;
}

/**
 * Client → server: "Trace a request…". Without `url`, the URL of the
 * location at `position` (to prefill the input box); with it, the trace of a
 * request for that URL through the config the document belongs to.
 */
export const TRACE_REQUEST = 'nginxWs/trace';

export interface TraceParams {
  uri: string;
  position?: Position;
  url?: string;
  headers?: { name: string; value: string }[];
  method?: string;
  /** A plain request instead of a WebSocket handshake. */
  plain?: boolean;
}

export interface TraceResult {
  /** The URL traced, or the location's own (prefill) when no `url` was given. */
  url: string | null;
  /** The trace; null when only the URL was asked for, or on `error`. */
  report: TraceReport | null;
  /** The config root the request was traced through. */
  configPath: string | null;
  error?: string;
}

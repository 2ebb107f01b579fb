/**
 * Public shapes of the local proof: the options the editor command and the
 * CLI pass to `runProof`, and the result they render.
 */
import type { EngineSettings, FileHost } from '../engine/index';
import type { ContextFinding, Diagnosis, EndpointTestResult, Stage } from '../wstest/types';

/** Where a proof stopped: before nginx ran (`setup`), at `nginx -t`, at start-up, or at an endpoint-test stage. */
export type ProofStage = 'setup' | 'nginx-t' | 'start' | Stage;

export interface ProofOptions {
  /** The config root as the engine names it (a filesystem path). */
  root: string;
  /** The texts of the config as the editor sees them (open buffers first); the disk when omitted. */
  host?: FileHost;
  /** Engine settings of the analysis (the editor's; `prefix` is the config prefix relative includes resolve against). */
  settings?: EngineSettings;
  /** Which location: the file and 1-based line of its `location` directive, or its path (`/ws/`). */
  location: { file?: string; line?: number; path?: string };
  /** A concrete request path (regex locations need one). */
  requestPath?: string;
  /** Hold the connection idle this long after the exchange (as the endpoint test). */
  idleSeconds?: number;
  /** Deadline of each endpoint-test stage (default 10000 ms); `nginx -t` and start-up get at least 60 s. */
  timeoutMs?: number;
  /** The nginx binary (`nginxWs.nginxPath`): a path, or a name looked up on PATH. */
  nginx: string;
  /** The location's findings to diagnose with (the editor passes the language server's); default: the proof's own analysis. */
  findings?: ContextFinding[];
  /** Where the private prefix is made (default: the OS temp folder). */
  tmpDir?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** One change made to the copy so it runs here; the copy differs from the config only where one is recorded. */
export interface ProofRewrite {
  /** What kind of change: `listen`, `proxy_pass target`, `upstream server`, `error_log`, `certificate`... */
  what: string;
  /** The directive as written (one line). */
  from: string;
  /** What runs here instead. */
  to: string;
  /** Original file (engine path) and 1-based line; null for directives given on nginx's command line (`-g`). */
  file: string | null;
  line: number | null;
  /** Last line of the directive (a disabled block spans several). */
  endLine: number | null;
  /** Why it had to change. */
  why: string;
}

/** Something the proof could not make local, or ran without: the result says what it still stands behind. */
export interface ProofCaveat {
  message: string;
  file: string | null;
  line: number | null;
  /** The directive applies to the proven location's request (its location, server, http or main level). */
  onPath: boolean;
}

/** One request the stand-in backend received (what nginx forwarded). */
export interface BackendRequest {
  /** `GET /ws/ HTTP/1.1` */
  line: string;
  httpVersion: string;
  headers: [string, string][];
  /** What the backend answered: 101, or the status it refused with and why. */
  answer: { status: number; reason: string };
}

export interface ProofResult {
  ok: boolean;
  stage: ProofStage;
  /** HTTP status the client saw, when it got one. */
  status: number | null;
  /** One line: why it failed (null when it passed). */
  error: string | null;
  /** The location proven. */
  location: { path: string; line: number; text: string } | null;
  /** The URL a client of the deployed config would use (server_name kept), and where it was connected here. */
  url: string | null;
  connectedTo: string | null;
  rewrites: ProofRewrite[];
  caveats: ProofCaveat[];
  /** Files read in place (absolute includes of files the proof did not need to change). */
  readInPlace: string[];
  /** One paragraph: which result this proof stands behind. */
  standsBehind: string;
  nginx: { binary: string; version: string | null } | null;
  /** `nginx -t` on the copy, paths shown as the original files. */
  nginxTest: { ok: boolean; output: string } | null;
  /** The endpoint test through the local nginx (null when nginx did not run). */
  test: EndpointTestResult | null;
  backend: { address: string; tls: boolean; requests: BackendRequest[] } | null;
  /** Lines nginx's error logs gained (start-up and test), paths shown as the original files. */
  errorLog: string[];
  diagnosis: Diagnosis[];
  /** The location's findings the diagnosis used. */
  findings: ContextFinding[];
  /** Milliseconds per phase. */
  timings: { setup: number | null; nginxTest: number | null; start: number | null; test: number | null; cleanup: number | null };
  /** What was cleaned up; `leftovers` lists anything that could not be (empty when all is gone). */
  cleanup: { nginxStopped: boolean; backendStopped: boolean; prefixRemoved: boolean; leftovers: string[] };
  /** The private prefix (removed by the time the result is returned) and the loopback ports used. */
  prefix: string | null;
  ports: number[];
}

/**
 * The endpoint tester's API as the client uses it (server/src/wstest, a
 * Node module with no vscode import). Kept in one file so the command code
 * does not care where the implementation comes from.
 */
export interface EndpointTestOptions {
  url: string;
  timeoutMs?: number;
  idleSeconds?: number;
  insecure?: boolean;
  origin?: string;
  headers?: Record<string, string>;
  protocols?: string[];
  backendUrl?: string;
  crossOriginProbe?: boolean;
  nginx?: { binary: string; configPath: string; prefix?: string };
  errorLogPath?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  context?: { location: string; findings: { code: string; severity: string; message: string; line: number }[] };
}

export interface EndpointTestResult {
  ok: boolean;
  stage: string;
  status?: number | null;
  error?: string | null;
  diagnosis: (string | { message?: string; summary?: string })[];
}

export interface EndpointTester {
  runEndpointTest(opts: EndpointTestOptions): Promise<EndpointTestResult>;
  formatReport(result: EndpointTestResult): string;
}

/** The tester, or a reason it is not part of this build. */
export function loadTester(): EndpointTester | string {
  return 'the endpoint tester (server/src/wstest) is not part of this build yet';
}

/**
 * The report panel's input: one typed, serialisable model for every kind of
 * WebSocket check the extension runs. The endpoint test fills it today
 * (`fromEndpointTest`); a local proof with a private nginx (issue 17) fills the
 * same shape with `kind: 'local-proof'` and its `rewrites`; the request model
 * (issue 9) fills `prediction`, shown next to the observed outcome.
 *
 * Pure: no vscode import. Everything in it is already masked (credentials) and
 * plain data, so the panel can persist it in the webview state and a
 * serializer can restore it after a reload.
 */
import type { ContextFinding, Diagnosis, EndpointTestResult, ProbeResult, Stage } from '../../../server/src/wstest/types';
import { maskHeader, maskRequestLine, maskText, maskUrl } from '../../../server/src/wstest/mask';
import { formatReport, oneLine } from '../../../server/src/wstest/report';
import { proofStageName } from '../../../server/src/prove/report';

export const REPORT_MODEL_VERSION = 1;

export type ReportKind = 'endpoint-test' | 'local-proof';

/** Where a check stopped: an endpoint-test stage, or (local proof) before the test: `setup`, `nginx-t`, `start`. */
export type ReportStage = Stage | 'setup' | 'nginx-t' | 'start';

/** One row of the timeline. `not-run`: an earlier stage failed, or the stage does not apply (no TLS on ws://). */
export interface StageRow {
  id: 'setup' | 'nginx-t' | 'start' | 'dns' | 'connect' | 'tls' | 'handshake' | 'message' | 'idle';
  label: string;
  state: 'ok' | 'failed' | 'not-run' | 'skipped';
  /** Duration in ms, when measured. */
  ms: number | null;
  detail: string;
}

/** A place in the config: a file (engine path: filesystem path or untitled URI) and a 1-based line. */
export interface ConfigLine {
  file: string;
  line: number;
}

export interface DiagnosisRow {
  message: string;
  at: ConfigLine | null;
  /** Rule id of the engine finding behind it: a quick fix may exist for it. */
  code: string | null;
}

export interface FindingRow {
  severity: string;
  code: string;
  message: string;
  at: ConfigLine;
}

export interface HeaderExchange {
  /** Request line and headers as sent, credentials masked. */
  request: { line: string; headers: [string, string][] } | null;
  /** Status line, headers (masked) and up to 4 KiB of body, as received. */
  response: { statusLine: string; headers: [string, string][]; body: string } | null;
}

/**
 * What the request model predicts for this request before anything connects
 * (issue 9). Rendered next to the observed outcome when present; `null` until
 * a predictor exists.
 */
export interface Prediction {
  /** `upgrade`: nginx proxies and the backend answers 101; otherwise the status the client should see. */
  outcome: 'upgrade' | 'status' | 'unknown';
  status: number | null;
  /** One line, e.g. "101 through location /ws/ to 127.0.0.1:8080". */
  summary: string;
  /** The steps that decided it, each with its config line when it has one. */
  steps: { message: string; at: ConfigLine | null }[];
}

/** A change a local proof made to run the config here (issue 17): listen → loopback, proxy_pass → echo backend... */
export interface Rewrite {
  what: string;
  from: string;
  to: string;
  at: ConfigLine | null;
  /** Why it had to change. */
  why?: string;
}

/** What a local proof adds to the report: what it stands behind, what did not run, what the stand-in backend saw. */
export interface ProofDetails {
  /** One paragraph: which result the proof stands behind. */
  standsBehind: string;
  /** What could not run here; `onPath`: it applies to the proven location's request. */
  caveats: { message: string; at: ConfigLine | null; onPath: boolean }[];
  /** Files nginx read in place (absolute includes the proof did not need to change). */
  readInPlace: string[];
  backend: {
    address: string;
    tls: boolean;
    requests: { line: string; headers: [string, string][]; answer: { status: number; reason: string } }[];
  } | null;
  /** `nginx 1.22.1 (/usr/sbin/nginx)` */
  nginx: string | null;
  /** One line: what was stopped and removed (or left behind). */
  cleanup: string;
}

export interface ExtraCheck {
  title: string;
  ok: boolean;
  detail: string;
}

export interface ReportModel {
  version: typeof REPORT_MODEL_VERSION;
  kind: ReportKind;
  /** "Test WebSocket endpoint", "Local nginx proof". */
  title: string;
  /** The URL tested, masked. */
  target: string;
  /** ISO time the check finished. */
  finishedAt: string;
  verdict: {
    ok: boolean;
    /** "Passed" or "Failed at handshake". */
    headline: string;
    /** Where it stopped. */
    stage: ReportStage;
    /** HTTP status the client saw, when it got one. */
    status: number | null;
    /** One line: the error, or the round trip. */
    detail: string;
  };
  location: (ConfigLine & { label: string }) | null;
  stages: StageRow[];
  exchange: HeaderExchange;
  diagnosis: DiagnosisRow[];
  findings: FindingRow[];
  prediction: Prediction | null;
  rewrites: Rewrite[] | null;
  /** A local proof's own sections (null or absent for an endpoint test). */
  proof?: ProofDetails | null;
  checks: ExtraCheck[];
  nginxTest: { ok: boolean; output: string } | null;
  errorLog: string[] | null;
  /** The plain-text report (Output channel, "Copy as text", the CLI's text mode). */
  text: string;
  /** What "Run again" repeats: the location (document URI and position of its `location` line) and the URL tested. */
  rerun: RerunSpec | null;
}

export interface RerunSpec {
  uri: string;
  position: { line: number; character: number };
  /** The URL as tested (unmasked: it is the user's own input, kept only in this panel's state). */
  url: string;
}

const STAGES: { id: StageRow['id']; label: string; timing: keyof EndpointTestResult['timings'] | null }[] = [
  { id: 'dns', label: 'DNS', timing: 'dns' },
  { id: 'connect', label: 'TCP connect', timing: 'connect' },
  { id: 'tls', label: 'TLS', timing: 'tls' },
  { id: 'handshake', label: 'WebSocket handshake', timing: 'handshake' },
  { id: 'message', label: 'Message round trip', timing: 'roundTrip' },
  { id: 'idle', label: 'Idle hold', timing: null },
];

/** The proof's own wording of a stage (the report and the CLI say the same). */
export function stageName(s: ReportStage): string {
  return proofStageName(s);
}

/** The timeline of one connection attempt: each stage's state and duration, the failing one marked. */
export function stageRows(p: ProbeResult, idleSeconds = 0): StageRow[] {
  const secure = /^wss:/i.test(p.url);
  const failedAt = p.ok ? null : p.stage;
  const order = STAGES.map((s) => s.id);
  // `setup`: an option was refused before any stage ran (no row of its own).
  const failedIndex = failedAt && failedAt !== 'done' && failedAt !== 'setup' ? order.indexOf(failedAt) : -1;
  return STAGES.map((s, i) => {
    const verdict = [...p.steps].reverse().find((v) => v.step === s.id);
    const ms = s.timing ? p.timings[s.timing] : s.id === 'idle' && verdict?.ok ? idleSeconds * 1000 : null;
    let state: StageRow['state'];
    if (s.id === 'tls' && !secure) state = 'skipped';
    else if (s.id === 'idle' && idleSeconds <= 0 && failedAt !== 'idle') state = 'skipped';
    else if (i === failedIndex) state = 'failed';
    else if (verdict?.ok) state = 'ok';
    else state = 'not-run';
    const detail =
      state === 'skipped'
        ? s.id === 'tls'
          ? 'ws:// has no TLS'
          : 'not requested (nginxWs.endpoint.idleSeconds)'
        : state === 'failed'
          ? oneLine(p.error ?? verdict?.detail ?? '')
          : state === 'not-run'
            ? 'not reached'
            : oneLine(verdict?.detail ?? '');
    return { id: s.id, label: s.label, state, ms: state === 'ok' || state === 'failed' ? (ms ?? null) : null, detail };
  });
}

export function maskedExchange(p: ProbeResult): HeaderExchange {
  return {
    request: p.request
      ? { line: maskRequestLine(p.request.line), headers: p.request.headers.map(([k, v]) => [k, maskHeader(k, v)]) }
      : null,
    response: p.response
      ? {
          statusLine: p.response.statusLine,
          headers: p.response.headers.map(([k, v]) => [k, maskHeader(k, v)]),
          body: maskText(p.response.body),
        }
      : null,
  };
}

export function diagnosisRow(d: Diagnosis): DiagnosisRow {
  return { message: oneLine(d.message), at: d.path && d.line ? { file: d.path, line: d.line } : null, code: d.code ?? null };
}

/** The location's findings as rows; a finding without a file is in the location's. */
export function findingRows(findings: ContextFinding[], locationFile: string | undefined): FindingRow[] {
  return findings.map((f) => ({
    severity: f.severity ?? 'warning',
    code: f.code,
    message: oneLine(f.message),
    at: { file: f.path ?? locationFile ?? '', line: f.range.start.line + 1 },
  }));
}

export interface FromTestOptions {
  idleSeconds?: number;
  finishedAt?: Date;
  prediction?: Prediction | null;
  rerun?: RerunSpec | null;
}

/** The report model of one endpoint test. */
export function fromEndpointTest(r: EndpointTestResult, o: FromTestOptions = {}): ReportModel {
  const checks: ExtraCheck[] = [];
  if (r.backend) {
    checks.push({
      title: `Backend direct (bypassing nginx): ${maskUrl(r.backend.url)}`,
      ok: r.backend.ok,
      detail: r.backend.ok
        ? 'the backend upgrades when reached directly'
        : `failed at ${stageName(r.backend.stage)}: ${oneLine(r.backend.error ?? '')}`,
    });
  }
  if (r.crossOrigin)
    checks.push({
      title: `Cross-origin probe (Origin: ${r.crossOrigin.origin})`,
      ok: !r.crossOrigin.accepted,
      detail: oneLine(r.crossOrigin.detail),
    });
  if (r.closedAfterIdleMs !== null)
    checks.push({ title: 'Idle hold', ok: false, detail: `closed by the server after ${(r.closedAfterIdleMs / 1000).toFixed(1)} s idle` });
  let text: string;
  try {
    text = formatReport(r);
  } catch (e) {
    text = `${JSON.stringify(r, null, 2)}\n(report formatting failed: ${String(e)})`;
  }
  return {
    version: REPORT_MODEL_VERSION,
    kind: 'endpoint-test',
    title: 'Test WebSocket endpoint',
    target: maskUrl(r.url),
    finishedAt: (o.finishedAt ?? new Date()).toISOString(),
    verdict: {
      ok: r.ok,
      headline: r.ok ? 'Passed' : `Failed at ${stageName(r.stage)}`,
      stage: r.stage,
      status: r.status,
      detail: r.ok
        ? `upgraded${r.timings.roundTrip !== null ? `, round trip ${r.timings.roundTrip} ms` : ''}${r.reply === 'echo' ? ' (echo)' : r.reply === 'pong' ? ' (pong)' : ''}`
        : oneLine(r.error ?? 'unknown error'),
    },
    location: r.location ? { label: r.location.text, file: r.location.path, line: r.location.line } : null,
    stages: stageRows(r, o.idleSeconds ?? 0),
    exchange: maskedExchange(r),
    diagnosis: r.diagnosis.map(diagnosisRow),
    findings: findingRows(r.findings, r.location?.path),
    prediction: o.prediction ?? null,
    rewrites: null,
    checks,
    nginxTest: r.nginxTest,
    errorLog: r.errorLog ? r.errorLog.map(maskText) : null,
    text,
    rerun: o.rerun ?? null,
  };
}

/** The toast: one line, verdict and stage. */
export function toastLine(m: ReportModel): string {
  const what = m.kind === 'local-proof' ? 'Local proof' : 'WebSocket';
  if (m.verdict.ok) return m.kind === 'local-proof' ? `Local proof passed: ${m.location?.label ?? m.target}` : `WebSocket OK: ${m.target}`;
  return `${what} failed at ${stageName(m.verdict.stage)}${m.verdict.status !== null ? ` (HTTP ${m.verdict.status})` : ''}: ${m.kind === 'local-proof' ? (m.location?.label ?? m.target) : m.target}`;
}

/** A model read back from webview state: anything else is refused (a state from another version, or garbage). */
export function isReportModel(v: unknown): v is ReportModel {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Partial<ReportModel>;
  return (
    m.version === REPORT_MODEL_VERSION &&
    (m.kind === 'endpoint-test' || m.kind === 'local-proof') &&
    typeof m.target === 'string' &&
    typeof m.verdict === 'object' &&
    m.verdict !== null &&
    Array.isArray(m.stages) &&
    Array.isArray(m.diagnosis) &&
    typeof m.text === 'string'
  );
}

/**
 * The report model of a local proof (`kind: 'local-proof'`): the same panel
 * as the endpoint test, with the proof's own stages before the handshake
 * (setup, nginx -t, start-up), the rewrites it made, what it stands behind,
 * what did not run, and what the stand-in backend received. Pure (no vscode
 * import), like model.ts.
 */
import { formatProof } from '../../../server/src/prove/report';
import type { ProofResult } from '../../../server/src/prove/types';
import { maskHeader, maskText, maskUrl } from '../../../server/src/wstest/mask';
import { formatReport, oneLine } from '../../../server/src/wstest/report';
import {
  diagnosisRow,
  findingRows,
  maskedExchange,
  REPORT_MODEL_VERSION,
  stageName,
  stageRows,
  type ExtraCheck,
  type ReportModel,
  type RerunSpec,
  type StageRow,
} from './model';

export interface FromProofOptions {
  idleSeconds?: number;
  finishedAt?: Date;
  rerun?: RerunSpec | null;
}

function ms(v: number | null): number | null {
  return v === null ? null : Math.max(0, Math.round(v));
}

/** setup → nginx -t → start-up: passed, failed, or not reached, before the endpoint test's own stages. */
function proofStages(r: ProofResult): StageRow[] {
  const order = ['setup', 'nginx-t', 'start'] as const;
  const failedAt = order.indexOf(r.stage as (typeof order)[number]);
  const label = { setup: 'Private prefix and echo backend', 'nginx-t': 'nginx -t', start: 'nginx start-up' };
  const timing = { setup: r.timings.setup, 'nginx-t': r.timings.nginxTest, start: r.timings.start };
  const okDetail = {
    setup: `${r.rewrites.length} rewrite${r.rewrites.length === 1 ? '' : 's'}; echo backend on ${r.backend?.address ?? '?'}`,
    'nginx-t': 'the copy is accepted',
    start: `listening on ${r.connectedTo ?? '?'}`,
  };
  return order.map((id, i) => {
    const state: StageRow['state'] = failedAt < 0 || i < failedAt ? 'ok' : i === failedAt ? (r.ok ? 'ok' : 'failed') : 'not-run';
    return {
      id,
      label: label[id],
      state,
      ms: state === 'not-run' ? null : ms(timing[id]),
      detail: state === 'failed' ? oneLine(r.error ?? '') : state === 'not-run' ? 'not reached' : okDetail[id],
    };
  });
}

export function fromLocalProof(r: ProofResult, o: FromProofOptions = {}): ReportModel {
  const t = r.test;
  const checks: ExtraCheck[] = [];
  if (t && t.closedAfterIdleMs !== null)
    checks.push({ title: 'Idle hold', ok: false, detail: `closed by nginx after ${(t.closedAfterIdleMs / 1000).toFixed(1)} s idle` });
  const where = (file: string | null, line: number | null) => (file && line ? { file, line } : null);
  let text: string;
  try {
    text = formatProof(r);
  } catch (e) {
    text = `${t ? formatReport(t) : ''}\n(report formatting failed: ${String(e)})`;
  }
  const c = r.cleanup;
  return {
    version: REPORT_MODEL_VERSION,
    kind: 'local-proof',
    title: 'Local nginx proof',
    target: r.url ? `${maskUrl(r.url)} → ${r.connectedTo} (local nginx)` : (r.location?.text ?? 'local nginx'),
    finishedAt: (o.finishedAt ?? new Date()).toISOString(),
    verdict: {
      ok: r.ok,
      headline: r.ok ? 'Proven with local nginx' : `Failed at ${stageName(r.stage)}`,
      stage: r.stage,
      status: r.status,
      detail: r.ok
        ? `upgraded through nginx ${r.nginx?.version ?? ''}${t?.timings.roundTrip != null ? `, round trip ${t.timings.roundTrip} ms` : ''}${t?.reply === 'echo' ? ' (echo)' : ''}`.replace(
            '  ',
            ' ',
          )
        : oneLine(r.error ?? 'unknown error'),
    },
    location: r.location ? { label: r.location.text, file: r.location.path, line: r.location.line } : null,
    stages: [...proofStages(r), ...(t ? stageRows(t, o.idleSeconds ?? 0) : [])],
    exchange: t ? maskedExchange(t) : { request: null, response: null },
    diagnosis: r.diagnosis.map(diagnosisRow),
    findings: findingRows(r.findings, r.location?.path),
    prediction: null,
    rewrites: r.rewrites.map((w) => ({ what: w.what, from: w.from, to: w.to, at: where(w.file, w.line), why: w.why })),
    proof: {
      standsBehind: r.standsBehind,
      caveats: r.caveats.map((x) => ({ message: oneLine(x.message), at: where(x.file, x.line), onPath: x.onPath })),
      readInPlace: r.readInPlace,
      backend: r.backend
        ? {
            address: r.backend.address,
            tls: r.backend.tls,
            requests: r.backend.requests.map((q) => ({
              line: q.line,
              headers: q.headers.map(([k, v]) => [k, maskHeader(k, v)] as [string, string]),
              answer: q.answer,
            })),
          }
        : null,
      nginx: r.nginx ? `nginx ${r.nginx.version ?? '(unknown version)'} (${r.nginx.binary})` : null,
      cleanup: c.leftovers.length ? `Left behind: ${c.leftovers.join(', ')}` : 'nothing left running; the private prefix removed',
    },
    checks,
    nginxTest: r.nginxTest,
    errorLog: r.errorLog.length ? r.errorLog.map(maskText) : null,
    text,
    rerun: o.rerun ?? null,
  };
}

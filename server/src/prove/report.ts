/**
 * The local proof as text (CLI, the editor's Output channel, "Copy as text")
 * and as the CLI's `--json`.
 */
import { formatDiagnosis, oneLine, probeSection } from '../wstest/report';
import { maskHeader, maskText, maskUrl } from '../wstest/mask';
import type { ProofResult } from './types';

const STAGE_TEXT: Record<string, string> = {
  setup: 'setup',
  'nginx-t': 'nginx -t',
  start: 'nginx start-up',
  dns: 'DNS',
  connect: 'TCP connect',
  tls: 'TLS',
  handshake: 'handshake',
  message: 'message round trip',
  idle: 'idle hold',
  done: 'done',
};

export function proofStageName(s: string): string {
  return STAGE_TEXT[s] ?? s;
}

/** One line for a notification. */
export function proofSummary(r: ProofResult): string {
  if (r.ok) return `Local proof passed: ${r.location?.text ?? ''} upgrades through nginx ${r.nginx?.version ?? ''}`.replace(/\s+$/, '');
  return `Local proof failed at ${proofStageName(r.stage)}${r.status !== null ? ` (HTTP ${r.status})` : ''}: ${oneLine(r.error ?? 'unknown error')}`;
}

function where(file: string | null, line: number | null): string {
  return file ? `${file}${line ? `:${line}` : ''}` : 'command line';
}

export function formatProof(r: ProofResult): string {
  const out: string[] = [];
  out.push(`Local nginx proof: ${r.location ? `${r.location.text} (${r.location.path}:${r.location.line})` : '(no location)'}`);
  out.push(
    r.ok
      ? 'Result: PASSED'
      : `Result: FAILED at ${proofStageName(r.stage)}${r.status !== null ? ` (HTTP ${r.status})` : ''}: ${oneLine(r.error ?? '')}`,
  );
  if (r.url)
    out.push(
      `URL: ${maskUrl(r.url)} (connected to ${r.connectedTo}, a private nginx ${r.nginx?.version ?? ''} on loopback)`.replace(' )', ')'),
    );
  out.push('');
  out.push('Diagnosis');
  if (!r.diagnosis.length) out.push(r.ok ? '  nothing to report' : '  no specific cause identified');
  for (const d of r.diagnosis) out.push(`  → ${formatDiagnosis(d)}`);
  out.push('');
  out.push('What this proof stands behind');
  out.push(`  ${r.standsBehind}`);
  if (r.caveats.length) {
    out.push('');
    out.push('Not run here');
    for (const c of r.caveats) out.push(`  ${c.onPath ? '!' : '-'} ${c.message} (${where(c.file, c.line)})`);
  }
  out.push('');
  out.push(`Rewrites (${r.rewrites.length}): the copy differs from the config only here`);
  for (const w of r.rewrites) out.push(`  ${where(w.file, w.line)}  ${w.what}: ${w.from}  →  ${w.to}\n      ${w.why}`);
  if (r.readInPlace.length) out.push(`Read in place: ${r.readInPlace.join(', ')}`);
  if (r.backend) {
    out.push('');
    out.push(
      `Echo backend (${r.backend.tls ? 'TLS, ' : ''}${r.backend.address}) received ${r.backend.requests.length} request${r.backend.requests.length === 1 ? '' : 's'}`,
    );
    for (const q of r.backend.requests) {
      out.push(`  ${q.line}  → ${q.answer.status} ${q.answer.reason}`);
      for (const [k, v] of q.headers) out.push(`    ${k}: ${maskHeader(k, v)}`);
    }
  }
  if (r.nginxTest) {
    out.push('');
    out.push(`nginx -t: ${r.nginxTest.ok ? 'ok' : 'FAILED'}`);
    for (const l of r.nginxTest.output.split('\n')) if (l.trim()) out.push(`  ${l}`);
  }
  if (r.test) {
    out.push('');
    out.push('Handshake through the local nginx');
    for (const l of probeSection(r.test)) out.push(`  ${l}`);
  }
  if (r.errorLog.length) {
    out.push('');
    out.push('nginx error log');
    for (const l of r.errorLog) out.push(`  ${maskText(l)}`);
  }
  out.push('');
  const c = r.cleanup;
  out.push(
    c.leftovers.length ? `Cleanup: LEFT BEHIND ${c.leftovers.join(', ')}` : 'Cleanup: nothing left running, the private prefix removed',
  );
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

/** `nginx-ws prove --json`. */
export function proofJson(r: ProofResult): Record<string, unknown> {
  return {
    ok: r.ok,
    stage: r.stage,
    status: r.status,
    error: r.error,
    location: r.location,
    url: r.url ? maskUrl(r.url) : null,
    connectedTo: r.connectedTo,
    nginx: r.nginx,
    diagnosis: r.diagnosis.map(formatDiagnosis),
    standsBehind: r.standsBehind,
    rewrites: r.rewrites,
    caveats: r.caveats,
    readInPlace: r.readInPlace,
    backend: r.backend
      ? {
          address: r.backend.address,
          tls: r.backend.tls,
          requests: r.backend.requests.map((q) => ({ ...q, headers: q.headers.map(([k, v]) => [k, maskHeader(k, v)]) })),
        }
      : null,
    nginxTest: r.nginxTest,
    test: r.test
      ? {
          stage: r.test.stage,
          status: r.test.status,
          error: r.test.error,
          timings: r.test.timings,
          closedAfterIdleMs: r.test.closedAfterIdleMs,
        }
      : null,
    errorLog: r.errorLog.map(maskText),
    timings: r.timings,
    cleanup: r.cleanup,
    ports: r.ports,
  };
}

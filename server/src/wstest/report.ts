/**
 * The full text report (editor output channel, CLI text mode): each step's
 * verdict, the raw handshake with credentials masked, timings, the diagnosis
 * with file:line, the location's findings, and the optional extra checks.
 */
import { maskHeader, maskRequestLine, maskText, maskUrl } from './mask';
import type { Diagnosis, EndpointTestResult, ProbeResult } from './types';

/** Text on one line: OpenSSL and socket errors carry newlines (and a trailing one) that would break a one-line result. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

export function formatDiagnosis(d: Diagnosis): string {
  const where = d.path ? ` (${d.path}${d.line ? `:${d.line}` : ''})` : '';
  return `${oneLine(d.message)}${where}${d.code ? ` [${d.code}]` : ''}`;
}

/** One line for a notification: passed, or the failing stage and its first cause. */
export function summaryLine(r: EndpointTestResult): string {
  if (r.ok) {
    const rtt = r.timings.roundTrip === null ? '' : `, round trip ${r.timings.roundTrip} ms`;
    const extra = r.diagnosis.length ? ` — but: ${r.diagnosis[0]!.message}` : '';
    return `WebSocket OK: ${maskUrl(r.url)}${rtt}${extra}`;
  }
  const cause = r.diagnosis[0] ? ` — ${formatDiagnosis(r.diagnosis[0])}` : '';
  return `WebSocket failed at ${r.stage}: ${oneLine(r.error ?? 'unknown error')}${cause}`;
}

export function formatReport(r: EndpointTestResult): string {
  const out: string[] = [];
  out.push(`WebSocket endpoint test: ${maskUrl(r.url)}`);
  out.push(
    r.ok ? 'Result: PASSED' : `Result: FAILED at ${r.stage}${r.status !== null ? ` (HTTP ${r.status})` : ''}: ${oneLine(r.error ?? '')}`,
  );
  if (r.location) out.push(`Location: ${r.location.text} (${r.location.path}:${r.location.line})`);
  out.push('');
  out.push(...probeSection(r));
  if (r.closedAfterIdleMs !== null) out.push(`Idle hold: closed by the server after ${(r.closedAfterIdleMs / 1000).toFixed(1)} s`);
  out.push('');
  out.push('Diagnosis');
  if (r.diagnosis.length === 0) out.push(r.ok ? '  nothing to report' : '  no specific cause identified');
  for (const d of r.diagnosis) out.push(`  → ${formatDiagnosis(d)}`);
  if (r.findings.length) {
    out.push('');
    out.push('Linter findings for this location');
    for (const f of r.findings) out.push(`  ${f.severity} ${f.code}: ${f.message} (${f.path}:${f.range.start.line + 1})`);
  }
  if (r.backend) {
    out.push('');
    out.push(
      `Backend direct (bypassing nginx): ${maskUrl(r.backend.url)} — ${r.backend.ok ? 'PASSED' : `FAILED at ${r.backend.stage}: ${oneLine(r.backend.error ?? '')}`}`,
    );
    for (const l of probeSection(r.backend)) out.push(`  ${l}`);
  }
  if (r.crossOrigin) {
    out.push('');
    out.push(`Cross-origin probe (Origin: ${r.crossOrigin.origin}): ${r.crossOrigin.detail}`);
  }
  if (r.nginxTest) {
    out.push('');
    out.push(`nginx -t: ${r.nginxTest.ok ? 'ok' : 'FAILED'}`);
    for (const l of r.nginxTest.output.split('\n')) if (l.trim()) out.push(`  ${l}`);
  }
  if (r.errorLogNote) {
    out.push('');
    out.push(r.errorLogNote);
  }
  if (r.errorLog) {
    out.push('');
    out.push(r.errorLog.length ? 'error_log lines written during the test' : 'error_log: no new lines during the test');
    for (const l of r.errorLog) out.push(`  ${maskText(l)}`);
  }
  return out.join('\n') + '\n';
}

/** One connection attempt as text: steps, request, response, timings (the local proof reuses it). */
export function probeSection(p: ProbeResult): string[] {
  const out: string[] = ['Steps'];
  for (const s of p.steps) out.push(`  ${s.ok ? '✔' : '✘'} ${s.step.padEnd(9)} ${oneLine(s.detail)}`);
  if (p.redirects.length) out.push(`  redirects: ${p.redirects.map(maskUrl).join(' → ')}`);
  if (p.request) {
    out.push('Request');
    out.push(`  ${maskRequestLine(p.request.line)}`);
    for (const [k, v] of p.request.headers) out.push(`  ${k}: ${maskHeader(k, v)}`);
  }
  if (p.response) {
    out.push('Response');
    out.push(`  ${p.response.statusLine}`);
    for (const [k, v] of p.response.headers) out.push(`  ${k}: ${maskHeader(k, v)}`);
    const body = p.response.body.trim();
    if (body) {
      out.push('  ');
      // nginx's error pages end their lines with CRLF: split on it, or each \r prints as a stray '.'.
      for (const l of body.split(/\r?\n/).slice(0, 20)) out.push(`  | ${l.replace(/[^\x20-\x7e\t\u00a0-\uffff]/g, '.')}`);
    }
  }
  const t = p.timings;
  const ms = (v: number | null): string => (v === null ? '-' : `${v} ms`);
  out.push(
    `Timings: dns ${ms(t.dns)}, connect ${ms(t.connect)}, tls ${ms(t.tls)}, handshake ${ms(t.handshake)}, round trip ${ms(t.roundTrip)}`,
  );
  if (p.negotiated?.protocol) out.push(`Subprotocol: ${p.negotiated.protocol}`);
  if (p.close)
    out.push(
      `Closed by the server after ${p.close.afterMs} ms${p.close.code !== null ? ` with code ${p.close.code}${p.close.reason ? ` "${p.close.reason}"` : ''}` : ' without a close frame'}`,
    );
  return out;
}

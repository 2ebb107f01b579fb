/**
 * The "Request Trace" view's tree of one trace: the outcome, the steps with
 * their config lines, what the backend receives (each header with the line
 * it comes from, the ones not passed), the timeouts, what the client
 * receives, what is not certain. Pure: no vscode import.
 */
import { type TraceAt, type TraceReport, outcomeLine } from '../../server/src/engine/index';

export interface TraceNode {
  label: string;
  description?: string;
  tooltip?: string;
  at?: TraceAt | null;
  icon?: string;
  children?: TraceNode[];
  expanded?: boolean;
}

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

const where = (at: TraceAt | null | undefined): string | undefined => (at ? `${base(at.path)}:${at.line}` : undefined);

/** The tree of one trace (pure, tested without VS Code). */
export function traceTree(r: TraceReport): TraceNode[] {
  const ok = r.outcome.kind === 'upgraded';
  const nodes: TraceNode[] = [
    {
      label: outcomeLine(r),
      description: r.request.url,
      tooltip: `${r.request.method} ${r.request.url}\n${r.outcome.why}`,
      at: r.outcome.at,
      icon: ok ? 'pass' : r.outcome.kind === 'unknown' ? 'question' : 'error',
    },
    {
      label: 'Steps',
      expanded: true,
      children: r.steps.map((s) => ({
        label: s.message,
        description: where(s.at),
        tooltip: s.at?.text,
        at: s.at,
        icon: 'debug-step-over',
      })),
    },
  ];
  if (r.backend) {
    const headers: TraceNode[] = r.backend.headers.map((h) => ({
      label: `${h.name}: ${h.value}`,
      description: typeof h.from === 'string' ? (h.from === 'client' ? "client's request" : "nginx's default") : where(h.from),
      tooltip: typeof h.from === 'string' ? undefined : h.from.text,
      at: typeof h.from === 'string' ? null : h.from,
      icon: 'arrow-right',
    }));
    for (const d of r.backend.dropped)
      headers.push({ label: `${d.name} (not passed)`, description: where(d.at), tooltip: d.why, at: d.at, icon: 'circle-slash' });
    nodes.push({ label: `Backend receives ${r.backend.requestLine}`, expanded: true, children: headers });
  }
  if (r.timeouts) {
    nodes.push({
      label: 'Timeouts',
      children: r.timeouts.map((t) => ({ label: `${t.name} ${t.value}`, description: where(t.at) ?? 'default', at: t.at, icon: 'watch' })),
    });
  }
  if (r.response) {
    const children: TraceNode[] = r.response.headers.map((h) => ({
      label: h.value ? `${h.name}: ${h.value}` : h.name,
      description: h.from,
      icon: 'arrow-left',
    }));
    for (const h of r.response.hidden)
      children.push({ label: `${h.name} (hidden)`, description: where(h.at) ?? "nginx's default", at: h.at, icon: 'eye-closed' });
    nodes.push({ label: `Client receives ${r.response.status}`, children });
  }
  if (r.uncertain.length)
    nodes.push({ label: 'Not certain', expanded: true, children: r.uncertain.map((u) => ({ label: u, icon: 'question' })) });
  return nodes;
}

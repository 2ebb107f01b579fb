/**
 * A trace as plain data (no AST objects: it crosses the LSP and goes into
 * JSON), and its renderings: text for the CLI and the Output channel,
 * Markdown for the hover. One shape for the editor, the CLI and the
 * endpoint test's prediction.
 */
import type { Directive } from '../syntax/ast';
import type { Range } from '../types';
import type { Trace } from './trace';
import { isUnknown, type Value } from './values';

export interface TraceAt {
  /** The engine path (file path or URI) of the file. */
  path: string;
  range: Range;
  /** 1-based line, for text. */
  line: number;
  /** The directive's text on one line (`proxy_set_header Upgrade $http_upgrade;`). */
  text: string;
}

export interface TraceReport {
  request: { method: string; url: string; headers: { name: string; value: string }[] };
  steps: { phase: string; message: string; at: TraceAt | null }[];
  /** `location /ws/` that handled it in the end; null when none matched. */
  location: { text: string; at: TraceAt } | null;
  backend: {
    requestLine: string;
    headers: { name: string; value: string; from: 'client' | 'default' | TraceAt }[];
    dropped: { name: string; why: string; at: TraceAt | null }[];
  } | null;
  timeouts: { name: string; value: string; at: TraceAt | null }[] | null;
  response: {
    status: number;
    headers: { name: string; value: string; from: string }[];
    hidden: { name: string; at: TraceAt | null }[];
  } | null;
  outcome: {
    kind: 'upgraded' | 'status' | 'closed' | 'stalls' | 'unknown';
    /** 101 for an upgrade; the status the client sees; null when closed or unknown. */
    status: number | null;
    why: string;
    at: TraceAt | null;
    /** A redirect's Location. */
    location?: string;
  };
  uncertain: string[];
}

export function traceAt(d: Directive | null): TraceAt | null {
  if (!d) return null;
  const head = d.block ? d.file.text.slice(d.start, d.block.start).trim() : d.text;
  return { path: d.file.uri, range: d.range, line: d.range.start.line + 1, text: head.replace(/\s+/g, ' ').slice(0, 200) };
}

const val = (v: Value): string => (isUnknown(v) ? `(unknown: ${v.why})` : v);

export function traceReport(t: Trace, url: string): TraceReport {
  const o = t.outcome;
  const p = t.proxy;
  return {
    request: { method: t.request.method, url, headers: t.request.headers.map((h) => ({ ...h })) },
    steps: t.steps.map((s) => ({ phase: s.phase, message: s.message, at: traceAt(s.directive) })),
    location: t.location
      ? { text: `location ${t.location.modifier ? `${t.location.modifier} ` : ''}${t.location.name}`, at: traceAt(t.location.directive)! }
      : null,
    backend: t.backendRequest
      ? {
          requestLine: `${t.backendRequest.method} ${val(t.backendRequest.uri)} HTTP/${t.backendRequest.version}`,
          headers: t.backendRequest.headers.map((h) => ({
            name: h.name,
            value: val(h.value),
            from: typeof h.from === 'string' ? h.from : traceAt(h.from)!,
          })),
          dropped: t.backendRequest.dropped.map((d) => ({ name: d.name, why: d.why, at: traceAt(d.directive) })),
        }
      : null,
    timeouts: p
      ? [
          { name: 'proxy_connect_timeout', value: p.connectTimeout.raw, at: traceAt(p.connectTimeout.directive) },
          { name: 'proxy_read_timeout', value: p.readTimeout.raw, at: traceAt(p.readTimeout.directive) },
          { name: 'proxy_send_timeout', value: p.sendTimeout.raw, at: traceAt(p.sendTimeout.directive) },
        ]
      : null,
    response: t.response
      ? {
          status: t.response.status,
          headers: t.response.headers.map((h) => ({ ...h })),
          hidden: t.response.hidden.map((h) => ({ name: h.name, at: traceAt(h.directive) })),
        }
      : null,
    outcome: {
      kind: o.kind,
      status: o.kind === 'upgraded' ? 101 : o.kind === 'status' ? o.status : null,
      why: o.why,
      at: traceAt(o.directive),
      ...(o.kind === 'status' && o.location !== undefined ? { location: val(o.location) } : {}),
    },
    uncertain: [...t.uncertain],
  };
}

/** One line: what the client gets. */
export function outcomeLine(r: TraceReport): string {
  const o = r.outcome;
  switch (o.kind) {
    case 'upgraded':
      return '101 Switching Protocols: the WebSocket opens';
    case 'status':
      return o.status === 101 ? `101, but the client refuses it: ${o.why}` : `${o.status}${o.location ? ` → ${o.location}` : ''}: ${o.why}`;
    case 'closed':
      return `connection closed: ${o.why}`;
    case 'stalls':
      return `no response: ${o.why}`;
    default:
      return `not predictable here: ${o.why}`;
  }
}

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

const where = (at: TraceAt | null): string => (at ? `${base(at.path)}:${at.line}` : '');

/** The trace as text (CLI, Output channel). */
export function formatTrace(r: TraceReport): string {
  const out: string[] = [`${r.request.method} ${r.request.url}`];
  for (const s of r.steps) out.push(`  ${s.phase.padEnd(15)} ${s.message}${s.at ? `  (${where(s.at)})` : ''}`);
  if (r.backend) {
    out.push('', `The backend receives: ${r.backend.requestLine}`);
    for (const h of r.backend.headers)
      out.push(
        `  ${h.name}: ${h.value}  ← ${typeof h.from === 'string' ? (h.from === 'client' ? "the client's request" : "nginx's default") : `${where(h.from)} ${h.from.text}`}`,
      );
    for (const d of r.backend.dropped) out.push(`  (not sent) ${d.name}: ${d.why}${d.at ? `  (${where(d.at)})` : ''}`);
  }
  if (r.timeouts)
    out.push(
      '',
      `Timeouts: ${r.timeouts.map((t) => `${t.name.replace('proxy_', '').replace('_timeout', '')} ${t.value}${t.at ? ` (${where(t.at)})` : ' (default)'}`).join(', ')}`,
    );
  if (r.response) {
    out.push('', `The client receives: ${r.response.status} with ${r.response.headers.map((h) => h.name).join(', ')}`);
    for (const h of r.response.hidden) out.push(`  (hidden) ${h.name}${h.at ? `  (${where(h.at)})` : " (nginx's default)"}`);
  }
  out.push('', `Outcome: ${outcomeLine(r)}${r.outcome.at ? `  (${where(r.outcome.at)})` : ''}`);
  for (const u of r.uncertain) out.push(`  Not certain: ${u}`);
  return out.join('\n');
}

function mdEscape(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

/** The trace for a hover: the outcome first, then what the backend receives and the timeouts in force. */
export function traceMarkdown(r: TraceReport, routed: TraceReport | null): string {
  const out: string[] = [];
  // Words, not emoji: hovers render in the editor's font, which may have no emoji glyphs.
  const verdict = r.outcome.kind === 'upgraded' ? 'upgrades' : r.outcome.kind === 'unknown' ? 'cannot be predicted' : 'fails';
  out.push(
    `**WebSocket handshake** \`${r.request.url}\` **${verdict}**: ${mdEscape(outcomeLine(r))}${r.outcome.at ? ` — \`${where(r.outcome.at)}\`` : ''}`,
  );
  if (routed && routed.location && r.location && routed.location.at.line !== r.location.at.line) {
    out.push(
      '',
      `**But** from a client, this handshake is handled by \`${mdEscape(routed.location.text)}\` (\`${where(routed.location.at)}\`): ${mdEscape(outcomeLine(routed))}`,
    );
  }
  if (r.backend) {
    out.push('', `The backend receives \`${mdEscape(r.backend.requestLine)}\`:`, '');
    for (const h of r.backend.headers) {
      const from = typeof h.from === 'string' ? (h.from === 'client' ? 'client' : 'nginx default') : `\`${where(h.from)}\``;
      out.push(`- \`${h.name}: ${h.value.length > 60 ? `${h.value.slice(0, 57)}...` : h.value}\` ← ${from}`);
    }
    for (const d of r.backend.dropped) out.push(`- ~~${d.name}~~ ${mdEscape(d.why)}${d.at ? ` (\`${where(d.at)}\`)` : ''}`);
  }
  if (r.timeouts)
    out.push(
      '',
      `Timeouts: ${r.timeouts.map((t) => `${t.name.replace('proxy_', '').replace('_timeout', '')} **${t.value}**${t.at ? ` (\`${where(t.at)}\`)` : ''}`).join(' · ')}`,
    );
  if (r.response?.hidden.length) out.push('', `Hidden from the client: ${r.response.hidden.map((h) => `\`${h.name}\``).join(', ')}`);
  for (const u of r.uncertain) out.push('', `_Not certain: ${mdEscape(u)}_`);
  return out.join('\n');
}

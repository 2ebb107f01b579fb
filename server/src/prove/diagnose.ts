/**
 * What a failed local proof means, linked to the config line: nginx's own
 * `[emerg]` messages (their "in FILE:LINE" is the user's line, the copy keeps
 * every line where it was) joined with the engine's findings on that line or
 * about the same name, so a row that has a quick fix gets its button; and
 * what the stand-in backend received when it refused the handshake.
 */
import type { Finding } from '../engine/index';
import type { Diagnosis } from '../wstest/types';
import type { BackendRequest } from './types';

export interface NginxMessage {
  level: string;
  message: string;
  file: string | null;
  line: number | null;
}

/** `nginx: [emerg] unknown directive "x" in /a/b.conf:12` → parts; only lines with a level. */
export function nginxMessages(output: string): NginxMessage[] {
  const out: NginxMessage[] = [];
  for (const l of output.split('\n')) {
    const m = /\[(emerg|alert|crit|error|warn)\]\s+(?:\d+#\d+:\s+)?(.*)$/.exec(l);
    if (!m) continue;
    const at = / in (\S+):(\d+)$/.exec(m[2]!);
    out.push({ level: m[1]!, message: at ? m[2]!.slice(0, at.index) : m[2]!, file: at ? at[1]! : null, line: at ? Number(at[2]) : null });
  }
  return out;
}

const ORDER: Record<string, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** The diagnosis of an `nginx -t` (or start-up) failure: nginx's fatal messages, each with the engine's finding for it when there is one. */
export function diagnoseNginxFailure(output: string, findings: Finding[]): Diagnosis[] {
  const fatal = nginxMessages(output).filter((m) => m.level === 'emerg' || m.level === 'alert' || m.level === 'crit');
  const out: Diagnosis[] = [];
  const used = new Set<Finding>();
  for (const m of fatal) {
    const quoted = [...m.message.matchAll(/"([^"]+)"/g)].map((x) => x[1]!.replace(/^\$/, ''));
    const candidates = findings
      .filter((f) => !used.has(f))
      .filter((f) =>
        m.file && m.line
          ? f.path === m.file && f.range.start.line + 1 === m.line
          : quoted.some((q) => q.length > 2 && f.message.includes(q)),
      )
      .sort((a, b) => ORDER[a.severity]! - ORDER[b.severity]!);
    const f = candidates[0];
    if (f) used.add(f);
    out.push({
      message: `nginx -t: ${m.message.trim()}${f ? ` — ${f.message}` : ''}`,
      path: m.file ?? f?.path,
      line: m.line ?? (f ? f.range.start.line + 1 : undefined),
      code: f?.code,
    });
  }
  if (!out.length && output.trim()) out.push({ message: `nginx -t: ${output.trim().split('\n').pop()}` });
  return out;
}

/** One row about what the stand-in backend saw, when it refused (the proof's own evidence). */
export function backendDiagnosis(requests: BackendRequest[], proxyPass: { path: string; line: number } | null): Diagnosis | null {
  const refused = requests.find((r) => r.answer.status !== 101);
  if (!refused) return null;
  const conn = refused.headers.find(([k]) => k.toLowerCase() === 'connection')?.[1];
  const up = refused.headers.find(([k]) => k.toLowerCase() === 'upgrade')?.[1];
  return {
    message: `the echo backend received "${refused.line}" (Upgrade: ${up ?? 'none'}, Connection: ${conn ?? 'none'}) and answered ${refused.answer.status}: ${refused.answer.reason}`,
    path: proxyPass?.path,
    line: proxyPass?.line,
  };
}

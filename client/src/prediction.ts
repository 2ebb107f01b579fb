/**
 * The request model's trace as the report panel's "predicted" column: the
 * outcome in a line and the steps that decided it, each with its config
 * line. Pure: no vscode import.
 */
import { type TraceReport, outcomeLine } from '../../server/src/engine/index';
import type { Prediction } from './report/model';

export function predictionFrom(r: TraceReport): Prediction {
  const steps = r.steps.map((s) => ({ message: s.message, at: s.at ? { file: s.at.path, line: s.at.line } : null }));
  if (r.outcome.at && !steps.some((s) => s.at?.file === r.outcome.at!.path && s.at.line === r.outcome.at!.line)) {
    steps.push({ message: r.outcome.why, at: { file: r.outcome.at.path, line: r.outcome.at.line } });
  }
  for (const u of r.uncertain) steps.push({ message: `not certain: ${u}`, at: null });
  return {
    outcome: r.outcome.kind === 'upgraded' ? 'upgrade' : r.outcome.kind === 'status' && r.outcome.status !== 101 ? 'status' : 'unknown',
    status: r.outcome.kind === 'status' && r.outcome.status !== 101 ? r.outcome.status : r.outcome.kind === 'upgraded' ? 101 : null,
    summary: `${outcomeLine(r)}${r.location ? ` (${r.location.text})` : ''}`,
    steps,
  };
}

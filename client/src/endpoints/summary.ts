/** The one-line summary of "Test all" (pure: unit-tested). */
import type { ReportModel } from '../report/model';

export interface Summary {
  passed: number;
  failed: number;
  skipped: string[];
  cancelled: boolean;
  firstFailure: ReportModel | null;
  last: ReportModel | null;
}

export function summaryText(s: Summary, total: number): string {
  const tested = s.passed + s.failed;
  const parts = [`${s.passed} passed`, `${s.failed} failed`];
  if (s.skipped.length) parts.push(`${s.skipped.length} skipped`);
  return `${s.cancelled ? `Cancelled after ${tested} of ${total}` : `Tested ${total} WebSocket endpoint${total === 1 ? '' : 's'}`}: ${parts.join(', ')}`;
}

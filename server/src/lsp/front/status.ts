/**
 * What the front (front.ts) and an analysis thread tell each other besides
 * the LSP messages they pass: the thread's role and busy flag when it starts,
 * and a status message when an analysis starts or ends.
 */
export interface WorkerData {
  role: 'primary' | 'replica';
  /** One Float64: `Date.now()` when the analysis in progress started, 0 when none runs. */
  busy: SharedArrayBuffer;
}

export interface WorkerStatus {
  nginxWsStatus: true;
  analysing: { uri: string; version: number } | null;
}

export function isWorkerStatus(m: unknown): m is WorkerStatus {
  return !!m && typeof m === 'object' && (m as { nginxWsStatus?: unknown }).nginxWsStatus === true;
}

export function isWorkerData(d: unknown): d is WorkerData {
  return (
    !!d &&
    typeof d === 'object' &&
    ((d as WorkerData).role === 'primary' || (d as WorkerData).role === 'replica') &&
    (d as WorkerData).busy instanceof SharedArrayBuffer
  );
}

/**
 * The last test result of each endpoint, kept in the workspace state so the
 * "WebSocket endpoints" view shows it after a restart. Pure apart from the
 * Memento it is given (a test passes a Map-backed one).
 */
import type { ReportStage } from '../report/model';

export const RESULTS_KEY = 'nginxWs.endpointResults';
/** A workspace keeps at most this many results; the oldest go first. */
export const MAX_RESULTS = 500;

export interface StoredResult {
  ok: boolean;
  stage: ReportStage;
  status: number | null;
  /** "Passed", "Failed at handshake". */
  headline: string;
  /** ISO time. */
  at: string;
  url: string;
  /** The location's fingerprint when it was tested (engine/endpoint-list.ts): another one now means edited since. */
  fingerprint: string;
}

export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

/** Identity of an endpoint across edits: its file, its server and its location line text (not its line number). */
export function endpointKey(file: string, server: string, location: string): string {
  return `${file}\0${server}\0${location}`;
}

export class ResultStore {
  constructor(private readonly memento: MementoLike) {}

  private all(): Record<string, StoredResult> {
    const v = this.memento.get<Record<string, StoredResult>>(RESULTS_KEY);
    return v && typeof v === 'object' ? v : {};
  }

  get(key: string): StoredResult | undefined {
    const r = this.all()[key];
    return r && typeof r.ok === 'boolean' && typeof r.at === 'string' ? r : undefined;
  }

  async set(key: string, r: StoredResult): Promise<void> {
    const all = this.all();
    delete all[key];
    all[key] = r;
    const keys = Object.keys(all);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_RESULTS))) delete all[k];
    await this.memento.update(RESULTS_KEY, all);
  }

  async clear(): Promise<void> {
    await this.memento.update(RESULTS_KEY, undefined);
  }
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return '';
  if (s < 45) return 'just now';
  if (s < 90 * 60) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

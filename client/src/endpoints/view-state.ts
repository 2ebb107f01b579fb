/**
 * What the "WebSocket endpoints" view shows for one endpoint, computed from the
 * list item and its stored result. Pure (no vscode import): unit-tested.
 */
import type { EndpointListItem } from '../../../server/src/engine/index';
import { stageName } from '../report/model';
import { ago, endpointKey, type StoredResult } from './results';

export type Endpoint = EndpointListItem & { uri: string };

/** How the view shows one endpoint's state. */
export type EndpointState = { kind: 'untested' } | { kind: 'passed' | 'failed'; result: StoredResult; stale: boolean };

export function stateOf(e: Endpoint, r: StoredResult | undefined): EndpointState {
  if (!r) return { kind: 'untested' };
  return { kind: r.ok ? 'passed' : 'failed', result: r, stale: r.fingerprint !== e.fingerprint };
}

export function keyOf(e: Endpoint): string {
  return endpointKey(e.file, e.server.label, e.location);
}

export function findingsText(f: Endpoint['findings']): string {
  const parts: string[] = [];
  if (f.error) parts.push(`${f.error} error${f.error === 1 ? '' : 's'}`);
  if (f.warning) parts.push(`${f.warning} warning${f.warning === 1 ? '' : 's'}`);
  const info = f.information + f.hint;
  if (info) parts.push(`${info} note${info === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export function resultText(s: EndpointState, now = Date.now()): string {
  if (s.kind === 'untested') return 'not tested';
  const r = s.result;
  const verdict = r.ok ? 'passed' : `failed at ${stageName(r.stage)}${r.status !== null ? ` (${r.status})` : ''}`;
  return `${s.stale ? 'edited since: ' : ''}${verdict}, ${ago(r.at, now)}`;
}

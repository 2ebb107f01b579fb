/**
 * The endpoints view's actions: test one endpoint (the inline ▶), test them
 * all one after another with one cancellable progress notification and a
 * summary, refresh.
 */
import * as vscode from 'vscode';
import { testEndpoint, withTestProgress, type TestEndpointDeps } from '../test-endpoint';
import type { EndpointsView, Node } from './view';
import { keyOf, type Endpoint } from './view-state';
import { summaryText, type Summary } from './summary';

export const TEST_ONE_COMMAND = 'nginxWs.endpoints.test';
export const TEST_ALL_COMMAND = 'nginxWs.endpoints.testAll';
export const REFRESH_COMMAND = 'nginxWs.endpoints.refresh';

function target(e: Endpoint): { uri: string; range: Endpoint['range']; locationPath: string; modifier: string } {
  return { uri: e.uri, range: e.range, locationPath: e.path, modifier: e.modifier };
}

/** The inline action: runs at once with the derived (or last used) URL; asks only for a pattern location's path. */
export async function testOne(deps: TestEndpointDeps, node: Node | undefined): Promise<void> {
  if (!node || node.kind !== 'endpoint') return;
  const first = await testEndpoint(deps, { ...target(node.endpoint), interactive: false });
  if (first && 'skipped' in first) await testEndpoint(deps, { ...target(node.endpoint), interactive: true });
}

export async function testAll(deps: TestEndpointDeps, view: EndpointsView): Promise<Summary | undefined> {
  // A location included by two configs is the same endpoint: test it once.
  const seen = new Set<string>();
  const list = (await view.endpoints()).map((x) => x.endpoint).filter((e) => !seen.has(keyOf(e)) && seen.add(keyOf(e)));
  if (list.length === 0) {
    void vscode.window.showInformationMessage("No WebSocket locations in this workspace's nginx configs.");
    return undefined;
  }
  let consented = false;
  if (!vscode.workspace.isTrusted) {
    // Security: as for one test, ask before connecting to addresses the workspace chose; once for the batch.
    const go = await vscode.window.showWarningMessage(
      `This workspace is not trusted. Connect to the ${list.length} addresses its nginx configs name?`,
      { modal: true },
      'Connect',
    );
    if (go !== 'Connect') return undefined;
    consented = true;
  }
  const s: Summary = { passed: 0, failed: 0, skipped: [], cancelled: false, firstFailure: null, last: null };
  await withTestProgress(`Testing ${list.length} WebSocket endpoint${list.length === 1 ? '' : 's'}`, async (signal, report) => {
    for (const [i, e] of list.entries()) {
      if (signal.aborted) {
        s.cancelled = true;
        break;
      }
      report(`${i + 1}/${list.length}: ${e.location}${e.url ? ` (${e.url})` : ''}`);
      const r = await testEndpoint(deps, { ...target(e), interactive: false, progress: false, show: false, signal, consented });
      if (!r) s.skipped.push(e.location);
      else if ('skipped' in r) s.skipped.push(r.skipped);
      else {
        if (r.model.verdict.stage === 'done' || r.model.verdict.ok) s.passed++;
        else if (signal.aborted) {
          s.cancelled = true;
          break;
        } else {
          s.failed++;
          s.firstFailure ??= r.model;
        }
        s.last = r.model;
      }
    }
  });
  const text = summaryText(s, list.length);
  const show = 'Show report';
  const shown = s.firstFailure ?? s.last;
  const choice = s.failed
    ? vscode.window.showErrorMessage(text, ...(shown ? [show] : []))
    : vscode.window.showInformationMessage(text, ...(shown ? [show] : []));
  void choice.then((c) => c === show && shown && deps.panel.show(shown));
  return s;
}

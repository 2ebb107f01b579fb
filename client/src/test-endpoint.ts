/**
 * "Test WebSocket endpoint": a thin shell over the endpoint tester. Asks the
 * language server what the config says about the location (URL, proxy target,
 * findings), lets the user confirm or edit the URL, runs the test with a
 * cancellable progress notification, and shows the verdict and full report.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ENDPOINT_CONTEXT_REQUEST,
  type EndpointContext,
  type EndpointContextParams,
  type EndpointContextResult,
  type TestEndpointArgs,
} from '../../server/src/lsp/protocol';
import { checkWsUrl, endpointUrl, readEndpointSettings } from './endpoint-settings';
import { loadTester, type EndpointTestOptions, type EndpointTestResult } from './wstest';

export interface TestEndpointDeps {
  client: LanguageClient;
  output: vscode.OutputChannel;
  state: vscode.Memento;
}

export async function testEndpoint(deps: TestEndpointDeps, args?: TestEndpointArgs): Promise<void> {
  const endpoint = await pickEndpoint(deps.client, args);
  if (!endpoint) return;
  const settings = readEndpointSettings((k) => vscode.workspace.getConfiguration('nginxWs.endpoint', vscode.Uri.parse(endpoint.uri)).get(k));
  const memoKey = `nginxWs.lastUrl:${endpoint.uri}#${endpoint.location.modifier}${endpoint.location.path}`;

  let suggested = deps.state.get<string>(memoKey);
  if (!suggested) {
    if (endpoint.location.isRegex || endpoint.url === null) {
      const path = await vscode.window.showInputBox({
        title: 'Test WebSocket endpoint',
        prompt: `location ${endpoint.location.modifier} ${endpoint.location.path} is a pattern: enter a concrete path to test`,
        placeHolder: '/ws/room1',
        validateInput: (v) => (v.trim().startsWith('/') ? undefined : 'A path starting with /'),
      });
      if (path === undefined) return;
      suggested = endpointUrl(endpoint.origin, path.trim(), settings.baseUrl);
    } else {
      suggested = settings.baseUrl ? endpointUrl(endpoint.origin, endpoint.location.path, settings.baseUrl) : endpoint.url;
    }
  }
  const typed = await vscode.window.showInputBox({
    title: 'Test WebSocket endpoint',
    prompt: `WebSocket URL for location ${endpoint.location.path}`,
    value: suggested,
    validateInput: checkWsUrl,
  });
  if (typed === undefined) return;
  const url = typed.trim();

  // Security: an untrusted workspace must not make the editor connect somewhere on its own say-so.
  if (!vscode.workspace.isTrusted && sameHost(url, suggested)) {
    const go = await vscode.window.showWarningMessage(
      `This workspace is not trusted. Connect to ${new URL(url).host}, an address taken from its nginx config or settings?`,
      { modal: true },
      'Connect',
    );
    if (go !== 'Connect') return;
  }
  await deps.state.update(memoKey, url);

  const tester = loadTester();
  if (typeof tester === 'string') {
    void vscode.window.showErrorMessage(`Cannot test the endpoint: ${tester}.`);
    return;
  }
  const opts: EndpointTestOptions = {
    url,
    timeoutMs: settings.timeoutMs,
    idleSeconds: settings.idleSeconds || undefined,
    insecure: settings.allowSelfSigned,
    origin: settings.origin || undefined,
    headers: settings.headers,
    protocols: settings.subprotocols,
    crossOriginProbe: settings.crossOriginProbe,
    backendUrl: settings.testBackendDirect && endpoint.backendUrl ? endpoint.backendUrl : undefined,
    errorLogPath: vscode.workspace.isTrusted && endpoint.errorLogPath ? endpoint.errorLogPath : undefined,
    context: {
      location: `${endpoint.location.modifier ? `${endpoint.location.modifier} ` : ''}${endpoint.location.path}`,
      findings: endpoint.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, line: f.range.start.line + 1 })),
    },
  };
  // nginx -t runs a program named by settings: trusted workspaces only.
  if (vscode.workspace.isTrusted && endpoint.configOnDisk) {
    const cfg = vscode.workspace.getConfiguration('nginxWs');
    opts.nginx = { binary: cfg.get<string>('nginxPath') || 'nginx', configPath: endpoint.configPath, prefix: cfg.get<string>('prefix') || undefined };
  }

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Testing ${url}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        return await tester.runEndpointTest({ ...opts, signal: abort.signal, onProgress: (message) => progress.report({ message }) });
      } catch (e) {
        return { ok: false, stage: 'internal', error: e instanceof Error ? e.message : String(e), diagnosis: [] } satisfies EndpointTestResult;
      } finally {
        sub.dispose();
      }
    },
  );
  report(deps.output, tester.formatReport, url, result);
}

function report(output: vscode.OutputChannel, format: (r: EndpointTestResult) => string, url: string, result: EndpointTestResult): void {
  let text: string;
  try {
    text = format(result);
  } catch (e) {
    text = `${JSON.stringify(result, null, 2)}\n(report formatting failed: ${String(e)})`;
  }
  output.appendLine(`──── ${new Date().toISOString()} ${url}`);
  output.appendLine(text);
  const show = 'Show report';
  const onClick = (choice: string | undefined) => choice === show && output.show(true);
  if (result.ok) {
    void vscode.window.showInformationMessage(`WebSocket test passed: ${url}`, show).then(onClick);
  } else {
    void vscode.window.showErrorMessage(`WebSocket test failed (${result.stage}): ${oneLineCause(result)}`, show).then(onClick);
  }
}

export function oneLineCause(r: EndpointTestResult): string {
  const first = r.diagnosis[0];
  const d = typeof first === 'string' ? first : (first?.summary ?? first?.message);
  const cause = d ?? r.error ?? (r.status ? `HTTP ${r.status}` : 'no answer');
  return cause.split('\n')[0]!.slice(0, 200);
}

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).host === new URL(b).host;
  } catch {
    return true;
  }
}

/** The location to test: the CodeLens' one, the one under the cursor, or a pick among the file's. */
async function pickEndpoint(client: LanguageClient, args?: TestEndpointArgs): Promise<EndpointContext | undefined> {
  const editor = vscode.window.activeTextEditor;
  const uri = args?.uri ?? (editor?.document.languageId === 'nginx' ? editor.document.uri.toString() : undefined);
  if (!uri) {
    void vscode.window.showInformationMessage('Open an nginx config to test one of its WebSocket locations.');
    return undefined;
  }
  const ask = (params: EndpointContextParams) => client.sendRequest<EndpointContextResult>(ENDPOINT_CONTEXT_REQUEST, params);
  const position = args ? args.range.start : editor ? { line: editor.selection.active.line, character: editor.selection.active.character } : undefined;
  let found = position ? (await ask({ uri, position })).endpoints : [];
  if (found.length === 0) found = (await ask({ uri })).endpoints;
  if (found.length === 0) {
    void vscode.window.showInformationMessage('No WebSocket location found in this file.');
    return undefined;
  }
  if (found.length === 1) return found[0];
  const pick = await vscode.window.showQuickPick(
    found.map((e) => ({ label: `location ${e.location.modifier ? `${e.location.modifier} ` : ''}${e.location.path}`, description: e.url ?? e.origin, detail: `line ${e.location.range.start.line + 1}`, e })),
    { title: 'Test WebSocket endpoint', placeHolder: 'Which location?' },
  );
  return pick?.e;
}

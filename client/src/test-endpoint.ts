/**
 * "Test WebSocket endpoint": a thin shell over the endpoint tester. Asks the
 * language server what the config says about the location (URL, proxy target,
 * findings), lets the user confirm or edit the URL, runs the test with a
 * cancellable progress notification, and shows the verdict in the report
 * panel, a one-line toast and the Output channel (plain text).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Finding } from '../../server/src/engine/index';
import {
  ENDPOINT_CONTEXT_REQUEST,
  type EndpointContext,
  type EndpointContextParams,
  type EndpointContextResult,
  type TestEndpointArgs,
} from '../../server/src/lsp/protocol';
import { checkEndpointSettings, checkWsUrl, endpointUrl, readEndpointSettings } from './endpoint-settings';
import { fromEndpointTest, toastLine, type ReportModel } from './report/model';
import { predictionFrom } from './prediction';
import type { ReportPanel } from './report/panel';
import type { EndpointTestOptions, EndpointTestResult } from '../../server/src/wstest/index';
import { tools } from './tools-loader';

export interface TestEndpointDeps {
  client: LanguageClient;
  output: vscode.OutputChannel;
  state: vscode.Memento;
  panel: ReportPanel;
  /** Told about every finished test (the endpoints view records it). */
  onResult?(endpoint: EndpointContext, model: ReportModel): void;
}

/** The command's arguments: the CodeLens' (uri, range), and what the report panel and the endpoints view add. */
export interface TestRequest extends Partial<TestEndpointArgs> {
  /** Test this URL without asking (Run again, the endpoints view). */
  url?: string;
  /** false: never ask for anything; a location that needs a request path is skipped. Default true. */
  interactive?: boolean;
  /** false: the caller shows progress (Test all). */
  progress?: boolean;
  /** Cancels the test (Test all's progress). */
  signal?: AbortSignal;
  /** false: record and return the model, but do not open the panel or show a toast (Test all). */
  show?: boolean;
  /** A line shown at the top of the report (the fix that was applied before this run). */
  notice?: string | null;
  /** The user already agreed to connect to the workspace's addresses (Test all asks once for all of them). */
  consented?: boolean;
}

export type TestOutcome = { model: ReportModel; endpoint: EndpointContext } | { skipped: string; endpoint?: EndpointContext } | undefined;

export async function testEndpoint(deps: TestEndpointDeps, args?: TestRequest): Promise<TestOutcome> {
  const interactive = args?.interactive !== false;
  const endpoint = await pickEndpoint(deps.client, args, interactive);
  if (!endpoint) return undefined;
  const scope = vscode.Uri.parse(endpoint.uri);
  const settings = readEndpointSettings((k) => vscode.workspace.getConfiguration('nginxWs.endpoint', scope).get(k));
  // Headers, Origin and subprotocols go on the wire as they are: a line break in one would write headers of its own.
  const badSetting = checkEndpointSettings(settings);
  if (badSetting) {
    if (!interactive) return { skipped: `${label(endpoint)}: not tested, ${badSetting}`, endpoint };
    void vscode.window.showErrorMessage(`The endpoint test was not run: ${badSetting}`);
    return undefined;
  }
  const memoKey = `nginxWs.lastUrl:${endpoint.uri}#${endpoint.location.modifier}${endpoint.location.path}`;
  const baseUrl = settings.baseUrl || undefined;
  // The server derives URLs for a concrete path or a base URL on request: the client never re-reads the config.
  const refine = async (extra: Pick<EndpointContextParams, 'path' | 'baseUrl'>): Promise<EndpointContext | undefined> =>
    (
      await deps.client.sendRequest<EndpointContextResult>(ENDPOINT_CONTEXT_REQUEST, {
        uri: endpoint.uri,
        position: endpoint.location.range.start,
        ...extra,
      })
    ).endpoints[0];

  let suggested = deps.state.get<string>(memoKey);
  if (!suggested) {
    let path: string | undefined;
    if (endpoint.location.needsPath) {
      if (!interactive && !args?.url)
        return { skipped: `${label(endpoint)} is a pattern: test it once from its CodeLens to give a request path`, endpoint };
      if (!args?.url) {
        const typed = await vscode.window.showInputBox({
          title: 'Test WebSocket endpoint',
          prompt: `location ${endpoint.location.modifier} ${endpoint.location.path} is a pattern: enter a concrete request path to test`,
          placeHolder: '/ws/room1',
          validateInput: (v) => (v.trim().startsWith('/') ? undefined : 'A path starting with /'),
        });
        if (typed === undefined) return undefined;
        path = typed.trim();
      }
    }
    const derived = path !== undefined || baseUrl ? await refine({ path, baseUrl }) : endpoint;
    suggested = derived?.url ?? endpointUrl(endpoint.origin, path ?? endpoint.location.path, settings.baseUrl);
  }
  let url: string;
  // A Docker template's ${NGINX_PORT} is only known when the container starts: ask for the deployed URL.
  const placeholders = endpoint.placeholders ?? [];
  if (args?.url) {
    url = args.url;
  } else if (!interactive) {
    if (placeholders.length && !deps.state.get<string>(memoKey)) return undefined;
    url = suggested;
  } else {
    const typed = await vscode.window.showInputBox({
      title: 'Test WebSocket endpoint',
      prompt: placeholders.length
        ? `location ${endpoint.location.path} is in a template: ${placeholders.join(', ')} are filled in by envsubst at start; enter the deployed WebSocket URL`
        : `WebSocket URL for location ${endpoint.location.path}`,
      value: placeholders.length && !deps.state.get<string>(memoKey) ? undefined : suggested,
      validateInput: checkWsUrl,
    });
    if (typed === undefined) return undefined;
    url = typed.trim();
  }

  // Security: an untrusted workspace must not make the editor connect somewhere on its own say-so.
  if (!vscode.workspace.isTrusted && sameHost(url, suggested) && !args?.consented) {
    const go = await vscode.window.showWarningMessage(
      `This workspace is not trusted. Connect to ${new URL(url).host}, an address taken from its nginx config or settings?`,
      { modal: true },
      'Connect',
    );
    if (go !== 'Connect') return undefined;
  }
  await deps.state.update(memoKey, url);

  // The backend URL follows the path actually tested.
  const testedPath = safePath(url);
  let backendUrl = settings.testBackendDirect
    ? ((testedPath ? (await refine({ path: testedPath }))?.backendUrl : null) ?? endpoint.backendUrl ?? undefined)
    : undefined;
  // The backend address is the config's proxy_pass: in an untrusted workspace, connecting to it is the user's call too
  // (a batch that cannot ask leaves it out: its one question named the endpoints, not their backends).
  if (backendUrl && !vscode.workspace.isTrusted && !interactive) backendUrl = undefined;
  if (backendUrl && !vscode.workspace.isTrusted) {
    const host = hostOf(backendUrl);
    const go = await vscode.window.showWarningMessage(
      `This workspace is not trusted. Also connect directly to the backend ${host}, an address taken from its proxy_pass?`,
      { modal: true },
      'Connect to the backend',
      'Skip the backend test',
    );
    if (go === undefined) return undefined;
    if (go !== 'Connect to the backend') backendUrl = undefined;
  }
  const opts: EndpointTestOptions = {
    url,
    timeoutMs: settings.timeoutMs,
    idleSeconds: settings.idleSeconds,
    insecure: settings.allowSelfSigned,
    origin: settings.origin || undefined,
    headers: Object.entries(settings.headers),
    protocols: settings.subprotocols,
    crossOriginProbe: settings.crossOriginProbe,
    backendUrl,
    // A redirect to another host: followed without credentials; in an untrusted workspace only if the user agrees
    // (never in a batch, which cannot ask).
    confirmRedirect: vscode.workspace.isTrusted
      ? undefined
      : !interactive
        ? () => false
        : async (to) =>
            (await vscode.window.showWarningMessage(
              `This workspace is not trusted. The endpoint redirects to another host, ${hostOf(to)}. Connect there too (without your credentials), to see what answers?`,
              { modal: true },
              'Follow the redirect',
            )) === 'Follow the redirect',
    errorLogPath: vscode.workspace.isTrusted && endpoint.errorLogPath ? endpoint.errorLogPath : undefined,
    context: { location: endpoint.context, findings: toFindings(endpoint) },
  };
  // nginx -t runs a program named by settings: trusted workspaces only.
  if (vscode.workspace.isTrusted && endpoint.configOnDisk) {
    const cfg = vscode.workspace.getConfiguration('nginxWs', scope);
    opts.nginx = {
      binary: cfg.get<string>('nginxPath') || 'nginx',
      configFile: endpoint.configPath,
      prefix: cfg.get<string>('prefix') || undefined,
    };
  }

  // The request model's prediction for this handshake through the config in the editor, shown before anything connects.
  const predicted = endpoint.location.needsPath && testedPath ? (await refine({ path: testedPath }))?.prediction : endpoint.prediction;
  const prediction = predicted ? predictionFrom(predicted) : null;
  if (prediction) deps.output.appendLine(`Predicted from the config: ${prediction.summary}`);

  let result: EndpointTestResult;
  try {
    const { runEndpointTest } = tools();
    result =
      args?.progress === false
        ? await runEndpointTest({ ...opts, signal: args.signal })
        : await withTestProgress(`Testing ${url}`, (signal, report) => {
            if (prediction) report(`predicted: ${prediction.summary}`);
            return runEndpointTest({ ...opts, signal, onProgress: report });
          });
  } catch (e) {
    void vscode.window.showErrorMessage(`The endpoint test could not run: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const model = fromEndpointTest(result, {
    idleSeconds: settings.idleSeconds,
    prediction,
    rerun: { uri: endpoint.uri, position: endpoint.location.range.start, url },
  });
  deps.output.appendLine(`──── ${model.finishedAt} ${model.target}`);
  deps.output.appendLine(model.text);
  try {
    deps.onResult?.(endpoint, model);
  } catch {
    // Recording a result for the endpoints view must never hide the report.
  }
  if (args?.show !== false) {
    deps.panel.show(model, { notice: args?.notice ?? null });
    toast(deps.panel, model);
  }
  return { model, endpoint };
}

/**
 * A cancellable progress notification around `run`. It closes when `run` settles, whatever the outcome;
 * a cancel aborts the test, which then ends at once with an `aborted` verdict.
 */
export function withTestProgress<T>(
  title: string,
  run: (signal: AbortSignal, report: (message: string) => void) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        return await run(abort.signal, (message) => progress.report({ message }));
      } finally {
        sub.dispose();
      }
    },
  );
}

/** One line, verdict and stage; "Show report" brings the panel back if it was closed or hidden. */
function toast(panel: ReportPanel, model: ReportModel): void {
  const show = 'Show report';
  const onClick = (choice: string | undefined): void => {
    if (choice === show) panel.reveal();
  };
  const line = toastLine(model);
  if (model.verdict.ok) void vscode.window.showInformationMessage(line, show).then(onClick);
  else void vscode.window.showErrorMessage(line, show).then(onClick);
}

function label(e: EndpointContext): string {
  return `location ${e.location.modifier ? `${e.location.modifier} ` : ''}${e.location.path}`;
}

/** The server's findings for the location, in the engine's shape the tester expects. */
function toFindings(ep: EndpointContext): Finding[] {
  return ep.findings.map((f) => ({ path: f.path, range: f.range, severity: f.severity, code: f.code, message: f.message, fixes: [] }));
}

function safePath(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return undefined;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).host === new URL(b).host;
  } catch {
    return true;
  }
}

/** The location to test: the CodeLens' one, the one under the cursor, or a pick among the file's. */
export async function pickEndpoint(
  client: LanguageClient,
  args: TestRequest | undefined,
  interactive: boolean,
  title = 'Test WebSocket endpoint',
): Promise<EndpointContext | undefined> {
  const editor = vscode.window.activeTextEditor;
  const uri = args?.uri ?? (editor?.document.languageId === 'nginx' ? editor.document.uri.toString() : undefined);
  if (!uri) {
    void vscode.window.showInformationMessage('Open an nginx config to test one of its WebSocket locations.');
    return undefined;
  }
  const ask = (params: EndpointContextParams) => client.sendRequest<EndpointContextResult>(ENDPOINT_CONTEXT_REQUEST, params);
  const position = args?.range
    ? args.range.start
    : editor
      ? { line: editor.selection.active.line, character: editor.selection.active.character }
      : undefined;
  let found = position ? (await ask({ uri, position })).endpoints : [];
  if (found.length === 0 && interactive) found = (await ask({ uri })).endpoints;
  if (found.length === 0) {
    if (interactive) void vscode.window.showInformationMessage('No WebSocket location found in this file.');
    return undefined;
  }
  if (found.length === 1) return found[0];
  const pick = await vscode.window.showQuickPick(
    found.map((e) => ({
      label: `location ${e.location.modifier ? `${e.location.modifier} ` : ''}${e.location.path}`,
      description: e.url ?? e.origin,
      detail: `line ${e.location.range.start.line + 1}`,
      e,
    })),
    { title, placeHolder: 'Which location?' },
  );
  return pick?.e;
}

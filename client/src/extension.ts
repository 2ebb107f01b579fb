/**
 * The VS Code side: starts the language server (dist/server.js over IPC),
 * tells it about workspace trust, and registers the commands. Everything
 * that knows nginx lives in the server and the endpoint tester.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  FIX_ALL_COMMAND,
  PROVE_COMMAND,
  TEST_ENDPOINT_COMMAND,
  WORKSPACE_TRUST_NOTIFICATION,
  type InitializationOptions,
  type TestEndpointArgs,
} from '../../server/src/lsp/protocol';
import { OPEN_TRACE_LINE_COMMAND, TRACE_COMMAND, TRACE_VIEW_ID, TraceView, openTraceLine, traceRequest } from './trace-view';
import { testEndpoint, type TestEndpointDeps, type TestRequest } from './test-endpoint';
import { REFRESH_COMMAND, TEST_ALL_COMMAND, TEST_ONE_COMMAND, testAll, testOne } from './endpoints/commands';
import { EndpointsView, VIEW_ID, type Node } from './endpoints/view';
import { applyQuickFix, fixTitles } from './report/fixes';
import type { ReportModel } from './report/model';
import { ReportPanel } from './report/panel';
import { runReloadCommand } from './report/reload';
import { readEndpointSettings } from './endpoint-settings';
import { NGINX_FILES_GLOB } from '../../server/src/node/nginx-files';
import { ProveAvailability, proveLensMiddleware, proveLocation, type ProveRequest } from './prove-location';

const FIX_ALL_KIND = 'source.fixAll.nginxWs';
let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // Test reports for people; the server's log apart, so a report is never buried in it.
  const output = vscode.window.createOutputChannel('nginx WebSocket');
  const serverLog = vscode.window.createOutputChannel('nginx WebSocket Language Server', { log: true });
  context.subscriptions.push(output, serverLog);

  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const initializationOptions: InitializationOptions = { workspaceTrusted: vscode.workspace.isTrusted };
  // "Prove with local nginx" beside each "Test WebSocket endpoint" lens, in trusted workspaces with an nginx binary.
  const proving = new ProveAvailability();
  const clientOptions: LanguageClientOptions = {
    middleware: proveLensMiddleware(proving),
    documentSelector: [
      { scheme: 'file', language: 'nginx' },
      { scheme: 'untitled', language: 'nginx' },
    ],
    initializationOptions,
    outputChannel: serverLog,
    synchronize: {
      // Included files change on disk too (git checkout, another editor); the server re-analyses their includers
      // and looks for config roots again. The glob is the workspace layer's nginx-file set, plus .nginx-ws.json.
      fileEvents: vscode.workspace.createFileSystemWatcher(NGINX_FILES_GLOB),
    },
  };
  client = new LanguageClient('nginxWs', 'nginx WebSocket', serverOptions, clientOptions);
  const lc = client;

  const view = new EndpointsView(lc, context.workspaceState);
  // deps.panel is set right below: the panel's actions need deps, deps need the panel.
  const deps: TestEndpointDeps = {
    client: lc,
    output,
    state: context.workspaceState,
    panel: undefined as unknown as ReportPanel,
    onResult: (endpoint, model) => void view.record(endpoint, model),
  };
  const rerun = async (model: ReportModel, notice: string | null): Promise<ReportModel | undefined> => {
    const spec = model.rerun;
    if (!spec) return undefined;
    if (model.kind === 'local-proof')
      return proveLocation(deps, {
        uri: spec.uri,
        range: { start: spec.position, end: spec.position },
        path: spec.url || undefined,
        notice,
      });
    const r = await testEndpoint(deps, { uri: spec.uri, range: { start: spec.position, end: spec.position }, url: spec.url, notice });
    return r && 'model' in r ? r.model : undefined;
  };
  deps.panel = new ReportPanel({
    rerun,
    fixesFor: (model) => fixTitles(model, (m) => serverLog.appendLine(m)),
    applyFix: async (model, index) => {
      const { title, doc } = await applyQuickFix(model.diagnosis[index]!);
      const file = vscode.workspace.asRelativePath(doc.uri);
      // A local proof runs the editor's text: nothing to reload.
      if (model.kind === 'local-proof') return `Applied “${title}” to ${file} and saved it; proving again with local nginx.`;
      const command = readEndpointSettings((k) => vscode.workspace.getConfiguration('nginxWs.endpoint', doc.uri).get(k)).reloadCommand;
      if (!command)
        return `Applied “${title}” to ${file} and saved it. The test checks the running server: reload nginx if it does not pick up the change by itself (or set nginxWs.endpoint.reloadCommand).`;
      // The reload command runs a program the settings name: trusted workspaces only.
      if (!vscode.workspace.isTrusted)
        return `Applied “${title}” to ${file} and saved it. nginxWs.endpoint.reloadCommand is not run in an untrusted workspace.`;
      const cwd = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
      const r = await runReloadCommand(command, cwd);
      output.appendLine(`──── reload: ${command} → ${r.timedOut ? 'timed out' : `exit ${r.code}`}\n${r.output}`);
      if (!r.ok)
        throw new Error(
          `Applied “${title}” to ${file}, but the reload command failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.output.split('\n').slice(-3).join(' ')}`,
        );
      return `Applied “${title}” to ${file}, saved it and reloaded nginx (nginxWs.endpoint.reloadCommand).`;
    },
  });

  const traceView = new TraceView();
  context.subscriptions.push(
    deps.panel,
    view,
    traceView,
    vscode.window.createTreeView(TRACE_VIEW_ID, { treeDataProvider: traceView, showCollapseAll: true }),
    vscode.commands.registerCommand(TRACE_COMMAND, (url?: string) =>
      traceRequest(client!, traceView, output, context.workspaceState, typeof url === 'string' ? url : undefined),
    ),
    vscode.commands.registerCommand(OPEN_TRACE_LINE_COMMAND, openTraceLine),
    vscode.window.createTreeView(VIEW_ID, { treeDataProvider: view, showCollapseAll: true }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void client?.sendNotification(WORKSPACE_TRUST_NOTIFICATION, { trusted: true });
    }),
    vscode.commands.registerCommand(TEST_ENDPOINT_COMMAND, (args?: TestEndpointArgs | TestRequest) => testEndpoint(deps, args)),
    proving,
    proving.onDidChange(() => {
      const providers = new Set(
        vscode.window.visibleTextEditors
          .map((e) => lc.getFeature('textDocument/codeLens').getProvider(e.document))
          .filter((p) => p !== undefined),
      );
      for (const p of providers) p.onDidChangeCodeLensEmitter.fire();
    }),
    vscode.commands.registerCommand(PROVE_COMMAND, (args?: ProveRequest) => proveLocation(deps, args)),
    vscode.commands.registerCommand(TEST_ONE_COMMAND, (node?: Node) => testOne(deps, node)),
    vscode.commands.registerCommand(TEST_ALL_COMMAND, () => testAll(deps, view)),
    vscode.commands.registerCommand(REFRESH_COMMAND, () => view.refresh()),
    vscode.commands.registerCommand('nginxWs.showReport', () => deps.panel.reveal()),
    vscode.commands.registerCommand(FIX_ALL_COMMAND, fixAll),
    vscode.commands.registerCommand('nginxWs.showOutput', () => output.show(true)),
  );
  void vscode.commands.executeCommand('setContext', 'nginxWs.active', true);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** Runs the server's "fix all" source action on the active editor. */
async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'nginx') {
    void vscode.window.showInformationMessage('Open an nginx config to fix its WebSocket problems.');
    return;
  }
  const doc = editor.document;
  const whole = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, whole, FIX_ALL_KIND)) ?? [];
  const action = actions.find((a) => a.kind?.value === FIX_ALL_KIND && a.edit);
  if (!action?.edit) {
    void vscode.window.showInformationMessage('No fixable WebSocket problems in this file.');
    return;
  }
  if (!(await vscode.workspace.applyEdit(action.edit))) {
    void vscode.window.showWarningMessage('The file changed while the fixes were computed; run the command again.');
  }
}

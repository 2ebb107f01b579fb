/**
 * The VS Code side: starts the language server (dist/server.js over IPC),
 * tells it about workspace trust, and registers the commands. Everything
 * that knows nginx lives in the server and the endpoint tester.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { FIX_ALL_COMMAND, TEST_ENDPOINT_COMMAND, WORKSPACE_TRUST_NOTIFICATION, type InitializationOptions, type TestEndpointArgs } from '../../server/src/lsp/protocol';
import { testEndpoint } from './test-endpoint';

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
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'nginx' },
      { scheme: 'untitled', language: 'nginx' },
    ],
    initializationOptions,
    outputChannel: serverLog,
    synchronize: {
      // Included files change on disk too (git checkout, another editor); the server re-analyses their includers
      // and looks for config roots again. sites-*/ and snippets/ files often have no extension.
      fileEvents: vscode.workspace.createFileSystemWatcher(
        '{**/*.conf,**/*.nginx,**/*.nginxconf,**/*.map,**/*.types,**/*.params,**/*.inc,**/sites-enabled/*,**/sites-available/*,**/snippets/*}',
      ),
    },
  };
  client = new LanguageClient('nginxWs', 'nginx WebSocket', serverOptions, clientOptions);

  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void client?.sendNotification(WORKSPACE_TRUST_NOTIFICATION, { trusted: true });
    }),
    vscode.commands.registerCommand(TEST_ENDPOINT_COMMAND, (args?: TestEndpointArgs) =>
      client ? testEndpoint({ client, output, state: context.workspaceState }, args) : undefined,
    ),
    vscode.commands.registerCommand(FIX_ALL_COMMAND, fixAll),
    vscode.commands.registerCommand('nginxWs.showOutput', () => output.show(true)),
  );
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
  const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, whole, FIX_ALL_KIND)) ?? [];
  const action = actions.find((a) => a.kind?.value === FIX_ALL_KIND && a.edit);
  if (!action?.edit) {
    void vscode.window.showInformationMessage('No fixable WebSocket problems in this file.');
    return;
  }
  if (!(await vscode.workspace.applyEdit(action.edit))) {
    void vscode.window.showWarningMessage('The file changed while the fixes were computed; run the command again.');
  }
}

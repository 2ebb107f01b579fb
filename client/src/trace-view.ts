/**
 * "Trace a request…": asks for a URL (prefilled with the URL of the location
 * under the cursor), asks the language server for the request model's trace
 * of it through the config, and shows the trace in the "Request Trace" panel:
 * the outcome, each step with the line that decided it (click to open), the
 * request the backend receives with the line each header comes from, the
 * timeouts in force and what the client receives. The same trace is written
 * to the Output channel as text.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { type TraceAt, type TraceReport, formatTrace } from '../../server/src/engine/index';
import { traceTree, type TraceNode } from './trace-tree';
import { TRACE_REQUEST, type TraceParams, type TraceResult } from '../../server/src/lsp/protocol';
import { openAt } from './report/panel';

export const TRACE_VIEW_ID = 'nginxWs.trace';
export const TRACE_COMMAND = 'nginxWs.traceRequest';
export const OPEN_TRACE_LINE_COMMAND = 'nginxWs.trace.open';

export class TraceView implements vscode.TreeDataProvider<TraceNode>, vscode.Disposable {
  private nodes: TraceNode[] = [];
  private readonly changed = new vscode.EventEmitter<TraceNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  show(r: TraceReport): void {
    this.nodes = traceTree(r);
    this.changed.fire(undefined);
    void vscode.commands.executeCommand('setContext', 'nginxWs.hasTrace', true);
  }

  getChildren(n?: TraceNode): TraceNode[] {
    return n ? (n.children ?? []) : this.nodes;
  }

  getTreeItem(n: TraceNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      n.label,
      n.children?.length
        ? n.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None,
    );
    item.description = n.description;
    item.tooltip = n.tooltip ?? n.label;
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon);
    if (n.at) item.command = { command: OPEN_TRACE_LINE_COMMAND, title: 'Open the config line', arguments: [n.at] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function checkUrl(v: string): string | undefined {
  return /^(wss?|https?):\/\/[^\s/]+/i.test(v.trim()) ? undefined : 'A ws://, wss://, http:// or https:// URL';
}

/** The command: URL (prefilled from the location under the cursor), trace, view. */
export async function traceRequest(
  client: LanguageClient,
  view: TraceView,
  output: vscode.OutputChannel,
  state: vscode.Memento,
  urlArg?: string,
): Promise<TraceReport | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'nginx') {
    void vscode.window.showInformationMessage('Open an nginx config to trace a request through it.');
    return undefined;
  }
  const uri = editor.document.uri.toString();
  const position = { line: editor.selection.active.line, character: editor.selection.active.character };
  let url = urlArg;
  if (!url) {
    const pre = await client.sendRequest<TraceResult>(TRACE_REQUEST, { uri, position } satisfies TraceParams);
    const typed = await vscode.window.showInputBox({
      title: 'Trace a request through the config',
      prompt: 'The URL of a WebSocket handshake (or http:// for a plain request)',
      value: pre.url ?? state.get<string>('nginxWs.trace.lastUrl') ?? 'ws://localhost/',
      validateInput: checkUrl,
    });
    if (typed === undefined) return undefined;
    url = typed.trim();
  }
  await state.update('nginxWs.trace.lastUrl', url);
  const plain = /^https?:/i.test(url);
  const res = await client.sendRequest<TraceResult>(TRACE_REQUEST, { uri, url, plain } satisfies TraceParams);
  if (!res.report) {
    void vscode.window.showErrorMessage(`Could not trace ${url}: ${res.error ?? 'no analysis'}`);
    return undefined;
  }
  view.show(res.report);
  output.appendLine(`──── trace through ${res.configPath ?? 'the config'}`);
  output.appendLine(formatTrace(res.report));
  await vscode.commands.executeCommand(`${TRACE_VIEW_ID}.focus`);
  return res.report;
}

export async function openTraceLine(at: TraceAt): Promise<void> {
  if (at && typeof at.path === 'string' && Number.isInteger(at.line)) await openAt(at.path, at.line);
}

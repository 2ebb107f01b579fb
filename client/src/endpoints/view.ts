/**
 * The "WebSocket endpoints" view (Explorer): every WebSocket location of the
 * workspace's configs, grouped by config and server, with its derived URL,
 * its findings and its last test result (kept in the workspace state; a
 * location edited since shows as stale). The list comes from the language
 * server's `nginxWs/workspaceEndpoints`, made by the same `listEndpoints` that
 * `nginx-ws endpoints` prints.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  WORKSPACE_ENDPOINTS_REQUEST,
  type EndpointContext,
  type WorkspaceConfigEndpoints,
  type WorkspaceEndpointsParams,
  type WorkspaceEndpointsResult,
} from '../../../server/src/lsp/protocol';
import { ResultStore } from './results';
import { findingsText, keyOf, resultText, stateOf, type Endpoint } from './view-state';
import type { ReportModel } from '../report/model';
import { fileUri } from '../report/panel';

export const VIEW_ID = 'nginxWs.endpoints';

export type { Endpoint } from './view-state';

export type Node =
  | { kind: 'config'; config: WorkspaceConfigEndpoints; servers: ServerGroup[] }
  | ServerGroup
  | { kind: 'endpoint'; endpoint: Endpoint; config: WorkspaceConfigEndpoints }
  | { kind: 'note'; text: string };

interface ServerGroup {
  kind: 'server';
  label: string;
  config: WorkspaceConfigEndpoints;
  endpoints: Endpoint[];
  first: Endpoint;
}

export class EndpointsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private configs: WorkspaceConfigEndpoints[] = [];
  private notes: string[] = [];
  private loaded: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  readonly results: ResultStore;

  constructor(
    private readonly client: LanguageClient,
    state: vscode.Memento,
  ) {
    this.results = new ResultStore(state);
    const soon = (): void => this.refreshSoon();
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeTextDocument((e) => e.document.languageId === 'nginx' && e.contentChanges.length > 0 && soon()),
      vscode.workspace.onDidSaveTextDocument((d) => d.languageId === 'nginx' && soon()),
      vscode.workspace.onDidOpenTextDocument((d) => d.languageId === 'nginx' && soon()),
      vscode.workspace.onDidCreateFiles(soon),
      vscode.workspace.onDidDeleteFiles(soon),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('nginxWs') && soon()),
    );
  }

  /** The list now (loaded once on first use). */
  async endpoints(): Promise<{ endpoint: Endpoint; config: WorkspaceConfigEndpoints }[]> {
    await (this.loaded ??= this.load());
    return this.configs.flatMap((config) => config.endpoints.map((endpoint) => ({ endpoint, config })));
  }

  refresh(): Promise<void> {
    this.loaded = this.load();
    return this.loaded;
  }

  private refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 400);
  }

  private async load(): Promise<void> {
    const baseUrl = vscode.workspace.getConfiguration('nginxWs.endpoint').get<string>('baseUrl') || undefined;
    try {
      const r = await this.client.sendRequest<WorkspaceEndpointsResult>(WORKSPACE_ENDPOINTS_REQUEST, {
        baseUrl,
      } satisfies WorkspaceEndpointsParams);
      this.configs = r.configs;
      this.notes = r.notes;
    } catch (e) {
      this.notes = [`The endpoint list could not be loaded: ${e instanceof Error ? e.message : String(e)}`];
    }
    void vscode.commands.executeCommand('setContext', 'nginxWs.hasEndpoints', this.configs.length > 0);
    this.changed.fire(undefined);
  }

  /** Records a finished test for the view: the endpoint at that file and line in the current list. */
  async record(ep: EndpointContext, model: ReportModel): Promise<void> {
    await this.refresh();
    const line = ep.location.range.start.line;
    const match = this.configs.flatMap((c) => c.endpoints).find((e) => e.file === ep.location.file && e.range.start.line === line);
    if (!match) return;
    await this.results.set(keyOf(match), {
      ok: model.verdict.ok,
      stage: model.verdict.stage,
      status: model.verdict.status,
      headline: model.verdict.headline,
      at: model.finishedAt,
      url: model.rerun?.url ?? model.target,
      fingerprint: match.fingerprint,
    });
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] | Thenable<Node[]> {
    if (!node) {
      return (this.loaded ??= this.load()).then(() => {
        const top: Node[] = this.configs.map((config) => ({ kind: 'config', config, servers: groupByServer(config) }));
        for (const text of this.notes) top.push({ kind: 'note', text });
        return top;
      });
    }
    if (node.kind === 'config') return node.servers;
    if (node.kind === 'server') return node.endpoints.map((endpoint) => ({ kind: 'endpoint', endpoint, config: node.config }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'config': {
        const uri = fileUri(node.config.configPath);
        const item = new vscode.TreeItem(vscode.workspace.asRelativePath(uri), vscode.TreeItemCollapsibleState.Expanded);
        item.resourceUri = uri;
        item.iconPath = vscode.ThemeIcon.File;
        const n = node.config.endpoints.length;
        item.description = `${n} WebSocket location${n === 1 ? '' : 's'}`;
        item.contextValue = 'config';
        item.id = `config:${node.config.configPath}`;
        item.command = { command: 'vscode.open', title: 'Open config', arguments: [uri] };
        return item;
      }
      case 'server': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('server-environment');
        item.contextValue = 'server';
        item.id = `server:${node.config.configPath}:${node.label}`;
        const s = node.first.server;
        if (s.file && s.range) item.command = openCommand(s.file, s.range.start.line);
        return item;
      }
      case 'endpoint':
        return this.endpointItem(node.endpoint, node.config);
      case 'note': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
    }
  }

  private endpointItem(e: Endpoint, config: WorkspaceConfigEndpoints): vscode.TreeItem {
    const state = stateOf(e, this.results.get(keyOf(e)));
    const item = new vscode.TreeItem(e.location, vscode.TreeItemCollapsibleState.None);
    const findings = findingsText(e.findings);
    item.description = [e.url ?? 'needs a request path', findings, resultText(state)].filter(Boolean).join(' · ');
    item.iconPath =
      state.kind === 'untested'
        ? new vscode.ThemeIcon('circle-large-outline')
        : state.stale
          ? new vscode.ThemeIcon('history', new vscode.ThemeColor('list.warningForeground'))
          : state.kind === 'passed'
            ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
            : new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escapeMd(e.location)}** — ${escapeMd(vscode.workspace.asRelativePath(fileUri(e.file)))}:${e.line}\n\n`);
    md.appendMarkdown(`URL: \`${e.url ?? 'a regex or named location: give a request path when testing'}\`\n\n`);
    if (e.backendUrl) md.appendMarkdown(`Backend: \`${e.backendUrl}\`\n\n`);
    md.appendMarkdown(`Findings: ${findings || 'none'}\n\n`);
    md.appendMarkdown(
      `Last test: ${escapeMd(resultText(state))}${state.kind !== 'untested' ? ` (${escapeMd(state.result.url)})` : ''}\n\n`,
    );
    if (state.kind !== 'untested' && state.stale)
      md.appendMarkdown('$(history) The location was edited after this test: run it again.\n\n');
    for (const n of e.notes) md.appendMarkdown(`- ${escapeMd(n)}\n`);
    item.tooltip = md;
    item.contextValue = e.needsPath ? 'endpoint.needsPath' : 'endpoint';
    item.id = `endpoint:${config.configPath}:${e.file}:${e.range.start.line}:${e.location}`;
    item.command = openCommand(e.file, e.range.start.line);
    item.accessibilityInformation = {
      label: `${e.location}, ${e.url ?? 'needs a request path'}, ${findings || 'no findings'}, ${resultText(state)}`,
    };
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

function openCommand(file: string, line0: number): vscode.Command {
  const pos = new vscode.Position(line0, 0);
  return {
    command: 'vscode.open',
    title: 'Open location',
    arguments: [fileUri(file), { selection: new vscode.Range(pos, pos) } satisfies vscode.TextDocumentShowOptions],
  };
}

function groupByServer(config: WorkspaceConfigEndpoints): ServerGroup[] {
  const groups = new Map<string, ServerGroup>();
  for (const e of config.endpoints) {
    const key = `${e.server.file ?? ''}:${e.server.range?.start.line ?? -1}:${e.server.label}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { kind: 'server', label: e.server.label, config, endpoints: [], first: e }));
    g.endpoints.push(e);
  }
  return [...groups.values()];
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/**
 * "Prove WebSocket location with local nginx": runs the config the location
 * belongs to — exactly as the language server analysed it, unsaved edits
 * included (`nginxWs/configSnapshot`) — in a private local nginx and tests
 * the handshake through it (server/src/prove). The verdict goes to the
 * report panel, a one-line toast and the Output channel.
 *
 * Runs nginx, so: trusted workspaces only, and only when `nginxWs.nginxPath`
 * names an nginx that exists. The palette entry and the CodeLens action
 * beside "Test WebSocket endpoint" appear only then (context key
 * `nginxWs.canProve`); the command refuses by itself too.
 */
import * as vscode from 'vscode';
import type { LanguageClient, Middleware } from 'vscode-languageclient/node';
import {
  CONFIG_SNAPSHOT_REQUEST,
  PROVE_COMMAND,
  PROVE_LENS_TITLE,
  TEST_ENDPOINT_COMMAND,
  type ConfigSnapshotResult,
  type EndpointContext,
  type TestEndpointArgs,
} from '../../server/src/lsp/protocol';
import { findNginx } from '../../server/src/nginx/binary';
import type { ProofResult } from '../../server/src/prove/index';
import { proveBlocker } from './prove-gate';
import { readEndpointSettings } from './endpoint-settings';
import { toastLine, type ReportModel } from './report/model';
import type { ReportPanel } from './report/panel';
import { fromLocalProof } from './report/proof-model';
import { pickEndpoint, withTestProgress } from './test-endpoint';
import { tools } from './tools-loader';

export const CAN_PROVE_CONTEXT = 'nginxWs.canProve';

export interface ProveDeps {
  client: LanguageClient;
  output: vscode.OutputChannel;
  state: vscode.Memento;
  panel: ReportPanel;
}

/** The command's arguments: the CodeLens' (uri, range), and what "Run again" and a fix re-run add. */
export interface ProveRequest extends Partial<TestEndpointArgs> {
  /** A concrete request path (regex locations); asked for when missing. */
  path?: string;
  /** A line shown at the top of the report (the fix applied before this run). */
  notice?: string | null;
}

function nginxPathSetting(scope?: vscode.Uri): string {
  return vscode.workspace.getConfiguration('nginxWs', scope).get<string>('nginxPath') || 'nginx';
}

/** Keeps `nginxWs.canProve` current (trust granted, nginxPath changed); the CodeLens action follows it. */
export class ProveAvailability implements vscode.Disposable {
  private can = false;
  private readonly subs: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor() {
    this.update();
    this.subs.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('nginxWs.nginxPath')) this.update();
      }),
      this.changed,
    );
  }

  get available(): boolean {
    return this.can;
  }

  update(): void {
    const next = proveBlocker(vscode.workspace.isTrusted, nginxPathSetting()) === null;
    void vscode.commands.executeCommand('setContext', CAN_PROVE_CONTEXT, next);
    if (next !== this.can) {
      this.can = next;
      this.changed.fire();
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}

/**
 * Language-client middleware: beside each "▶ Test WebSocket endpoint" lens the server sends, a
 * "Prove with local nginx" lens with the same location, when proving is available.
 */
export function proveLensMiddleware(availability: ProveAvailability): Middleware {
  return {
    provideCodeLenses: async (document, token, next) => {
      const lenses = (await next(document, token)) ?? [];
      if (!availability.available) return lenses;
      const out: vscode.CodeLens[] = [];
      for (const l of lenses) {
        out.push(l);
        if (l.command?.command === TEST_ENDPOINT_COMMAND)
          out.push(
            new vscode.CodeLens(l.range, {
              title: PROVE_LENS_TITLE,
              command: PROVE_COMMAND,
              arguments: l.command.arguments,
              tooltip: 'Run this config in a private local nginx and test the WebSocket handshake through it',
            }),
          );
      }
      return out;
    },
  };
}

function label(e: EndpointContext): string {
  return `location ${e.location.modifier ? `${e.location.modifier} ` : ''}${e.location.path}`;
}

export async function proveLocation(deps: ProveDeps, args?: ProveRequest): Promise<ReportModel | undefined> {
  // Security: nothing here runs unless the workspace is trusted (the lens and the palette entry are hidden too).
  const blocker = proveBlocker(vscode.workspace.isTrusted, nginxPathSetting(args?.uri ? vscode.Uri.parse(args.uri) : undefined));
  if (blocker) {
    void vscode.window.showWarningMessage(blocker);
    return undefined;
  }
  const endpoint = await pickEndpoint(deps.client, args, true, 'Prove WebSocket location with local nginx');
  if (!endpoint) return undefined;
  const scope = vscode.Uri.parse(endpoint.uri);
  const binary = findNginx(nginxPathSetting(scope));
  if (!binary) return undefined;
  const settings = readEndpointSettings((k) => vscode.workspace.getConfiguration('nginxWs.endpoint', scope).get(k));

  let requestPath = args?.path;
  const memoKey = `nginxWs.provePath:${endpoint.uri}#${endpoint.location.modifier}${endpoint.location.path}`;
  if (!requestPath && endpoint.location.needsPath) {
    const typed = await vscode.window.showInputBox({
      title: 'Prove WebSocket location with local nginx',
      prompt: `${label(endpoint)} is a pattern: enter a concrete request path to prove`,
      value: deps.state.get<string>(memoKey) ?? '',
      placeHolder: '/ws/room1',
      validateInput: (v) => (v.trim().startsWith('/') ? undefined : 'A path starting with /'),
    });
    if (typed === undefined) return undefined;
    requestPath = typed.trim();
    await deps.state.update(memoKey, requestPath);
  }

  const snap = await deps.client.sendRequest<ConfigSnapshotResult>(CONFIG_SNAPSHOT_REQUEST, { uri: endpoint.uri });
  if (!snap.rootPath || !snap.settings) {
    void vscode.window.showErrorMessage(`The config of ${label(endpoint)} cannot be proven: ${snap.note ?? 'no analysis'}`);
    return undefined;
  }

  let result: ProofResult;
  try {
    const { runProof, snapshotHost } = tools();
    result = await withTestProgress(`Proving ${label(endpoint)} with local nginx`, (signal, report) =>
      runProof({
        root: snap.rootPath!,
        host: snapshotHost(snap.files),
        settings: snap.settings!,
        location: { file: endpoint.location.file, line: endpoint.location.range.start.line + 1 },
        requestPath,
        idleSeconds: settings.idleSeconds,
        timeoutMs: settings.timeoutMs,
        nginx: binary,
        findings: endpoint.findings,
        signal,
        onProgress: report,
      }),
    );
  } catch (e) {
    void vscode.window.showErrorMessage(`The local proof could not run: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const model = fromLocalProof(result, {
    idleSeconds: settings.idleSeconds,
    rerun: { uri: endpoint.uri, position: endpoint.location.range.start, url: requestPath ?? '' },
  });
  deps.output.appendLine(`──── ${model.finishedAt} local proof of ${label(endpoint)}`);
  deps.output.appendLine(model.text);
  deps.panel.show(model, { notice: args?.notice ?? null });
  const show = 'Show report';
  const onClick = (choice: string | undefined): void => {
    if (choice === show) deps.panel.reveal();
  };
  if (model.verdict.ok) void vscode.window.showInformationMessage(toastLine(model), show).then(onClick);
  else void vscode.window.showErrorMessage(toastLine(model), show).then(onClick);
  return model;
}

/**
 * The report panel: one webview beside the editor, reused by every test, that
 * renders a `ReportModel` (html.ts). It turns the page's clicks into editor
 * actions: open a config line, apply a quick fix and run again, run again,
 * copy the plain-text report. A serializer restores it after a window reload
 * from the model the page keeps in its state.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderReport, type FixTitles } from './html';
import { isReportModel, type ReportModel } from './model';

export const REPORT_VIEW_TYPE = 'nginxWs.report';

export interface ReportActions {
  /**
   * Runs the check again (the spec is in `model.rerun`) and shows the new model in this panel with `notice`;
   * resolves with the new model, or undefined when it did not run.
   */
  rerun(model: ReportModel, notice: string | null): Promise<ReportModel | undefined>;
  /** Applies the quick fix of diagnosis row `index`; resolves with a line to show, or throws with the reason. */
  applyFix(model: ReportModel, index: number): Promise<string>;
  /** Quick fix titles for the model's diagnosis rows. */
  fixesFor(model: ReportModel): Promise<FixTitles>;
}

type Message = { type: 'open'; file: string; line: number } | { type: 'fix'; index: number } | { type: 'rerun' } | { type: 'copy' };

export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private model: ReportModel | undefined;
  private fixes: FixTitles = {};
  private busy: string | null = null;
  private notice: string | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  /** Bumped on every new model: a late fix lookup for an older one is dropped. */
  private generation = 0;

  constructor(private readonly actions: ReportActions) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state: unknown) => {
          const model = (state as { model?: unknown } | undefined)?.model;
          this.adopt(panel);
          if (isReportModel(model)) this.show(model, { reveal: false });
          else panel.dispose();
          return Promise.resolve();
        },
      }),
    );
  }

  get current(): ReportModel | undefined {
    return this.model;
  }

  get visible(): boolean {
    return !!this.panel?.visible;
  }

  /** Shows a model in the panel (created beside the editor, or reused), without taking the focus from the editor. */
  show(model: ReportModel, o: { reveal?: boolean; notice?: string | null } = {}): void {
    this.model = model;
    this.busy = null;
    this.notice = o.notice ?? null;
    this.fixes = {};
    const gen = ++this.generation;
    if (!this.panel) {
      this.adopt(
        vscode.window.createWebviewPanel(
          REPORT_VIEW_TYPE,
          title(model),
          { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
          {
            enableScripts: true,
            enableFindWidget: true,
            // Nothing is loaded from disk: the page is self-contained.
            localResourceRoots: [],
          },
        ),
      );
    } else if (o.reveal !== false) {
      this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    }
    this.render();
    void this.actions.fixesFor(model).then(
      (f) => {
        if (gen !== this.generation || Object.keys(f).length === 0) return;
        this.fixes = f;
        this.render();
      },
      () => undefined,
    );
  }

  /** Brings the panel back (the toast's "Show report"), re-creating it from the last model when it was closed. */
  reveal(): void {
    if (this.panel) this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, false);
    else if (this.model) this.show(this.model);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    panel.onDidDispose(
      () => {
        if (this.panel === panel) this.panel = undefined;
      },
      undefined,
      this.disposables,
    );
    panel.webview.onDidReceiveMessage((m: Message) => void this.onMessage(m), undefined, this.disposables);
  }

  private render(): void {
    if (!this.panel || !this.model) return;
    this.panel.title = title(this.model);
    this.panel.webview.html = renderReport(this.model, {
      nonce: randomBytes(16).toString('base64'),
      cspSource: this.panel.webview.cspSource,
      fixes: this.fixes,
      busy: this.busy,
      notice: this.notice,
      displayPath: (f) => (/^[a-z][a-z0-9+.-]+:/i.test(f) ? f : vscode.workspace.asRelativePath(f)),
    });
  }

  private setBusy(text: string | null, notice?: string | null): void {
    this.busy = text;
    if (notice !== undefined) this.notice = notice;
    this.render();
  }

  private async onMessage(m: Message): Promise<void> {
    const model = this.model;
    if (!model || typeof m !== 'object' || m === null) return;
    try {
      switch (m.type) {
        case 'open':
          if (typeof m.file === 'string' && Number.isInteger(m.line)) await openAt(m.file, m.line);
          break;
        case 'copy':
          await vscode.env.clipboard.writeText(model.text);
          void vscode.window.setStatusBarMessage('nginx WebSocket: report copied as text', 4000);
          break;
        case 'rerun': {
          this.setBusy('Running the test again…');
          const next = await this.actions.rerun(model, null);
          if (!next) this.setBusy(null);
          break;
        }
        case 'fix': {
          if (!Number.isInteger(m.index) || !model.diagnosis[m.index]) return;
          this.setBusy('Applying the fix…');
          const done = await this.actions.applyFix(model, m.index);
          this.setBusy('Running the test again…', done);
          const next = await this.actions.rerun(model, done);
          if (!next) this.setBusy(null);
          break;
        }
      }
    } catch (e) {
      this.setBusy(null, e instanceof Error ? e.message : String(e));
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function title(m: ReportModel): string {
  return `${m.verdict.ok ? '✔' : '✘'} ${m.kind === 'local-proof' ? 'Local proof' : 'WebSocket'} ${m.verdict.ok ? 'passed' : 'failed'}`;
}

/** An engine path (filesystem path, or an untitled document's URI) as a URI. */
export function fileUri(file: string): vscode.Uri {
  return /^[a-z][a-z0-9+.-]+:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
}

/** Opens a config file with the cursor at the start of a 1-based line, in the editor group the user works in. */
export async function openAt(file: string, line: number): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fileUri(file));
  const l = Math.max(0, Math.min(doc.lineCount - 1, line - 1));
  const start = doc.lineAt(l).firstNonWhitespaceCharacterIndex;
  const pos = new vscode.Position(l, start);
  return vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(pos, pos),
    preserveFocus: false,
  });
}

/**
 * A real LSP client for protocol tests: starts `node dist/server.js --stdio`
 * (or `--node-ipc`, as VS Code does) as a child process and talks JSON-RPC to
 * it with vscode-languageserver-protocol, the way an editor does.
 *
 *   await buildOnce();                       // npm run build, once per test process
 *   const c = await LspTestClient.start({ settings: { rules: {...} } });
 *   c.open(uri, text);                       // textDocument/didOpen (version 1)
 *   const d = await c.diagnostics(uri, (p) => p.version === 1);
 *   c.change(uri, 2, newText);               // full-text or incremental changes
 *   await c.setSettings({...});              // answers workspace/configuration, sends didChangeConfiguration
 *   await c.stop();                          // shutdown + exit, waits for the process to end
 *
 * Every wait is bounded; a timeout error says what was awaited and what the
 * server published instead, plus its log.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidSaveTextDocumentNotification,
  FileChangeType,
  ExitNotification,
  InitializedNotification,
  IPCMessageReader,
  IPCMessageWriter,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';

/** A diagnostic's message as text (LSP 3.18 also allows Markdown content there). */
export function messageText(d: { message: string | { value: string } }): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

/**
 * vscode-jsonrpc's stream reader, whose dispose also stops its partial-message timer. Once the
 * server dies in the middle of writing a message (killed while it publishes a large one), the
 * reader keeps that half message and its timer re-arms every 10 s for ever (its token never
 * changes), dispose or not: the test process then never exits. Measured with vscode-jsonrpc 10.0.0.
 */
export class StoppingStreamMessageReader extends StreamMessageReader {
  override dispose(): void {
    // No new timer from the one armed now, and that one cleared (a private method: looked up, not assumed).
    this.partialMessageTimeout = 0;
    const clear = (this as unknown as { clearPartialMessageTimer?: () => void }).clearPartialMessageTimer;
    if (typeof clear === 'function') clear.call(this);
    super.dispose();
  }
}

export const ROOT = join(__dirname, '..', '..');
export const SERVER_JS = join(ROOT, 'dist', 'server.js');

let built = false;
/** `npm run build` once per test process, so the tests drive the bundle that ships. */
export function buildOnce(): void {
  if (built) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  built = true;
}

export const CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceEdit: { documentChanges: true },
    didChangeConfiguration: { dynamicRegistration: true },
    workspaceFolders: true,
  },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
      isPreferredSupport: true,
      dataSupport: true,
    },
    codeLens: {},
  },
};

export interface StartOptions {
  /** The `nginxWs` section answered to workspace/configuration. */
  settings?: Record<string, unknown>;
  workspaceTrusted?: boolean;
  /** Diagnostics debounce; tests default to 20 ms. */
  debounceMs?: number;
  capabilities?: ClientCapabilities;
  initializationOptions?: Record<string, unknown>;
  /** Extra environment for the server process (e.g. PATH for a fake nginx). */
  env?: NodeJS.ProcessEnv;
  /** Workspace folders (filesystem paths) sent in initialize, as VS Code does. */
  workspaceFolders?: string[];
  /** `stdio` (default) or `ipc` (node IPC channel, as VS Code's client starts it). */
  transport?: 'stdio' | 'ipc';
  /** Options for the server's node, e.g. `--max-old-space-size=768` to hold it to a memory cap. */
  nodeArgs?: string[];
}

type Waiter = { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void };

export class LspTestClient {
  readonly published = new Map<string, PublishDiagnosticsParams[]>();
  /** Every publishDiagnostics in arrival order (all documents). */
  readonly publishLog: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  readonly configurationRequests: number[] = [];
  settings: Record<string, unknown>;
  initializeResult!: InitializeResult;
  private waiters: Waiter[] = [];
  private logWaiters: { re: RegExp; since: number; resolve: (line: string) => void }[] = [];
  private exitCode: Promise<number | null>;
  private stderr = '';

  private constructor(
    readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
    settings: Record<string, unknown>,
  ) {
    this.settings = settings;
    this.exitCode = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const list = this.published.get(p.uri) ?? [];
      list.push(p);
      this.published.set(p.uri, list);
      this.publishLog.push(p);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri === p.uri && w.pred(p)) {
          w.resolve(p);
          return false;
        }
        return true;
      });
    });
    connection.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(p.message);
      const index = this.logs.length - 1;
      this.logWaiters = this.logWaiters.filter((w) => {
        if (index >= w.since && w.re.test(p.message)) {
          w.resolve(p.message);
          return false;
        }
        return true;
      });
    });
    connection.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests.push(Date.now());
      return p.items.map((item) => (item.section === 'nginxWs' ? this.settings : null));
    });
    connection.onRequest(RegistrationRequest.type, () => undefined);
  }

  static async start(opts: StartOptions = {}): Promise<LspTestClient> {
    const env = { ...process.env, ...opts.env };
    let child: ChildProcess;
    let connection: ProtocolConnection;
    if (opts.transport === 'ipc') {
      child = fork(SERVER_JS, ['--node-ipc'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env, execArgv: opts.nodeArgs ?? [] });
      connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    } else {
      child = spawn(process.execPath, [...(opts.nodeArgs ?? []), SERVER_JS, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env });
      connection = createProtocolConnection(new StoppingStreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    }
    const client = new LspTestClient(child, connection, opts.settings ?? {});
    connection.listen();
    client.initializeResult = await withTimeout(
      connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: null,
        workspaceFolders: opts.workspaceFolders ? opts.workspaceFolders.map((f) => ({ uri: pathToFileURL(f).href, name: f })) : null,
        capabilities: opts.capabilities ?? CAPABILITIES,
        initializationOptions: {
          debounceMs: opts.debounceMs ?? 20,
          workspaceTrusted: opts.workspaceTrusted ?? false,
          ...opts.initializationOptions,
        },
      }),
      10_000,
      () => `initialize (stderr: ${client.stderr})`,
    );
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  open(uri: string, text: string, version = 1, languageId = 'nginx'): void {
    this.notify(
      this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } }),
    );
  }

  /** Replaces the whole text (a string) or applies incremental changes. */
  change(uri: string, version: number, change: string | TextDocumentContentChangeEvent[]): void {
    const contentChanges = typeof change === 'string' ? [{ text: change }] : change;
    this.notify(
      this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges }),
    );
  }

  /** Notifications are fire-and-forget; a write failing after `kill()` is recorded, not an unhandled rejection. */
  readonly sendErrors: unknown[] = [];
  private notify(p: Promise<void>): void {
    p.catch((e: unknown) => this.sendErrors.push(e));
  }

  /** textDocument/didSave, as an editor sends after writing the file to disk. */
  save(uri: string): void {
    this.notify(this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } }));
  }

  /** workspace/didChangeWatchedFiles, as the client's file watcher reports changes on disk. */
  async watched(uris: string[], type: FileChangeType = FileChangeType.Changed): Promise<void> {
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: uris.map((uri) => ({ uri, type })) });
  }

  close(uri: string): void {
    this.notify(this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } }));
  }

  /** Changes what workspace/configuration answers and tells the server, as VS Code does. */
  async setSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** Number of publishes so far for `uri`; pass it as `since` to wait for a newer one. */
  mark(uri: string): number {
    return this.published.get(uri)?.length ?? 0;
  }

  /** The first publish for `uri` (from index `since` of its history, or later) that satisfies `pred`. */
  diagnostics(
    uri: string,
    pred: (p: PublishDiagnosticsParams) => boolean = () => true,
    opts: { since?: number; timeoutMs?: number } = {},
  ): Promise<PublishDiagnosticsParams> {
    const history = (this.published.get(uri) ?? []).slice(opts.since ?? 0);
    const hit = history.find(pred);
    if (hit) return Promise.resolve(hit);
    const p = new Promise<PublishDiagnosticsParams>((resolve) => this.waiters.push({ uri, pred, resolve }));
    return withTimeout(p, opts.timeoutMs ?? 10_000, () => {
      const seen = (this.published.get(uri) ?? []).map((x) => `v${x.version}: [${x.diagnostics.map((d) => d.code).join(', ')}]`);
      return `diagnostics for ${uri}; published: ${seen.join(' | ') || 'nothing'}; server log: ${this.logs.slice(-5).join('\n')}`;
    });
  }

  /** The first server log line (from index `since` of `logs`, or later) matching `re`. */
  log(re: RegExp, opts: { since?: number; timeoutMs?: number } = {}): Promise<string> {
    const since = opts.since ?? 0;
    const hit = this.logs.slice(since).find((l) => re.test(l));
    if (hit !== undefined) return Promise.resolve(hit);
    const p = new Promise<string>((resolve) => this.logWaiters.push({ re, since, resolve }));
    return withTimeout(
      p,
      opts.timeoutMs ?? 10_000,
      () => `a server log line matching ${re}; last lines: ${this.logs.slice(-5).join('\n')}`,
    );
  }

  request<R>(method: string, params: unknown, timeoutMs = 10_000): Promise<R> {
    return withTimeout(this.connection.sendRequest<R>(method, params), timeoutMs, () => method);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** shutdown + exit; resolves with the exit code. Kills the process if it does not exit in time. */
  async stop(timeoutMs = 5000): Promise<number | null> {
    if (!this.alive) return this.exitCode;
    try {
      await withTimeout(this.connection.sendRequest(ShutdownRequest.type), timeoutMs, () => 'shutdown');
      await this.connection.sendNotification(ExitNotification.type);
      return await withTimeout(this.exitCode, timeoutMs, () => 'process exit after exit notification');
    } finally {
      this.kill();
    }
  }

  /** Ends the process unconditionally (for `t.after` cleanup after a failure). */
  kill(): void {
    this.connection.dispose();
    if (this.alive) this.child.kill('SIGKILL');
  }

  get serverStderr(): string {
    return this.stderr;
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what()}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Applies LSP text edits to a text (edits are relative to the original text, as LSP specifies). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  // Line breaks as LSP counts them: LF, CRLF and a lone CR.
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] !== '\n')) starts.push(i + 1);
  const offset = (p: { line: number; character: number }) =>
    p.line >= starts.length
      ? text.length
      : Math.min(starts[p.line]! + p.character, p.line + 1 < starts.length ? starts[p.line + 1]! : text.length);
  const indexed = edits.map((e, i) => ({ s: offset(e.range.start), e: offset(e.range.end), t: e.newText, i }));
  // Back to front; for equal starts, later edits first so earlier ones end up in front (array order).
  indexed.sort((a, b) => b.s - a.s || b.i - a.i);
  let out = text;
  let lastStart = Infinity;
  for (const x of indexed) {
    if (x.e > lastStart) throw new Error(`overlapping edits at offset ${x.s}`);
    out = out.slice(0, x.s) + x.t + out.slice(x.e);
    lastStart = x.s;
  }
  return out;
}

/** Applies a WorkspaceEdit to in-memory texts by URI; checks versions like an editor does. */
export function applyWorkspaceEdit(texts: Map<string, { text: string; version: number | null }>, edit: WorkspaceEdit): void {
  for (const change of edit.documentChanges ?? []) {
    if (!('textDocument' in change)) throw new Error('only text edits are expected');
    const doc = texts.get(change.textDocument.uri);
    if (!doc) throw new Error(`edit for unknown document ${change.textDocument.uri}`);
    if (change.textDocument.version !== null && change.textDocument.version !== doc.version) {
      throw new Error(`edit for version ${change.textDocument.version}, document is at ${doc.version}`);
    }
    doc.text = applyTextEdits(
      doc.text,
      change.edits.filter((e): e is TextEdit => 'range' in e),
    );
  }
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
    const doc = texts.get(uri);
    if (!doc) throw new Error(`edit for unknown document ${uri}`);
    doc.text = applyTextEdits(doc.text, edits);
  }
}

export function rangeOf(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/**
 * A temporary folder used as the workspace of protocol tests: write files into
 * it, get their URIs, start servers with it as the workspace folder.
 * `dispose()` kills those servers and removes the folder.
 */
export class TempWorkspace {
  readonly dir: string;
  private readonly clients: LspTestClient[] = [];

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  uri(rel: string): string {
    return pathToFileURL(join(this.dir, rel)).href;
  }

  write(rel: string, text: string): void {
    mkdirSync(join(this.dir, rel, '..'), { recursive: true });
    writeFileSync(join(this.dir, rel), text);
  }

  async start(opts: StartOptions = {}): Promise<LspTestClient> {
    const c = await LspTestClient.start({ workspaceFolders: [this.dir], ...opts });
    this.clients.push(c);
    return c;
  }

  dispose(): void {
    for (const c of this.clients) c.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

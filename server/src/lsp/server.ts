/**
 * The language server: wires the connection to the analyzer, the settings and
 * the feature handlers. The connection is injected (stdio or IPC, main.ts),
 * so nothing here depends on how the process was started.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import type { EngineSettings } from '../engine/index';
import { Analyzer } from './analyzer';
import type { ServerContext } from './context';
import { FEATURES } from './handlers/index';
import { lensSignature } from './handlers/code-lens';
import { NginxChecker } from './nginx-test-on-save';
import { NginxVersionDetector } from '../nginx/version';
import { isDiskPath, uriToPath } from '../node/paths';
import {
  DETECTED_VERSION_NOTIFICATION,
  OVER_BUDGET_NOTIFICATION,
  PUBLISH_NOW_NOTIFICATION,
  WORKSPACE_TRUST_NOTIFICATION,
  type InitializationOptions,
  type OverBudgetParams,
  type WorkspaceTrustParams,
} from './protocol';
import { DEFAULT_SERVER_SETTINGS, normalizeSettings, type ServerSettings } from './settings';
import { DiskReader } from '../node/file-host';
import { layerSettings, SETTINGS_FILE_NAME, SettingsFiles } from '../node/settings-file';
import { WorkspacePolicy } from '../node/trust';

export const DEFAULT_DEBOUNCE_MS = 150;
/** The first analysis waits at most this long for settings and `nginx -v`. */
const READY_TIMEOUT_MS = 4000;

/** Which thread of the front (front/front.ts) this server runs in, and how it reports its analyses there. */
export interface ThreadRole {
  role: 'primary' | 'replica';
  analysing(doc: { uri: string; version: number } | null): void;
}

/** Starts the server on `connection`: on its own (no `thread`), or as one of the front's two analysis threads. */
export function startServer(connection: Connection, thread?: ThreadRole): void {
  new LanguageServer(connection, thread).start();
}

/**
 * The server's state and its wiring, step by step: `start` registers the
 * handshake (`initialize`, then `initialized`, which loads the settings the
 * first analysis waits for), the document events and the workspace events.
 */
class LanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  // In an untrusted workspace no file outside its folders is read (includes, root discovery): the reader asks the policy.
  private readonly policy = new WorkspacePolicy(false);
  private readonly disk = new DiskReader(undefined, { policy: (p) => this.policy.refusal(p) });
  private readonly detector = new NginxVersionDetector();
  private clientCapabilities: ClientCapabilities = {};
  private initOptions: InitializationOptions = {};
  private settings: ServerSettings = DEFAULT_SERVER_SETTINGS;
  private trusted = false;
  private detectedVersion = '';
  private analyzer: Analyzer | undefined;
  private checker: NginxChecker | undefined;
  /** Workspace folders as paths, where config roots are searched. */
  private folders: string[] = [];
  private readonly lensSignatures = new Map<string, string>();
  private lensRefreshQueued = false;
  /** `.nginx-ws.json` files: the nearest one above a file applies to it, under the editor's settings. */
  private readonly settingsFiles = new SettingsFiles(this.disk);
  private readonly reportedProblems = new Set<string>();
  /** Resolves once the settings are loaded (or after READY_TIMEOUT_MS): the first analysis waits for it. */
  private readonly ready: Promise<void>;

  constructor(
    private readonly connection: Connection,
    private readonly thread?: ThreadRole,
  ) {
    this.ready = new Promise<void>((resolve) => connection.onInitialized(() => this.initialized(resolve)));
  }

  start(): void {
    this.connection.onInitialize((params) => this.initialize(params));
    this.listenToDocuments();
    this.listenToWorkspace();
    this.connection.onShutdown(() => this.analyzer?.dispose());
    this.connection.onNotification(
      DETECTED_VERSION_NOTIFICATION,
      this.fenced('detectedVersion', (p: { version: string }) => {
        if (this.thread?.role !== 'replica' || typeof p?.version !== 'string' || p.version === this.detectedVersion) return;
        this.detectedVersion = p.version;
        this.analyzer?.reanalyzeAll();
      }),
    );
    this.connection.onNotification(
      PUBLISH_NOW_NOTIFICATION,
      this.fenced('publishNow', async (p: { uri: string }) => {
        if (this.thread?.role === 'replica' && typeof p?.uri === 'string') await this.analyzer?.publishNow(p.uri);
      }),
    );
    this.connection.onNotification(
      OVER_BUDGET_NOTIFICATION,
      this.fenced('overBudget', (p: OverBudgetParams) => this.analyzer?.markOverBudget(p.uri, p.version, p.message)),
    );
    this.documents.listen(this.connection);
    this.connection.listen();
  }

  private readonly logError = (m: string): void => this.connection.console.error(m);
  private readonly logInfo = (m: string): void => this.connection.console.info(m);

  private projectFor(path: string) {
    const f = this.settingsFiles.forFile(path);
    for (const p of f?.problems ?? []) {
      if (this.reportedProblems.has(p)) continue;
      this.reportedProblems.add(p);
      this.connection.console.warn(`nginx-ws: ${p}`);
    }
    return f?.settings;
  }

  private engineSettings(path: string): EngineSettings {
    const settings = this.settings;
    const s = layerSettings(this.projectFor(path), {
      nginxVersion: settings.nginxVersion,
      rules: settings.rules,
      websocketPathPatterns: settings.websocketPathPatterns,
      idleTimeoutThresholdSeconds: settings.idleTimeoutThresholdSeconds,
      prefix: settings.prefix,
      limits: settings.limits,
    });
    if (!s.nginxVersion && this.trusted && settings.detectNginxVersion) s.nginxVersion = this.detectedVersion;
    return s;
  }

  private supportsConfiguration(): boolean {
    return !!this.clientCapabilities.workspace?.configuration;
  }

  /** Runs `nginx -v` when allowed and needed; true when the effective version changed. */
  private async detectVersion(): Promise<boolean> {
    const settings = this.settings;
    // The replica thread runs nothing: the primary tells it what `nginx -v` said (DETECTED_VERSION_NOTIFICATION).
    if (this.thread?.role === 'replica') return false;
    if (!this.trusted || !settings.detectNginxVersion || settings.nginxVersion) return false;
    const r = await this.detector.detect(settings.nginxPath);
    if ('version' in r) {
      if (r.version === this.detectedVersion) return false;
      this.detectedVersion = r.version;
      if (this.thread?.role === 'primary') void this.connection.sendNotification(DETECTED_VERSION_NOTIFICATION, { version: r.version });
      this.logInfo(`nginx-ws: target nginx version ${r.version} (from ${settings.nginxPath} -v)`);
      return true;
    }
    this.logInfo(`nginx-ws: could not detect the nginx version with "${settings.nginxPath} -v" (${r.error}); set nginxWs.nginxVersion`);
    return false;
  }

  private async loadSettings(pushed?: unknown): Promise<void> {
    let raw: unknown = pushed ?? this.initOptions.settings;
    if (this.supportsConfiguration()) {
      try {
        raw = await this.connection.workspace.getConfiguration('nginxWs');
      } catch (e) {
        this.logError(`nginx-ws: workspace/configuration failed, keeping previous settings: ${(e as Error).message}`);
        return;
      }
    }
    const { settings: s, problems } = normalizeSettings(raw);
    for (const p of problems) this.connection.console.warn(p);
    this.settings = s;
    this.analyzer?.roots.setConfigured(this.settings.configRoots);
    await this.detectVersion();
  }

  /** `initialized`: folder and configuration events registered, then the settings loaded (at most READY_TIMEOUT_MS waited for). */
  private initialized(resolve: () => void): void {
    const { connection, clientCapabilities } = this;
    if (clientCapabilities.workspace?.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(
        this.fenced('didChangeWorkspaceFolders', (e) => {
          const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
          this.folders = [...this.folders.filter((f) => !removed.has(f)), ...e.added.map((f) => uriToPath(f.uri))];
          this.policy.setFolders(this.folders);
          this.analyzer?.roots.setFolders(this.folders);
          this.analyzer?.rootsChanged();
        }),
      );
    }
    if (clientCapabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'nginxWs' }).catch(() => undefined);
    }
    const cap = setTimeout(() => {
      this.logError('nginx-ws: settings did not arrive in time; analysing with defaults until they do');
      resolve();
    }, READY_TIMEOUT_MS);
    cap.unref();
    const started = Date.now();
    this.loadSettings()
      .catch((e: unknown) => this.logError(`nginx-ws: loading settings failed: ${String(e)}`))
      .finally(() => {
        clearTimeout(cap);
        this.logInfo(
          `nginx-ws: settings loaded in ${Date.now() - started} ms${this.trusted ? '' : ' (untrusted workspace: nginx is never run)'}`,
        );
        resolve();
      });
  }

  private queueLensRefresh(): void {
    if (this.lensRefreshQueued || !this.clientCapabilities.workspace?.codeLens?.refreshSupport) return;
    this.lensRefreshQueued = true;
    setImmediate(() => {
      this.lensRefreshQueued = false;
      this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    });
  }

  /** `initialize`: the client's capabilities and options, the analyzer and the `nginx -t` checker, every feature registered. */
  private initialize(params: InitializeParams): InitializeResult {
    const { connection, documents } = this;
    this.clientCapabilities = params.capabilities ?? {};
    this.initOptions = (params.initializationOptions ?? {}) as InitializationOptions;
    const initOptions = this.initOptions;
    this.trusted = initOptions.workspaceTrusted === true;
    this.policy.setTrusted(this.trusted);
    const debounceMs =
      typeof initOptions.debounceMs === 'number' && initOptions.debounceMs >= 0 ? initOptions.debounceMs : DEFAULT_DEBOUNCE_MS;
    const analyzer = new Analyzer({
      documents,
      ready: this.ready,
      debounceMs,
      disk: this.disk,
      settings: (path) => this.engineSettings(path),
      projectRoots: (path) => this.projectFor(path)?.configRoots ?? [],
      log: this.logError,
      info: this.logInfo,
      publish: (uri, version, diagnostics) => void connection.sendDiagnostics({ uri, version, diagnostics }),
      eager: this.thread?.role !== 'replica',
      analysing: this.thread ? (doc) => this.thread!.analysing(doc) : undefined,
      onAnalyzed: (state) => {
        if (this.thread?.role === 'replica') return;
        const sig = state.analysis ? lensSignature(state.analysis.wsLocations, state.analysedPath) : '';
        if (this.lensSignatures.get(state.uri) !== sig) {
          this.lensSignatures.set(state.uri, sig);
          this.queueLensRefresh();
        }
      },
    });
    this.analyzer = analyzer;
    this.folders = workspaceFolderPaths(params);
    this.policy.setFolders(this.folders);
    analyzer.roots.setFolders(this.folders);
    // nginx -t on save is the primary's (or the lone server's) job, not the replica's.
    if (this.thread?.role !== 'replica')
      this.checker = new NginxChecker({
        analyzer,
        settings: () => this.settings,
        trusted: () => this.trusted,
        log: this.logError,
        info: this.logInfo,
      });
    const ctx: ServerContext = {
      connection,
      documents,
      analyzer,
      clientCapabilities: this.clientCapabilities,
      settings: () => this.settings,
      log: this.logError,
    };
    let capabilities: ServerCapabilities = {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    };
    for (const f of FEATURES) {
      capabilities = { ...capabilities, ...f.capabilities(this.clientCapabilities) };
      f.register(ctx);
    }
    return { capabilities, serverInfo: { name: 'nginx-ws' } };
  }

  /** Every notification handler is fenced: one bad event must not take the server down. */
  private fenced<T>(name: string, fn: (p: T) => void | Promise<void>): (p: T) => void {
    return (p: T) => {
      try {
        const r = fn(p);
        if (r) r.catch((e: unknown) => this.logError(`nginx-ws: ${name} failed: ${String(e)}`));
      } catch (e) {
        this.logError(`nginx-ws: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    };
  }

  /** Open, change, save (`nginx -t` when enabled and trusted) and close. */
  private listenToDocuments(): void {
    const { documents } = this;
    documents.onDidOpen(this.fenced('didOpen', (e) => this.analyzer?.opened(e.document)));
    documents.onDidChangeContent(this.fenced('didChange', (e) => this.analyzer?.changed(e.document)));
    documents.onDidSave(this.fenced('didSave', (e) => this.checker?.saved(e.document.uri)));
    documents.onDidClose(
      this.fenced('didClose', (e) => {
        this.lensSignatures.delete(e.document.uri);
        this.analyzer?.closed(e.document.uri);
      }),
    );
  }

  /** Settings pushed, workspace trust granted or withdrawn, files changed on disk: each re-analyses what it affects. */
  private listenToWorkspace(): void {
    const { connection } = this;
    connection.onDidChangeConfiguration(
      this.fenced('didChangeConfiguration', async (p) => {
        const pushed = (p?.settings as { nginxWs?: unknown } | undefined)?.nginxWs;
        const loading = this.loadSettings(pushed);
        this.analyzer?.holdUntil(loading);
        await loading;
        this.analyzer?.reanalyzeAll();
      }),
    );

    connection.onNotification(
      WORKSPACE_TRUST_NOTIFICATION,
      this.fenced('workspaceTrust', async (p: WorkspaceTrustParams) => {
        const now = p?.trusted === true;
        if (now === this.trusted) return;
        this.trusted = now;
        this.policy.setTrusted(now);
        const detecting = this.detectVersion();
        this.analyzer?.holdUntil(detecting);
        await detecting;
        this.analyzer?.reanalyzeAll();
      }),
    );

    connection.onDidChangeWatchedFiles(
      this.fenced('didChangeWatchedFiles', (p) => {
        const paths = p.changes.map((c) => uriToPath(c.uri));
        this.settingsFiles.invalidate();
        this.reportedProblems.clear();
        this.analyzer?.diskChanged(paths);
        if (paths.some((x) => x.endsWith(SETTINGS_FILE_NAME))) this.analyzer?.reanalyzeAll();
      }),
    );
  }
}

/** Workspace folders of the initialize request (older clients send only rootUri / rootPath). */
function workspaceFolderPaths(params: InitializeParams): string[] {
  if (params.workspaceFolders?.length) return params.workspaceFolders.map((f) => uriToPath(f.uri)).filter(isDiskPath);
  if (params.rootUri) return [uriToPath(params.rootUri)].filter(isDiskPath);
  if (params.rootPath) return [params.rootPath].filter(isDiskPath);
  return [];
}

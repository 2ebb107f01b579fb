/**
 * The language server: wires the connection to the analyzer, the settings and
 * the feature handlers. The connection is injected (stdio, IPC, or a test's
 * in-memory pipe), so nothing here depends on how the process was started.
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
import { WORKSPACE_TRUST_NOTIFICATION, type InitializationOptions, type WorkspaceTrustParams } from './protocol';
import { DEFAULT_SERVER_SETTINGS, normalizeSettings, type ServerSettings } from './settings';
import { DiskReader } from '../node/file-host';
import { layerSettings, SETTINGS_FILE_NAME, SettingsFiles } from '../node/settings-file';
import { WorkspacePolicy } from '../node/trust';

export const DEFAULT_DEBOUNCE_MS = 150;
/** The first analysis waits at most this long for settings and `nginx -v`. */
const READY_TIMEOUT_MS = 4000;

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  // In an untrusted workspace no file outside its folders is read (includes, root discovery): the reader asks the policy.
  const policy = new WorkspacePolicy(false);
  const disk = new DiskReader(undefined, { policy: (p) => policy.refusal(p) });
  const detector = new NginxVersionDetector();
  let clientCapabilities: ClientCapabilities = {};
  let initOptions: InitializationOptions = {};
  let settings: ServerSettings = DEFAULT_SERVER_SETTINGS;
  let trusted = false;
  let detectedVersion = '';
  let analyzer: Analyzer | undefined;
  let checker: NginxChecker | undefined;
  /** Workspace folders as paths, where config roots are searched. */
  let folders: string[] = [];
  const lensSignatures = new Map<string, string>();
  let lensRefreshQueued = false;

  const logError = (m: string) => connection.console.error(m);
  const logInfo = (m: string) => connection.console.info(m);

  /** `.nginx-ws.json` files: the nearest one above a file applies to it, under the editor's settings. */
  const settingsFiles = new SettingsFiles(disk);
  const reportedProblems = new Set<string>();
  const projectFor = (path: string) => {
    const f = settingsFiles.forFile(path);
    for (const p of f?.problems ?? []) {
      if (reportedProblems.has(p)) continue;
      reportedProblems.add(p);
      connection.console.warn(`nginx-ws: ${p}`);
    }
    return f?.settings;
  };
  const engineSettings = (path: string): EngineSettings => {
    const s = layerSettings(projectFor(path), {
      nginxVersion: settings.nginxVersion,
      rules: settings.rules,
      websocketPathPatterns: settings.websocketPathPatterns,
      idleTimeoutThresholdSeconds: settings.idleTimeoutThresholdSeconds,
      prefix: settings.prefix,
      limits: settings.limits,
    });
    if (!s.nginxVersion && trusted && settings.detectNginxVersion) s.nginxVersion = detectedVersion;
    return s;
  };

  const supportsConfiguration = () => !!clientCapabilities.workspace?.configuration;

  /** Runs `nginx -v` when allowed and needed; true when the effective version changed. */
  async function detectVersion(): Promise<boolean> {
    if (!trusted || !settings.detectNginxVersion || settings.nginxVersion) return false;
    const r = await detector.detect(settings.nginxPath);
    if ('version' in r) {
      if (r.version === detectedVersion) return false;
      detectedVersion = r.version;
      logInfo(`nginx-ws: target nginx version ${r.version} (from ${settings.nginxPath} -v)`);
      return true;
    }
    logInfo(`nginx-ws: could not detect the nginx version with "${settings.nginxPath} -v" (${r.error}); set nginxWs.nginxVersion`);
    return false;
  }

  async function loadSettings(pushed?: unknown): Promise<void> {
    let raw: unknown = pushed ?? initOptions.settings;
    if (supportsConfiguration()) {
      try {
        raw = await connection.workspace.getConfiguration('nginxWs');
      } catch (e) {
        logError(`nginx-ws: workspace/configuration failed, keeping previous settings: ${(e as Error).message}`);
        return;
      }
    }
    const { settings: s, problems } = normalizeSettings(raw);
    for (const p of problems) connection.console.warn(p);
    settings = s;
    analyzer?.roots.setConfigured(settings.configRoots);
    await detectVersion();
  }

  const ready = new Promise<void>((resolve) => {
    connection.onInitialized(() => {
      if (clientCapabilities.workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(
          fenced('didChangeWorkspaceFolders', (e) => {
            const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
            folders = [...folders.filter((f) => !removed.has(f)), ...e.added.map((f) => uriToPath(f.uri))];
            policy.setFolders(folders);
            analyzer?.roots.setFolders(folders);
            analyzer?.rootsChanged();
          }),
        );
      }
      if (clientCapabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
        void connection.client.register(DidChangeConfigurationNotification.type, { section: 'nginxWs' }).catch(() => undefined);
      }
      const cap = setTimeout(() => {
        logError('nginx-ws: settings did not arrive in time; analysing with defaults until they do');
        resolve();
      }, READY_TIMEOUT_MS);
      cap.unref();
      const started = Date.now();
      loadSettings()
        .catch((e: unknown) => logError(`nginx-ws: loading settings failed: ${String(e)}`))
        .finally(() => {
          clearTimeout(cap);
          logInfo(`nginx-ws: settings loaded in ${Date.now() - started} ms${trusted ? '' : ' (untrusted workspace: nginx is never run)'}`);
          resolve();
        });
    });
  });

  function queueLensRefresh(): void {
    if (lensRefreshQueued || !clientCapabilities.workspace?.codeLens?.refreshSupport) return;
    lensRefreshQueued = true;
    setImmediate(() => {
      lensRefreshQueued = false;
      connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    });
  }

  connection.onInitialize((params): InitializeResult => {
    clientCapabilities = params.capabilities ?? {};
    initOptions = (params.initializationOptions ?? {}) as InitializationOptions;
    trusted = initOptions.workspaceTrusted === true;
    policy.setTrusted(trusted);
    const debounceMs = typeof initOptions.debounceMs === 'number' && initOptions.debounceMs >= 0 ? initOptions.debounceMs : DEFAULT_DEBOUNCE_MS;
    analyzer = new Analyzer({
      documents,
      ready,
      debounceMs,
      disk,
      settings: engineSettings,
      projectRoots: (path) => projectFor(path)?.configRoots ?? [],
      log: logError,
      info: logInfo,
      publish: (uri, version, diagnostics) => void connection.sendDiagnostics({ uri, version, diagnostics }),
      onAnalyzed: (state) => {
        const sig = state.analysis ? lensSignature(state.analysis.wsLocations, state.analysedPath) : '';
        if (lensSignatures.get(state.uri) !== sig) {
          lensSignatures.set(state.uri, sig);
          queueLensRefresh();
        }
      },
    });
    folders = workspaceFolderPaths(params);
    policy.setFolders(folders);
    analyzer.roots.setFolders(folders);
    checker = new NginxChecker({ analyzer, settings: () => settings, trusted: () => trusted, log: logError, info: logInfo });
    const ctx: ServerContext = {
      connection,
      documents,
      analyzer,
      clientCapabilities,
      settings: () => settings,
      log: logError,
    };
    let capabilities: ServerCapabilities = {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    };
    for (const f of FEATURES) {
      capabilities = { ...capabilities, ...f.capabilities(clientCapabilities) };
      f.register(ctx);
    }
    return { capabilities, serverInfo: { name: 'nginx-ws' } };
  });

  // Every notification handler is fenced: one bad event must not take the server down.
  const fenced =
    <T>(name: string, fn: (p: T) => void | Promise<void>) =>
    (p: T) => {
      try {
        const r = fn(p);
        if (r) r.catch((e: unknown) => logError(`nginx-ws: ${name} failed: ${String(e)}`));
      } catch (e) {
        logError(`nginx-ws: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    };

  documents.onDidOpen(fenced('didOpen', (e) => analyzer?.opened(e.document)));
  documents.onDidChangeContent(fenced('didChange', (e) => analyzer?.changed(e.document)));
  documents.onDidSave(fenced('didSave', (e) => checker?.saved(e.document.uri)));
  documents.onDidClose(
    fenced('didClose', (e) => {
      lensSignatures.delete(e.document.uri);
      analyzer?.closed(e.document.uri);
    }),
  );

  connection.onDidChangeConfiguration(
    fenced('didChangeConfiguration', async (p) => {
      const pushed = (p?.settings as { nginxWs?: unknown } | undefined)?.nginxWs;
      const loading = loadSettings(pushed);
      analyzer?.holdUntil(loading);
      await loading;
      analyzer?.reanalyzeAll();
    }),
  );

  connection.onNotification(
    WORKSPACE_TRUST_NOTIFICATION,
    fenced('workspaceTrust', async (p: WorkspaceTrustParams) => {
      const now = p?.trusted === true;
      if (now === trusted) return;
      trusted = now;
      policy.setTrusted(now);
      const detecting = detectVersion();
      analyzer?.holdUntil(detecting);
      await detecting;
      analyzer?.reanalyzeAll();
    }),
  );

  connection.onDidChangeWatchedFiles(
    fenced('didChangeWatchedFiles', (p) => {
      const paths = p.changes.map((c) => uriToPath(c.uri));
      settingsFiles.invalidate();
      reportedProblems.clear();
      analyzer?.diskChanged(paths);
      if (paths.some((x) => x.endsWith(SETTINGS_FILE_NAME))) analyzer?.reanalyzeAll();
    }),
  );

  connection.onShutdown(() => analyzer?.dispose());

  documents.listen(connection);
  connection.listen();
}

/** Workspace folders of the initialize request (older clients send only rootUri / rootPath). */
function workspaceFolderPaths(params: InitializeParams): string[] {
  if (params.workspaceFolders?.length) return params.workspaceFolders.map((f) => uriToPath(f.uri)).filter(isDiskPath);
  if (params.rootUri) return [uriToPath(params.rootUri)].filter(isDiskPath);
  if (params.rootPath) return [params.rootPath].filter(isDiskPath);
  return [];
}

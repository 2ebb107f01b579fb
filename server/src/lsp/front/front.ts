/**
 * The language server's main thread: it talks to the client and never
 * analyses anything itself, so nothing a config does can stop it answering.
 *
 * The server proper (server.ts) runs twice, in two worker threads:
 *
 * - the **primary** analyses every open document as it changes and publishes
 *   the diagnostics, runs `nginx -t` on save, and answers requests;
 * - the **replica** receives the same documents and settings but analyses
 *   nothing until asked: it answers the requests the primary cannot answer now
 *   because it is in the middle of an analysis (a hover in one file while a
 *   20 MB config is being analysed in another).
 *
 * Every request goes to the primary; one that arrives while the primary has
 * been analysing for `HEDGE_MS`, or is still unanswered `HEDGE_MS` later while
 * it analyses, goes to the replica too, and the first answer wins (the other
 * worker is told to cancel). Requests are reads of the same
 * texts and settings in both, so either answer is right; code actions check
 * the finding they fix against the diagnostic (code and range). Likewise a
 * light document edited while the primary is in another document's analysis
 * is analysed and published by the replica (`catchUp`); the primary's own
 * diagnostics of that version replace them when they come.
 *
 * Budgets for what one analysis may take, beyond the byte and file budgets
 * inside it: a worker whose analysis runs longer than `limits.analysisSeconds`
 * is stopped, and one whose heap passes `limits.serverMemoryMB` (the worker's
 * V8 heap limit, shared by every open document's analysis) dies by itself. Either
 * way the front starts a new worker, gives it the open documents and settings
 * again, and tells it which document version went over the budget: that one
 * gets one diagnostic saying which limit and how to raise it, and is not
 * analysed again until it changes. The other documents get their diagnostics
 * back from the new worker.
 *
 * What the front keeps to restart a worker: the initialize parameters, the
 * notifications that set state (initialized, settings, trust, workspace
 * folders, trace), and the text of every open document.
 */
import { Worker } from 'node:worker_threads';
import * as os from 'node:os';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import {
  IPCMessageReader,
  IPCMessageWriter,
  Message,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageReader,
  type MessageWriter,
  type NotificationMessage,
  type RequestMessage,
  type ResponseMessage,
} from 'vscode-jsonrpc/node';
import { DETECTED_VERSION_NOTIFICATION, OVER_BUDGET_NOTIFICATION, PUBLISH_NOW_NOTIFICATION, type OverBudgetParams } from '../protocol';
import { MirrorDocument } from './documents';
import { isWorkerStatus, type WorkerData } from './status';

/** The front's own settings (budgets of the whole server), as package.json declares them. */
export const FRONT_SETTING_DEFAULTS = { 'nginxWs.limits.analysisSeconds': 60, 'nginxWs.limits.serverMemoryMB': 0 } as const;

/** A request the primary has not answered after this long, while it analyses, also goes to the replica. */
const HEDGE_MS = 50;
/**
 * A document changed this long ago whose new version the primary has not published, because it has been in
 * another document's analysis for at least as long: the replica analyses it and its diagnostics are published.
 */
const CATCH_UP_MS = 200;
/** The replica starts this long after initialize at the latest (see `startReplica`)... */
const REPLICA_START_MS = 2000;
/** ...or this long after the primary's first analysis ends. */
const REPLICA_AFTER_IDLE_MS = 100;
/** The replica catches up only light documents: analysed last time in less than this, or never analysed and this small. */
const CATCH_UP_MAX_COST_MS = 250;
const CATCH_UP_MAX_BYTES = 512 * 1024;
/** The default heap of each worker: a quarter of the machine's memory, between 1 and 4 GB. */
const DEFAULT_SERVER_MEMORY_MB = Math.round(Math.min(4096, Math.max(1024, os.totalmem() / 1048576 / 4)));
/** More restarts than this within a minute, none of them explained by a document over budget: the server gives up (the client restarts it). */
const MAX_UNEXPLAINED_RESTARTS = 5;

type Role = 'primary' | 'replica';
type Id = string | number;

interface Lane {
  role: Role;
  worker: Worker;
  /** `Date.now()` when the analysis in progress started, 0 when none runs (written by the worker). */
  busySince: Float64Array;
  analysing: { uri: string; version: number } | null;
  /** `Date.now()` when `analysing` started. */
  analysingSince: number;
  watchdog: NodeJS.Timeout | null;
  /** Incremented on each restart. */
  generation: number;
  /** Stopped on purpose (budget, shutdown): its exit is not a crash. */
  stopping: boolean;
  /** Why it is being stopped: the document version that went over budget. */
  culprit: { uri: string; version: number; message: string } | null;
}

interface Pending {
  message: RequestMessage;
  lanes: Set<Lane>;
  /** Only this lane's answer counts (initialize, shutdown). */
  only: Lane | null;
  hedge: NodeJS.Timeout | null;
}

interface Outgoing {
  lane: Lane;
  generation: number;
  id: Id;
  /** The primary asked for settings: the front reads its budgets from the answer. */
  settings: boolean;
}

export interface FrontOptions {
  reader: MessageReader;
  writer: MessageWriter;
  /** The file each worker runs (dist/server.js). */
  workerFile: string;
  env?: NodeJS.ProcessEnv;
}

export class Front {
  private readonly lanes: Lane[];
  private readonly pending = new Map<Id, Pending>();
  private readonly outgoing = new Map<number, Outgoing>();
  private nextOutgoing = 1;
  private readonly docs = new Map<string, MirrorDocument>();
  /** The version of each open document the replica has: it is given edits only when it is asked something (`syncReplica`). */
  private readonly replicaVersions = new Map<string, number>();
  private initialize: RequestMessage | null = null;
  /** State-setting notifications to replay, by method (the last one of each; workspace folder changes all, in order). */
  private readonly state = new Map<string, NotificationMessage>();
  private readonly folderChanges: NotificationMessage[] = [];
  private readonly overBudget = new Map<string, OverBudgetParams>();
  /** The version of each open document the primary last published diagnostics for. */
  private readonly published = new Map<string, number>();
  /** Documents the replica was asked to publish, with the version asked for. */
  private readonly caughtUp = new Map<string, number>();
  private readonly catchUpTimers = new Map<string, NodeJS.Timeout>();
  /** How long the primary's last analysis of each document took (ms). */
  private readonly costs = new Map<string, number>();
  private replicaTimer: NodeJS.Timeout | null = null;
  /** The budgets when the settings name none: the defaults, or the environment's (tests). */
  private readonly defaults: { analysisMs: number; memoryMb: number };
  private analysisMs: number;
  /** The process runs with --max-old-space-size, which V8 applies to every thread whatever a worker asks: the setting cannot change it. */
  private readonly fixedMemory: boolean;
  private memoryMb: number;
  private shutdown = false;
  private exiting = false;
  private restarts: number[] = [];
  private clientPid: NodeJS.Timeout | null = null;

  constructor(private readonly o: FrontOptions) {
    const env = o.env ?? process.env;
    this.defaults = {
      analysisMs: positive(env.NGINX_WS_ANALYSIS_TIMEOUT_MS) ?? FRONT_SETTING_DEFAULTS['nginxWs.limits.analysisSeconds'] * 1000,
      memoryMb: maxOldSpaceFlag(env) ?? positive(env.NGINX_WS_SERVER_MEMORY_MB) ?? DEFAULT_SERVER_MEMORY_MB,
    };
    this.fixedMemory = maxOldSpaceFlag(env) !== undefined;
    this.analysisMs = this.defaults.analysisMs;
    this.memoryMb = this.defaults.memoryMb;
    // The replica starts later (`startReplica`), so that it does not slow the primary's start and first analysis.
    this.lanes = [this.spawn('primary', 0)];
  }

  start(): void {
    this.o.reader.listen((m) => {
      try {
        this.fromClient(m);
      } catch (e) {
        this.log(`nginx-ws: could not route a message from the client: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    });
    this.o.reader.onClose(() => this.exit(this.shutdown ? 0 : 1));
    this.o.writer.onClose(() => this.exit(this.shutdown ? 0 : 1));
  }

  private get primary(): Lane {
    return this.lanes[0]!;
  }

  /** Undefined until the primary has answered initialize. */
  private get replica(): Lane | undefined {
    return this.lanes[1];
  }

  private spawn(role: Role, generation: number): Lane {
    const shared = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT);
    const data: WorkerData = { role, busy: shared };
    const worker = new Worker(this.o.workerFile, {
      workerData: data,
      // A worker's console must not reach stdout: with --stdio that is the protocol stream.
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb },
    });
    worker.stdout.on('data', (b: Buffer) => process.stderr.write(b));
    worker.stderr.on('data', (b: Buffer) => process.stderr.write(b));
    const lane: Lane = {
      role,
      worker,
      busySince: new Float64Array(shared),
      analysing: null,
      analysingSince: 0,
      watchdog: null,
      generation,
      stopping: false,
      culprit: null,
    };
    worker.on('message', (m: unknown) => {
      if (this.lanes.includes(lane)) this.fromWorker(lane, m);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY' && lane.analysing && !lane.culprit) {
        lane.culprit = {
          ...lane.analysing,
          message: `nginx-ws: analysing this file needed more than the ${this.memoryMb} MB the language server may use for all open files; it is not analysed again until it changes (close other large files, or raise nginxWs.limits.serverMemoryMB and restart the server).`,
        };
      } else if (!lane.stopping) {
        this.log(`nginx-ws: the ${role} analysis thread failed: ${e.stack ?? e.message}`);
      }
    });
    worker.on('exit', () => this.exited(lane));
    return lane;
  }

  /** A worker ended: unless the server is shutting down, start another one in its place, with everything it needs. */
  private exited(lane: Lane): void {
    if (lane.watchdog) clearTimeout(lane.watchdog);
    lane.watchdog = null;
    const index = this.lanes.indexOf(lane);
    if (index < 0 || this.shutdown) return;
    if (lane.culprit) {
      this.overBudget.set(lane.culprit.uri, lane.culprit);
      this.log(`nginx-ws: ${lane.culprit.uri} (version ${lane.culprit.version}) went over its budget; restarting the ${lane.role} thread`);
      for (const other of this.lanes) if (other !== lane) this.sendOverBudget(other);
    } else if (lane.stopping) {
      this.info(`nginx-ws: restarting the ${lane.role} thread with a heap limit of ${this.memoryMb} MB`);
    } else {
      const now = Date.now();
      this.restarts = [...this.restarts.filter((t) => now - t < 60_000), now];
      this.log(`nginx-ws: the ${lane.role} analysis thread stopped unexpectedly; restarting it`);
      if (this.restarts.length > MAX_UNEXPLAINED_RESTARTS) {
        this.log('nginx-ws: the analysis threads keep stopping; the server exits so that the editor can start a new one');
        this.exit(1);
        return;
      }
    }
    const next = this.spawn(lane.role, lane.generation + 1);
    this.lanes[index] = next;
    this.replay(next);
    for (const p of this.pending.values()) {
      if (!p.lanes.delete(lane)) continue;
      if (p.only === lane) p.only = next;
      if (p.lanes.size > 0 && p.only !== next) continue;
      // Asked of this worker alone: ask the new one (after the replay, so it has the documents; the replay asked initialize).
      p.lanes.add(next);
      if (p.message.method !== 'initialize') this.post(next, p.message);
    }
  }

  /** Gives a new worker what the client told the old one: initialize, the state notifications, the over-budget marks, the open documents. */
  private replay(lane: Lane): void {
    if (!this.initialize) return;
    const init = this.initialize;
    // The client's own initialize when it is still waiting for the answer, else one whose answer nobody reads.
    const unanswered = this.pending.has(init.id!);
    this.post(lane, unanswered ? init : { ...init, id: `nginx-ws-front/initialize/${lane.role}/${lane.generation}` });
    for (const m of this.state.values()) if (m.method === 'initialized') this.post(lane, m);
    for (const m of this.folderChanges) this.post(lane, m);
    for (const m of this.state.values()) if (m.method !== 'initialized') this.post(lane, m);
    this.sendOverBudget(lane);
    if (lane.role === 'replica') this.replicaVersions.clear();
    for (const [uri, doc] of this.docs) {
      this.post(lane, {
        jsonrpc: '2.0',
        method: 'textDocument/didOpen',
        params: { textDocument: { uri, languageId: doc.languageId, version: doc.version, text: doc.text() } },
      } as NotificationMessage);
      if (lane.role === 'replica') this.replicaVersions.set(uri, doc.version);
    }
  }

  /** Gives the replica the edits it has not had: each such document's whole text, as one change. */
  private syncReplica(replica: Lane): void {
    for (const [uri, doc] of this.docs) {
      if (this.replicaVersions.get(uri) === doc.version) continue;
      this.post(replica, {
        jsonrpc: '2.0',
        method: 'textDocument/didChange',
        params: { textDocument: { uri, version: doc.version }, contentChanges: [{ text: doc.text() }] },
      } as NotificationMessage);
      this.replicaVersions.set(uri, doc.version);
    }
  }

  private sendOverBudget(lane: Lane): void {
    for (const p of this.overBudget.values()) {
      this.post(lane, { jsonrpc: '2.0', method: OVER_BUDGET_NOTIFICATION, params: p } as NotificationMessage);
    }
  }

  private fromClient(m: Message): void {
    if (Message.isRequest(m)) this.request(m);
    else if (Message.isNotification(m)) this.notification(m);
    else if (Message.isResponse(m)) this.clientResponse(m);
  }

  private request(m: RequestMessage): void {
    if (m.method === 'initialize') {
      const init: RequestMessage = { ...m, params: withoutProcessId(m.params) };
      this.initialize = init;
      this.watchClient(m.params);
      this.readSettings((m.params as { initializationOptions?: { settings?: unknown } } | null)?.initializationOptions?.settings);
      this.toAll(m, init, this.primary);
      return;
    }
    if (m.method === 'shutdown') {
      this.shutdown = true;
      this.toAll(m, m, this.primary);
      return;
    }
    const p: Pending = { message: m, lanes: new Set([this.primary]), only: null, hedge: null };
    this.pending.set(m.id!, p);
    this.post(this.primary, m);
    // Already in a long analysis: the replica answers at once (the primary too, when it is done, if it is first).
    const since = this.primary.busySince[0]!;
    if (since > 0 && Date.now() - since >= HEDGE_MS) this.hedge(m.id!);
    else p.hedge = setTimeout(() => this.hedge(m.id!), HEDGE_MS);
  }

  /** Still unanswered: if the primary is analysing, the replica answers too. */
  private hedge(id: Id): void {
    const p = this.pending.get(id);
    if (!p) return;
    p.hedge = null;
    const { primary, replica } = this;
    if (!replica && primary.busySince[0]! > 0 && Date.now() - primary.busySince[0]! >= HEDGE_MS * 10) this.startReplica();
    if (replica && p.lanes.has(primary) && primary.busySince[0]! > 0 && !p.lanes.has(replica)) {
      p.lanes.add(replica);
      this.syncReplica(replica);
      this.post(replica, p.message);
    } else if (!replica || !p.lanes.has(replica)) {
      p.hedge = setTimeout(() => this.hedge(id), HEDGE_MS);
    }
  }

  private toAll(m: RequestMessage, forWorkers: RequestMessage, only: Lane): void {
    this.pending.set(m.id!, { message: forWorkers, lanes: new Set(this.lanes), only, hedge: null });
    for (const lane of this.lanes) this.post(lane, forWorkers);
  }

  private notification(m: NotificationMessage): void {
    switch (m.method) {
      case '$/cancelRequest': {
        const id = (m.params as { id?: Id } | undefined)?.id;
        const p = id === undefined ? undefined : this.pending.get(id);
        if (p) for (const lane of p.lanes) this.post(lane, m);
        return;
      }
      case 'exit':
        for (const lane of this.lanes) this.post(lane, m);
        this.exit(this.shutdown ? 0 : 1, true);
        return;
      case 'textDocument/didOpen':
      case 'textDocument/didChange':
      case 'textDocument/didClose':
        // The primary first: it publishes, and the edit is its analysis's to wait for. The replica gets opens and
        // closes now, edits when it is next asked something.
        this.post(this.primary, m);
        this.mirror(m);
        if (this.replica && m.method !== 'textDocument/didChange') {
          this.post(this.replica, m);
          const uri = (m.params as { textDocument: { uri: string } }).textDocument.uri;
          const doc = this.docs.get(uri);
          if (doc) this.replicaVersions.set(uri, doc.version);
          else this.replicaVersions.delete(uri);
        }
        return;
      case 'workspace/didChangeWorkspaceFolders':
        this.folderChanges.push(m);
        break;
      case 'workspace/didChangeConfiguration':
        this.readSettings((m.params as { settings?: { nginxWs?: unknown } } | null)?.settings?.nginxWs);
        this.state.set(m.method, m);
        break;
      case 'initialized':
      case '$/setTrace':
      case 'nginxWs/workspaceTrust':
        this.state.set(m.method, m);
        break;
    }
    for (const lane of this.lanes) this.post(lane, m);
  }

  /** Keeps the open documents' text, to give a restarted worker; an edit drops the document's over-budget mark. */
  private mirror(m: NotificationMessage): void {
    const p = m.params as {
      textDocument: { uri: string; languageId?: string; version?: number; text?: string };
      contentChanges?: TextDocumentContentChangeEvent[];
    };
    const uri = p.textDocument.uri;
    if (m.method === 'textDocument/didOpen') {
      this.docs.set(
        uri,
        new MirrorDocument(uri, p.textDocument.languageId ?? 'nginx', p.textDocument.version ?? 0, p.textDocument.text ?? ''),
      );
    } else if (m.method === 'textDocument/didChange') {
      const doc = this.docs.get(uri);
      if (doc) doc.change(p.contentChanges ?? [], p.textDocument.version ?? doc.version + 1);
    } else {
      this.docs.delete(uri);
    }
    if (m.method !== 'textDocument/didOpen') this.overBudget.delete(uri);
    if (m.method === 'textDocument/didClose') {
      clearTimeout(this.catchUpTimers.get(uri));
      this.catchUpTimers.delete(uri);
      this.published.delete(uri);
      this.caughtUp.delete(uri);
      this.costs.delete(uri);
    } else {
      this.scheduleCatchUp(uri);
    }
  }

  private scheduleCatchUp(uri: string): void {
    clearTimeout(this.catchUpTimers.get(uri));
    this.catchUpTimers.set(
      uri,
      setTimeout(() => this.catchUp(uri), CATCH_UP_MS),
    );
  }

  /**
   * The primary is in a long analysis of another document and has not published this one's current version:
   * the replica analyses it and publishes (the primary's own diagnostics of that version, when they come, are
   * published over them). Checked again while the primary has not published it. Only light documents, one at a
   * time, when the replica is idle: a heavy one would keep the replica from answering requests.
   */
  private catchUp(uri: string): void {
    this.catchUpTimers.delete(uri);
    const entry = this.docs.get(uri);
    if (!entry || this.shutdown) return;
    const version = entry.version;
    if ((this.published.get(uri) ?? -Infinity) >= version || (this.caughtUp.get(uri) ?? -Infinity) >= version) return;
    const cost = this.costs.get(uri);
    if (cost !== undefined ? cost >= CATCH_UP_MAX_COST_MS : entry.text().length > CATCH_UP_MAX_BYTES) return;
    const { primary, replica } = this;
    const since = primary.busySince[0]!;
    if (!replica && since > 0 && Date.now() - since >= HEDGE_MS * 10) this.startReplica();
    if (
      replica &&
      replica.busySince[0] === 0 &&
      since > 0 &&
      Date.now() - since >= CATCH_UP_MS &&
      primary.analysing &&
      primary.analysing.uri !== uri
    ) {
      this.caughtUp.set(uri, version);
      this.syncReplica(replica);
      this.post(replica, { jsonrpc: '2.0', method: PUBLISH_NOW_NOTIFICATION, params: { uri } } as NotificationMessage);
      return;
    }
    this.scheduleCatchUp(uri);
  }

  private clientResponse(m: ResponseMessage): void {
    if (typeof m.id !== 'number') return;
    const o = this.outgoing.get(m.id);
    if (!o) return;
    this.outgoing.delete(m.id);
    if (o.settings && Array.isArray(m.result)) this.readSettings(m.result[0]);
    if (this.lanes.includes(o.lane) && o.lane.generation === o.generation) this.post(o.lane, { ...m, id: o.id } as ResponseMessage);
  }

  private fromWorker(lane: Lane, m: unknown): void {
    if (isWorkerStatus(m)) {
      this.status(lane, m.analysing);
      return;
    }
    const msg = m as Message;
    if (Message.isResponse(msg)) this.workerResponse(lane, msg);
    else if (Message.isRequest(msg)) this.workerRequest(lane, msg);
    else if (Message.isNotification(msg)) this.workerNotification(lane, msg);
  }

  /** The worker started (or ended) an analysis: the watchdog holds it to its time budget. */
  private status(lane: Lane, analysing: { uri: string; version: number } | null): void {
    if (lane.role === 'primary' && lane.analysing && !analysing) {
      this.costs.set(lane.analysing.uri, Date.now() - lane.analysingSince);
      // A moment later: the diagnostics that analysis publishes go out first (a new thread takes the main thread some ms).
      if (!this.replica) setTimeout(() => this.startReplica(), REPLICA_AFTER_IDLE_MS).unref();
    }
    lane.analysing = analysing;
    lane.analysingSince = Date.now();
    if (lane.watchdog) clearTimeout(lane.watchdog);
    lane.watchdog = null;
    if (!analysing) return;
    const limit = this.analysisMs;
    lane.watchdog = setTimeout(() => {
      if (lane.analysing !== analysing || lane.stopping) return;
      lane.stopping = true;
      lane.culprit = {
        ...analysing,
        message: `nginx-ws: analysing this file took longer than ${formatSeconds(limit)}, the limit for one analysis; it is not analysed again until it changes (raise nginxWs.limits.analysisSeconds).`,
      };
      void lane.worker.terminate();
    }, limit);
  }

  private workerResponse(lane: Lane, m: ResponseMessage): void {
    const id = m.id;
    if (id === null) return;
    const p = this.pending.get(id);
    if (!p || !p.lanes.has(lane) || (p.only && p.only !== lane)) return;
    this.pending.delete(id);
    if (p.hedge) clearTimeout(p.hedge);
    for (const other of p.lanes) {
      if (other !== lane && !p.only) this.post(other, { jsonrpc: '2.0', method: '$/cancelRequest', params: { id } } as NotificationMessage);
    }
    this.o.writer.write(m).catch(() => undefined);
    if (p.message.method === 'initialize' && !this.replicaTimer) {
      this.replicaTimer = setTimeout(() => this.startReplica(), REPLICA_START_MS);
      this.replicaTimer.unref();
    }
  }

  /**
   * The replica, given what the client has said so far (as a restarted thread is). Started when the primary
   * ends its first analysis, or has been in one for `HEDGE_MS` * 10, or `REPLICA_START_MS` after initialize,
   * whichever comes first: not at once, so that on a busy machine its start does not slow the primary's first
   * diagnostics.
   */
  private startReplica(): void {
    if (this.replica || this.shutdown || !this.initialize) return;
    if (this.replicaTimer) clearTimeout(this.replicaTimer);
    const lane = this.spawn('replica', 0);
    this.lanes[1] = lane;
    this.replay(lane);
  }

  private workerRequest(lane: Lane, m: RequestMessage): void {
    const asksSettings = m.method === 'workspace/configuration';
    // The replica asks only for settings; a restarted primary does not register its capabilities again.
    const forward =
      asksSettings || (lane.role === 'primary' && !(lane.generation > 0 && /^client\/(un)?registerCapability$/.test(m.method)));
    if (!forward) {
      this.post(lane, { jsonrpc: '2.0', id: m.id, result: null } as ResponseMessage);
      return;
    }
    const id = this.nextOutgoing++;
    const items = (m.params as { items?: { section?: string }[] } | undefined)?.items;
    this.outgoing.set(id, {
      lane,
      generation: lane.generation,
      id: m.id!,
      settings: asksSettings && lane.role === 'primary' && items?.[0]?.section === 'nginxWs',
    });
    this.o.writer.write({ ...m, id } as RequestMessage).catch(() => undefined);
  }

  private workerNotification(lane: Lane, m: NotificationMessage): void {
    if (m.method === DETECTED_VERSION_NOTIFICATION) {
      // Between the threads only: the replica learns the nginx version without running nginx.
      this.state.set(m.method, m);
      if (this.replica) this.post(this.replica, m);
      return;
    }
    if (lane.role === 'primary') {
      if (m.method === 'textDocument/publishDiagnostics') {
        const p = m.params as { uri: string; version?: number };
        if (typeof p.version === 'number') this.published.set(p.uri, p.version);
      }
      this.o.writer.write(m).catch(() => undefined);
      return;
    }
    if (m.method === 'textDocument/publishDiagnostics') {
      // Only what the front asked it to publish, while that version is current and the primary has not published it.
      const p = m.params as { uri: string; version?: number };
      const current = this.docs.get(p.uri)?.version;
      if (
        typeof p.version === 'number' &&
        p.version === current &&
        this.caughtUp.get(p.uri) === p.version &&
        (this.published.get(p.uri) ?? -Infinity) < p.version
      ) {
        this.o.writer.write(m).catch(() => undefined);
      }
      return;
    }
    // The replica's progress would duplicate the primary's; only its errors and warnings are worth a line.
    if (m.method === 'window/logMessage') {
      const p = m.params as { type: number; message: string };
      if (p.type <= 2) {
        const line: NotificationMessage = { ...m, params: { ...p, message: `[second thread] ${p.message}` } };
        this.o.writer.write(line).catch(() => undefined);
      }
    }
  }

  private readSettings(raw: unknown): void {
    if (!raw || typeof raw !== 'object') return;
    const o = raw as { limits?: Record<string, unknown> } & Record<string, unknown>;
    const seconds = o.limits?.['analysisSeconds'] ?? o['limits.analysisSeconds'];
    const mb = o.limits?.['serverMemoryMB'] ?? o['limits.serverMemoryMB'];
    this.analysisMs = typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : this.defaults.analysisMs;
    // 0 or unset: the default. V8 fixes a heap's limit when the heap is made: a new limit means new threads (given everything again).
    const wanted =
      !this.fixedMemory && typeof mb === 'number' && Number.isFinite(mb) && mb >= 128 ? Math.round(mb) : this.defaults.memoryMb;
    if (wanted !== this.memoryMb) {
      this.memoryMb = wanted;
      for (const lane of this.lanes) {
        if (lane.stopping) continue;
        lane.stopping = true;
        void lane.worker.terminate();
      }
    }
  }

  /** Like vscode-languageserver: the server ends when the client process does (the workers are not told its id). */
  private watchClient(params: unknown): void {
    const pid = (params as { processId?: unknown } | null)?.processId;
    if (typeof pid !== 'number' || this.clientPid) return;
    this.clientPid = setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch {
        this.exit(1);
      }
    }, 3000);
    this.clientPid.unref();
  }

  private post(lane: Lane, m: Message): void {
    try {
      lane.worker.postMessage(m);
    } catch (e) {
      this.log(`nginx-ws: could not pass a message to the ${lane.role} thread: ${String(e)}`);
    }
  }

  private log(message: string, type = 1): void {
    this.o.writer
      .write({ jsonrpc: '2.0', method: 'window/logMessage', params: { type, message } } as NotificationMessage)
      .catch(() => undefined);
  }

  private info(message: string): void {
    this.log(message, 3);
  }

  /**
   * Ends the process. After the client's `exit` (`graceful`), once the workers have ended, within a second: they
   * write their code cache as they exit. Otherwise (the client is gone) at once.
   */
  private exit(code: number, graceful = false): void {
    if (this.exiting) return;
    this.exiting = true;
    this.shutdown = true;
    const done = () => process.exit(code);
    if (!graceful) {
      void Promise.allSettled(this.lanes.map((l) => l.worker.terminate())).then(done);
      return;
    }
    setTimeout(done, 1000).unref();
    void Promise.all(
      this.lanes.map((l) => new Promise((resolve) => (l.worker.threadId < 0 ? resolve(null) : l.worker.once('exit', resolve)))),
    ).then(() => setImmediate(done));
  }
}

/** The client's reader and writer for the transport named on the command line; null for one the front does not speak. */
export function clientTransport(argv: readonly string[]): { reader: MessageReader; writer: MessageWriter } | null {
  if (argv.includes('--stdio')) return { reader: new StreamMessageReader(process.stdin), writer: new StreamMessageWriter(process.stdout) };
  if (argv.includes('--node-ipc') && process.send) return { reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process) };
  return null;
}

function withoutProcessId(params: RequestMessage['params']): RequestMessage['params'] {
  return params && !Array.isArray(params) ? { ...params, processId: null } : params;
}

/** The heap cap the process was started with (`--max-old-space-size`, on the command line or in NODE_OPTIONS), in MB. */
function maxOldSpaceFlag(env: NodeJS.ProcessEnv): number | undefined {
  const m = /--max-old-space-size[= ](\d+)/.exec(`${process.execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`);
  return m ? Number(m[1]) : undefined;
}

function positive(raw: string | undefined): number | undefined {
  const n = raw ? Number(raw) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

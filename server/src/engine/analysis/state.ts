/**
 * What an analysis is, and what is kept with it: `Analysis` (what the
 * shells read) and its `AnalysisCache`, the one place for state derived
 * from an analysis (no module-level cache is keyed on an analysis).
 */
import type { Directive, SourceFile } from '../syntax/ast';
import type { ConfigModel, Scope } from '../model/config';
import type { VariableDefinition } from '../model/variables';
import type { WsLocation } from '../model/websocket';
import type { RequestModel } from '../request/model';
import type { EngineSettings, Finding } from '../types';
import type { PathPattern } from './steps';

export interface Analysis {
  /** Every parsed file of the config, root first. */
  files: Map<string, SourceFile>;
  /** Findings for every file of the config. */
  findings: Finding[];
  wsLocations: WsLocation[];
  /** `upstream` blocks by name. */
  upstreams: Map<string, Directive>;
  /** The scope model (for features that need effective values). */
  model: ConfigModel;
  /** The request model over this config: `trace()` a request through it (hover, the trace command, the rules). */
  requests: RequestModel;
  /** What is derived from this analysis and kept with it (see `AnalysisCache`). */
  readonly cache: AnalysisCache;
}

/**
 * What an incremental update needs from the analysis it updates. Internal
 * to the engine: adapters only pass the previous Analysis back in.
 */
export interface UpdateState {
  settings: EngineSettings;
  patterns: PathPattern[];
  /** The generation (see syntax/incremental.ts) of each file as analysed. */
  generations: Map<string, number>;
  definitions: Map<string, VariableDefinition[]>;
  webSocketsUseKeepalive: boolean;
  lenient: boolean;
  /**
   * For each `server` scope directly in `http`, what it contributes to the
   * rest of the config's findings (see `unitSignature`). An edit inside one
   * such server that leaves this unchanged cannot change any finding
   * outside it, so only that server is checked again.
   */
  units: Map<Scope, string>;
  /**
   * How many servers listen on each port, for the signatures. Valid across
   * updates: every server's `listen` lines are in its signature, so an edit
   * of one is analysed whole.
   */
  ports: Map<string, number>;
  /** The unit of each entry of the analysis's `wsLocations` (null outside any). */
  wsUnits: (Scope | null)[];
  /** The findings before suppressions and the fix guard (`finalizeFindings`), which an update carries over. */
  raw: Finding[];
}

/**
 * State derived from one analysis, in one visible place. Invalidation: an
 * analysis never changes after it is returned, except that an incremental
 * update (update.ts) turns `previous` into the next analysis: its files and
 * model change in place, so `update` moves to the next analysis's cache and
 * `previous` keeps nothing an update could use again (it is used up).
 * `definitions` is made for the analysis it is read from.
 */
export class AnalysisCache {
  private updateState?: UpdateState;
  private pendingUpdate?: () => UpdateState;

  /** What an incremental update of this analysis needs; absent when it cannot be updated (no parse cache given, or a rule failed). */
  get update(): UpdateState | undefined {
    this.settle();
    return this.updateState;
  }

  set update(state: UpdateState | undefined) {
    this.pendingUpdate = undefined;
    this.updateState = state;
  }

  /**
   * Leaves the update state to be made by `settle` (or on first read of
   * `update`), so an editor can publish the findings first: on a config of
   * 2,000 servers, each server's signature is tens of milliseconds of a cold
   * analysis. `make` reads the model as analysed, so whoever defers must
   * settle before anything can change the analysis's files in place (the
   * next edit's update, another analysis sharing the parse cache): the
   * language server settles right after publishing, in the same turn.
   */
  defer(make: () => UpdateState): void {
    this.updateState = undefined;
    this.pendingUpdate = make;
  }

  /** Makes what was deferred, now. */
  settle(): void {
    const make = this.pendingUpdate;
    if (!make) return;
    this.pendingUpdate = undefined;
    this.updateState = make();
  }

  /** Variable definitions as the editor features read them (features/locate.ts), made on first read. */
  definitions?: Map<string, VariableDefinition[]>;
}

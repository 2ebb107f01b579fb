/**
 * What the request model reads from a config once, to trace any number of
 * requests through it: the servers by listening socket, each level's
 * locations, the maps, and which names are defined where. Built lazily from
 * a ConfigModel and owned by the Analysis that made it (never cached
 * module-wide), so an edited config gets a new one.
 */
import type { Directive } from '../syntax/ast';
import { directivesNamed, type ConfigModel, type Scope } from '../model/config';
import type { VariableDefinition } from '../model/variables';
import { versionAtLeast } from '../model/websocket';
import { LocationIndex } from './locations';
import { ServerIndex } from './servers';
import { readMap, type MapDef, type VariableSources } from './evaluate';

/** Directives that define a variable and the argument that names it. */
const DEFINERS: [string, number][] = [
  ['set', 0],
  ['geo', -1],
  ['split_clients', 1],
  ['perl_set', 0],
  ['js_set', 0],
  ['js_var', 0],
  ['auth_request_set', 0],
  ['set_by_lua', 0],
  ['set_by_lua_block', 0],
  ['set_by_lua_file', 0],
];

export class RequestModel implements VariableSources {
  private serverIndex?: ServerIndex;
  private locationIndex?: LocationIndex;
  /** Maps read so far, by variable name (a config's maps do not change under an incremental update). */
  private readonly maps: Map<string, MapDef | null>;
  /** Without `definitions`: the config's definers, scanned once. */
  private scanned?: Map<string, Directive[]>;

  /**
   * `definitions`: the analysis's variable definitions (kept current in place
   * by the incremental path, so lookups see the current config); without
   * them the config is scanned for definers.
   */
  constructor(
    readonly config: ConfigModel,
    private readonly definitions?: Map<string, VariableDefinition[]>,
    reuse?: { servers?: ServerIndex; locations?: LocationIndex; maps?: Map<string, MapDef | null> },
  ) {
    this.serverIndex = reuse?.servers;
    this.locationIndex = reuse?.locations;
    this.maps = reuse?.maps ?? new Map<string, MapDef | null>();
  }

  /**
   * The model after an incremental update that rebuilt one `server` scope in
   * place (analyze.ts): the server index is kept unless that server's
   * `listen`/`server_name` lines changed, the location index forgets the
   * server's subtree, the maps (which no such server holds) are kept.
   */
  updatedFor(unit: Scope, definitions: Map<string, VariableDefinition[]>): RequestModel {
    const servers = this.serverIndex && this.serverIndex.sameRouting(unit) ? this.serverIndex : undefined;
    this.locationIndex?.forget(unit);
    return new RequestModel(this.config, definitions, { servers, locations: this.locationIndex, maps: this.maps });
  }

  /**
   * Drops the location index once an analysis's rules have run: they index every server's locations (60,000 nodes,
   * some 10 MB, on a config of 20,000 servers), while what comes after needs a few levels, each rebuilt when first
   * searched (an edit re-checks one server, a trace searches the server it reaches).
   */
  releaseLocations(): void {
    this.locationIndex = undefined;
  }

  private readonly since1297 = new Map<string, boolean>();

  /** Whether the target version has 1.29.7's proxy defaults (HTTP/1.1, keep-alive upstream); memoised per version string. */
  defaultsSince1297(version: string): boolean {
    let v = this.since1297.get(version);
    if (v === undefined) this.since1297.set(version, (v = versionAtLeast(version, [1, 29, 7])));
    return v;
  }

  get servers(): ServerIndex {
    return (this.serverIndex ??= new ServerIndex(this.config));
  }

  get locations(): LocationIndex {
    return (this.locationIndex ??= new LocationIndex());
  }

  /** The variable sources for the evaluator: this model, which looks names up on demand. */
  get variables(): VariableSources {
    return this;
  }

  map(name: string): MapDef | undefined {
    let m = this.maps.get(name);
    if (m === undefined) {
      m = null;
      for (const def of this.definitionsOf(name)) {
        if (def.directive.name !== 'map' || def.scope.kind !== 'http') continue;
        const scope = this.mapScope(def.directive);
        if (scope && (m = readMap(def.directive, scope))) break;
      }
      this.maps.set(name, m);
    }
    return m ?? undefined;
  }

  private mapScopes?: Map<Directive, Scope>;

  /** The scope a `map` directive opens (its rows, includes spliced): from the config's map scopes, indexed once. */
  private mapScope(d: Directive): Scope | undefined {
    if (!this.mapScopes) {
      this.mapScopes = new Map();
      for (const s of this.config.scopes.get('map') ?? []) if (s.directive) this.mapScopes.set(s.directive, s);
    }
    return this.mapScopes.get(d);
  }

  defined(name: string): readonly Directive[] | undefined {
    if (!this.definitions) return this.scan().get(name.toLowerCase());
    const own = this.definitionsOf(name).filter((d) => d.directive.name !== 'map');
    return own.length ? own.map((d) => d.directive) : undefined;
  }

  private definitionsOf(name: string): readonly { directive: Directive; scope: Scope }[] {
    if (this.definitions) return this.definitions.get(name) ?? this.definitions.get(name.toLowerCase()) ?? NONE;
    const out: { directive: Directive; scope: Scope }[] = [];
    for (const s of this.config.scopes.get('map') ?? []) {
      const d = s.directive;
      if (d && s.parent && d.args[1] && stripDollar(d.args[1].value) === name.toLowerCase()) out.push({ directive: d, scope: s.parent });
    }
    return out;
  }

  private scan(): Map<string, Directive[]> {
    if (this.scanned) return this.scanned;
    const defined = new Map<string, Directive[]>();
    for (const [directive, at] of DEFINERS) {
      for (const d of directivesNamed(this.config, directive).directives) {
        const a = at === -1 ? d.args[d.argCount - 1] : d.args[at];
        if (!a?.value.startsWith('$')) continue;
        const name = stripDollar(a.value);
        const l = defined.get(name);
        if (l) l.push(d);
        else defined.set(name, [d]);
      }
    }
    return (this.scanned = defined);
  }
}

const NONE: readonly { directive: Directive; scope: Scope }[] = Object.freeze([]);

function stripDollar(v: string): string {
  const s = v.startsWith('${') && v.endsWith('}') ? v.slice(2, -1) : v.slice(1);
  return s.toLowerCase();
}

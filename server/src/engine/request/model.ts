/**
 * What the request model reads from a config once, to trace any number of
 * requests through it: the servers by listening socket, each level's
 * locations, the maps, and which names are defined where. Built lazily from
 * a ConfigModel and owned by the Analysis that made it (never cached
 * module-wide), so an edited config gets a new one.
 */
import type { Directive } from '../syntax/ast';
import { directivesNamed, type ConfigModel } from '../model/config';
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

export class RequestModel {
  private serverIndex?: ServerIndex;
  private locationIndex?: LocationIndex;
  private variableSources?: VariableSources;

  /**
   * `definitions`: the analysis's variable definitions (kept current by the
   * incremental path); without them the config is scanned for definers.
   */
  constructor(
    readonly config: ConfigModel,
    private readonly definitions?: Map<string, VariableDefinition[]>,
  ) {}

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

  get variables(): VariableSources {
    if (this.variableSources) return this.variableSources;
    const maps = new Map<string, MapDef>();
    for (const s of this.config.scopes.get('map') ?? []) {
      if (!s.directive || s.parent?.kind !== 'http') continue;
      const def = readMap(s.directive, s);
      const name = def ? stripDollar(def.directive.args[1]!.value) : null;
      if (def && name && !maps.has(name)) maps.set(name, def);
    }
    const defined = new Map<string, Directive[]>();
    if (this.definitions) {
      for (const [name, defs] of this.definitions) {
        const own = defs.filter((d) => d.directive.name !== 'map').map((d) => d.directive);
        if (own.length) defined.set(name.toLowerCase(), own);
      }
      return (this.variableSources = { maps, defined });
    }
    for (const [directive, at] of DEFINERS) {
      for (const { d } of directivesNamed(this.config, directive)) {
        const a = at === -1 ? d.args[d.args.length - 1] : d.args[at];
        if (!a?.value.startsWith('$')) continue;
        const name = stripDollar(a.value);
        const l = defined.get(name);
        if (l) l.push(d);
        else defined.set(name, [d]);
      }
    }
    return (this.variableSources = { maps, defined });
  }
}

function stripDollar(v: string): string {
  const s = v.startsWith('${') && v.endsWith('}') ? v.slice(2, -1) : v.slice(1);
  return s.toLowerCase();
}

/**
 * Which `server` block a request reaches (nginx's "How nginx processes a
 * request"): first the listening address and port, where a `listen` on the
 * very address beats a wildcard one; then the Host against the
 * `server_name`s of the servers on that address — exact name, longest
 * leading wildcard, longest trailing wildcard, first regex in config order —
 * and else the default server of that address (`default_server`, or the
 * first server listening there).
 */
import type { Directive } from '../syntax/ast';
import { own, type ConfigModel, type Scope } from '../model/config';
import { compileNginxRegex, type NginxRegex } from '../model/regex';

export interface Listen {
  directive: Directive | null;
  /** Normalised address: `*` for IPv4 wildcard, `[::]` for IPv6 wildcard, an IP literal, or a `unix:` path. */
  address: string;
  port: number;
  defaultServer: boolean;
  ssl: boolean;
}

export interface ServerEntry {
  scope: Scope;
  listens: Listen[];
  /** server_name arguments in order: lower case, except a regex (`~...`), which keeps its case. */
  names: { name: string; directive: Directive }[];
  /** The `listen` and `server_name` directives as read (to tell whether an in-place update changed them). */
  listenDirectives: readonly Directive[];
  nameDirectives: readonly Directive[];
}

export type ServerMatch =
  | { how: 'exact' | 'wildcard' | 'regex'; name: string; directive: Directive }
  | { how: 'default'; listen: Listen | null }
  | { how: 'only'; listen: Listen | null };

export interface ServerChoice {
  server: ServerEntry;
  match: ServerMatch;
  /** The listening socket the request arrived at. */
  listen: Listen | null;
  /** Captures of a regex server_name, for `$1` and named variables. */
  captures?: { groups: (string | undefined)[]; named: Map<string, string | undefined> };
  /** Why the choice is not certain (a regex that cannot be evaluated, an unknown address). */
  uncertain?: string;
}

const WILDCARD4 = new Set(['*', '0.0.0.0']);

/** `listen` arguments → address and port, as nginx's ngx_parse_url reads them. */
export function parseListen(d: Directive | null): Listen | null {
  if (!d) return { directive: null, address: '*', port: 80, defaultServer: false, ssl: false };
  const a0 = d.arg(0);
  if (!a0) return null;
  const params = d.args.slice(1).map((a) => a.value);
  const defaultServer = params.includes('default_server') || params.includes('default');
  const ssl = params.includes('ssl');
  if (a0.startsWith('unix:')) return { directive: d, address: a0, port: 0, defaultServer, ssl };
  let address = '*';
  let port = 80;
  if (/^\d+$/.test(a0)) port = Number(a0);
  else {
    const v6 = /^\[([^\]]*)\](?::(\d+))?$/.exec(a0);
    const v4 = /^([^:]+)(?::(\d+|\*))?$/.exec(a0);
    if (v6) {
      address = v6[1] === '::' || v6[1] === '::0' ? '[::]' : `[${v6[1]!.toLowerCase()}]`;
      if (v6[2]) port = Number(v6[2]);
    } else if (v4) {
      address = v4[1] === 'localhost' ? '127.0.0.1' : v4[1]!;
      if (WILDCARD4.has(address)) address = '*';
      if (v4[2] && v4[2] !== '*') port = Number(v4[2]);
    } else return null;
  }
  return { directive: d, address, port, defaultServer, ssl };
}

interface SocketGroup {
  entries: ServerEntry[];
  listens: Listen[];
  uncertain?: string;
  names?: NameIndex;
}

export class ServerIndex {
  readonly servers: ServerEntry[] = [];
  private readonly regexes = new Map<string, NginxRegex>();

  constructor(model: ConfigModel) {
    for (const s of model.scopes.get('server') ?? []) {
      if (s.parent?.kind !== 'http' || !s.directive?.block) continue;
      const listens: Listen[] = [];
      for (const d of own(s, 'listen')) {
        const l = parseListen(d);
        if (l) listens.push(l);
      }
      if (!listens.length) listens.push(parseListen(null)!);
      const names: ServerEntry['names'] = [];
      for (const d of own(s, 'server_name'))
        for (const a of d.args) names.push({ name: a.value.startsWith('~') ? a.value : a.value.toLowerCase(), directive: d });
      // Exact-size copies: push-grown lists keep up to 17 slots for one entry, and a big config has 20,000 servers.
      this.servers.push({
        scope: s,
        listens: listens.slice(),
        names: names.slice(),
        listenDirectives: own(s, 'listen'),
        nameDirectives: own(s, 'server_name'),
      });
    }
  }

  private byScope?: Map<Scope, ServerEntry>;

  /** Whether a server scope rebuilt in place still listens and is named as this index recorded it (the index stays exact). */
  sameRouting(scope: Scope): boolean {
    const e = this.entryOf(scope);
    if (!e) return !(scope.parent?.kind === 'http' && scope.directive?.block);
    const listens = own(scope, 'listen');
    const named = own(scope, 'server_name');
    const same = (a: readonly Directive[], b: readonly Directive[]) =>
      a.length === b.length && a.every((d, i) => d === b[i] || d.text === b[i]!.text);
    return same(e.listenDirectives, listens) && same(e.nameDirectives, named);
  }

  entryOf(scope: Scope): ServerEntry | undefined {
    if (!this.byScope) this.byScope = new Map(this.servers.map((e) => [e.scope, e]));
    return this.byScope.get(scope);
  }

  private portIndex?: Map<number, { e: ServerEntry; l: Listen }[]>;
  private readonly groups = new Map<string, SocketGroup>();

  /** The servers on the socket a connection to `address:port` reaches, and that socket's listen of each (memoised per socket). */
  private candidates(address: string | null, port: number): SocketGroup {
    const key = `${address ?? '?'}|${port}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = this.group(address, port)));
    return g;
  }

  private group(address: string | null, port: number): SocketGroup {
    if (!this.portIndex) {
      this.portIndex = new Map();
      for (const e of this.servers) {
        for (const l of e.listens) {
          if (l.address.startsWith('unix:')) continue;
          const list = this.portIndex.get(l.port);
          if (list) list.push({ e, l });
          else this.portIndex.set(l.port, [{ e, l }]);
        }
      }
    }
    const onPort = this.portIndex.get(port) ?? [];
    let pick: { e: ServerEntry; l: Listen }[];
    let uncertain: string | undefined;
    const v6 = address?.startsWith('[') ?? false;
    const exact = address ? onPort.filter((x) => x.l.address === address) : [];
    if (exact.length) pick = exact;
    else {
      pick = onPort.filter((x) => x.l.address === (v6 ? '[::]' : '*'));
      if (!address && onPort.length !== pick.length) {
        uncertain = `the address the client connects to is not known, and port ${port} has listens on specific addresses`;
        if (!pick.length) pick = onPort;
      }
    }
    const entries: ServerEntry[] = [];
    const listens: Listen[] = [];
    for (const x of pick) {
      if (entries.includes(x.e)) continue;
      entries.push(x.e);
      listens.push(x.l);
    }
    return { entries, listens, ...(uncertain ? { uncertain } : {}) };
  }

  private regex(source: string): NginxRegex {
    let r = this.regexes.get(source);
    if (!r) this.regexes.set(source, (r = compileNginxRegex(source, /[A-Z]/.test(source))));
    return r;
  }

  /** The server a request with this Host reaches on `address:port`; null when nothing listens there. */
  choose(host: string | undefined, address: string | null, port: number): ServerChoice | null {
    const g = this.candidates(address, port);
    const { entries, listens, uncertain } = g;
    if (!entries.length) return null;
    const names = (g.names ??= nameIndex(entries));
    const name = host === undefined ? '' : normaliseHost(host);
    const listenOf = (e: ServerEntry) => listens[entries.indexOf(e)] ?? null;
    const base = uncertain ? { uncertain } : {};

    const exact = names.exact.get(name);
    if (exact)
      return {
        server: exact.e,
        listen: listenOf(exact.e),
        match: { how: 'exact', name: exact.n.name, directive: exact.n.directive },
        ...base,
      };
    for (const w of names.heads) {
      if ((name.endsWith(w.suffix) && name.length > w.suffix.length) || (w.n.name.startsWith('.') && name === w.suffix.slice(1)))
        return { server: w.e, listen: listenOf(w.e), match: { how: 'wildcard', name: w.n.name, directive: w.n.directive }, ...base };
    }
    for (const w of names.tails) {
      if (name.startsWith(w.prefix) && name.length > w.prefix.length)
        return { server: w.e, listen: listenOf(w.e), match: { how: 'wildcard', name: w.n.name, directive: w.n.directive }, ...base };
    }
    let regexUnknown: string | undefined;
    for (const { e, n } of names.regexes) {
      // Matched against the lower-cased host; caseless when the pattern has a capital letter (ngx_http_core_server_name).
      const re = this.regex(n.name.slice(1));
      if (!re.ok) {
        regexUnknown ??= `server_name ${n.name} ${re.reason}`;
        continue;
      }
      const m = re.exec(name);
      if (m) return { server: e, listen: listenOf(e), match: { how: 'regex', name: n.name, directive: n.directive }, captures: m, ...base };
    }
    const def = entries.find((e) => listenOf(e)?.defaultServer) ?? entries[0]!;
    const how = entries.length === 1 ? 'only' : 'default';
    const u = regexUnknown ?? uncertain;
    return { server: def, listen: listenOf(def), match: { how, listen: listenOf(def) }, ...(u ? { uncertain: u } : {}) };
  }
}

type Named = { e: ServerEntry; n: ServerEntry['names'][number] };

interface NameIndex {
  /** Exact names (and `.example.com` as `example.com`): the first server that names it. */
  exact: Map<string, Named>;
  /** `*.example.com` / `.example.com`, longest suffix first. */
  heads: (Named & { suffix: string })[];
  /** `www.example.*`, longest prefix first. */
  tails: (Named & { prefix: string })[];
  /** Regexes in config order. */
  regexes: Named[];
}

function nameIndex(entries: ServerEntry[]): NameIndex {
  const idx: NameIndex = { exact: new Map(), heads: [], tails: [], regexes: [] };
  for (const e of entries) {
    for (const n of e.names) {
      if (n.name.startsWith('~')) idx.regexes.push({ e, n });
      else if (n.name.startsWith('*.')) idx.heads.push({ e, n, suffix: n.name.slice(1) });
      else if (n.name.endsWith('.*')) idx.tails.push({ e, n, prefix: n.name.slice(0, -1) });
      else {
        // `.example.com` is a wildcard (matched after the exact names) that also covers `example.com` itself.
        if (n.name.startsWith('.')) idx.heads.push({ e, n, suffix: n.name });
        else if (!idx.exact.has(n.name)) idx.exact.set(n.name, { e, n });
      }
    }
  }
  // Stable sorts: among equal lengths the first in config order wins.
  idx.heads.sort((a, b) => b.suffix.length - a.suffix.length);
  idx.tails.sort((a, b) => b.prefix.length - a.prefix.length);
  return idx;
}

/** The Host as nginx compares it: lower case, no port, no trailing dot. */
export function normaliseHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

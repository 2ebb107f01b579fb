/**
 * `nginx-ws endpoints PATH... [--json] [--base-url URL]`: the WebSocket
 * locations the engine detects (exactly `analyze(...).wsLocations`) in the
 * named files or folders, each file judged in the config that includes it,
 * each location with the URL derived the way the editor derives it. A regex
 * location gets the `nginx-ws test` command line to run, with an example
 * `--path` that matches it when one can be made.
 */
import * as nodePath from 'node:path';
import { type Analysis, type WsLocation, deriveEndpoint, type DerivedEndpoint, listEndpoints } from '../engine/index';
import { parseCommandArgs, UsageError, withUsage, type Command } from './command';
import { collectTargets, displayPath, flagSettings, Project, realOf } from './project';

const HELP = `usage: nginx-ws endpoints [--json] [--base-url URL] PATH...

Lists the WebSocket locations PATH names, with the URL the endpoint test
would use: for a whole config, those of all its files (as the editor's
WebSocket Endpoints view lists them); for a piece of a config, its own,
judged in the config that includes it; a folder is walked for both. A regex
location needs a concrete request path: the line shows the nginx-ws test
command with an example --path.

options:
  --json            one JSON array on stdout
  --base-url URL    where the config is deployed (wss://staging.example.com):
                    replaces the scheme, host and port taken from listen
  --root FILE       a whole config that includes the files (repeatable)
  -h, --help        this help
`;

export const endpointsCommand: Command = {
  name: 'endpoints',
  synopsis: ['nginx-ws endpoints [--json] [--base-url URL] PATH...'],
  summary: 'list WebSocket locations and their URLs',
  help: HELP,
  run: (argv) => withUsage('endpoints', () => run(argv)),
};

/**
 * The config a file belongs to, analysed: the file itself when it is a whole
 * config, else the config that includes it (found as the editor finds it).
 */
export function loadConfig(file: string, roots: string[] = []): { root: string; file: string; analysis: Analysis } {
  const abs = nodePath.resolve(file);
  const project = new Project({ flags: flagSettings({}), roots, log: () => undefined });
  const targets = collectTargets([file], []);
  if (targets.length !== 1 || targets[0]!.path !== abs) throw new UsageError(`${file}: not a file`);
  const why = project.unreadable(abs);
  if (why) throw new UsageError(`${file}: ${why}`);
  const [j] = project.judge(targets);
  if (!j) throw new UsageError(`${file}: cannot be read`);
  return { root: j.context.rootPath, file: abs, analysis: j.context.analysis };
}

export interface EndpointRow {
  file: string;
  line: number;
  location: string;
  modifier: string;
  path: string;
  intent: string;
  url: string | null;
  needsPath: boolean;
  /** For a regex location: a request path that matches it, when one could be made. */
  examplePath: string | null;
  backendUrl: string | null;
  /** Docker template placeholders the URL depends on (`${NGINX_PORT}`). */
  placeholders: string[];
  /** The whole config the location was judged in. */
  root: string;
  notes: string[];
}

/** The rows come from `listEndpoints`, the function the editor's "WebSocket endpoints" view uses too. */
export function endpointRows(analysis: Analysis, baseUrl?: string): { loc: WsLocation; derived: DerivedEndpoint; row: EndpointRow }[] {
  const items = listEndpoints(analysis, { baseUrl });
  return analysis.wsLocations.map((loc, i) => {
    const e = items[i]!;
    const derived = deriveEndpoint(loc, analysis.upstreams, { baseUrl });
    return {
      loc,
      derived,
      row: {
        file: displayPath(e.file),
        line: e.line,
        location: e.location,
        modifier: e.modifier,
        path: e.path,
        intent: e.intent,
        url: e.url,
        needsPath: e.needsPath,
        examplePath: e.needsPath && loc.modifier !== '@' ? examplePath(loc.locationPath, loc.modifier === '~*') : null,
        backendUrl: e.backendUrl,
        placeholders: derived.placeholders,
        root: displayPath(analysis.model.rootPath),
        notes: e.notes,
      },
    };
  });
}

/**
 * A request path that a simple location regex matches (`^/ws/(\w+)$` →
 * `/ws/x`), checked against the regex; null when none could be made.
 */
export function examplePath(regex: string, caseless: boolean): string | null {
  if (regex.length > 200) return null;
  let p = regex.replace(/^\^/, '').replace(/\$$/, '');
  const swaps: [RegExp, string][] = [
    [/\\d\+|\[0-9\]\+|\\d\*|\[0-9\]\*/g, '1'],
    [/\\w\+|\\w\*|\[\^\/\]\+|\[\^\/\]\*|\[a-z0-9_-\]\+|\[a-zA-Z0-9_-\]\+|\[\\w-\]\+|\.\+|\.\*/gi, 'x'],
    [/\(\?:|\(\?<\w+>|\(/g, ''],
    [/\)\??/g, ''],
    [/\/\?/g, '/'],
    [/\\([./-])/g, '$1'],
  ];
  for (const [re, to] of swaps) p = p.replace(re, to);
  if (/[\\^$|?*+()[\]{}]/.test(p)) return null;
  if (!p.startsWith('/')) p = `/${p}`;
  try {
    if (!new RegExp(regex, caseless ? 'i' : '').test(p)) return null;
  } catch {
    return null;
  }
  return p;
}

function run(argv: string[]): number {
  const { values: v, positionals } = parseCommandArgs(argv, {
    json: { type: 'boolean' },
    'base-url': { type: 'string' },
    root: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (!positionals.length) throw new UsageError('no PATH given (a config file or a folder)');
  const notes: string[] = [];
  const targets = collectTargets(positionals, notes);
  if (!targets.length) {
    process.stderr.write(`nginx-ws endpoints: no nginx file found in ${positionals.join(' ')}\n`);
    return 2;
  }
  const project = new Project({ flags: flagSettings({}), roots: (v.root ?? []).map((r) => nodePath.resolve(r)), log: () => undefined });
  let status = 0;
  for (const t of targets) {
    const why = project.unreadable(t.path);
    if (why) {
      process.stderr.write(`nginx-ws endpoints: ${t.display}: ${why}\n`);
      status = 2;
    }
  }
  const seen = new Set<string>();
  const rows: EndpointRow[] = [];
  for (const j of project.judge(targets.filter((t) => !project.unreadable(t.path)))) {
    for (const r of endpointRows(j.context.analysis, v['base-url'])) {
      // A whole config lists every location of its files (as the editor's endpoints view does); a piece
      // judged in another config lists its own. Each location once.
      const own = realOf(r.loc.path) === realOf(j.target.path);
      if (!own && j.context.rootPath !== j.target.path) continue;
      const key = `${realOf(r.loc.path)}:${r.loc.directive.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(own ? { ...r.row, file: j.target.display } : r.row);
    }
  }
  if (v.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return status;
  }
  for (const r of rows) {
    let url = r.url;
    if (!url && r.placeholders.length)
      url = `(${r.notes.find((n) => n.includes('placeholder')) ?? 'template placeholders'}: nginx-ws test --config ${shellQuote(r.root)} --location ${shellQuote(r.path)} --base-url URL)`;
    else if (!url)
      url = `(needs a concrete path: nginx-ws test --config ${shellQuote(r.root)} --location ${shellQuote(r.path)} --path ${r.examplePath ?? '/...'})`;
    process.stdout.write(`${r.file}:${r.line}\t${r.location}\t${url}${r.backendUrl ? `\tbackend ${r.backendUrl}` : ''}\n`);
  }
  for (const n of notes) process.stderr.write(`nginx-ws endpoints: ${n}\n`);
  process.stderr.write(`${rows.length} WebSocket location${rows.length === 1 ? '' : 's'}\n`);
  return status;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

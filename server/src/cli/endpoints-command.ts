/**
 * `nginx-ws endpoints FILE [--json] [--base-url URL]`: the WebSocket locations
 * the engine detects in a config (exactly `analyze(...).wsLocations`), each
 * with the URL derived the way the editor derives it.
 */
import * as nodePath from 'node:path';
import { parseArgs } from 'node:util';
import { statSync } from 'node:fs';
import { analyze, DEFAULT_SETTINGS, type Analysis, type Finding, type WsLocation } from '../engine/index';
import { deriveEndpoint, type DerivedEndpoint } from '../engine/endpoints';
import { describeLocation, findingsWithin, listEndpoints } from '../engine/endpoint-list';
import { diskHost } from '../node/file-host';

const USAGE = 'usage: nginx-ws endpoints FILE [--json] [--base-url URL]\n';

export class UsageError extends Error {}

/** Analyses a config from disk; a UsageError with a readable message when it cannot be read. */
export function loadConfig(file: string): { root: string; analysis: Analysis } {
  const root = nodePath.resolve(file);
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new UsageError(`${file}: no such file`);
  }
  if (!st.isFile()) throw new UsageError(`${file}: not a file`);
  let rootError: string | null = null;
  const host = diskHost(undefined, (path, reason) => {
    if (path === root) rootError = reason;
  });
  const analysis = analyze(root, host, DEFAULT_SETTINGS);
  if (rootError) throw new UsageError(`${file}: ${rootError}`);
  return { root, analysis };
}

/** The engine's findings inside a location's block (what the editor shows there). */
export function findingsFor(loc: WsLocation, findings: Finding[]): Finding[] {
  return findingsWithin(loc, findings);
}

export { describeLocation };

export interface EndpointRow {
  file: string;
  line: number;
  location: string;
  modifier: string;
  path: string;
  intent: string;
  url: string | null;
  needsPath: boolean;
  backendUrl: string | null;
  notes: string[];
}

/** The rows come from `listEndpoints`, the function the editor's "WebSocket endpoints" view uses too. */
export function endpointRows(analysis: Analysis, baseUrl?: string): { loc: WsLocation; derived: DerivedEndpoint; row: EndpointRow }[] {
  const items = listEndpoints(analysis, { baseUrl });
  return analysis.wsLocations.map((loc, i) => {
    const e = items[i]!;
    return {
      loc,
      derived: deriveEndpoint(loc, analysis.upstreams, { baseUrl }),
      row: {
        file: nodePath.relative(process.cwd(), e.file) || e.file,
        line: e.line,
        location: e.location,
        modifier: e.modifier,
        path: e.path,
        intent: e.intent,
        url: e.url,
        needsPath: e.needsPath,
        backendUrl: e.backendUrl,
        notes: e.notes,
      },
    };
  });
}

export async function run(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, 'base-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    process.stderr.write(`nginx-ws endpoints: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.positionals.length !== 1) {
    process.stderr.write(`nginx-ws endpoints: ${opts.positionals.length ? 'one FILE only' : 'no FILE given'}\n${USAGE}`);
    return 2;
  }
  let analysis: Analysis;
  try {
    ({ analysis } = loadConfig(opts.positionals[0]!));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`nginx-ws endpoints: ${e.message}\n`);
    return 2;
  }
  const rows = endpointRows(analysis, opts.values['base-url']).map((r) => r.row);
  if (opts.values.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  for (const r of rows) {
    const url = r.url ?? `(needs a concrete path: nginx-ws test --config FILE --location '${r.path}' --path /...)`;
    process.stdout.write(`${r.file}:${r.line}\t${r.location}\t${url}${r.backendUrl ? `\tbackend ${r.backendUrl}` : ''}\n`);
  }
  process.stderr.write(`${rows.length} WebSocket location${rows.length === 1 ? '' : 's'}\n`);
  return 0;
}

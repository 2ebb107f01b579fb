/**
 * `nginx-ws trace URL --config FILE [--header 'K: V']... [--json]`: what
 * nginx does with a request for URL (by default a WebSocket handshake)
 * through the config FILE belongs to, step by step with the line that
 * decided each step: the server, the location, rewrites, access, the
 * request the backend receives with every header, the outcome. The same
 * trace as the editor's hover and "Trace a request…".
 */
import * as nodePath from 'node:path';
import { traceUrl, formatTrace } from '../engine/index';
import { parseCommandArgs, UsageError, withUsage, type Command } from './command';
import { collectTargets, flagSettings, Project } from './project';

import { VERSION_RE } from '../node/settings-file';

const HELP = `usage: nginx-ws trace URL --config FILE [options]

Traces a request for URL (ws://, wss://, http:// or https://; by default a
WebSocket handshake: GET with Upgrade, Connection, Sec-WebSocket-Key and
Sec-WebSocket-Version 13) through the whole config FILE belongs to, as nginx
would handle it: the server (listen, server_name), the location (nginx's
search: exact, longest prefix, ^~, regexes in order), rewrites, returns and
access rules, the effective proxy settings, the request line and every
header the backend receives with the line each comes from, what a strict
RFC 6455 backend answers, and what the client gets.

The model covers nginx's own modules as they ship; what only a running
server knows (Lua, njs, the file system, DNS, credentials) is reported as
not predictable, never guessed.

options:
  --config FILE          a file of the config (judged in the config that includes it)
  --header 'K: V'        an extra request header (repeatable; replaces the handshake's of that name)
  --method M             the request method (default GET)
  --plain                a plain request, no WebSocket handshake headers
  --nginx-version V      the nginx version deployed, e.g. 1.24.0 (defaults change in 1.29.7)
  --root FILE            a whole config that includes FILE (repeatable)
  --json                 the trace as JSON
  -h, --help             this help

exit codes: 0 the handshake upgrades (or, with --plain, the trace is complete),
1 the handshake fails, 2 usage error or the config cannot be read
`;

export const traceCommand: Command = {
  name: 'trace',
  synopsis: ["nginx-ws trace URL --config FILE [--header 'K: V']... [--json]"],
  summary: 'trace a request (by default a WebSocket handshake) through a config',
  help: HELP,
  run: (argv) => withUsage('trace', () => run(argv)),
};

function parseHeader(raw: string): { name: string; value: string } {
  const i = raw.indexOf(':');
  const name = i > 0 ? raw.slice(0, i).trim() : '';
  if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw new UsageError(`--header wants 'Name: value' with a valid header name, got '${raw}'`);
  const value = raw.slice(i + 1).trim();
  if (/[\r\n\0]/.test(value)) throw new UsageError(`--header values cannot hold CR, LF or NUL`);
  return { name, value };
}

function run(argv: string[]): number {
  const { values: v, positionals } = parseCommandArgs(argv, {
    config: { type: 'string' },
    header: { type: 'string', multiple: true },
    method: { type: 'string' },
    plain: { type: 'boolean' },
    'nginx-version': { type: 'string' },
    root: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(positionals.length ? `one URL, got ${positionals.length} arguments` : 'the URL to trace is missing');
  if (!v.config) throw new UsageError('--config FILE is missing');
  if (v['nginx-version'] !== undefined && !VERSION_RE.test(v['nginx-version']))
    throw new UsageError(`--nginx-version wants a version such as 1.24.0, got '${v['nginx-version']}'`);
  if (v.method !== undefined && !/^[A-Z]{1,20}$/.test(v.method))
    throw new UsageError(`--method wants an HTTP method such as GET, got '${v.method}'`);
  const url = positionals[0]!;
  const headers = (v.header ?? []).map(parseHeader);

  const abs = nodePath.resolve(v.config);
  const project = new Project({
    flags: flagSettings({ nginxVersion: v['nginx-version'] }),
    roots: (v.root ?? []).map((r) => nodePath.resolve(r)),
    log: () => undefined,
  });
  const targets = collectTargets([v.config], []);
  if (targets.length !== 1 || targets[0]!.path !== abs) throw new UsageError(`${v.config}: not a file`);
  const why = project.unreadable(abs);
  if (why) throw new UsageError(`${v.config}: ${why}`);
  const [judged] = project.judge(targets);
  if (!judged) throw new UsageError(`${v.config}: cannot be read`);
  const nginxVersion = v['nginx-version'] ?? project.settingsFor(abs).nginxVersion;
  const report = traceUrl(judged.context.analysis, url, { headers, method: v.method, plain: !!v.plain, nginxVersion });
  if (typeof report === 'string') throw new UsageError(report);
  if (v.json) process.stdout.write(`${JSON.stringify({ config: judged.context.rootPath, ...report }, null, 2)}\n`);
  else process.stdout.write(`config: ${judged.context.rootPath}\n${formatTrace(report)}\n`);
  if (v.plain) return 0;
  return report.outcome.kind === 'upgraded' || report.outcome.kind === 'unknown' ? 0 : 1;
}

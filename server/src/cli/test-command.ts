/**
 * `nginx-ws test URL [options]` and `nginx-ws test --config FILE --location PATH [options]`:
 * a real RFC 6455 handshake, exchange and optional idle hold against an
 * endpoint, with the diagnosis the editor shows. Exit 0 when the endpoint
 * works, 1 when it fails, 2 for usage errors.
 */
import { numberFlag, parseCommandArgs, UsageError, withUsage, type Command } from './command';
import type { EndpointTestOptions, EndpointTestResult } from '../wstest/index';
import { maskUrl } from '../wstest/mask';
import { formatDiagnosis, formatReport } from '../wstest/report';
import { endpointRows, loadConfig } from './endpoints-command';
import { realOf } from './project';
import { deriveEndpoint, findingsWithin, locationLabel } from '../engine/index';
import { errorLogFor } from '../nginx/error-log';
import * as nodePath from 'node:path';

const USAGE = `usage: nginx-ws test URL [options]
       nginx-ws test --config FILE --location PATH [--path P] [--base-url URL] [options]

Tests a WebSocket endpoint with a real RFC 6455 handshake, a message
round trip and, optionally, an idle hold. With --config, the URL comes from
the config's location (the file is judged in the config that includes it),
and the report links each verdict to the config line behind it.

options:
  --json                 one JSON object on stdout
  --timeout MS           deadline of each stage (default 10000)
  --idle SECONDS         hold the connection idle and report a close
  --insecure             accept self-signed / untrusted certificates
  --origin O             Origin header
  --header 'K: V'        extra request header (repeatable)
  --protocol P           offered subprotocol (repeatable)
  --backend              also test the proxy_pass target directly (--config only)
  --backend-url URL      also test this backend URL directly
  --cross-origin         repeat the handshake with a foreign Origin
  --cross-origin-origin O  ... with this Origin
  --nginx BINARY         run BINARY -t on --config (--prefix DIR for its prefix)
  --error-log PATH       show the lines this error_log gains during the test
                         (with --config: the location's error_log by default)
  -h, --help             this help

exit codes: 0 the endpoint works, 1 it fails, 2 usage error
`;

export const testCommand: Command = {
  name: 'test',
  synopsis: ['nginx-ws test URL [options]', 'nginx-ws test --config FILE --location PATH [options]'],
  summary: 'RFC 6455 handshake against an endpoint',
  help: USAGE,
  run: (argv) => withUsage('test', () => runChecked(argv)),
};

async function runChecked(argv: string[]): Promise<number> {
  const opts = parseCommandArgs(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    idle: { type: 'string' },
    insecure: { type: 'boolean' },
    origin: { type: 'string' },
    header: { type: 'string', multiple: true },
    protocol: { type: 'string', multiple: true },
    config: { type: 'string' },
    location: { type: 'string' },
    path: { type: 'string' },
    'base-url': { type: 'string' },
    backend: { type: 'boolean' },
    'backend-url': { type: 'string' },
    'cross-origin': { type: 'boolean' },
    'cross-origin-origin': { type: 'string' },
    nginx: { type: 'string' },
    prefix: { type: 'string' },
    'error-log': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const v = opts.values;
  const o: EndpointTestOptions = { url: '' };
  if (v.timeout !== undefined) o.timeoutMs = numberFlag(v.timeout, '--timeout', 'milliseconds', { zeroOk: false });
  if (v.idle !== undefined) o.idleSeconds = numberFlag(v.idle, '--idle', 'seconds');
  o.insecure = !!v.insecure;
  if (v.origin !== undefined) o.origin = v.origin;
  o.headers = (v.header ?? []).map((h) => {
    const i = h.indexOf(':');
    if (i <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h.slice(0, i).trim()))
      throw new UsageError(`--header wants 'Name: value', got '${h}'`);
    return [h.slice(0, i).trim(), h.slice(i + 1).trim()] as [string, string];
  });
  o.protocols = v.protocol ?? [];
  if (v['cross-origin'] || v['cross-origin-origin']) o.crossOriginProbe = v['cross-origin-origin'] ?? true;
  if (v['backend-url']) o.backendUrl = v['backend-url'];
  if (v['error-log']) o.errorLogPath = v['error-log'];

  if (v.config !== undefined) {
    if (opts.positionals.length) throw new UsageError('give either URL or --config FILE --location PATH, not both');
    if (v.location === undefined) throw new UsageError('--config needs --location PATH (nginx-ws endpoints FILE lists them)');
    const { root, file, analysis } = loadConfig(v.config);
    const rows = endpointRows(analysis);
    // The named file's locations first (a piece of a config is judged in the root that includes it).
    const matches = rows
      .filter((r) => r.loc.locationPath === v.location || locationLabel(r.loc) === `location ${v.location}`)
      .sort((a, b) => Number(realOf(b.loc.path) === realOf(file)) - Number(realOf(a.loc.path) === realOf(file)));
    if (!matches.length) {
      const known = rows.map((r) => r.loc.locationPath).join(', ') || 'none';
      throw new UsageError(`no WebSocket location '${v.location}' in ${v.config} (WebSocket locations: ${known})`);
    }
    const { loc } = matches[0]!;
    const derived = deriveEndpoint(loc, analysis.upstreams, { baseUrl: v['base-url'], path: v.path });
    if (!derived.url) throw new UsageError(`cannot derive a URL for ${locationLabel(loc)}: ${derived.notes.join('; ')}`);
    o.url = derived.url;
    if (v.backend && !o.backendUrl) {
      if (!derived.backendUrl) throw new UsageError(`--backend: ${derived.notes.join('; ') || 'no backend address'}`);
      o.backendUrl = derived.backendUrl;
    }
    o.context = { location: loc, findings: findingsWithin(loc, analysis.findings) };
    // The config says where nginx logs; --error-log overrides it.
    if (!o.errorLogPath)
      o.errorLogPath = errorLogFor(analysis, loc, v.prefix ? nodePath.resolve(v.prefix) : nodePath.dirname(root)) ?? undefined;
    if (v.nginx) o.nginx = { binary: v.nginx, configFile: root, prefix: v.prefix };
  } else {
    if (opts.positionals.length !== 1) throw new UsageError(opts.positionals.length ? 'one URL only' : 'no URL given');
    if (v.location !== undefined || v.path !== undefined || v['base-url'] !== undefined)
      throw new UsageError('--location, --path and --base-url need --config FILE');
    if (v.backend) throw new UsageError('--backend needs --config FILE (or use --backend-url URL)');
    if (v.nginx) throw new UsageError('--nginx needs --config FILE');
    o.url = opts.positionals[0]!;
    if (!/^(wss?|https?):\/\/[^/]/i.test(o.url)) throw new UsageError(`not a ws:// or wss:// URL: '${o.url}'`);
  }

  const ac = new AbortController();
  const onSig = (): void => ac.abort();
  process.once('SIGINT', onSig);
  o.signal = ac.signal;
  if (!v.json && process.stderr.isTTY) o.onProgress = (m) => process.stderr.write(`… ${m}\n`);
  let r: EndpointTestResult;
  try {
    // Loaded for a test only: its sockets, TLS, DNS and `ws` cost every other command (a lint) ~15 ms of start-up.
    const { runEndpointTest } = await import('../wstest/index.js');
    r = await runEndpointTest(o);
  } finally {
    process.off('SIGINT', onSig);
  }
  if (v.json) process.stdout.write(JSON.stringify(toJson(r), null, 2) + '\n');
  else process.stdout.write(formatReport(r));
  return r.ok ? 0 : 1;
}

/** The documented `--json` shape of `nginx-ws test`, plus the optional checks when they ran. */
export interface EndpointTestJson {
  url: string;
  ok: boolean;
  stage: EndpointTestResult['stage'];
  status: number | null;
  error: string | null;
  diagnosis: string[];
  timings: Pick<EndpointTestResult['timings'], 'connect' | 'handshake' | 'roundTrip'>;
  closedAfterIdleMs: number | null;
  backend?: Pick<EndpointTestResult, 'url' | 'ok' | 'stage' | 'status' | 'error'>;
  crossOrigin?: NonNullable<EndpointTestResult['crossOrigin']>;
  nginxTest?: NonNullable<EndpointTestResult['nginxTest']>;
  errorLog?: string[];
}

export function toJson(r: EndpointTestResult): EndpointTestJson {
  return {
    url: maskUrl(r.url),
    ok: r.ok,
    stage: r.stage,
    status: r.status,
    error: r.error,
    diagnosis: r.diagnosis.map(formatDiagnosis),
    timings: { connect: r.timings.connect, handshake: r.timings.handshake, roundTrip: r.timings.roundTrip },
    closedAfterIdleMs: r.closedAfterIdleMs,
    ...(r.backend
      ? {
          backend: {
            url: maskUrl(r.backend.url),
            ok: r.backend.ok,
            stage: r.backend.stage,
            status: r.backend.status,
            error: r.backend.error,
          },
        }
      : {}),
    ...(r.crossOrigin ? { crossOrigin: r.crossOrigin } : {}),
    ...(r.nginxTest ? { nginxTest: r.nginxTest } : {}),
    ...(r.errorLog ? { errorLog: r.errorLog } : {}),
  };
}

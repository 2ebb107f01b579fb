/**
 * `nginx-ws test URL [options]` and `nginx-ws test --config FILE --location PATH [options]`:
 * a real RFC 6455 handshake, exchange and optional idle hold against an
 * endpoint, with the diagnosis the editor shows. Exit 0 when the endpoint
 * works, 1 when it fails, 2 for usage errors.
 */
import { parseArgs } from 'node:util';
import { formatDiagnosis, formatReport, maskUrl, runEndpointTest, type EndpointTestOptions, type EndpointTestResult } from '../wstest/index';
import { describeLocation, endpointRows, findingsFor, loadConfig, UsageError } from './endpoints-command';
import { deriveEndpoint } from '../engine/endpoints';
import { errorLogFor } from '../node/error-log';
import * as nodePath from 'node:path';

const USAGE = `usage: nginx-ws test URL [options]
       nginx-ws test --config FILE --location PATH [--path P] [--base-url URL] [options]
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
`;

class Usage extends Error {}

export async function run(argv: string[]): Promise<number> {
  try {
    return await runChecked(argv);
  } catch (e) {
    if (e instanceof Usage || e instanceof UsageError) {
      process.stderr.write(`nginx-ws test: ${e.message}\n${e instanceof Usage && /given|unknown|wants/i.test(e.message) ? USAGE : ''}`);
      return 2;
    }
    throw e;
  }
}

async function runChecked(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
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
      },
    });
  } catch (e) {
    throw new Usage(`${(e as Error).message.split('\n')[0]} (unknown or malformed option)`);
  }
  const v = opts.values;
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const o: EndpointTestOptions = { url: '' };
  if (v.timeout !== undefined) o.timeoutMs = number(v.timeout, '--timeout', 'milliseconds', false);
  if (v.idle !== undefined) o.idleSeconds = number(v.idle, '--idle', 'seconds', true);
  o.insecure = !!v.insecure;
  if (v.origin !== undefined) o.origin = v.origin;
  o.headers = (v.header ?? []).map((h) => {
    const i = h.indexOf(':');
    if (i <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h.slice(0, i).trim())) throw new Usage(`--header wants 'Name: value', got '${h}'`);
    return [h.slice(0, i).trim(), h.slice(i + 1).trim()] as [string, string];
  });
  o.protocols = v.protocol ?? [];
  if (v['cross-origin'] || v['cross-origin-origin']) o.crossOriginProbe = v['cross-origin-origin'] ?? true;
  if (v['backend-url']) o.backendUrl = v['backend-url'];
  if (v['error-log']) o.errorLogPath = v['error-log'];

  if (v.config !== undefined) {
    if (opts.positionals.length) throw new Usage('give either URL or --config FILE --location PATH, not both');
    if (v.location === undefined) throw new Usage('--config needs --location PATH (nginx-ws endpoints FILE lists them)');
    const { root, analysis } = loadConfig(v.config);
    const rows = endpointRows(analysis);
    const matches = rows.filter((r) => r.loc.locationPath === v.location || describeLocation(r.loc) === `location ${v.location}`);
    if (!matches.length) {
      const known = rows.map((r) => r.loc.locationPath).join(', ') || 'none';
      throw new UsageError(`no WebSocket location '${v.location}' in ${v.config} (WebSocket locations: ${known})`);
    }
    const { loc } = matches[0]!;
    const derived = deriveEndpoint(loc, analysis.upstreams, { baseUrl: v['base-url'], path: v.path });
    if (!derived.url) throw new UsageError(`cannot derive a URL for ${describeLocation(loc)}: ${derived.notes.join('; ')}`);
    o.url = derived.url;
    if (v.backend && !o.backendUrl) {
      if (!derived.backendUrl) throw new UsageError(`--backend: ${derived.notes.join('; ') || 'no backend address'}`);
      o.backendUrl = derived.backendUrl;
    }
    o.context = { location: loc, findings: findingsFor(loc, analysis.findings) };
    // The config says where nginx logs; --error-log overrides it.
    if (!o.errorLogPath) o.errorLogPath = errorLogFor(analysis, loc, v.prefix ? nodePath.resolve(v.prefix) : nodePath.dirname(root)) ?? undefined;
    if (v.nginx) o.nginx = { binary: v.nginx, configFile: root, prefix: v.prefix };
  } else {
    if (opts.positionals.length !== 1) throw new Usage(opts.positionals.length ? 'one URL only' : 'no URL given');
    if (v.location !== undefined || v.path !== undefined || v['base-url'] !== undefined) throw new Usage('--location, --path and --base-url need --config FILE');
    if (v.backend) throw new Usage('--backend needs --config FILE (or use --backend-url URL)');
    if (v.nginx) throw new Usage('--nginx needs --config FILE');
    o.url = opts.positionals[0]!;
    if (!/^(wss?|https?):\/\/[^/]/i.test(o.url)) throw new Usage(`not a ws:// or wss:// URL: '${o.url}'`);
  }

  const ac = new AbortController();
  const onSig = (): void => ac.abort();
  process.once('SIGINT', onSig);
  o.signal = ac.signal;
  if (!v.json && process.stderr.isTTY) o.onProgress = (m) => process.stderr.write(`… ${m}\n`);
  let r: EndpointTestResult;
  try {
    r = await runEndpointTest(o);
  } finally {
    process.off('SIGINT', onSig);
  }
  if (v.json) process.stdout.write(JSON.stringify(toJson(r), null, 2) + '\n');
  else process.stdout.write(formatReport(r));
  return r.ok ? 0 : 1;
}

function number(raw: string, flag: string, unit: string, zeroOk: boolean): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (!zeroOk && n === 0)) throw new Usage(`${flag} wants ${zeroOk ? 'a non-negative' : 'a positive'} number of ${unit}, got '${raw}'`);
  return n;
}

/** The documented `--json` shape, plus the optional checks when they ran. */
export function toJson(r: EndpointTestResult): Record<string, unknown> {
  return {
    url: maskUrl(r.url),
    ok: r.ok,
    stage: r.stage,
    status: r.status,
    error: r.error,
    diagnosis: r.diagnosis.map(formatDiagnosis),
    timings: { connect: r.timings.connect, handshake: r.timings.handshake, roundTrip: r.timings.roundTrip },
    closedAfterIdleMs: r.closedAfterIdleMs,
    ...(r.backend ? { backend: { url: maskUrl(r.backend.url), ok: r.backend.ok, stage: r.backend.stage, status: r.backend.status, error: r.backend.error } } : {}),
    ...(r.crossOrigin ? { crossOrigin: r.crossOrigin } : {}),
    ...(r.nginxTest ? { nginxTest: r.nginxTest } : {}),
    ...(r.errorLog ? { errorLog: r.errorLog } : {}),
  };
}

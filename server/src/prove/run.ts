/**
 * A local proof, start to end: analyse the config as the editor sees it,
 * plan the copy (plan.ts), write it into a private temporary prefix, start
 * the strict echo backend, `nginx -t`, nginx in the foreground, the same
 * handshake + message round trip + idle hold as the endpoint test, then stop
 * nginx and the backend and remove the prefix whatever happened (a cancel,
 * a crash of nginx, an exception here). Never throws: every failure is a result.
 */
import { constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import {
  analyze,
  DEFAULT_SETTINGS,
  type Analysis,
  type WsLocation,
  findingsWithin,
  locationLabel,
  enclosing,
  own,
  type Scope,
  locationPath,
  locationContext,
  isKnownDirectiveName,
  lookupDirective,
  notInVersion,
} from '../engine/index';
import { diskHost } from '../node/file-host';
import { globFiles } from '../node/glob';
import { runEndpointTest } from '../wstest/index';
import type { ContextFinding } from '../wstest/types';
import { generateCert } from './certs';
import { backendDiagnosis, diagnoseNginxFailure, nginxMessages } from './diagnose';
import { startEchoBackend, type EchoBackend } from './echo-backend';
import { fileWith, findNginx, nginxInfo } from '../nginx/binary';
import { nginxTestCopy, startNginx, StartError, groupAlive, type NginxArgs, type RunningNginx } from '../nginx/process';
import { plan as makePlan, splitTarget, type Plan, type PlanEnv } from './plan';
import { freePorts, ipv6Loopback } from './ports';
import type { ProofOptions, ProofResult, ProofStage } from './types';

export const DEFAULT_PROOF_TIMEOUT_MS = 10_000;
const MAX_DISABLE_ROUNDS = 12;
const MAX_PORT_ROUNDS = 3;
const MAX_LOG_LINES = 60;
const MIN_NGINX_TIMEOUT_MS = 60_000;

class Stop extends Error {
  constructor(
    readonly stage: ProofStage,
    message: string,
  ) {
    super(message);
  }
}

/** Prefixes of proofs still running: removed if this process exits before their own cleanup. */
const livePrefixes = new Set<string>();
let exitHook = false;
function trackPrefix(p: string): void {
  livePrefixes.add(p);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const x of livePrefixes) rmSync(x, { recursive: true, force: true });
    });
  }
}

function emptyResult(): ProofResult {
  return {
    ok: false,
    stage: 'setup',
    status: null,
    error: null,
    location: null,
    url: null,
    connectedTo: null,
    rewrites: [],
    caveats: [],
    readInPlace: [],
    standsBehind: '',
    nginx: null,
    nginxTest: null,
    test: null,
    backend: null,
    errorLog: [],
    diagnosis: [],
    findings: [],
    timings: { setup: null, nginxTest: null, start: null, test: null, cleanup: null },
    cleanup: { nginxStopped: true, backendStopped: true, prefixRemoved: true, leftovers: [] },
    prefix: null,
    ports: [],
  };
}

/**
 * The location the options name: file and line of its `location` directive, or its path. A WebSocket
 * location first; any other location too (one whose `proxy_pass` is misspelt is not a WebSocket location
 * for the linter, and the proof is how you find out why).
 */
export function pickLocation(analysis: Analysis, sel: ProofOptions['location']): WsLocation | null {
  const byPath = (l: WsLocation): boolean =>
    sel.path !== undefined && (l.locationPath === sel.path || locationLabel(l) === `location ${sel.path}`);
  // A file and a line name one location; a file and a path prefer that file's, then any file's.
  const tries: ((l: WsLocation) => boolean)[] =
    sel.file !== undefined && sel.line !== undefined
      ? [(l) => l.path === sel.file && l.directive.range.start.line + 1 === sel.line]
      : sel.file !== undefined
        ? [(l) => l.path === sel.file && byPath(l), byPath]
        : [byPath];
  const others = (analysis.model.scopes.get('location') ?? []).map(asLocation).filter((l): l is WsLocation => l !== null);
  for (const t of tries) {
    const hit = analysis.wsLocations.find(t) ?? others.find(t);
    if (hit) return hit;
  }
  return null;
}

/** Any `location` block in the shape of the engine's WebSocket locations. */
function asLocation(s: Scope): WsLocation | null {
  const d = s.directive;
  if (!d?.block) return null;
  const { modifier, path } = locationPath(d);
  const server = enclosing(s, 'server');
  return {
    path: d.file.uri,
    directive: d,
    get range() {
      return d.file.rangeOf(d.start, d.block ? d.block.start : d.end);
    },
    locationPath: path,
    modifier,
    intent: 'recipe',
    server: server?.directive ?? null,
    serverDirectives: server?.items ?? [],
    proxyPass: own(s, 'proxy_pass')[0] ?? null,
  };
}

/** The planner's view of this machine: what can be read, what exists, the disk's texts, globs. */
export function localEnv(isRoot: boolean, ipv6: boolean): PlanEnv {
  return {
    readable: (p) => fileWith(p, constants.R_OK),
    exists: existsSync,
    diskText: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    glob: globFiles,
    isRoot,
    ipv6,
  };
}

/** nginx's routine start and stop notices say nothing about the config: left out of the report. */
const ROUTINE = /\[(notice|debug)\]/;

function tailLines(path: string, max: number): string[] {
  try {
    const st = statSync(path);
    const from = Math.max(0, st.size - 64 * 1024);
    const buf = readFileSync(path).subarray(from);
    return buf
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !ROUTINE.test(l))
      .slice(-max);
  } catch {
    return [];
  }
}

export async function runProof(o: ProofOptions): Promise<ProofResult> {
  const r = emptyResult();
  const timeoutMs =
    typeof o.timeoutMs === 'number' && o.timeoutMs > 0 && Number.isFinite(o.timeoutMs) ? o.timeoutMs : DEFAULT_PROOF_TIMEOUT_MS;
  // nginx loading a large config takes seconds (8 s for `nginx -t` on 1.5 MB here): its own steps get at least a minute.
  const nginxTimeoutMs = Math.max(timeoutMs, MIN_NGINX_TIMEOUT_MS);
  const idleSeconds = typeof o.idleSeconds === 'number' && o.idleSeconds > 0 && Number.isFinite(o.idleSeconds) ? o.idleSeconds : 0;
  const progress = (m: string): void => {
    try {
      o.onProgress?.(m);
    } catch {
      // A failing progress callback must not fail the proof.
    }
  };
  const aborted = (): void => {
    if (o.signal?.aborted) throw new Stop(r.stage, 'cancelled');
  };
  let prefix: string | null = null;
  let backend: EchoBackend | null = null;
  let nginx: RunningNginx | null = null;
  let thePlan: Plan | null = null;
  let analysis: Analysis | null = null;
  let loc: WsLocation | null = null;
  let phase = Date.now();
  let startupLog: string | null = null;
  try {
    aborted();
    // --- setup
    progress('Reading the config');
    const binary = findNginx(o.nginx);
    if (!binary)
      throw new Stop('setup', `no nginx binary found for "${o.nginx}" (nginxWs.nginxPath / --nginx): the proof runs a real nginx`);
    const info = await nginxInfo(binary);
    r.nginx = { binary, version: info.version };
    const host = o.host ?? diskHost();
    const settings = o.settings ?? DEFAULT_SETTINGS;
    analysis = analyze(o.root, host, settings);
    if (!analysis.files.has(o.root)) throw new Stop('setup', `cannot read ${o.root}`);
    loc = pickLocation(analysis, o.location);
    if (!loc) {
      const known = analysis.wsLocations.map((l) => l.locationPath).join(', ') || 'none';
      throw new Stop(
        'setup',
        `no WebSocket location ${o.location.path ?? `at ${o.location.file}:${o.location.line}`} in ${o.root} (WebSocket locations: ${known})`,
      );
    }
    const ctxLoc = locationContext(loc);
    r.location = { path: ctxLoc.path, line: ctxLoc.line, text: ctxLoc.text };
    const findings: ContextFinding[] = o.findings ?? findingsWithin(loc, analysis.findings);
    r.findings = findings;
    const target = loc.proxyPass?.arg(0);
    const t = target ? splitTarget(target) : null;
    const echoTls = !!t && /^(https|grpcs)$/i.test(t.scheme);

    prefix = mkdtempSync(nodePath.join(o.tmpDir ?? tmpdir(), 'nginx-ws-proof-'));
    trackPrefix(prefix);
    r.prefix = prefix;
    const v6 = await ipv6Loopback();
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const env = localEnv(isRoot, v6);
    const disabled = new Set<string>();
    const disabledModules = new Set<string>();
    let certMade = false;
    let portRounds = 0;

    for (let round = 0; ; round++) {
      aborted();
      if (round >= MAX_DISABLE_ROUNDS) throw new Stop('nginx-t', 'nginx -t keeps failing on directives this nginx does not have');
      // A dry run of the plan counts the ports it takes (each listen of the proven server, each other address:port).
      let need = 0;
      // What both plans share; the dry run and the real one differ only in the ports they are given.
      const planned = {
        analysis,
        root: o.root,
        settings,
        loc,
        requestPath: o.requestPath,
        prefix,
        nginx: info,
        env,
        disabled,
        disabledModules,
      };
      makePlan({ ...planned, echo: { port: 1, tls: echoTls }, ports: () => 2 + need++, parkPort: 1 });
      const ports = await freePorts(need + 2, v6);
      const echoPort = ports.pop()!;
      const parkPort = ports.pop()!;
      r.stage = 'setup';
      thePlan = makePlan({
        ...planned,
        echo: { port: echoPort, tls: echoTls },
        ports: () => {
          const p = ports.shift();
          if (p === undefined) throw new Error('internal: ran out of ports');
          return p;
        },
        parkPort,
      });
      r.rewrites = thePlan.rewrites;
      r.caveats = thePlan.caveats;
      r.readInPlace = thePlan.readInPlace;
      r.ports = [...thePlan.ports, echoPort];
      if (!thePlan.url || !thePlan.connect) throw new Stop('setup', thePlan.urlProblem ?? 'no URL for this location');
      r.url = thePlan.url;
      r.connectedTo = `${thePlan.connect.host.includes(':') ? `[${thePlan.connect.host}]` : thePlan.connect.host}:${thePlan.connect.port}`;

      // The prefix holds only this round's copy.
      for (const d of ['conf', 'ext']) rmSync(nodePath.join(prefix, d), { recursive: true, force: true });
      for (const d of thePlan.dirs) mkdirSync(d, { recursive: true });
      for (const f of thePlan.files) {
        mkdirSync(nodePath.dirname(f.target), { recursive: true });
        writeFileSync(f.target, f.text);
      }
      for (const c of thePlan.copies) {
        mkdirSync(nodePath.dirname(c.to), { recursive: true });
        copyFileSync(c.from, c.to);
      }
      if (thePlan.cert && !certMade) {
        progress('Generating a self-signed certificate');
        await generateCert(thePlan.cert.cert, thePlan.cert.key, thePlan.cert.names, nginxTimeoutMs, o.signal);
        certMade = true;
      }
      aborted();
      if (!backend || backend.port !== echoPort) {
        await backend?.stop();
        backend = null;
        progress('Starting the echo backend');
        backend = await startEchoBackendOn(
          echoPort,
          echoTls && thePlan.cert
            ? { cert: readFileSync(thePlan.cert.cert, 'utf8'), key: readFileSync(thePlan.cert.key, 'utf8') }
            : undefined,
        );
        if (!backend) {
          if (++portRounds > MAX_PORT_ROUNDS) throw new Stop('setup', 'could not bind a loopback port for the echo backend');
          continue;
        }
      }
      r.backend = { address: `127.0.0.1:${echoPort}`, tls: backend.tls, requests: backend.requests };
      r.timings.setup = Date.now() - phase;

      // --- nginx -t
      r.stage = 'nginx-t';
      phase = Date.now();
      progress('Running nginx -t on the copy');
      startupLog = info.hasDashE ? nodePath.join(prefix, 'logs', 'startup.log') : null;
      const args: NginxArgs = { binary, prefix, confPath: thePlan.confPath, globals: thePlan.globals, startupLog };
      const test = await nginxTestCopy(args, nginxTimeoutMs, o.signal);
      aborted();
      const shown = { ok: test.ok, output: thePlan.toOriginal(test.output) };
      if (!test.ok) {
        const missing = modulesMissing(test.output, analysis, info.version ?? '');
        if (missing.names.length || missing.modules.length) {
          for (const n of missing.names) disabled.add(n);
          for (const m of missing.modules) disabledModules.add(m);
          continue;
        }
        r.nginxTest = shown;
        r.timings.nginxTest = Date.now() - phase;
        throw new Stop('nginx-t', `nginx -t rejects the config: ${firstFatal(shown.output)}`);
      }
      r.nginxTest = shown;
      r.timings.nginxTest = Date.now() - phase;

      // --- start
      r.stage = 'start';
      phase = Date.now();
      progress('Starting nginx');
      try {
        nginx = await startNginx(args, nodePath.join(prefix, 'run', 'nginx.pid'), nginxTimeoutMs, o.signal);
      } catch (e) {
        const out = e instanceof StartError ? e.output : '';
        if (/Address already in use/.test(out) && ++portRounds <= MAX_PORT_ROUNDS) continue;
        aborted();
        const logText = [...(startupLog ? tailLines(startupLog, 20) : []), ...thePlan.errorLogs.flatMap((p) => tailLines(p, 20))].join(
          '\n',
        );
        r.errorLog = thePlan
          .toOriginal(`${out}\n${logText}`)
          .split('\n')
          .filter((l) => l.trim())
          .slice(-MAX_LOG_LINES);
        throw new Stop('start', `nginx did not start: ${firstFatal(thePlan.toOriginal(out + '\n' + logText)) || (e as Error).message}`);
      }
      r.timings.start = Date.now() - phase;
      break;
    }

    // --- the endpoint test through the local nginx
    phase = Date.now();
    const plan = thePlan;
    r.stage = 'dns';
    progress(`Testing ${plan.url} through the local nginx`);
    const res = await runEndpointTest({
      url: plan.url!,
      connectTo: plan.connect!,
      timeoutMs,
      idleSeconds,
      // The certificate is the generated one, or the user's for a name that is not this machine.
      insecure: true,
      errorLogPath: plan.locationLog,
      signal: o.signal,
      onProgress: progress,
      context: { location: ctxLoc, findings },
    });
    r.timings.test = Date.now() - phase;
    r.test = res;
    r.ok = res.ok;
    r.stage = res.stage;
    r.status = res.status;
    r.error = res.ok ? null : res.error;
    r.diagnosis = [...res.diagnosis];
    const bd = backendDiagnosis(backend.requests, ctxLoc.proxyPass ? { path: ctxLoc.proxyPass.path, line: ctxLoc.proxyPass.line } : null);
    if (!res.ok && bd) r.diagnosis.push(bd);
  } catch (e) {
    r.ok = false;
    if (e instanceof Stop) {
      r.stage = e.stage;
      r.error = e.message;
    } else {
      r.error = `the proof could not run: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (r.error === 'cancelled') r.diagnosis = [{ message: 'the proof was cancelled before it finished' }];
    else if (r.stage === 'nginx-t' && r.nginxTest && analysis) r.diagnosis = diagnoseNginxFailure(r.nginxTest.output, analysis.findings);
    else if (r.stage === 'start' && analysis) r.diagnosis = diagnoseNginxFailure(r.errorLog.join('\n'), analysis.findings);
    else r.diagnosis = [{ message: r.error ?? 'unknown error', path: r.location ? loc?.path : undefined, line: r.location?.line }];
  } finally {
    // --- stop everything, remove the prefix: whatever happened.
    const c0 = Date.now();
    if (nginx) {
      r.cleanup.nginxStopped = await nginx.stop();
      if (!r.cleanup.nginxStopped) r.cleanup.leftovers.push(`nginx process group ${nginx.pid}`);
    }
    if (thePlan && prefix) {
      const lines: string[] = [];
      if (startupLog) lines.push(...tailLines(startupLog, MAX_LOG_LINES));
      for (const p of thePlan.errorLogs) lines.push(...tailLines(p, MAX_LOG_LINES));
      if (lines.length)
        r.errorLog = thePlan
          .toOriginal(lines.join('\n'))
          .split('\n')
          .filter((l) => l.trim())
          .slice(-MAX_LOG_LINES);
    }
    if (backend) {
      await backend.stop();
      r.cleanup.backendStopped = true;
    }
    if (prefix) {
      try {
        rmSync(prefix, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // Reported below.
      }
      r.cleanup.prefixRemoved = !existsSync(prefix);
      if (r.cleanup.prefixRemoved) livePrefixes.delete(prefix);
      else r.cleanup.leftovers.push(prefix);
    }
    if (nginx && groupAlive(nginx.pid)) r.cleanup.leftovers.push(`nginx process group ${nginx.pid}`);
    r.timings.cleanup = Date.now() - c0;
    r.standsBehind = standsBehind(r, idleSeconds);
  }
  return r;
}

/** Starts the echo backend on a chosen port; null when the port was taken meanwhile. */
async function startEchoBackendOn(port: number, tls?: { cert: string; key: string }): Promise<EchoBackend | null> {
  try {
    return await startEchoBackend({ tls, port });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return null;
    throw e;
  }
}

function firstFatal(output: string): string {
  const m = nginxMessages(output).find((x) => x.level === 'emerg' || x.level === 'alert' || x.level === 'crit');
  if (m) return `${m.message.trim()}${m.file ? ` in ${m.file}:${m.line}` : ''}`;
  return output.trim().split('\n').pop() ?? '';
}

/**
 * `unknown directive "x"` for a directive nginx documents or a well-known third-party module has (this
 * nginx lacks the module: disable it and run again), and `dlopen()` failures of load_module. A name
 * nobody knows is the config's own mistake and fails the proof.
 */
function modulesMissing(output: string, analysis: Analysis, version: string): { names: string[]; modules: string[] } {
  const names: string[] = [];
  const modules: string[] = [];
  for (const m of nginxMessages(output)) {
    if (m.level !== 'emerg') continue;
    const u = /^unknown directive "([^"]+)"/.exec(m.message);
    // A directive newer than this nginx (`http2 on` on 1.22) is no missing module: this nginx rejects the config.
    if (u && (isKnownDirectiveName(u[1]!) || lookupDirective(u[1]!).length) && !notInVersion(u[1]!, version)) names.push(u[1]!);
    const dl = /dlopen\(\) "([^"]+)" failed/.exec(m.message);
    if (dl) {
      for (const f of analysis.files.values()) {
        for (const d of f.walk()) {
          const v = d.name === 'load_module' ? d.arg(0) : undefined;
          if (v && (dl[1] === v || dl[1]!.endsWith(`/${v}`) || dl[1]!.endsWith(`/${nodePath.basename(v)}`))) modules.push(v);
        }
      }
    }
  }
  return { names, modules };
}

/** One paragraph: what this result proves, and what it does not. */
export function standsBehind(r: ProofResult, idleSeconds: number): string {
  const parts: string[] = [];
  const onPath = r.caveats.filter((c) => c.onPath);
  if (r.stage === 'setup') return 'Nothing was proven: the proof stopped before nginx ran.';
  if (r.stage === 'nginx-t') {
    parts.push(
      'nginx -t rejected the config as written (only the rewrites listed changed it): the same config fails to load on a server with this nginx.',
    );
  } else if (r.stage === 'start') {
    parts.push('nginx accepted the config but could not start with it here; see the error log.');
  } else if (r.ok) {
    parts.push(
      `Proven: this location upgrades a WebSocket through nginx ${r.nginx?.version ?? ''} as configured, and a message makes the round trip${idleSeconds > 0 ? `; the connection survives ${idleSeconds} s idle` : ''}.`.replace(
        '  ',
        ' ',
      ),
    );
  } else {
    parts.push(
      `Proven broken: nginx ${r.nginx?.version ?? ''} with this config fails at ${r.stage}${r.status !== null ? ` (HTTP ${r.status})` : ''} in front of a strict RFC 6455 backend.`.replace(
        '  ',
        ' ',
      ),
    );
  }
  if (r.stage !== 'nginx-t')
    parts.push('The backend is a stand-in echo server: the proof shows what nginx passes on, not that your application accepts it.');
  if (onPath.length)
    parts.push(
      `It ran without ${onPath.length === 1 ? 'one thing' : `${onPath.length} things`} on this location's path (${onPath.map((c) => c.message).join('; ')}): the result does not cover ${onPath.length === 1 ? 'it' : 'them'}.`,
    );
  else if (r.caveats.length)
    parts.push(`What could not run here (${r.caveats.length}) is outside this location's path and does not change the result.`);
  if (r.nginx?.version) parts.push(`Other nginx versions may differ (this is ${r.nginx.version}).`);
  return parts.join(' ');
}

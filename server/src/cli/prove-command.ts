/**
 * `nginx-ws prove --config FILE --location PATH [--path P] [--idle S] [--json]`:
 * runs the config in a private local nginx (loopback ports, a temporary
 * prefix, a strict echo backend in place of the location's backend) and
 * proves the location with a real WebSocket handshake through it. FILE may be
 * a piece of a config: it is judged in the config that includes it, as the
 * editor judges it. Exit 0 when it passes, 1 when it fails, 2 for usage errors.
 */
import * as nodePath from 'node:path';
import { numberFlag, parseCommandArgs, UsageError, withUsage, type Command } from './command';
import { collectTargets, flagSettings, Project } from './project';

const HELP = `usage: nginx-ws prove --config FILE --location PATH [options]

Runs the config in a private local nginx (free loopback ports, a temporary
prefix removed afterwards, a strict echo backend in place of the location's
backend) and proves the location with a real WebSocket handshake through it.
Only what cannot run here is changed; the report lists each change, what the
backend received, and what the proof stands behind. FILE may be a piece of a
config: it is judged in the config that includes it.

options:
  --path P          a concrete request path (regex locations need one)
  --idle SECONDS    hold the connection idle and report a close
  --json            one JSON object on stdout
  --nginx BINARY    the nginx to run (default: nginx on PATH)
  --timeout MS      deadline of each handshake stage (default 10000;
                    nginx -t and start-up get at least 60 s)
  --prefix DIR      the config prefix relative includes resolve against
                    (nginx's conf folder; default: the config's folder)
  --root FILE       a whole config that includes FILE (repeatable)
  -h, --help        this help

exit codes: 0 proven, 1 the proof fails, 2 usage error
`;

export const proveCommand: Command = {
  name: 'prove',
  synopsis: ['nginx-ws prove --config FILE --location PATH [--path P] [--idle S] [--json]'],
  summary: 'run the config in a private local nginx and test the handshake through it',
  help: HELP,
  run: (argv) => withUsage('prove', () => run(argv)),
};

async function run(argv: string[]): Promise<number> {
  const opts = parseCommandArgs(argv, {
    config: { type: 'string' },
    location: { type: 'string' },
    path: { type: 'string' },
    idle: { type: 'string' },
    json: { type: 'boolean' },
    nginx: { type: 'string' },
    timeout: { type: 'string' },
    prefix: { type: 'string' },
    root: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  const v = opts.values;
  if (opts.positionals.length) throw new UsageError(`unexpected argument '${opts.positionals[0]}' (the config is --config FILE)`);
  if (v.config === undefined) throw new UsageError('--config FILE is required');
  if (v.location === undefined) throw new UsageError('--location PATH is required (nginx-ws endpoints FILE lists them)');
  const idleSeconds = v.idle !== undefined ? numberFlag(v.idle, '--idle', 'seconds') : 0;
  const timeoutMs = v.timeout !== undefined ? numberFlag(v.timeout, '--timeout', 'milliseconds', { zeroOk: false }) : undefined;
  if (v.path !== undefined && !v.path.startsWith('/')) throw new UsageError(`--path wants a request path starting with /, got '${v.path}'`);

  // The config FILE belongs to, judged as the editor judges it; a missing file or location is a usage error, not a failed proof.
  const file = nodePath.resolve(v.config);
  const project = new Project({
    flags: flagSettings({ prefix: v.prefix ? nodePath.resolve(v.prefix) : undefined }),
    roots: (v.root ?? []).map((r) => nodePath.resolve(r)),
    log: () => undefined,
  });
  const targets = collectTargets([v.config], []);
  if (targets.length !== 1 || targets[0]!.path !== file) throw new UsageError(`${v.config}: not a file`);
  const why = project.unreadable(file);
  if (why) throw new UsageError(`${v.config}: ${why}`);
  // Loaded for a proof only: nginx, certificates and the echo backend cost every other command (a lint) start-up time.
  const { formatProof, pickLocation, proofJson, runProof } = await import('../prove/index.js');
  const [judged] = project.judge(targets);
  if (!judged) throw new UsageError(`${v.config}: cannot be read`);
  const { rootPath, docKey, analysis } = judged.context;
  const location = { file: docKey, path: v.location };
  if (!pickLocation(analysis, location)) {
    const known = analysis.wsLocations.map((l) => l.locationPath).join(', ') || 'none';
    throw new UsageError(`no location '${v.location}' in ${v.config} (WebSocket locations: ${known})`);
  }

  const ac = new AbortController();
  const onSig = (): void => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  try {
    const r = await runProof({
      root: rootPath,
      settings: project.settingsFor(file),
      location,
      requestPath: v.path,
      idleSeconds,
      timeoutMs,
      nginx: v.nginx ?? 'nginx',
      signal: ac.signal,
      onProgress: !v.json && process.stderr.isTTY ? (m) => process.stderr.write(`… ${m}\n`) : undefined,
    });
    process.stdout.write(v.json ? `${JSON.stringify(proofJson(r), null, 2)}\n` : formatProof(r));
    return r.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

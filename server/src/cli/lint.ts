/**
 * `nginx-ws lint [options] PATH...`: each nginx file judged in the config
 * that includes it, found the way the editor finds it, so the CLI and the
 * editor report the same findings file by file (a test holds them to it).
 */
import * as nodePath from 'node:path';
import { readSync } from 'node:fs';
import { type Finding, type Severity, RULES, SUPPRESSION_CODE } from '../engine/index';
import { decode } from '../node/bytes';
import { isNginxDump, splitNginxDump, type Dump } from '../node/nginx-dump';
import { VERSION_RE } from '../node/settings-file';
import { choiceFlag, numberFlag, parseCommandArgs, UsageError, withUsage, type Command } from './command';
import { fixTargets, wanted } from './fix';
import { collectTargets, displayPath, flagSettings, Project, type Judged, type Target } from './project';
import { toSarif } from './sarif';
import { version } from './version';

const LEVELS = ['error', 'warning', 'information', 'hint'] as const;
const FAIL_ON = [...LEVELS, 'never'] as const;

const HELP = `usage: nginx-ws lint [options] PATH...
       nginx -T | nginx-ws lint [options] -

Checks nginx configs for WebSocket proxying mistakes. PATH is a file, a folder
(walked for nginx files: *.conf, nginx.conf, *.nginx, *.nginxconf,
*.conf.template, anything in sites-available/, sites-enabled/, conf.d/;
symlinks followed), or - for stdin (an nginx -T dump is split back into its
files). Each file is judged in the config that includes it, as the editor
judges it: --root, else the configRoots of the nearest .nginx-ws.json, else
nginx.conf and other whole configs in the project folder, else an nginx.conf
up to three folders above the file.

output:
  -f, --format FORMAT      text (default), json or sarif
  --fail-on LEVEL          exit 1 when a finding is this severe or more:
                           error (default), warning, information, hint, never
  --max-warnings N         also exit 1 when there are more than N warnings
  --rule ID                only this rule, reported and fixed (repeatable)
config:
  --root FILE              a whole config that includes the files (repeatable)
  --project DIR            where whole configs are searched (default: the
                           .nginx-ws.json folder, else the current folder)
  --settings FILE          the settings file (default: the nearest
                           .nginx-ws.json above each file)
  --no-settings            ignore .nginx-ws.json files
  --prefix DIR             nginx's prefix for relative includes (nginx -p)
  --nginx-version V        the nginx version deployed, e.g. 1.24.0
  --threshold SECONDS      report a proxy_read_timeout below this (default 60)
  --stdin-filename PATH    with -: the file the text on stdin stands for
fixing:
  --fix                    apply the fixes in place (atomically)
  --fix-level LEVEL        fix findings this severe or more: error, warning
                           (default), information, hint
  --dry-run                print the fixes as a unified diff, write nothing
  -h, --help               this help

exit codes: 0 clean, 1 findings at the --fail-on level or too many warnings,
2 usage error, nothing to lint, or a file that cannot be read or written
`;

export const lintCommand: Command = {
  name: 'lint',
  synopsis: ['nginx-ws lint [options] PATH...', 'nginx -T | nginx-ws lint [options] -'],
  summary: 'check configs, each file in the config that includes it',
  help: HELP,
  run: (argv) => withUsage('lint', () => run(argv)),
};

interface Shown {
  judged: Judged;
  findings: Finding[];
}

function run(argv: string[]): number {
  const { values: v, positionals } = parseCommandArgs(argv, {
    format: { type: 'string', short: 'f' },
    'fail-on': { type: 'string' },
    'max-warnings': { type: 'string' },
    rule: { type: 'string', multiple: true },
    root: { type: 'string', multiple: true },
    project: { type: 'string' },
    settings: { type: 'string' },
    'no-settings': { type: 'boolean' },
    prefix: { type: 'string' },
    'nginx-version': { type: 'string' },
    threshold: { type: 'string' },
    'stdin-filename': { type: 'string' },
    fix: { type: 'boolean' },
    'fix-level': { type: 'string' },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const format = choiceFlag(v.format ?? 'text', '--format', ['text', 'json', 'sarif'] as const);
  const failOn = choiceFlag(v['fail-on'] ?? 'error', '--fail-on', FAIL_ON);
  const maxWarnings =
    v['max-warnings'] === undefined ? undefined : numberFlag(v['max-warnings'], '--max-warnings', 'warnings', { integer: true });
  const fixLevel = choiceFlag(v['fix-level'] ?? 'warning', '--fix-level', LEVELS);
  const known = new Set([...RULES.map((r) => r.id), 'syntax', 'include', SUPPRESSION_CODE]);
  for (const id of v.rule ?? [])
    if (!known.has(id)) throw new UsageError(`--rule: no rule '${id}' (nginx-ws lint knows: ${[...known].join(', ')})`);
  const rules = v.rule?.length ? new Set(v.rule) : undefined;
  if (v['nginx-version'] !== undefined && !VERSION_RE.test(v['nginx-version']))
    throw new UsageError(`--nginx-version wants a version such as 1.24.0, got '${v['nginx-version']}'`);
  const threshold = v.threshold === undefined ? undefined : numberFlag(v.threshold, '--threshold', 'seconds');
  if (v.settings !== undefined && v['no-settings']) throw new UsageError('give --settings FILE or --no-settings, not both');
  const fix = !!v.fix || !!v['dry-run'];
  if (v['fix-level'] !== undefined && !fix) throw new UsageError('--fix-level needs --fix');
  if (!positionals.length) throw new UsageError('no PATH given (a file, a folder, or - for stdin)');
  const stdinCount = positionals.filter((p) => p === '-').length;
  if (stdinCount > 1 || (stdinCount && positionals.length > 1)) throw new UsageError('- (stdin) cannot be combined with other PATHs');
  if (v['stdin-filename'] !== undefined && !stdinCount) throw new UsageError('--stdin-filename needs - as the PATH');
  if (stdinCount && v.fix && !v['dry-run'])
    throw new UsageError('--fix rewrites files, not stdin; use --dry-run to see the changes as a diff');

  const notes: string[] = [];
  let targets: Target[];
  let dump: Dump | undefined;
  const overlay = new Map<string, string>();
  const sources = new Map<string, Buffer>();
  if (stdinCount) {
    const bytes = readStdin();
    const text = decode(bytes).text;
    if (v['stdin-filename'] === undefined && isNginxDump(text)) {
      dump = splitNginxDump(text) ?? undefined;
      if (!dump) throw new UsageError('stdin looks like nginx -T output but holds no file');
      targets = [...dump.files.keys()].map((p) => ({ path: p, display: p }));
      notes.push(`reading an nginx -T dump of ${dump.files.size} file${dump.files.size === 1 ? '' : 's'}, main config ${dump.main}`);
    } else {
      const path = v['stdin-filename'] !== undefined ? nodePath.resolve(v['stdin-filename']) : '<stdin>';
      overlay.set(path, text);
      sources.set(path, bytes);
      targets = [{ path, display: v['stdin-filename'] ?? '<stdin>' }];
    }
  } else {
    targets = collectTargets(positionals, notes);
  }
  if (!targets.length) {
    process.stderr.write(
      `nginx-ws lint: no nginx file found in ${positionals.join(' ')} (nginx-ws lint --help says which names count; name a file to lint it whatever its name)\n`,
    );
    return 2;
  }

  const project = new Project({
    flags: flagSettings({ nginxVersion: v['nginx-version'], prefix: v.prefix ? nodePath.resolve(v.prefix) : undefined }),
    threshold,
    roots: (v.root ?? []).map((r) => nodePath.resolve(r)),
    project: v.project ? nodePath.resolve(v.project) : undefined,
    settingsFile: v['no-settings'] ? false : v.settings ? nodePath.resolve(v.settings) : undefined,
    overlay,
    dump,
    log: () => undefined,
  });
  let status = 0;
  const unreadable = targets.filter((t) => !dump && project.unreadable(t.path));
  for (const t of unreadable) {
    process.stderr.write(`nginx-ws lint: ${t.display}: ${project.unreadable(t.path)}\n`);
    status = 2;
  }
  const readable = targets.filter((t) => !unreadable.includes(t));

  const fixSummary: string[] = [];
  let diff = '';
  if (fix && readable.length) {
    const r = fixTargets(project, readable, { level: fixLevel, rules, dryRun: !!v['dry-run'], sources });
    diff = r.diff;
    for (const [p, n] of r.changed)
      fixSummary.push(`${v['dry-run'] ? 'would fix' : 'fixed'} ${n} problem${n === 1 ? '' : 's'} in ${displayPath(p)}`);
    fixSummary.push(...r.notes);
    for (const f of r.failed) {
      fixSummary.push(f);
      status = 2;
    }
  }

  const byPosition = (a: Finding, b: Finding) =>
    a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
  const shown: Shown[] = project
    .judge(readable)
    .map((judged) => ({ judged, findings: judged.findings.filter((f) => !rules || rules.has(f.code)).sort(byPosition) }));
  for (const p of project.problems) process.stderr.write(`nginx-ws lint: ${p}\n`);
  for (const n of notes) process.stderr.write(`nginx-ws lint: ${n}\n`);
  const rootOf = (j: Judged) => (dump ? j.context.rootPath : displayPath(j.context.rootPath));
  const all = shown.flatMap((s) => s.findings.map((f) => ({ ...f, path: s.judged.target.display, root: rootOf(s.judged) })));

  if (format === 'json') {
    const out = {
      tool: { name: 'nginx-ws', version: version() },
      files: shown.map((s) => ({
        file: s.judged.target.display,
        root: rootOf(s.judged),
        complete: s.judged.context.complete,
        settings: s.judged.settingsFile ? displayPath(s.judged.settingsFile) : null,
      })),
      findings: all.map((f) => ({
        file: f.path,
        root: f.root,
        range: f.range,
        severity: f.severity,
        code: f.code,
        message: f.message,
        fixable: f.fixes.length > 0,
      })),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else if (format === 'sarif') {
    process.stdout.write(
      JSON.stringify(
        toSarif(
          all,
          RULES,
          shown.map((s) => ({ file: s.judged.target.display, root: rootOf(s.judged) })),
          version(),
        ),
        null,
        2,
      ) + '\n',
    );
  } else {
    if (diff) process.stdout.write(diff);
    for (const f of all)
      process.stdout.write(`${f.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code} ${f.message}\n`);
    for (const line of contextLines(shown, rootOf)) process.stderr.write(`${line}\n`);
  }
  if (format !== 'text' && diff) process.stderr.write(diff);
  for (const s of fixSummary) process.stderr.write(`${s}\n`);
  const count = (sev: Severity) => all.filter((f) => f.severity === sev).length;
  const errors = count('error');
  const warnings = count('warning');
  if (format === 'text') {
    process.stderr.write(
      `${shown.length} file${shown.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${all.length - errors - warnings} other\n`,
    );
  }
  if (failOn !== 'never' && all.some((f) => wanted(f, { level: failOn }))) status ||= 1;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    process.stderr.write(`nginx-ws lint: ${warnings} warnings, more than --max-warnings ${maxWarnings}\n`);
    status ||= 1;
  }
  return status;
}

/** Which config each file was judged in, for people: files grouped by root, pieces judged alone named. */
function contextLines(shown: Shown[], rootOf: (j: Judged) => string): string[] {
  const byRoot = new Map<string, string[]>();
  const alone: string[] = [];
  for (const s of shown) {
    const j = s.judged;
    if (j.context.rootPath !== j.target.path) {
      const r = rootOf(j);
      byRoot.set(r, [...(byRoot.get(r) ?? []), j.target.display]);
    } else if (!j.context.complete) alone.push(j.target.display);
  }
  const out: string[] = [];
  for (const [root, files] of byRoot) out.push(`checked in the context of ${root}: ${files.join(', ')}`);
  if (alone.length)
    out.push(`no config includes ${alone.join(', ')}: checked on ${alone.length === 1 ? 'its' : 'their'} own (--root names the config)`);
  return out;
}

/** The most stdin may hold: a dump holds every file of a config, each capped at 20 MB when read from disk. */
export const MAX_STDIN_BYTES = 128 * 1024 * 1024;

/** All of stdin, as bytes (a config or a dump), bounded. */
/** All of stdin, bounded (MAX_STDIN_BYTES); shared with fmt. */
export function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(1 << 20);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw new UsageError(`cannot read stdin: ${(e as Error).message}`);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_STDIN_BYTES)
      throw new UsageError(`stdin holds more than ${MAX_STDIN_BYTES / (1024 * 1024)} MB; lint the files instead`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/**
 * `nginx-ws lint [--format text|json|sarif] PATH...`
 *
 * Directories are walked for nginx files. Files that another given file
 * includes are analysed in their includer's context (so a conf.d snippet sees
 * the http {} around it), the others on their own. Exit 1 when any error is
 * found, 0 otherwise, 2 for usage or I/O problems.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { analyze, DEFAULT_SETTINGS, type EngineSettings, type FileHost, type Finding } from '../engine/index';
import { RULES } from '../engine/rules/index';
import { DiskReader, diskHost } from '../node/file-host';
import { parseArgs } from 'node:util';
import { toSarif } from './sarif';
import { combineFixes } from '../engine/fixes/combine';
import { applyEdits } from '../engine/fixes/edits';

const NGINX_FILE = /(^nginx\.conf$|\.conf$|\.nginx$|\.nginxconf$)/;
const NGINX_DIRS = /(^|\/)(sites-available|sites-enabled|conf\.d)$/;
const SKIP_DIRS = new Set(['node_modules', '.git']);
const USAGE = 'usage: nginx-ws lint [--fix] [--format text|json|sarif] [--nginx-version V] [--threshold SECONDS] PATH...\n';

export async function run(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { fix: { type: 'boolean' }, format: { type: 'string', short: 'f' }, 'nginx-version': { type: 'string' }, threshold: { type: 'string' } },
    });
  } catch (e) {
    process.stderr.write(`nginx-ws lint: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const format = opts.values.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) {
    process.stderr.write(`nginx-ws lint: unknown format '${format}' (text, json or sarif)\n`);
    return 2;
  }
  if (!opts.positionals.length) {
    process.stderr.write(`nginx-ws lint: no PATH given\n${USAGE}`);
    return 2;
  }
  const settings: EngineSettings = { ...DEFAULT_SETTINGS };
  if (opts.values['nginx-version']) settings.nginxVersion = opts.values['nginx-version'];
  if (opts.values.threshold !== undefined) {
    const t = Number(opts.values.threshold);
    if (!Number.isFinite(t) || t < 0) {
      process.stderr.write(`nginx-ws lint: --threshold wants seconds, got '${opts.values.threshold}'\n`);
      return 2;
    }
    settings.idleTimeoutThresholdSeconds = t;
  }

  const files: string[] = [];
  for (const p of opts.positionals) {
    const abs = nodePath.resolve(p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      process.stderr.write(`nginx-ws lint: ${p}: no such file or directory\n`);
      return 2;
    }
    if (st.isDirectory()) walk(abs, files);
    else files.push(abs);
  }

  const disk = new DiskReader();
  const problems: string[] = [];
  const host = diskHost(disk, (path, reason) => {
    if (files.includes(path)) problems.push(`${nodePath.relative(process.cwd(), path) || path}: ${reason}`);
  });

  if (opts.values.fix) {
    const changed = fixFiles(files, host, settings, disk);
    if (changed.length) process.stderr.write(`fixed: ${changed.map((p) => nodePath.relative(process.cwd(), p) || p).join(', ')}\n`);
  }
  const findings = lintFiles(files, host, settings);
  if (problems.length) {
    for (const p of problems) process.stderr.write(`nginx-ws lint: ${p}\n`);
    if (!findings.length) return 2;
  }

  const shown = findings.map((f) => ({ ...f, path: nodePath.relative(process.cwd(), f.path) || f.path }));
  if (format === 'json') {
    const out = shown.map((f) => ({ file: f.path, range: f.range, severity: f.severity, code: f.code, message: f.message }));
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else if (format === 'sarif') {
    process.stdout.write(JSON.stringify(toSarif(shown, RULES), null, 2) + '\n');
  } else {
    for (const f of shown) {
      process.stdout.write(`${f.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code} ${f.message}\n`);
    }
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    process.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${findings.length - errors - warnings} other\n`);
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

/** Analyses the files, each once, in the context of a given file that includes it when there is one. */
export function lintFiles(files: string[], host: FileHost, settings: EngineSettings): Finding[] {
  const analyses = new Map(files.map((f) => [f, analyze(f, host, settings)]));
  const includedByOther = new Set<string>();
  for (const [root, a] of analyses) {
    for (const p of a.files.keys()) if (p !== root) includedByOther.add(p);
  }
  const roots = files.filter((f) => !includedByOther.has(f));
  const covered = new Set(roots.flatMap((r) => [...analyses.get(r)!.files.keys()]));
  // Members of an include cycle are all included by another; the first one seen becomes a root.
  for (const f of files) {
    if (covered.has(f)) continue;
    roots.push(f);
    for (const p of analyses.get(f)!.files.keys()) covered.add(p);
  }
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const r of roots) {
    for (const f of analyses.get(r)!.findings) {
      const k = `${f.path}:${f.range.start.line}:${f.range.start.character}:${f.code}:${f.message}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(f);
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/**
 * Applies the preferred fix of every finding, the way the editor's "fix all"
 * does, a few rounds (a fix can make the next one possible), and writes the
 * files back. Only the given files are written.
 */
function fixFiles(files: string[], host: FileHost, settings: EngineSettings, disk: DiskReader): string[] {
  const changed = new Set<string>();
  for (let round = 0; round < 5; round++) {
    const fixes = lintFiles(files, host, settings)
      .filter((f) => f.fixes.length)
      .map((f) => f.fixes.find((x) => x.isPreferred) ?? f.fixes[0]!);
    const { changes } = combineFixes(fixes);
    let wrote = false;
    for (const c of changes) {
      if (!files.includes(c.path) || !c.edits.length) continue;
      const before = readFileSync(c.path, 'utf8');
      const after = applyEdits(before, c.edits);
      if (after === before) continue;
      writeFileSync(c.path, after);
      disk.invalidate(c.path);
      changed.add(c.path);
      wrote = true;
    }
    if (!wrote) break;
  }
  return [...changed];
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = nodePath.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(p, out);
    } else if (e.isFile() && (NGINX_FILE.test(e.name) || NGINX_DIRS.test(dir))) {
      out.push(p);
    }
  }
}

/**
 * `nginx-ws lint --fix`: the preferred fix of every finding at or above the
 * fix level, as the editor's "fix all" applies them, for a few rounds (a fix
 * can make the next one possible), computed in memory first. Then each
 * changed file is written atomically (node/atomic-write.ts) with only the
 * edited byte ranges changed (node/bytes.ts: bytes that are not UTF-8
 * survive), or, with --dry-run, shown as a unified diff.
 *
 * Never fixed: a file with syntax errors (the engine offers no fix there), a
 * file with a carriage return alone (nginx reads one line where an editor
 * sees several), a fix that would replace non-UTF-8 bytes, a fix that also
 * needs a file the command was not given, and a file that changed on disk
 * since it was read.
 */
import { readFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { type Finding, type Fix, type Severity, combineFixes, BROKEN_FILE_NOTE } from '../engine/index';
import { AtomicWriteError, writeFileAtomic } from '../node/atomic-write';
import { applyEditsToBytes, decode, hasBareCr, NonUtf8EditError } from '../node/bytes';
import { realOf, type Project, type Target } from './project';

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };
const MAX_ROUNDS = 5;

export interface FixOptions {
  /** Fix findings at least this severe. */
  level: Severity;
  /** Only these rules (all when undefined). */
  rules?: Set<string>;
  dryRun: boolean;
  /** Bytes to start from instead of the disk's (the text given on stdin). */
  sources?: Map<string, Buffer>;
}

export interface FixResult {
  /** Files changed (written, or to be written with --dry-run): path → number of fixes applied. */
  changed: Map<string, number>;
  /** One line per thing not fixed, and why. */
  notes: string[];
  /** Unified diffs (with --dry-run). */
  diff: string;
  /** Files that could not be written (the message); they are unchanged. */
  failed: string[];
}

interface FileState {
  bytes: Buffer;
  original: Buffer;
  text: string;
  originalText: string;
  fixes: number;
}

export function fixTargets(project: Project, targets: Target[], opts: FixOptions): FixResult {
  const byReal = new Map(targets.map((t) => [realOf(t.path), t]));
  const targetOf = (p: string) => byReal.get(realOf(p));
  const states = new Map<string, FileState>();
  const notes = new Set<string>();
  const stateOf = (path: string): FileState | string => {
    const known = states.get(path);
    if (known) return known;
    let bytes: Buffer;
    try {
      bytes = opts.sources?.get(path) ?? readFileSync(path);
    } catch (e) {
      return `cannot read it: ${(e as Error).message}`;
    }
    let text: string;
    try {
      text = decode(bytes).text;
    } catch (e) {
      return (e as Error).message;
    }
    if (text !== project.textOf(path)) return 'it changed on disk while it was being checked';
    const s = { bytes, original: bytes, text, originalText: text, fixes: 0 };
    states.set(path, s);
    return s;
  };

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fixes: Fix[] = [];
    for (const j of project.judge(targets)) {
      for (const f of j.findings) {
        if (!wanted(f, opts)) continue;
        if (!f.fixes.length) {
          if (f.message.endsWith(`(${BROKEN_FILE_NOTE})`))
            notes.add(`${j.target.display}: has syntax errors; its problems are not fixed automatically (fix the syntax first)`);
          continue;
        }
        const fix = f.fixes.find((x) => x.isPreferred) ?? f.fixes[0]!;
        const outside = fix.changes.map((c) => c.path).filter((p) => !targetOf(p));
        if (outside.length) {
          notes.add(
            `${j.target.display}:${f.range.start.line + 1}: "${fix.title}" also changes ${outside.join(', ')}, which was not given; lint it too to apply this fix`,
          );
          continue;
        }
        fixes.push(fix);
      }
    }
    const { changes } = combineFixes(fixes);
    let applied = 0;
    for (const c of changes) {
      if (!c.edits.length) continue;
      const target = targetOf(c.path)!;
      const path = target.path;
      const st = stateOf(path);
      if (typeof st === 'string') {
        notes.add(`${target.display}: not fixed: ${st}`);
        continue;
      }
      if (hasBareCr(st.text)) {
        notes.add(
          `${target.display}: not fixed: it has carriage returns without line feeds (nginx reads such a file as fewer lines than an editor shows)`,
        );
        continue;
      }
      let next: Buffer;
      try {
        next = applyEditsToBytes(st.bytes, decode(st.bytes), c.edits);
      } catch (e) {
        if (!(e instanceof NonUtf8EditError)) throw e;
        notes.add(`${target.display}: not fixed: ${e.message}`);
        continue;
      }
      if (next.equals(st.bytes)) continue;
      st.bytes = next;
      st.text = decode(next).text;
      st.fixes += fixes.filter((x) => x.changes.some((ch) => ch.path === c.path)).length;
      project.setText(path, st.text);
      applied++;
    }
    if (!applied) break;
  }

  const changed = new Map<string, number>();
  const failed: string[] = [];
  let diff = '';
  for (const [path, st] of states) {
    if (st.bytes.equals(st.original)) continue;
    const display = targetOf(path)!.display;
    changed.set(path, st.fixes);
    if (opts.dryRun) {
      diff += createTwoFilesPatch(`a/${display}`, `b/${display}`, st.originalText, st.text, '', '', { context: 3 }).replace(/^=+\n/, '');
      continue;
    }
    try {
      writeFileAtomic(path, st.bytes);
      project.disk.invalidate(path);
      project.overlay.delete(path);
    } catch (e) {
      if (!(e instanceof AtomicWriteError)) throw e;
      failed.push(`cannot write ${display}: ${e.reason}`);
      changed.delete(path);
      // What is analysed next is what is on disk: the original.
      project.setText(path, st.originalText);
    }
  }
  return { changed, notes: [...notes], diff, failed };
}

export function wanted(f: Finding, opts: { level: Severity; rules?: Set<string> }): boolean {
  return RANK[f.severity] <= RANK[opts.level] && (!opts.rules || opts.rules.has(f.code));
}

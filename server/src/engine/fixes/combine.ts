/**
 * Merges many fixes into one edit set that can be applied at once: identical
 * edits are kept once (two rules may both add the same `map` block), and a fix
 * whose edits would overlap an already accepted one is skipped as a whole (a
 * half-applied fix could leave the config worse). A fix that `rereads` its
 * file comes first, and the other fixes of that file wait: they were computed
 * on the old reading. Skipped fixes show up again on the next analysis.
 */
import type { FileEdit, Fix, Position, Range, TextEdit } from '../types';
import { sameEdit } from './edits';

export interface CombinedFixes {
  changes: FileEdit[];
  applied: number;
  skipped: number;
}

export function combineFixes(fixes: Fix[]): CombinedFixes {
  const byPath = new Map<string, TextEdit[]>();
  const seen = new Set<string>();
  let applied = 0;
  let skipped = 0;
  // A fix that changes how nginx reads its file goes first; the other fixes of that file wait for the next round.
  const rereading = new Set<string>();
  for (const fix of [...fixes.filter((f) => f.rereads), ...fixes.filter((f) => !f.rereads)]) {
    if (!fix.rereads && fix.changes.some((c) => rereading.has(c.path))) {
      skipped++;
      continue;
    }
    const fresh: { path: string; edit: TextEdit }[] = [];
    let conflict = false;
    for (const change of fix.changes) {
      const accepted = byPath.get(change.path) ?? [];
      for (const edit of change.edits) {
        const key = `${change.path}\u0000${rangeKey(edit.range)}\u0000${edit.newText}`;
        if (seen.has(key) || fresh.some((f) => f.path === change.path && sameEdit(f.edit, edit))) continue;
        if (
          accepted.some((a) => overlaps(a.range, edit.range)) ||
          fresh.some((f) => f.path === change.path && overlaps(f.edit.range, edit.range))
        ) {
          conflict = true;
          break;
        }
        fresh.push({ path: change.path, edit });
      }
      if (conflict) break;
    }
    if (conflict) {
      skipped++;
      continue;
    }
    applied++;
    if (fix.rereads) for (const c of fix.changes) rereading.add(c.path);
    for (const { path, edit } of fresh) {
      seen.add(`${path}\u0000${rangeKey(edit.range)}\u0000${edit.newText}`);
      const list = byPath.get(path) ?? [];
      list.push(edit);
      byPath.set(path, list);
    }
  }
  const changes: FileEdit[] = [];
  for (const [path, edits] of byPath) {
    // Stable: insertions at the same position keep the order their fixes came in.
    changes.push({
      path,
      edits: edits
        .map((e, i) => ({ e, i }))
        .sort((a, b) => cmp(a.e.range.start, b.e.range.start) || a.i - b.i)
        .map((x) => x.e),
    });
  }
  return { changes, applied, skipped };
}

function cmp(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** Edits conflict when they replace overlapping text, or one inserts strictly inside text the other replaces. */
export function overlaps(a: Range, b: Range): boolean {
  const aEmpty = cmp(a.start, a.end) === 0;
  const bEmpty = cmp(b.start, b.end) === 0;
  if (aEmpty && bEmpty) return false;
  if (aEmpty) return cmp(b.start, a.start) < 0 && cmp(a.start, b.end) < 0;
  if (bEmpty) return cmp(a.start, b.start) < 0 && cmp(b.start, a.end) < 0;
  return cmp(a.start, b.end) < 0 && cmp(b.start, a.end) < 0;
}

/**
 * Fixes never edit a file with syntax errors: where the parser had to guess
 * (an unterminated string, a missing `;` or `}`), an inserted line can land
 * inside a string or in the wrong block. Applied where an analysis's
 * findings are assembled, so the editor's quick fixes and `nginx-ws lint
 * --fix` both hold to it; the finding stays, without its fixes, and says why.
 * A fix that `rereads` the file (lookalike-whitespace's) needs no block
 * structure and stays: the syntax errors may be its very effect.
 */
import type { SourceFile } from '../syntax/ast';
import type { Finding, Fix } from '../types';

export const BROKEN_FILE_NOTE = 'no automatic fix while the file has syntax errors';

/** `findings` with the fixes that would edit a file with syntax errors removed. */
export function withoutFixesInBrokenFiles(findings: Finding[], files: Map<string, SourceFile>): Finding[] {
  const broken = new Set<string>();
  for (const [path, file] of files) if (file.errors.length) broken.add(path);
  if (broken.size === 0) return findings;
  return findings.map((f) => {
    const withheld = (x: Fix) => !x.rereads && x.changes.some((c) => broken.has(c.path));
    if (!f.fixes.some(withheld)) return f;
    const fixes = f.fixes.filter((x) => !withheld(x));
    return { ...f, fixes, message: fixes.length ? f.message : `${f.message} (${BROKEN_FILE_NOTE})` };
  });
}

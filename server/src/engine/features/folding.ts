/**
 * Folding ranges: every block (the closing brace stays visible) and every
 * run of two or more consecutive whole-line comments.
 */
import type { Block, SourceFile } from '../syntax/ast';
import type { FoldingRange } from './types';

export function foldingRanges(file: SourceFile): FoldingRange[] {
  const out: FoldingRange[] = [];
  const lines = file.lines;
  for (const d of file.walk()) if (d.block) addBlock(d.block);
  function addBlock(b: Block): void {
    const startLine = lines.positionAt(b.start).line;
    const closeLine = lines.positionAt(b.closed ? b.end - 1 : b.end).line;
    const endLine = b.closed ? closeLine - 1 : closeLine;
    if (endLine > startLine) out.push({ startLine, endLine });
  }
  let runStart = -1;
  let prev = -2;
  for (const c of file.comments) {
    if (c.trailing) continue;
    const line = lines.positionAt(c.start).line;
    if (line === prev + 1 && isWholeLine(file, c.start)) {
      prev = line;
      continue;
    }
    if (runStart >= 0 && prev > runStart) out.push({ startLine: runStart, endLine: prev, kind: 'comment' });
    runStart = isWholeLine(file, c.start) ? line : -1;
    prev = runStart >= 0 ? line : -2;
  }
  if (runStart >= 0 && prev > runStart) out.push({ startLine: runStart, endLine: prev, kind: 'comment' });
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

function isWholeLine(file: SourceFile, offset: number): boolean {
  const start = file.lines.lineStarts[file.lines.positionAt(offset).line]!;
  return file.text.slice(start, offset).trim() === '';
}

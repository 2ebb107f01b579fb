/** The parser's tree read back as the lexemes nginx's reader yields (test/support/nginx-lexer.ts), to compare the two. */
import type { SourceFile, Statement } from '../../server/src/engine/syntax/ast';
import type { Lexeme } from './nginx-lexer';

/** The parser's tree as the lexeme stream nginx would produce (comments are not lexemes). */
export function treeLexemes(f: SourceFile): Lexeme[] {
  const out: Lexeme[] = [];
  const word = (a: { start: number; end: number; raw: string; value: string }): Lexeme => ({
    kind: 'word',
    raw: a.raw,
    value: a.value,
    start: a.start,
    end: a.end,
  });
  const stack: { list: Statement[]; i: number; close: number }[] = [{ list: f.children, i: 0, close: -1 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.list.length) {
      stack.pop();
      if (top.close >= 0) out.push({ kind: '}', start: top.close, end: top.close + 1 });
      continue;
    }
    const s = top.list[top.i++]!;
    if (s.type !== 'directive') continue;
    out.push(word(s.nameToken));
    for (const a of s.args) out.push(word(a));
    if (s.block) {
      out.push({ kind: '{', start: s.block.start, end: s.block.start + 1 });
      stack.push({ list: s.block.children, i: 0, close: s.block.closed ? s.block.end - 1 : -1 });
    } else if (s.terminated) out.push({ kind: ';', start: s.end - 1, end: s.end });
  }
  return out;
}

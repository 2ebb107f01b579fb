/**
 * Plain-data views of a syntax tree and a canonical printer.
 *
 * `toPlain` strips positions and parent links so two trees compare with
 * deepStrictEqual (tests, the nginx-conf agreement check, round-trip property
 * tests). `printPlain` writes a plain tree back as nginx text: one directive
 * per line, four-space indentation, arguments exactly as written (`raw`), Lua
 * block bodies verbatim. Parsing the printed text gives the same plain tree
 * (the round-trip property); comments are not part of the plain tree.
 */
import type { SourceFile, Statement } from './ast';

export interface PlainDirective {
  name: string;
  /** Arguments: raw text (quotes kept) or nginx values, see `toPlain`'s `use`. */
  args: string[];
  /** Child directives, or the verbatim body of an opaque (`*_by_lua_block`) block. */
  block?: PlainDirective[] | { opaque: string };
}

export interface PlainOptions {
  /** `raw`: arguments as written (default); `value`: as nginx sees them (quotes removed, escapes resolved). */
  use?: 'raw' | 'value';
}

/** Directives of a file or block as plain data (comments dropped). Iterative, so any depth is fine. */
export function toPlain(from: SourceFile | Statement[], opts: PlainOptions = {}): PlainDirective[] {
  const useValue = opts.use === 'value';
  const root: PlainDirective[] = [];
  const stack: { list: Statement[]; i: number; out: PlainDirective[] }[] = [
    { list: Array.isArray(from) ? from : from.children, i: 0, out: root },
  ];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    const s = top.list[top.i++]!;
    if (s.type !== 'directive') continue;
    const d: PlainDirective = {
      name: useValue ? s.name : s.nameToken.raw,
      args: s.args.map((a) => (useValue ? a.value : a.raw)),
    };
    top.out.push(d);
    if (s.block) {
      if (s.block.opaque !== undefined) d.block = { opaque: s.block.opaque };
      else {
        const children: PlainDirective[] = [];
        d.block = children;
        stack.push({ list: s.block.children, i: 0, out: children });
      }
    }
  }
  return root;
}

/** Canonical nginx text for a plain tree (arguments must be raw). Iterative. */
export function printPlain(tree: PlainDirective[], indent = '    '): string {
  const out: string[] = [];
  const stack: { list: PlainDirective[]; i: number; depth: number }[] = [{ list: tree, i: 0, depth: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const pad = indent.repeat(top.depth);
    if (top.i >= top.list.length) {
      stack.pop();
      if (stack.length) out.push(indent.repeat(top.depth - 1) + '}\n');
      continue;
    }
    const d = top.list[top.i++]!;
    const head = pad + [d.name, ...d.args].join(' ');
    if (!d.block) out.push(head + ';\n');
    else if (!Array.isArray(d.block)) out.push(`${head} {${d.block.opaque}}\n`);
    else {
      out.push(head + ' {\n');
      stack.push({ list: d.block, i: 0, depth: top.depth + 1 });
    }
  }
  return out.join('');
}

/** Canonical text of a parsed file (comments dropped). */
export function printFile(file: SourceFile): string {
  return printPlain(toPlain(file));
}

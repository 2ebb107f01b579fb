/**
 * A directive's syntax line, as the official reference writes it in Markdown
 * (`*\`time\`*` is a value to fill in, `` `on` `` a keyword, `[ ... ]`
 * optional, `|` alternatives, `...` repetition, `` `{...}` `` a block), cut
 * into the parts a completion snippet and signature help need.
 */
import { plainSyntax } from '../knowledge/reference';

export interface SyntaxPart {
  /** As nginx.org prints it: `time`, `[default_server]`, `on | off`, `file ...`. */
  text: string;
  /** Wrapped in `[ ... ]`. */
  optional: boolean;
  /** Followed by `...`: may repeat. */
  repeats: boolean;
  /** Alternatives of bare keywords (`on | off`): the words; empty otherwise. */
  choices: string[];
  /** Holds a value to fill in (a `*\`...\`*` part), not only keywords. */
  hasValue: boolean;
}

export interface ParsedSyntax {
  parts: SyntaxPart[];
  /** Ends with `{...}`. */
  block: boolean;
}

/** Splits at spaces outside `[...]`; `|` and `...` between parts join them to their neighbour. */
export function parseSyntax(md: string): ParsedSyntax {
  const raw: string[] = [];
  let cur = '';
  let depth = 0;
  let inCode = false;
  for (const ch of md) {
    if (ch === '`') inCode = !inCode;
    if (!inCode) {
      if (ch === '[') depth++;
      else if (ch === ']') depth = Math.max(0, depth - 1);
    }
    if (ch === ' ' && depth === 0 && !inCode) {
      if (cur) raw.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) raw.push(cur);
  let block = false;
  if (raw.length && /^`\{\s*\.\.\.\s*\}`$/.test(raw[raw.length - 1]!)) {
    block = true;
    raw.pop();
  }
  // Join `a | b` into one part and mark `x ...` as repeating.
  const joined: { md: string; repeats: boolean }[] = [];
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i]!;
    if (t === '|' && joined.length && i + 1 < raw.length) {
      joined[joined.length - 1]!.md += ` | ${raw[++i]}`;
    } else if (t === '...' && joined.length) {
      joined[joined.length - 1]!.repeats = true;
    } else joined.push({ md: t, repeats: false });
  }
  const parts = joined.map(({ md: m, repeats }): SyntaxPart => {
    const optional = m.startsWith('[') && m.endsWith(']') && balanced(m.slice(1, -1));
    const inner = optional ? m.slice(1, -1).trim() : m;
    const alts = inner.split(/\s+\|\s+/);
    const choices = alts.every((a) => /^`[^`*]+`$/.test(a)) ? alts.map((a) => a.slice(1, -1)) : [];
    return {
      text: plainSyntax(m) + (repeats ? ' ...' : ''),
      optional,
      repeats,
      choices: alts.length > 1 ? choices : [],
      hasValue: /\*`/.test(m),
    };
  });
  return { parts, block };
}

function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '[') d++;
    else if (c === ']' && --d < 0) return false;
  }
  return d === 0;
}

function escapePlaceholder(s: string): string {
  return s.replace(/[\\$}]/g, (c) => '\\' + c);
}

function escapeChoice(s: string): string {
  return s.replace(/[\\$}|,]/g, (c) => '\\' + c);
}

/**
 * A completion snippet for a directive from its syntax: the required parts,
 * values as placeholders and keyword alternatives as a choice:
 * `proxy_read_timeout ${1:time};`, `gzip ${1|on,off|};`,
 * `location ${1:uri} {\n\t$0\n}`.
 */
export function snippetFromSyntax(name: string, md: string | undefined, block: boolean, flag: boolean): string {
  const parsed = md !== undefined ? parseSyntax(md) : { parts: [], block };
  const args: string[] = [];
  let n = 1;
  if (flag && !parsed.parts.some((p) => p.choices.length)) args.push(`\${${n++}|on,off|}`);
  for (const p of parsed.parts) {
    if (p.optional) continue;
    if (p.choices.length) args.push(`\${${n++}|${p.choices.map(escapeChoice).join(',')}|}`);
    else if (p.hasValue) args.push(`\${${n++}:${escapePlaceholder(p.text.replace(/ \.\.\.$/, ''))}}`);
    else args.push(p.text.replace(/ \.\.\.$/, '').replace(/[\\$}]/g, (c) => '\\' + c));
  }
  const head = [name, ...args].join(' ');
  return block || parsed.block ? `${head} {\n\t$0\n}` : `${head};`;
}

/**
 * Which part of a syntax line an argument at `index` fills: parts in order,
 * a repeating part absorbing the arguments up to what the parts after it
 * need, optional parts after the first taking any order (the last one
 * absorbs the rest). -1 when there are no parts.
 */
export function activePart(parts: readonly SyntaxPart[], index: number, argc: number): number {
  if (!parts.length) return -1;
  const rep = parts.findIndex((p) => p.repeats);
  if (rep >= 0 && index >= rep) {
    const after = parts.length - 1 - rep;
    const lastRepeat = Math.max(rep, argc - 1 - after);
    if (index <= lastRepeat) return rep;
    return Math.min(parts.length - 1, rep + (index - lastRepeat));
  }
  return Math.min(index, parts.length - 1);
}

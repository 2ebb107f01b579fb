/**
 * Signature help while typing a directive's arguments: its syntax lines from
 * the official reference (`listen` has three, `return` three), each cut into
 * parameters, with the one the cursor's argument fills highlighted, and the
 * first paragraph of its description.
 */
import type { SourceFile } from '../syntax/ast';
import type { Analysis } from '../analyze';
import { directiveFor, lookupDirective, type DirectiveInfo } from '../knowledge/directives';
import { referenceDirective } from '../knowledge/reference';
import { contextAt, topContextFor } from '../model/contexts';
import { insideComment } from './completion';
import { activePart, parseSyntax } from './syntax';
import type { ParameterInformation, Position, SignatureHelp, SignatureInformation } from './types';

export interface SignatureHelpOptions {
  /** Treat the file's top level as any context when its includer is unknown (default true). */
  lenient?: boolean;
}

/** Statements longer than this (a huge `map` row, a Lua blob) get no signature: the scan back is bounded. */
const MAX_SCAN = 4096;

export function signatureHelp(analysis: Analysis, path: string, pos: Position, opts: SignatureHelpOptions = {}): SignatureHelp | null {
  const file = analysis.files.get(path);
  if (!file) return null;
  const offset = file.lines.offsetAt(pos);
  const lineStart = file.lines.lineStarts[pos.line] ?? 0;
  if (insideComment(file.text.slice(lineStart, offset))) return null;
  const stmt = statementAt(file, offset);
  if (!stmt) return null;
  const ctx = contextAt(file, stmt.start, topContextFor(file, { analysis, lenient: opts.lenient ?? true }));
  if (ctx.kind !== 'nginx') return null;
  const d =
    ctx.contexts.map((c) => directiveFor(stmt.name, c)).find((x) => x && x.contexts.some((c) => ctx.contexts.includes(c))) ??
    lookupDirective(stmt.name)[0];
  if (!d) return null;
  const found = signaturesOf(d, stmt.index, stmt.argc);
  if (!found.length) return null;
  // The first syntax line whose parts can take this many arguments.
  const active = Math.max(
    0,
    found.findIndex((f) => f.fits),
  );
  const signatures = found.map((f) => f.signature);
  return { signatures, activeSignature: active, activeParameter: signatures[active]!.activeParameter ?? 0 };
}

function signaturesOf(d: DirectiveInfo, index: number, argc: number): { signature: SignatureInformation; fits: boolean }[] {
  const ref = d.origin === 'third-party' ? undefined : referenceDirective(d.name, d.module);
  if (!ref?.syntax.length) return [];
  const doc = firstParagraph(ref.description);
  return ref.syntax.map((md) => {
    const { parts, block } = parseSyntax(md);
    let label = d.name;
    const parameters: ParameterInformation[] = [];
    for (const p of parts) {
      label += ' ';
      parameters.push({ label: [label.length, label.length + p.text.length] });
      label += p.text;
    }
    label += block || d.block ? ' { ... }' : ';';
    const ap = activePart(parts, index, argc);
    const signature: SignatureInformation = {
      label,
      ...(doc ? { documentation: { kind: 'markdown', value: doc } } : {}),
      parameters,
      activeParameter: ap < 0 ? 0 : ap,
    };
    return { signature, fits: parts.length > index || parts.some((p) => p.repeats) };
  });
}

function firstParagraph(md: string): string {
  const p = md.split(/\n\s*\n/)[0] ?? '';
  return p.length > 600 ? p.slice(0, 600) + '…' : p;
}

/**
 * The statement the cursor is in the arguments of: its name, where it
 * starts, which argument the cursor is at (0-based: the one it is in, or the
 * next one after a space) and how many arguments are typed so far. Null at
 * the start of a statement or on the directive name itself.
 */
export function statementAt(file: SourceFile, offset: number): { name: string; start: number; index: number; argc: number } | null {
  const text = file.text;
  let s = offset - 1;
  const stop = Math.max(0, offset - MAX_SCAN);
  // Back to the previous `;`, `{` or `}` outside quotes and comments (a plain scan, then a forward tokenisation checks it).
  while (s >= stop && !';{}'.includes(text[s]!)) s--;
  if (s < stop && stop > 0) return null;
  const tokens: { start: number; end: number }[] = [];
  let i = s + 1;
  while (i < offset) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < offset && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      i++;
      while (i < offset && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i = Math.min(offset, i + 1);
    } else {
      while (i < offset && !' \t\r\n;{}'.includes(text[i]!)) i++;
    }
    tokens.push({ start, end: i });
  }
  if (!tokens.length) return null;
  const name = text.slice(tokens[0]!.start, tokens[0]!.end);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return null;
  const last = tokens[tokens.length - 1]!;
  const inToken = last.end === offset;
  if (tokens.length === 1 && inToken) return null; // still typing the name
  const argc = tokens.length - 1;
  const index = inToken ? argc - 1 : argc;
  return { name, start: tokens[0]!.start, index, argc: Math.max(argc, index + 1) };
}

/**
 * `nginx -T` output: every file of the config nginx read, each after a
 * `# configuration file PATH:` line, followed by the newline nginx adds
 * (nginx.c writes the marker, the file's bytes, then one LF). Split back
 * into files, a dump is linted like the config on disk and reported against
 * the original paths, with no disk access at all (the dump may come from
 * another machine). Lines before the first marker (nginx's own "syntax is
 * ok" messages, when stderr was piped along) are skipped.
 */
import * as nodePath from 'node:path';
import type { FileHost } from '../engine/index';
import { globMatches } from './glob';

const MARKER = /^# configuration file (.+):\r?$/gm;

export interface Dump {
  /** Files in dump order; the first is the main config nginx was started with. */
  files: Map<string, string>;
  main: string;
}

/** True when `text` looks like `nginx -T` output (a marker line before any config text). */
export function isNginxDump(text: string): boolean {
  for (const line of text.slice(0, 64 * 1024).split('\n')) {
    if (line.trim() === '' || line.startsWith('nginx: ')) continue;
    return /^# configuration file .+:\r?$/.test(line);
  }
  return false;
}

/** Splits a dump; null when it holds no marker. A file listed twice keeps its first text. */
export function splitNginxDump(text: string): Dump | null {
  const marks: { name: string; start: number; bodyStart: number }[] = [];
  for (const m of text.matchAll(MARKER)) {
    const name = m[1]!;
    if (!nodePath.isAbsolute(name)) continue; // nginx always names the full path; anything else is file content
    marks.push({ name, start: m.index, bodyStart: m.index + m[0].length + 1 });
  }
  if (!marks.length) return null;
  const files = new Map<string, string>();
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    const end = i + 1 < marks.length ? marks[i + 1]!.start : text.length;
    let body = text.slice(Math.min(m.bodyStart, end), end);
    // nginx adds one LF after each file's bytes.
    if (body.endsWith('\n')) body = body.slice(0, -1);
    if (!files.has(m.name)) files.set(nodePath.normalize(m.name), body);
  }
  return { files, main: nodePath.normalize(marks[0]!.name) };
}

/** A FileHost over the dump's files only; records what it read, like the disk hosts. */
export class DumpHost implements FileHost {
  readonly reads = new Map<string, number | null>();
  readonly refused = new Map<string, string>();

  constructor(private readonly files: Map<string, string>) {}

  readFile(path: string): string | undefined {
    const text = this.files.get(path);
    if (text !== undefined) this.reads.set(path, 0);
    return text;
  }

  glob(pattern: string): string[] {
    return [...this.files.keys()].filter((p) => globMatches(pattern, p)).sort();
  }

  dirname(path: string): string {
    return nodePath.dirname(path);
  }

  resolve(dir: string, rel: string): string {
    return nodePath.resolve(dir, rel);
  }
}

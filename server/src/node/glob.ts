/**
 * nginx `include` globs (glob(3) syntax: `*`, `?`, `[...]`, `\` escapes) over
 * the real filesystem. Like glob(3): wildcards never match `/` nor a leading
 * `.`, results are sorted, and a pattern without wildcards yields the file only
 * when it exists. Bounded so a pattern like `/*\/*\/*` cannot walk the disk.
 */
import { readdirSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';

const MAX_RESULTS = 10_000;
const MAX_DIRS_READ = 2_000;

export function hasMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** Regular expression for one path segment of a glob. */
export function segmentToRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\' && i + 1 < segment.length) {
      re += escapeRe(segment[++i]!);
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = findClass(segment, i);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      re += `[${negate ? '^' : ''}${body.replace(/\\/g, '\\\\').replace(/\]/g, '\\]').replace(/\[/g, '\\[')}]`;
      i = close;
    } else {
      re += escapeRe(c);
    }
  }
  try {
    return new RegExp(`^${re}$`, 'u');
  } catch {
    // A malformed class such as `[z-a]`: glob(3) would match nothing sensible either.
    return new RegExp(`^${escapeAll(segment)}$`, 'u');
  }
}

function escapeAll(s: string): string {
  return [...s].map(escapeRe).join('');
}

/** Index of the `]` closing the class opened at `open`; a `]` right after `[` or `[!` is literal. */
function findClass(s: string, open: number): number {
  let j = open + 1;
  if (s[j] === '!' || s[j] === '^') j++;
  if (s[j] === ']') j++;
  for (; j < s.length; j++) if (s[j] === ']') return j;
  return -1;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Absolute files matching an absolute glob pattern, sorted; [] for relative patterns. */
export function globFiles(pattern: string): string[] {
  if (!nodePath.isAbsolute(pattern)) return [];
  const parsed = nodePath.parse(pattern);
  const segments = pattern.slice(parsed.root.length).split(/[\\/]+/).filter((s) => s.length > 0);
  if (!segments.some(hasMagic)) {
    const p = nodePath.normalize(pattern);
    return isFile(p) ? [p] : [];
  }
  let current = [parsed.root];
  let dirsRead = 0;
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    const last = s === segments.length - 1;
    const next: string[] = [];
    if (!hasMagic(seg)) {
      const literal = seg.replace(/\\(.)/g, '$1');
      for (const dir of current) next.push(nodePath.join(dir, literal));
    } else {
      const re = segmentToRegExp(seg);
      const dotOk = seg.startsWith('.');
      for (const dir of current) {
        if (++dirsRead > MAX_DIRS_READ) break;
        let names: string[];
        try {
          names = readdirSync(dir);
        } catch {
          continue;
        }
        for (const name of names) {
          if (name.startsWith('.') && !dotOk) continue;
          if (re.test(name)) next.push(nodePath.join(dir, name));
          if (next.length > MAX_RESULTS) break;
        }
      }
    }
    current = last ? next.filter(isFile) : next.filter(isDir);
    if (current.length === 0) return [];
  }
  return current.sort().slice(0, MAX_RESULTS);
}

/** True when an absolute path matches an absolute glob pattern segment by segment (no filesystem access). */
export function globMatches(pattern: string, path: string): boolean {
  const split = (s: string) => s.split(/[\\/]+/).filter((x) => x.length > 0);
  const ps = split(pattern);
  const xs = split(path);
  if (ps.length !== xs.length) return false;
  return ps.every((seg, i) => (hasMagic(seg) ? segmentToRegExp(seg).test(xs[i]!) : seg.replace(/\\(.)/g, '$1') === xs[i]));
}

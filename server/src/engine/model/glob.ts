/**
 * nginx `include` globs (glob(3) with no flags: `*`, `?`, `[...]`, `[!...]`,
 * `\` escapes; wildcards never match `/` nor a leading `.`), matched in
 * linear time: each path segment is compiled to an RE2 program (re2js), so
 * `*a*a*a*a*a*a*a*a*a*a*a*a*b` beside a long file name answers at once where
 * a backtracking regex never finishes. Pure: no filesystem access (the walk
 * that lists directories lives in `server/src/node/glob.ts`).
 */
import { RE2JS } from 're2js';

export const GLOB_CHARS = /[*?[]/;

/** Whether one path segment of a pattern has wildcards. */
export function hasMagic(segment: string): boolean {
  return GLOB_CHARS.test(segment);
}

/** The path segments of a pattern (empty ones, from `//` or a leading `/`, dropped). */
export function globSegments(pattern: string): string[] {
  return pattern.split(/[\\/]+/).filter((s) => s.length > 0);
}

/** A literal segment with glob escapes removed (`a\*b` → `a*b`). */
export function unescapeSegment(segment: string): string {
  return segment.replace(/\\(.)/g, '$1');
}

export interface SegmentMatcher {
  (name: string): boolean;
}

const cache = new Map<string, SegmentMatcher>();

/** A matcher for one path segment of a glob, compiled once (cached). */
export function segmentMatcher(segment: string): SegmentMatcher {
  let m = cache.get(segment);
  if (!m) {
    m = compileSegment(segment);
    cache.set(segment, m);
    if (cache.size > 1024) cache.delete(cache.keys().next().value!);
  }
  return m;
}

function compileSegment(segment: string): SegmentMatcher {
  if (!hasMagic(segment)) {
    const literal = unescapeSegment(segment);
    return (name) => name === literal;
  }
  const dotOk = segment.startsWith('.');
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^${segmentToRe2(segment)}$`);
  } catch {
    // A malformed class such as `[z-a]`: glob(3) matches nothing sensible either; take it literally.
    const literal = unescapeSegment(segment);
    return (name) => name === literal;
  }
  return (name) => (dotOk || !name.startsWith('.')) && re.matcher(name).matches();
}

/** RE2 syntax for one glob segment. */
function segmentToRe2(segment: string): string {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\' && i + 1 < segment.length) {
      re += RE2JS.quote(segment[++i]!);
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = findClassEnd(segment, i);
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
      re += `[${negate ? '^/' : ''}${classBody(body)}]`;
      i = close;
    } else {
      re += RE2JS.quote(c);
    }
  }
  return re;
}

/** A glob class body as an RE2 class body: `[:alpha:]` kept, `\`, `[`, `]` and a leading `^` escaped. */
function classBody(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '[' && body[i + 1] === ':') {
      const end = body.indexOf(':]', i + 2);
      if (end > 0) {
        out += body.slice(i, end + 2);
        i = end + 1;
        continue;
      }
    }
    out += c === '\\' || c === '[' || c === ']' || (c === '^' && out === '') ? `\\${c}` : c;
  }
  return out;
}

/** Index of the `]` closing the class opened at `open`; a `]` right after `[` or `[!` is literal. -1: no class. */
function findClassEnd(s: string, open: number): number {
  let j = open + 1;
  if (s[j] === '!' || s[j] === '^') j++;
  if (s[j] === ']') j++;
  for (; j < s.length; j++) {
    if (s[j] === '[' && s[j + 1] === ':') {
      const end = s.indexOf(':]', j + 2);
      if (end > 0) {
        j = end + 1;
        continue;
      }
    }
    if (s[j] === ']') return j;
  }
  return -1;
}

/** True when an absolute path matches an absolute glob pattern, segment by segment (no filesystem access). */
export function globMatches(pattern: string, path: string): boolean {
  const ps = globSegments(pattern);
  const xs = globSegments(path);
  if (ps.length !== xs.length) return false;
  return ps.every((seg, i) => segmentMatcher(seg)(xs[i]!));
}

/**
 * Whether an include pattern as written (absolute, or relative such as
 * `snippets/*.conf`, `./ws.conf`) could have produced a resolved path: an
 * absolute pattern must match the whole path, a relative one its last
 * segments.
 */
export function includePatternMatches(pattern: string, path: string): boolean {
  const absolute = pattern.startsWith('/');
  const ps = globSegments(pattern).filter((s) => s !== '.');
  while (!absolute && ps[0] === '..') ps.shift();
  const xs = globSegments(path);
  if (ps.length === 0 || ps.length > xs.length || (absolute && ps.length !== xs.length)) return false;
  const offset = xs.length - ps.length;
  return ps.every((seg, i) => segmentMatcher(seg)(xs[offset + i]!));
}

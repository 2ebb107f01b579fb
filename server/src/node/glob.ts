/**
 * nginx `include` globs (glob(3) syntax: `*`, `?`, `[...]`, `\` escapes) over
 * the real filesystem. Like glob(3): wildcards never match `/` nor a leading
 * `.`, results are sorted, and a pattern without wildcards yields the file only
 * when it exists. Names are matched in linear time (engine/model/glob.ts).
 *
 * Bounded so `include /*\/*\/*\/*\/*;` or `include /usr/bin/*;` cannot walk
 * the disk: a budget of directory entries looked at (directories are read
 * one entry at a time, so a directory of a million files costs what the
 * budget allows, not a million), a time limit, a cap on results, at most 64
 * segments, and in an untrusted workspace no directory outside it is listed.
 */
import { opendirSync, statSync, type Dir } from 'node:fs';
import * as nodePath from 'node:path';
import { globMatches as matches, globSegments, hasMagic, segmentMatcher, unescapeSegment, DEFAULT_LIMITS } from '../engine/index';

export { hasMagic } from '../engine/index';

export interface GlobOptions {
  /** Directory entries (names read, stats of candidates) the walk may look at. */
  maxEntries?: number;
  /** Wall-clock limit of the walk, in ms. */
  maxMs?: number;
  /** Results at most (more are cut). */
  maxResults?: number;
  /** A reason not to read a directory (untrusted workspace); undefined: allowed. */
  refuseDir?: (dir: string) => string | undefined;
}

export interface GlobResult {
  files: string[];
  /** Entries looked at. */
  visited: number;
  /** Why the walk stopped before it was complete; null when it was. */
  stopped: null | { why: 'entries' | 'time' | 'results' | 'segments'; limit: number } | { why: 'refused'; reason: string };
}

export const GLOB_MAX_MS = 2000;
const MAX_SEGMENTS = 64;
const MAX_RESULTS = 10_000;

function statKind(p: string): 'file' | 'dir' | null {
  try {
    const st = statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : null;
  } catch {
    return null;
  }
}

/** Absolute files matching an absolute glob pattern, sorted, within the bounds of `o`; [] for relative patterns. */
export function globWalk(pattern: string, o: GlobOptions = {}): GlobResult {
  const maxEntries = o.maxEntries ?? DEFAULT_LIMITS.globEntries;
  const maxMs = o.maxMs ?? GLOB_MAX_MS;
  const maxResults = o.maxResults ?? MAX_RESULTS;
  const started = Date.now();
  let visited = 0;
  let stopped: GlobResult['stopped'] = null;
  const out = (files: string[]): GlobResult => ({ files, visited, stopped });
  if (!nodePath.isAbsolute(pattern)) return out([]);
  const root = nodePath.parse(pattern).root;
  const segments = globSegments(pattern.slice(root.length));
  if (segments.length > MAX_SEGMENTS) {
    stopped = { why: 'segments', limit: MAX_SEGMENTS };
    return out([]);
  }
  if (!segments.some(hasMagic)) {
    const p = nodePath.normalize(pattern);
    const refused = o.refuseDir?.(nodePath.dirname(p));
    if (refused) {
      stopped = { why: 'refused', reason: refused };
      return out([]);
    }
    visited++;
    return out(statKind(p) === 'file' ? [p] : []);
  }
  const firstMagic = segments.findIndex(hasMagic);
  const base = nodePath.join(root, ...segments.slice(0, firstMagic).map(unescapeSegment));
  const refusedBase = o.refuseDir?.(base);
  if (refusedBase) {
    stopped = { why: 'refused', reason: refusedBase };
    return out([]);
  }
  let current = [root];
  for (let s = 0; s < segments.length && !stopped; s++) {
    const seg = segments[s]!;
    const last = s === segments.length - 1;
    const next: string[] = [];
    if (!hasMagic(seg)) {
      const literal = unescapeSegment(seg);
      for (const dir of current) next.push(nodePath.join(dir, literal));
    } else {
      const match = segmentMatcher(seg);
      for (const dir of current) {
        if (stopped) break;
        const refused = o.refuseDir?.(dir);
        if (refused) {
          // A directory reached through a link that leaves the workspace: not listed.
          continue;
        }
        let d: Dir;
        try {
          d = opendirSync(dir);
        } catch {
          continue;
        }
        try {
          for (let e = d.readSync(); e; e = d.readSync()) {
            if (visited >= maxEntries) {
              stopped = { why: 'entries', limit: maxEntries };
              break;
            }
            visited++;
            if ((visited & 63) === 0 && Date.now() - started > maxMs) {
              stopped = { why: 'time', limit: maxMs };
              break;
            }
            if (match(e.name)) next.push(nodePath.join(dir, e.name));
            if (last && next.length > maxResults) {
              stopped = { why: 'results', limit: maxResults };
              break;
            }
          }
        } finally {
          d.closeSync();
        }
      }
    }
    // Each candidate is stat'ed: that counts as looking at an entry too.
    const kept: string[] = [];
    for (const p of next.sort()) {
      if (visited >= maxEntries) {
        stopped ??= { why: 'entries', limit: maxEntries };
        break;
      }
      visited++;
      if (statKind(p) === (last ? 'file' : 'dir')) kept.push(p);
    }
    current = kept;
    if (stopped && !last) return out([]);
    if (current.length === 0) break;
  }
  return out(current.slice(0, maxResults));
}

/** Absolute files matching an absolute glob pattern, sorted, with the default bounds; [] for relative patterns. */
export function globFiles(pattern: string): string[] {
  return globWalk(pattern).files;
}

/** True when an absolute path matches an absolute glob pattern segment by segment (no filesystem access). */
export function globMatches(pattern: string, path: string): boolean {
  return matches(pattern, path);
}

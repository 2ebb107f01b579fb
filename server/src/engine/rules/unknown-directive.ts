import { directiveNames } from '../knowledge/directives';
import { fix } from '../fixes/edits';
import type { Fix } from '../types';
import type { Rule } from './rule';

export const unknownDirective: Rule = {
  id: 'unknown-directive',
  defaultSeverity: 'hint',
  title: 'A directive that is not part of nginx',
  why:
    "The table knows every directive of nginx's own sources, NGINX Plus, njs and the common third-party modules (OpenResty's " +
    'Lua, headers-more, echo, brotli), so what is left is a typo (`proxy_passs`, with the close names as fixes) or a module ' +
    'of your own; other modules exist, so it is only a hint by default. An NGINX Plus directive is named as such: open-source ' +
    'nginx rejects it as "unknown directive". Raise the rule to a warning when your nginx has no extra modules.',
  href: 'https://nginx.org/en/docs/dirindex.html',
  versions: 'all',
  check(ctx) {
    for (const { file, problems } of ctx.contextProblems()) {
      for (const p of problems) {
        if (p.kind !== 'unknown') continue;
        const d = file.directiveAt(p.start);
        const fixes: Fix[] = [];
        // Past the rule's cap in this file the finding is only counted: no close names looked for (a pasted file can hold 200,000).
        if (d && d.nameToken.start === p.start && !ctx.atCap(file)) {
          for (const name of closeNames(d.name))
            fixes.push(fix(`Change to "${name}"`, [{ path: file.uri, edits: [{ range: d.nameToken.range, newText: name }] }]));
        }
        ctx.report({ at: { file, start: p.start, end: p.end }, message: p.message, fixes });
      }
    }
  },
};

/** Known names within two edits of a typo, closest first (at most three). */
function closeNames(name: string): string[] {
  const scored: [number, string][] = [];
  for (const n of directiveNames()) {
    if (Math.abs(n.length - name.length) > 2) continue;
    const d = distance(name, n, 2);
    if (d <= 2) scored.push([d, n]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .slice(0, 3)
    .map((x) => x[1]);
}

/** Levenshtein distance, giving up (returning max + 1) once every cell of a row exceeds `max`. */
function distance(a: string, b: string, max: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

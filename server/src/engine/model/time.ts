/**
 * nginx time values (ngx_parse_time): a sequence of number+unit parts in
 * strictly descending unit order (`1h30m`, `1d 12h`), units
 * y M w d h m s ms, a bare number meaning seconds.
 */
import { TextMemo } from './text-memo';

const UNIT_MS: Record<string, number> = {
  y: 365 * 24 * 3600 * 1000,
  M: 30 * 24 * 3600 * 1000,
  w: 7 * 24 * 3600 * 1000,
  d: 24 * 3600 * 1000,
  h: 3600 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
};

/** Unit order, largest first; a later part must use a smaller unit. */
const ORDER = ['y', 'M', 'w', 'd', 'h', 'm', 's', 'ms'];

/**
 * Parsed values by text: a config repeats a few (`1h`, `60s`) on thousands of locations, and
 * several rules read each. Bounded: short texts, a limited number of them.
 */
const parsed = new TextMemo<number | null>(64);

/** Milliseconds, or null when nginx would reject the value ("invalid value"). */
export function parseNginxTime(value: string): number | null {
  const known = parsed.get(value);
  if (known !== undefined) return known;
  return parsed.remember(value, parse(value));
}

function parse(value: string): number | null {
  const s = value.trim();
  if (!s) return null;
  const re = /(\d+)\s*(ms|[yMwdhms])?\s*/y;
  let pos = 0;
  let total = 0;
  let lastRank = -1;
  let bare = false;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m || m.index !== pos || m[0].length === 0) return null;
    if (bare) return null; // a unitless number must be the last part
    const unit = m[2] ?? 's';
    if (!m[2]) bare = true;
    const rank = ORDER.indexOf(unit);
    if (rank <= lastRank) return null;
    lastRank = rank;
    total += Number(m[1]) * UNIT_MS[unit]!;
    pos = re.lastIndex;
  }
  return Number.isFinite(total) ? total : null;
}

export function formatSeconds(ms: number): string {
  if (ms % 1000 !== 0) return `${ms} ms`;
  return `${ms / 1000} s`;
}

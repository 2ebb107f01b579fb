/**
 * Values the model computes: a string when the config and the request
 * decide it, `Unknown` (with the reason) when only the running server could
 * (a variable from Lua or njs, the file system, the time of day, DNS).
 */

export class Unknown {
  constructor(readonly why: string) {}
}

export type Value = string | Unknown;

export function isUnknown(v: Value): v is Unknown {
  return v instanceof Unknown;
}

/** A piece of a value as nginx's script compiler splits it (ngx_http_script_compile). */
export type Part = { literal: string } | { variable: string } | { capture: number };

/**
 * `"$scheme://$host${uri}x"` → literal/variable/capture parts. Names are
 * `[A-Za-z0-9_]`, `${name}` delimits one, `$1`..`$9` are regex captures.
 */
export function parseComplex(raw: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '$' || i + 1 >= raw.length) {
      lit += c;
      continue;
    }
    const n = raw[i + 1]!;
    if (n >= '0' && n <= '9') {
      if (lit) parts.push({ literal: lit });
      lit = '';
      parts.push({ capture: n.charCodeAt(0) - 48 });
      i++;
      continue;
    }
    let name = '';
    let j = i + 1;
    if (n === '{') {
      const close = raw.indexOf('}', j);
      if (close < 0) {
        lit += c;
        continue;
      }
      name = raw.slice(j + 1, close);
      j = close + 1;
    } else {
      while (j < raw.length && /[A-Za-z0-9_]/.test(raw[j]!)) j++;
      name = raw.slice(i + 1, j);
    }
    if (!name) {
      lit += c;
      continue;
    }
    if (lit) parts.push({ literal: lit });
    lit = '';
    parts.push({ variable: name });
    i = j - 1;
  }
  if (lit) parts.push({ literal: lit });
  return parts;
}

/** Concatenation; unknown when any part is. */
export function concat(values: Value[]): Value {
  let out = '';
  for (const v of values) {
    if (isUnknown(v)) return v;
    out += v;
  }
  return out;
}

/** For messages: the value, or `(unknown: why)`. */
export function show(v: Value): string {
  return isUnknown(v) ? `(unknown: ${v.why})` : JSON.stringify(v);
}

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

/** A piece of a value as nginx's script compiler splits it (ngx_http_script_compile): one shape, tagged by `kind`. */
export interface Part {
  kind: 'literal' | 'variable' | 'capture';
  /** The literal text, or the variable's name. */
  text: string;
  /** The capture's number (`$1`). */
  n: number;
}

const literal = (text: string): Part => ({ kind: 'literal', text, n: 0 });
const variable = (text: string): Part => ({ kind: 'variable', text, n: 0 });
const capture = (n: number): Part => ({ kind: 'capture', text: '', n });

/** Parsed values by source text: header values repeat across thousands of locations. A bounded memo of a pure function. */
const parsed = new Map<string, Part[]>();
const MAX_PARSED = 8192;

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * `"$scheme://$host${uri}x"` → literal/variable/capture parts. Names are
 * `[A-Za-z0-9_]`, `${name}` delimits one, `$1`..`$9` are regex captures.
 * The result is shared: do not mutate it.
 */
export function parseComplex(raw: string): readonly Part[] {
  let parts = parsed.get(raw);
  if (!parts) {
    parts = parseParts(raw);
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value!);
    parsed.set(raw, parts);
  }
  return parts;
}

function parseParts(raw: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '$' || i + 1 >= raw.length) {
      lit += c;
      continue;
    }
    const n = raw.charCodeAt(i + 1);
    if (n >= 48 && n <= 57) {
      if (lit) parts.push(literal(lit));
      lit = '';
      parts.push(capture(n - 48));
      i++;
      continue;
    }
    let name: string;
    let j = i + 1;
    if (n === 123 /* { */) {
      const close = raw.indexOf('}', j);
      if (close < 0) {
        lit += c;
        continue;
      }
      name = raw.slice(j + 1, close);
      j = close + 1;
    } else {
      while (j < raw.length && isNameChar(raw.charCodeAt(j))) j++;
      name = raw.slice(i + 1, j);
    }
    if (!name) {
      lit += c;
      continue;
    }
    if (lit) parts.push(literal(lit));
    lit = '';
    parts.push(variable(name));
    i = j - 1;
  }
  if (lit) parts.push(literal(lit));
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

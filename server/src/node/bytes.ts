/**
 * Text edits applied to a file's bytes, so every byte outside the edited
 * ranges stays exactly as it was, including bytes that are not UTF-8 (a
 * Latin-1 comment). The engine sees the file as Node decodes it
 * (`buffer.toString('utf8')`: each maximal invalid subpart becomes one
 * U+FFFD, as the WHATWG decoder does); `decode` records where those
 * replacement characters came from, so a position in that text maps back to
 * the byte it came from. An edit whose range covers such a character is
 * refused (writing it back would replace the original bytes).
 */
import { LineIndex, type TextEdit } from '../engine/index';

export interface Decoded {
  /** The text the engine analyses (`buffer.toString('utf8')`). */
  text: string;
  /** UTF-16 index in `text` and byte count of each U+FFFD that stands for invalid bytes, in order. */
  invalid: { at: number; bytes: number }[];
}

/** Decodes like Node and records the invalid byte runs (the WHATWG UTF-8 decoder's error steps). */
export function decode(buf: Uint8Array): Decoded {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  const invalid: { at: number; bytes: number }[] = [];
  let units = 0; // UTF-16 units emitted so far
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let cp = 0;
  const error = (bytes: number) => {
    invalid.push({ at: units, bytes });
    units += 1;
  };
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (needed === 0) {
      if (b <= 0x7f) units += 1;
      else if (b >= 0xc2 && b <= 0xdf) {
        needed = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2;
        cp = b & 0x0f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3;
        cp = b & 0x07;
      } else error(1);
      continue;
    }
    if (b < lower || b > upper) {
      // The lead byte and the continuation bytes seen so far are one error; `b` starts over.
      error(seen + 1);
      needed = seen = cp = 0;
      lower = 0x80;
      upper = 0xbf;
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    if (++seen === needed) {
      units += cp > 0xffff ? 2 : 1;
      needed = seen = cp = 0;
    }
  }
  if (needed !== 0) error(seen + 1);
  if (units !== text.length) throw new Error(`UTF-8 decoding disagrees with Node's (${units} vs ${text.length} units)`);
  return { text, invalid };
}

/** Bytes that `text[from, to)` takes in UTF-8 (no invalid runs inside). */
function utf8Length(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export class NonUtf8EditError extends Error {}

/**
 * Applies `edits` (positions in `decoded.text`, as the engine computes them)
 * to `buf`. Bytes outside the edited ranges are copied unchanged; inserted
 * text is UTF-8. Throws NonUtf8EditError when an edit would replace bytes
 * that are not UTF-8.
 */
export function applyEditsToBytes(buf: Uint8Array, decoded: Decoded, edits: readonly TextEdit[]): Buffer {
  const lines = new LineIndex(decoded.text);
  const sorted = edits
    .map((e, i) => ({ s: lines.offsetAt(e.range.start), e: lines.offsetAt(e.range.end), t: e.newText, i }))
    .sort((a, b) => a.s - b.s || a.i - b.i);
  for (let k = 1; k < sorted.length; k++) if (sorted[k]!.s < sorted[k - 1]!.e) throw new Error('overlapping edits');
  // Walk the text once, converting each edit's unit offsets to byte offsets.
  const { text, invalid } = decoded;
  let unit = 0;
  let byte = 0;
  let inv = 0;
  const toByte = (target: number): number => {
    while (unit < target) {
      const next = inv < invalid.length ? invalid[inv]! : null;
      if (next && next.at < target) {
        byte += utf8Length(text, unit, next.at) + next.bytes;
        unit = next.at + 1;
        inv++;
      } else {
        byte += utf8Length(text, unit, target);
        unit = target;
      }
    }
    return byte;
  };
  const parts: Uint8Array[] = [];
  let copied = 0;
  for (const e of sorted) {
    if (invalid.some((x) => x.at >= e.s && x.at < e.e)) {
      throw new NonUtf8EditError(`the edit at line ${lines.positionAt(e.s).line + 1} would replace bytes that are not UTF-8`);
    }
    const bs = toByte(e.s);
    const be = toByte(e.e);
    parts.push(buf.subarray(copied, bs), Buffer.from(e.t, 'utf8'));
    copied = be;
  }
  parts.push(buf.subarray(copied));
  return Buffer.concat(parts);
}

/** True when the text has a carriage return not followed by a line feed (nginx sees one line where an editor sees several). */
export function hasBareCr(text: string): boolean {
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 10) return true;
  return false;
}

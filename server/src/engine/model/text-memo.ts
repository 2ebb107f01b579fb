/**
 * A memo keyed by a text alone, for what a config repeats on thousands of
 * directives (`$http_upgrade`, `60s`, `^/api/`, `Upgrade`): what it holds
 * must depend on the text and nothing else, since it outlives one analysis
 * (a long-running server keeps it). Bounded: only texts of at most
 * `maxKeyChars` characters are kept, at most `maxEntries` of them; once it is
 * full, a new text is computed each time it is asked, as it was before.
 *
 *   const known = memo.get(text);
 *   return known !== undefined ? known : memo.remember(text, compute(text));
 *
 * (`get` and `remember`, not one call taking a function: the callers are hot
 * loops, and a closure per call is what the memo is there to save.)
 */
export class TextMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly maxKeyChars: number,
    private readonly maxEntries = 4096,
  ) {}

  /** The value kept for `key`, or undefined (values are never undefined). */
  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Keeps `value` for `key` when the bounds allow, and returns it. */
  remember(key: string, value: V): V {
    if (key.length <= this.maxKeyChars && this.entries.size < this.maxEntries) this.entries.set(key, value);
    return value;
  }
}

/**
 * nginx's regular expressions (PCRE) evaluated in linear time with re2js, a
 * pure-JavaScript port of RE2: a config is untrusted text, and a
 * backtracking engine hangs on `^/(a+)+$` against a long path. What RE2
 * cannot express (backreferences, lookaround, atomic groups, possessive
 * quantifiers, `\K`, conditionals) makes that one regex "not evaluated",
 * with the reason, never a hang or a guess.
 */
import { RE2JS } from 're2js';

export interface RegexMatch {
  /** `$0` (the whole match), `$1`, `$2`...; undefined for a group that did not take part. */
  groups: (string | undefined)[];
  /** Named captures, `(?<name>...)` / `(?P<name>...)`. */
  named: Map<string, string | undefined>;
}

export type NginxRegex =
  | { ok: true; source: string; caseless: boolean; names: string[]; exec(subject: string): RegexMatch | null; test(subject: string): boolean }
  | { ok: false; source: string; caseless: boolean; reason: string };

/** PCRE syntax RE2 lacks, recognised before compiling so the reason names it. */
const UNSUPPORTED: [RegExp, string][] = [
  [/\\[1-9]|\\g\{?-?\d|\\k[<{']/, 'a backreference'],
  [/\(\?<?[=!]/, 'a lookaround'],
  [/\(\?>/, 'an atomic group'],
  [/(?<!\\)[*+?}]\+/, 'a possessive quantifier'],
  [/\\K/, '\\K'],
  [/\(\?\(/, 'a conditional group'],
  [/\(\?R\)|\(\?\d+\)|\(\?&/, 'a recursive pattern'],
];

/** `(?'name'...)` is PCRE's third spelling of a named group; RE2 knows `(?P<name>...)` and `(?<name>...)`. */
function toRe2Syntax(pattern: string): string {
  return pattern.replace(/\(\?'([A-Za-z_][A-Za-z0-9_]*)'/g, '(?P<$1>');
}

/**
 * Compiled regexes by flag and source. re2js takes 0.4-2 ms to compile a
 * pattern (and 4-10 µs to test one), and a generated or templated config
 * repeats the same regex in every server: compiling each source once keeps
 * 20,000 `location ~ ^/api/(\w+)$` blocks from costing 20 s. A pure
 * function's memo with immutable keys, bounded (oldest dropped first).
 */
const compiled = new Map<string, NginxRegex>();
const MAX_COMPILED = 4096;
/**
 * Results kept, for subjects up to MEMO_SUBJECT characters, at most
 * MEMO_ENTRIES of them across all regexes (about 2 MB at worst).
 */
const results = new Map<string, RegexMatch | null>();
const MEMO_SUBJECT = 512;
const MEMO_ENTRIES = 4096;

/**
 * Compiles an nginx regex (`location ~`, `~*`, `if (... ~ ...)`, `map` and
 * `server_name` regexes, `rewrite`). `caseless` is `~*`.
 */
export function compileNginxRegex(pattern: string, caseless = false): NginxRegex {
  const key = (caseless ? 'i' : '-') + pattern;
  let r = compiled.get(key);
  if (!r) {
    r = compile(pattern, caseless);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, r);
  }
  return r;
}

function compile(pattern: string, caseless: boolean): NginxRegex {
  for (const [re, what] of UNSUPPORTED) {
    if (re.test(pattern)) return { ok: false, source: pattern, caseless, reason: `uses ${what}, which a linear-time engine cannot evaluate` };
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(toRe2Syntax(pattern), caseless ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, source: pattern, caseless, reason: `cannot be evaluated here (${why.slice(0, 200)})` };
  }
  const names = Object.keys(compiled.namedGroups());
  const groupCount = compiled.groupCount();
  // The same location regex meets the same URI in every server a trace or a rule asks about: results are kept
  // (a match is never changed by its readers).
  const prefix = `${caseless ? 'i' : '-'}${pattern.length}:${pattern}`; // unambiguous: the length first
  const run = (subject: string): RegexMatch | null => {
    const m = compiled.matcher(subject);
    if (!m.find()) return null;
    const groups: (string | undefined)[] = [];
    for (let i = 0; i <= groupCount; i++) groups.push(m.group(i) ?? undefined);
    const named = new Map<string, string | undefined>();
    for (const n of names) named.set(n, m.group(n) ?? undefined);
    return { groups, named };
  };
  const exec = (subject: string): RegexMatch | null => {
    if (subject.length > MEMO_SUBJECT) return run(subject);
    const key = prefix + subject;
    let r = results.get(key);
    if (r === undefined) {
      r = run(subject);
      if (results.size >= MEMO_ENTRIES) results.delete(results.keys().next().value!);
      results.set(key, r);
    }
    return r;
  };
  return { ok: true, source: pattern, caseless, names, exec, test: (subject) => exec(subject) !== null };
}

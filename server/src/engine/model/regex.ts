/**
 * Linear-time regular expressions for every pattern that comes from a config
 * or a setting and is run on text (regex locations, `map` regex keys,
 * `server_name` regexes, `nginxWs.websocketPathPatterns`). They run on
 * re2js, a pure-JavaScript port of RE2: matching takes time linear in the
 * input whatever the pattern, so `^/(a+)+$` against `/aaaa…a!` answers at
 * once instead of hanging the server.
 *
 * nginx speaks PCRE. What RE2 has is passed through (named captures
 * `(?<name>…)`, `(?P<name>…)` and `(?'name'…)`, `(?i)`, classes, `\Q…\E`,
 * captureless lookbehinds); a few PCRE spellings are translated (`\h`, `\v`,
 * `\R`, `\e`, `\cX`, `\Z`, `\N`, `(?#…)`, `(*UTF8)`). A PCRE feature no
 * linear-time engine can evaluate (backreferences, lookahead, atomic groups,
 * possessive quantifiers, recursion, conditionals, `\G`, `\K`) makes that one
 * regex "not evaluated", with the reason: never a hang, never a guess.
 * One known difference: PCRE's `$` also matches before a final newline;
 * RE2's only at the very end (request paths and host names have no newline).
 */
import { RE2JS } from 're2js';

/** Patterns longer than this are not evaluated (a regex of nginx's is a line of config, not a data file). */
export const MAX_PATTERN_LENGTH = 32 * 1024;

export interface RegexMatch {
  /** `$0` (the whole match), `$1`, `$2`...; undefined for a group that did not take part. */
  groups: (string | undefined)[];
  /** Named captures, `(?<name>...)` / `(?P<name>...)` / `(?'name'...)`; undefined when the group took no part. */
  named: Map<string, string | undefined>;
  /** Start of the match in the subject (UTF-16 index); `exec` always sets it. */
  index?: number;
}

export interface CompiledRegex {
  ok: true;
  /** The pattern as written in the config. */
  source: string;
  /** nginx's `~*`. */
  caseless: boolean;
  /** Number of capture groups (`$1`…`$n`). */
  groupCount: number;
  /** Capture names in the order of their groups. */
  names: string[];
  /** Whether the regex matches somewhere in `subject` (nginx's regexes are searches, not anchored unless they say so). */
  test(subject: string): boolean;
  /** The first match with its captures, or null. */
  exec(subject: string): RegexMatch | null;
}

export interface NotEvaluated {
  ok: false;
  source: string;
  caseless: boolean;
  /** Why, for a note: `uses a backreference (\1), which ...`. */
  reason: string;
}

export type NginxRegex = CompiledRegex | NotEvaluated;

/**
 * Compiled regexes by flag and source. re2js takes 0.4-2 ms to compile a
 * pattern (and 4-10 µs to test one), and a generated or templated config
 * repeats the same regex in every server: compiling each source once keeps
 * 20,000 `location ~ ^/api/(\w+)$` blocks from costing 20 s. Bounded (least
 * recently used dropped first).
 */
const cache = new Map<string, NginxRegex>();
const CACHE_SIZE = 4096;
/**
 * Match results kept, for subjects up to MEMO_SUBJECT characters, at most
 * MEMO_ENTRIES of them across all regexes (about 2 MB at worst): the same
 * location regex meets the same URI in every server a trace or a rule asks
 * about. Keyed by the compiled regex's serial number and the subject: the
 * serial stands for everything that decides the result (the source, `~*`,
 * the translation and flags it was compiled with) and keeps the key short
 * whatever the pattern's length (up to MAX_PATTERN_LENGTH).
 */
const results = new Map<string, RegexMatch | null>();
const MEMO_SUBJECT = 512;
const MEMO_ENTRIES = 4096;
let serial = 0;

/**
 * Compiles an nginx regex (`location ~`, `~*`, `if (... ~ ...)`, `map` and
 * `server_name` regexes, `rewrite`) for linear-time matching. `caseless` is
 * `~*`. Never throws: a pattern that cannot be evaluated (or is not valid)
 * comes back as `{ ok: false, reason }`. Results are cached.
 */
export function compileNginxRegex(pattern: string, caseless = false): NginxRegex {
  const key = `${caseless ? 'i' : '-'}${pattern}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const made = compile(pattern, caseless);
  cache.set(key, made);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return made;
}

/** A short label for a regex that was not evaluated, for notes: `~* ^/(a)\1: uses a backreference ...`. */
export function notEvaluatedNote(r: NotEvaluated): string {
  return `regex ${clip(r.source)} is not evaluated: it ${r.reason}`;
}

function compile(source: string, caseless: boolean): NginxRegex {
  const no = (reason: string): NotEvaluated => ({ ok: false, source, caseless, reason });
  if (source.length > MAX_PATTERN_LENGTH)
    return no(`is ${source.length} characters long, over the ${MAX_PATTERN_LENGTH} limit for a regex`);
  const t = translate(source);
  if (typeof t !== 'string') return no(t.reason);
  let re: RE2JS;
  try {
    re = RE2JS.compile(t, (caseless ? RE2JS.CASE_INSENSITIVE : 0) | RE2JS.LOOKBEHINDS);
  } catch (e) {
    return no(explain(e instanceof Error ? e.message : String(e)));
  }
  const groupCount = re.groupCount();
  const byIndex = re.namedGroups();
  const names = Object.keys(byIndex).sort((a, b) => byIndex[a]! - byIndex[b]!);
  const run = (subject: string): RegexMatch | null => {
    const m = re.matcher(subject);
    if (!m.find()) return null;
    const groups: (string | undefined)[] = [];
    for (let i = 0; i <= groupCount; i++) groups.push(m.group(i) ?? undefined);
    const named = new Map<string, string | undefined>();
    for (const n of names) named.set(n, m.group(byIndex[n]) ?? undefined);
    return { groups, named, index: m.start() };
  };
  // A kept result is shared by every caller: a match is never changed by its readers.
  const prefix = `${(serial++).toString(36)}:`;
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
  return {
    ok: true,
    source,
    caseless,
    groupCount,
    names,
    exec,
    test: (subject) => (subject.length > MEMO_SUBJECT ? re.matcher(subject).find() : exec(subject) !== null),
  };
}

/** RE2's parse errors, in words a user of PCRE understands. */
function explain(message: string): string {
  const m = /error parsing regexp: (.*)$/.exec(message);
  const what = m ? m[1]! : message;
  if (/nested repetition operator: `[*+?}]\+`/.test(what))
    return 'uses a possessive quantifier (`*+`, `++`, `?+`), which the linear-time engine cannot evaluate';
  if (/invalid repeat count/.test(what)) return 'repeats more than 1000 times (RE2 limit)';
  if (/invalid capture in lookbehind/.test(what))
    return 'has a capture group inside a lookbehind, which the linear-time engine cannot evaluate';
  if (/unsupported Perl syntax: `\(\?[a-zA-Z-]/.test(what)) return `uses a flag RE2 does not know (${clipRaw(what)})`;
  return `is not a valid regex for RE2: ${clipRaw(what)}`;
}

const HSPACE = '\\t \\x{A0}\\x{1680}\\x{180E}\\x{2000}-\\x{200A}\\x{202F}\\x{205F}\\x{3000}';
const VSPACE = '\\n\\x0B\\f\\r\\x{85}\\x{2028}\\x{2029}';
const LINEBREAK = '(?:\\r\\n|[\\n\\x0B\\f\\r\\x{85}\\x{2028}\\x{2029}])';

/**
 * PCRE → RE2 syntax, one scan. Returns the translated pattern, or why it
 * cannot be evaluated in linear time.
 */
function translate(p: string): string | { reason: string } {
  let out = '';
  let i = 0;
  let inClass = false;
  // PCRE's leading option verbs: (*UTF8), (*UTF), (*UCP) change nothing for UTF-16 matching.
  for (let m; (m = /^\(\*(UTF8?|UCP|UTF16|UTF32)\)/.exec(p.slice(i)));) i += m[0].length;
  const stop = (reason: string) => ({ reason });
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) return stop('ends with a lone backslash');
      if (n === 'Q') {
        // \Q…\E is literal: copy it whole, RE2 knows it.
        const end = p.indexOf('\\E', i + 2);
        out += end < 0 ? p.slice(i) : p.slice(i, end + 2);
        i = end < 0 ? p.length : end + 2;
        continue;
      }
      if (/[1-9]/.test(n) && !inClass) return stop(`uses a backreference (\\${n}), which the linear-time engine cannot evaluate`);
      if (n === 'k' || (n === 'g' && !inClass)) return stop(`uses a backreference (\\${n}…), which the linear-time engine cannot evaluate`);
      if (n === 'G' || n === 'K' || n === 'X' || n === 'C') return stop(`uses \\${n}, which the linear-time engine cannot evaluate`);
      if (n === 'h' || n === 'H') {
        out += inClass ? (n === 'h' ? HSPACE : '') : n === 'h' ? `[${HSPACE}]` : `[^${HSPACE}]`;
        if (inClass && n === 'H') return stop('uses \\H inside a class');
        i += 2;
        continue;
      }
      if (n === 'v' || n === 'V') {
        if (inClass && n === 'V') return stop('uses \\V inside a class');
        out += inClass ? VSPACE : n === 'v' ? `[${VSPACE}]` : `[^${VSPACE}]`;
        i += 2;
        continue;
      }
      if (n === 'R' && !inClass) {
        out += LINEBREAK;
        i += 2;
        continue;
      }
      if (n === 'N' && !inClass && p[i + 2] !== '{') {
        out += '[^\\n]';
        i += 2;
        continue;
      }
      if (n === 'Z' && !inClass) {
        out += '(?:\\n?\\z)';
        i += 2;
        continue;
      }
      if (n === 'e') {
        out += '\\x1B';
        i += 2;
        continue;
      }
      if (n === 'c') {
        const x = p[i + 2];
        if (x === undefined) return stop('ends with \\c');
        out += `\\x{${(x.toUpperCase().charCodeAt(0) ^ 0x40).toString(16)}}`;
        i += 3;
        continue;
      }
      if (n === 'o' && p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        const v = end < 0 ? NaN : parseInt(p.slice(i + 3, end), 8);
        if (!Number.isFinite(v)) return stop('has a malformed \\o{…} escape');
        out += `\\x{${v.toString(16)}}`;
        i = end + 1;
        continue;
      }
      if (n === '0') {
        const m = /^[0-7]{0,2}/.exec(p.slice(i + 2))![0];
        out += `\\x{${parseInt(`0${m}`, 8).toString(16)}}`;
        i += 2 + m.length;
        continue;
      }
      if (/[A-Za-z0-9]/.test(n)) {
        // \d \w \s \b \A \z \x.. \p{..} ... : RE2 knows them (or rejects them, and says so).
        out += c + n;
        i += 2;
        continue;
      }
      // An escaped punctuation character or other symbol: the same in both.
      out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        if (end > 0) {
          out += p.slice(i, end + 2);
          i = end + 2;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      // A `]` right after `[` or `[^` is literal in both.
      if (p[i] === '^') out += p[i++];
      if (p[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && p[i + 1] === '*')
      return stop(
        `uses the PCRE verb ${clipRaw(p.slice(i, p.indexOf(')', i) + 1 || i + 8))}, which the linear-time engine cannot evaluate`,
      );
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i + 2);
      if (rest.startsWith('#')) {
        const end = p.indexOf(')', i);
        if (end < 0) return stop('has an unterminated (?#…) comment');
        i = end + 1;
        continue;
      }
      if (rest.startsWith('=') || rest.startsWith('!'))
        return stop('uses a lookahead ((?= or (?!), which the linear-time engine cannot evaluate');
      if (rest.startsWith('>')) return stop('uses an atomic group ((?>…)), which the linear-time engine cannot evaluate');
      if (rest.startsWith('|')) return stop('uses a branch reset group ((?|…)), which the linear-time engine cannot evaluate');
      if (rest.startsWith('(')) return stop('uses a conditional group ((?(…)…)), which the linear-time engine cannot evaluate');
      if (/^(R|[+-]?\d|&|P>)/.test(rest))
        return stop('uses recursion or a subroutine call ((?R), (?1), (?&name)), which the linear-time engine cannot evaluate');
      if (rest.startsWith('C')) return stop('uses a callout ((?C)), which the linear-time engine cannot evaluate');
      const quoted = /^'([A-Za-z_][A-Za-z0-9_]*)'/.exec(rest);
      if (quoted) {
        out += `(?P<${quoted[1]}>`;
        i += 2 + quoted[0].length;
        continue;
      }
      const flags = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?[:)]/.exec(rest);
      if (flags && /[xXJn]/.test(`${flags[1]}${flags[2] ?? ''}`)) {
        return stop(`uses the flag (?${flags[0].slice(0, -1)}), which RE2 does not have`);
      }
    }
    if ((c === '+' || c === '*' || c === '?') && p[i + 1] === '+' && !out.endsWith('(')) {
      return stop('uses a possessive quantifier (`*+`, `++`, `?+`), which the linear-time engine cannot evaluate');
    }
    if (c === '}' && p[i + 1] === '+' && /\{\d+(,\d*)?$/.test(out)) {
      return stop('uses a possessive quantifier (`{n,m}+`), which the linear-time engine cannot evaluate');
    }
    out += c;
    i++;
  }
  return out;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function clipRaw(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

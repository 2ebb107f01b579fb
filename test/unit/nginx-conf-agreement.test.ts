/**
 * nginx-conf as an independent second parser: on every corpus file it
 * accepts, its directive names/arguments tree must equal ours.
 *
 * We compare against nginx-conf's parser tree (`nginx-conf/dist/src/parser`,
 * the one `NginxConfFile.createFromSource` builds its object model from),
 * because the object model groups directives by name (`conf.nginx.http[0].
 * server[1]`) and so loses the order of different directives; the parser tree
 * keeps document order, repeated directives included.
 *
 * Representational differences the normalizer accounts for (not bugs):
 * - nginx-conf keeps a directive's arguments as one raw string (`value`),
 *   whitespace and newlines included; we split it into words the way nginx
 *   does (quoted strings are one word, a backslash escapes the next character)
 *   and compare with our arguments' raw text (quotes kept on both sides).
 * - Names keep their quotes on both sides (`"events"`).
 * - Comments: nginx-conf attaches them to the following directive
 *   (`node.comments`) instead of the tree; our tree keeps them as statements
 *   and `toPlain` drops them, so neither side has comments in the comparison.
 * - Lua blocks: nginx-conf stores the body as the `value` of a verbatim node;
 *   we store it as `block.opaque`. Both are compared as `{ opaque: body }`.
 * - Empty blocks (`events {}`) are blocks with no children on both sides.
 *
 * Real disagreements, each explained and pinned down in KNOWN below rather
 * than hidden: nginx-conf misreads some comments, drops directives that lack
 * their `;`, and splits words at characters nginx treats as literal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as ncParse, type NginxParseTreeNode } from 'nginx-conf/dist/src/parser.js';
import { parse } from '../../server/src/engine/syntax/parser';
import { toPlain, type PlainDirective } from '../../server/src/engine/syntax/print';
import type { SourceFile } from '../../server/src/engine/syntax/ast';

import { CORPUS, CORPUS_ABSENT } from '../support/corpus';

function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.conf') || name === 'mime.types') out.push(p);
    }
  };
  walk(CORPUS);
  return out;
}

/** nginx-conf's tree, or the error it reported or threw. */
function ncTree(text: string): { tree?: NginxParseTreeNode; error?: string } {
  let result: { tree?: NginxParseTreeNode; error?: string } = {};
  try {
    ncParse(text, (err, tree) => {
      result = err ? { error: err.message } : tree ? { tree } : { error: 'no tree' };
    });
  } catch (e) {
    result = { error: `threw: ${(e as Error).message}` };
  }
  return result;
}

/** Splits nginx-conf's raw `value` into words as nginx does: quoted strings whole, `\` escapes. */
function words(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < value.length) {
    while (i < value.length && ws(value[i])) i++;
    if (i >= value.length) break;
    const start = i;
    const q = value[i];
    if (q === '"' || q === "'") {
      i++;
      while (i < value.length && value[i] !== q) i += value[i] === '\\' ? 2 : 1;
      i++;
    } else {
      while (i < value.length && !ws(value[i])) i += value[i] === '\\' ? 2 : 1;
    }
    out.push(value.slice(start, Math.min(i, value.length)));
  }
  return out;
}

function normalizeNc(node: NginxParseTreeNode): PlainDirective[] {
  return (node.children ?? []).map((c) => {
    const d: PlainDirective = { name: c.name, args: c.isVerbatim ? [] : words(c.value) };
    if (c.isVerbatim) d.block = { opaque: c.value };
    else if (c.isBlock) d.block = normalizeNc(c);
    return d;
  });
}

/** Depth-first list of (depth, name, args, opaque) for locating the first disagreement. */
function flatten(tree: PlainDirective[], depth = 0, out: string[] = []): string[] {
  for (const d of tree) {
    out.push(JSON.stringify([depth, d.name, d.args, d.block && !Array.isArray(d.block) ? d.block.opaque : null]));
    if (Array.isArray(d.block)) flatten(d.block, depth + 1, out);
  }
  return out;
}

/** 0-based line of our n-th directive (depth-first), where the trees first disagree. */
function firstDisagreementLine(ours: SourceFile, theirs: PlainDirective[]): number | null {
  const a = flatten(toPlain(ours));
  const b = flatten(theirs);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      const d = [...ours.walk()][i];
      return d ? d.range.start.line : ours.lines.lineCount - 1;
    }
  }
  return null;
}

/** The text with every comment (as our parser finds them) replaced by spaces; offsets and lines are kept. */
function blankComments(text: string): string {
  const f = parse(text);
  let out = '';
  let at = 0;
  for (const c of f.comments) {
    out += text.slice(at, c.start) + ' '.repeat(c.end - c.start);
    at = c.end;
  }
  return out + text.slice(at);
}

/** Our tree without the directives that lack their `;` (nginx-conf drops those silently). */
function withoutUnterminated(tree: PlainDirective[], file: SourceFile): PlainDirective[] {
  const dropped = new Set(
    [...file.walk()].filter((d) => !d.terminated).map((d) => JSON.stringify([d.nameToken.raw, d.args.map((a) => a.raw)])),
  );
  const prune = (list: PlainDirective[]): PlainDirective[] =>
    list
      .filter((d) => d.block || !dropped.has(JSON.stringify([d.name, d.args])))
      .map((d) => (Array.isArray(d.block) ? { ...d, block: prune(d.block) } : d));
  return prune(tree);
}

interface Known {
  why: string;
  /** How the comparison is made honest for this file; it must then agree completely... */
  normalize?: 'blank-comments' | 'drop-unterminated';
  /** ...or, when no normalization can bridge the gap, the 0-based line where the trees first disagree. */
  firstDifferenceLine?: number;
}

const commentBug =
  "nginx-conf reads a '#' that follows a single space at the start of a statement (`{ #c`, `; #c`) as a word, so the comment becomes a directive name " +
  'swallowing the next directive; nginx ignores comments wherever a token may start. Compared with comments blanked out for both parsers.';
const droppedDirective =
  "nginx-conf silently drops a directive whose ';' is missing (before '}' or at end of file); nginx rejects the file and we keep the directive and report " +
  'missing-semicolon. Compared without our unterminated directives.';

/** Corpus files where nginx-conf and nginx disagree, keyed by path relative to the corpus. */
const KNOWN: Record<string, Known> = {
  'crossplane/tests/configs/comments-between-args/nginx.conf': { why: commentBug, normalize: 'blank-comments' },
  'crossplane/tests/configs/with-comments/nginx.conf': { why: commentBug, normalize: 'blank-comments' },
  'crossplane/tests/configs/missing-semicolon/broken-above.conf': { why: droppedDirective, normalize: 'drop-unterminated' },
  'crossplane/tests/configs/missing-semicolon/broken-below.conf': { why: droppedDirective, normalize: 'drop-unterminated' },
  'crossplane/tests/configs/includes-regular/conf.d/bar.conf': { why: droppedDirective, normalize: 'drop-unterminated' },
  'crossplane/tests/configs/includes-regular/conf.d/foo.conf': { why: droppedDirective, normalize: 'drop-unterminated' },
  'crossplane/tests/configs/includes-globbed/servers/locations/not-included.conf': {
    why: droppedDirective,
    normalize: 'drop-unterminated',
  },
  'crossplane/tests/configs/messy/nginx.conf': {
    why:
      'nginx-conf ends a bare word at `{`, `}` and quotes even when escaped or mid-word; nginx does not (`nginx -t` accepts this file): ' +
      '`location /\\{\\;\\}\\ #\\ ab {}` is one location with one argument in nginx. Everything before that line agrees.',
    firstDifferenceLine: 15,
  },
};

test("our tree equals nginx-conf's on every corpus file nginx-conf accepts", { skip: CORPUS_ABSENT }, (t) => {
  let compared = 0;
  const rejected: string[] = [];
  for (const path of corpusFiles()) {
    const key = relative(CORPUS, path);
    const text = readFileSync(path).toString('utf8');
    const nc = ncTree(text);
    if (!nc.tree) {
      rejected.push(`${key}: ${nc.error}`);
      continue;
    }
    compared++;
    const ours = parse(text, path);
    const theirs = normalizeNc(nc.tree);
    const known = KNOWN[key];
    if (!known) {
      assert.deepEqual(toPlain(ours), theirs, key);
      continue;
    }
    // A known difference must still exist (otherwise the explanation is stale)...
    assert.notDeepEqual(toPlain(ours), theirs, `${key}: listed as different but agrees; remove it from KNOWN`);
    // ...and be exactly the one explained.
    if (known.normalize === 'blank-comments') {
      const blank = blankComments(text);
      assert.ok(
        flatten(theirs).some((e) => (JSON.parse(e) as [number, string])[1].startsWith('#')),
        `${key}: nginx-conf made a comment a directive`,
      );
      assert.deepEqual(toPlain(parse(blank)), normalizeNc(ncTree(blank).tree!), `${key} with comments blanked`);
    } else if (known.normalize === 'drop-unterminated') {
      assert.ok(ours.errors.some((e) => e.code === 'missing-semicolon'));
      assert.deepEqual(withoutUnterminated(toPlain(ours), ours), theirs, `${key} without unterminated directives`);
    } else {
      assert.equal(firstDisagreementLine(ours, theirs), known.firstDifferenceLine, `${key}: first disagreement`);
    }
  }
  t.diagnostic(`compared ${compared} files; nginx-conf rejected ${rejected.length}: ${rejected.join(' | ')}`);
  assert.ok(compared >= 60, `compared only ${compared} files`);
});

test('the word splitter follows nginx: quotes group, backslash escapes, newlines separate', () => {
  assert.deepEqual(words(" a  \"b c\"\n  'd\\' e' f\\ g;x "), ['a', '"b c"', "'d\\' e'", 'f\\ g;x']);
});

/**
 * What nginx-conf does with the mistakes an editor sees all the time (printed
 * for the README; only our side is asserted).
 */
test('nginx-conf vs ours on an extra } and a missing ;', (t) => {
  const cases: [string, string][] = [
    ['extra }', 'events {}\n}\nhttp {\n    server { listen 80; }\n}\n'],
    ['missing ; before }', 'server {\n    location / {\n        proxy_pass http://a\n    }\n    listen 80;\n}\n'],
    ['missing ; before the next directive', 'server {\n    proxy_pass http://a\n    proxy_read_timeout 3600s;\n}\n'],
    ['missing ; at end of file', 'events {}\nuser nobody'],
  ];
  for (const [label, text] of cases) {
    const nc = ncTree(text);
    const ncSays = nc.tree ? `accepted, tree: ${JSON.stringify(normalizeNc(nc.tree))}` : `error: ${nc.error}`;
    const ours = parse(text);
    const oursSays = ours.errors.map((e) => `${e.code} at line ${ours.lines.positionAt(e.start).line + 1}`).join(', ');
    t.diagnostic(`${label}: nginx-conf ${ncSays}; ours: ${oursSays}; tree ${JSON.stringify(toPlain(ours))}`);
    assert.equal(ours.errors.length, 1, label);
  }
  // Ours keeps going: after the extra `}`, http and its server are still in the tree.
  const f = parse(cases[0]![1]);
  assert.deepEqual(
    [...f.walk()].map((d) => d.name),
    ['events', 'http', 'server', 'listen'],
  );
});

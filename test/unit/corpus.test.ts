/**
 * Real-world configs: every file of ../shared/corpus (nginxinc/crossplane's
 * test configs, h5bp/server-configs-nginx) and Debian's /etc/nginx parses
 * without syntax errors, except the ones nginx itself rejects while reading
 * tokens; those must recover and report the line nginx would point at (or the
 * line of the directive that causes it, which is what an editor should mark).
 * Every file also goes through the linter, which must not throw.
 *
 * What nginx says about each broken file was measured with `nginx -t`
 * (Debian's nginx 1.22.1) and is quoted next to each expectation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from '../../server/src/engine/syntax/parser';
import { analyze, lintText, type FileHost, type Finding } from '../../server/src/engine/index';
import type { Directive, SourceFile } from '../../server/src/engine/syntax/ast';
import { CORPUS, CORPUS_ABSENT } from '../support/corpus';

const DEBIAN = '/etc/nginx';

/** nginx config files under a folder: `*.conf`, `nginx.conf`, `mime.types` (and Debian's extension-less includes). */
function configFiles(root: string, all = false): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (all || name.endsWith('.conf') || name === 'mime.types') out.push(p);
    }
  };
  walk(root);
  return out;
}

/** Reads a file as nginx does: bytes, so invalid UTF-8 becomes U+FFFD here and nothing throws. */
function read(path: string): string {
  return readFileSync(path).toString('utf8');
}

function errorLines(f: SourceFile): [string, number][] {
  return f.errors.map((e) => [e.code, f.lines.positionAt(e.start).line]);
}

function find(f: SourceFile, name: string): Directive[] {
  return [...f.walk()].filter((d) => d.name === name);
}

interface Broken {
  /** What `nginx -t` prints (1-based line). */
  nginx: string;
  /** Our syntax errors: [code, 0-based line]. */
  errors: [string, number][];
  /** Proof that parsing went on after the error. */
  recovered: (f: SourceFile) => void;
}

const never = 'never included by its nginx.conf; nginx -t on it alone';
/** Files nginx rejects while tokenizing, keyed by path relative to the corpus. */
const BROKEN: Record<string, Broken> = {
  'crossplane/tests/configs/missing-semicolon/broken-above.conf': {
    // nginx notices at the next token, the `}` on line 5; the directive lacking `;` is on line 4.
    nginx: 'unexpected "}" in broken-above.conf:5',
    errors: [['missing-semicolon', 3]],
    recovered: (f) => {
      assert.deepEqual(
        find(f, 'proxy_pass').map((d) => [d.parent?.arg(0), d.arg(0), d.terminated]),
        [
          ['/is-broken', 'http://is.broken.example', false],
          ['/not-broken', 'http://not.broken.example', true],
        ],
      );
    },
  },
  'crossplane/tests/configs/missing-semicolon/broken-below.conf': {
    nginx: 'unexpected "}" in broken-below.conf:8',
    errors: [['missing-semicolon', 6]],
    recovered: (f) => {
      assert.deepEqual(
        find(f, 'location').map((d) => d.arg(0)),
        ['/not-broken', '/is-broken'],
      );
      assert.equal(find(f, 'server')[0]!.block!.closed, true);
    },
  },
  'crossplane/tests/configs/quote-behavior/nginx.conf': {
    // Not in the corpus README's list, but nginx rejects it: text glued to a closing quote.
    nginx: 'unexpected "-" in nginx.conf:1 (and, with line 1 removed, unexpected "l" on line 2)',
    errors: [
      ['unexpected-token', 0],
      ['unexpected-token', 1],
    ],
    recovered: (f) => assert.equal(f.children.filter((c) => c.type === 'directive').length, 2),
  },
  'crossplane/tests/configs/includes-regular/conf.d/bar.conf': {
    nginx: `unexpected end of file, expecting ";" or "}" in bar.conf:3 (${never})`,
    errors: [['missing-semicolon', 1]],
    recovered: (f) => assert.equal(find(f, 'asdfasdfasdfasdfasdfasdfasdfasdfasdf').length, 1),
  },
  'crossplane/tests/configs/includes-regular/conf.d/foo.conf': {
    nginx: `unexpected end of file, expecting ";" or "}" in foo.conf:3 (${never})`,
    errors: [['missing-semicolon', 1]],
    recovered: (f) => assert.equal(find(f, 'asdfasdfasdfasdfasdfasdfasdfasdfasdf').length, 1),
  },
  'crossplane/tests/configs/includes-globbed/servers/locations/not-included.conf': {
    nginx: `unexpected end of file, expecting ";" or "}" in not-included.conf:3 (${never})`,
    errors: [['missing-semicolon', 1]],
    recovered: (f) => assert.equal(find(f, 'asdfasdfasdfasdfasdfasdfasdfasdfasdf').length, 1),
  },
};

/**
 * Broken on purpose in crossplane, but not at the syntax level: nginx reads
 * every token and fails later (or not at all). The parser must report
 * nothing and hand the rules a tree with the culprit at the right line.
 */
const SEMANTIC: Record<string, { nginx: string; check: (f: SourceFile) => void }> = {
  'crossplane/tests/configs/bad-args/nginx.conf': {
    nginx: 'invalid number of arguments in "user" directive in nginx.conf:1',
    check: (f) => {
      const [user] = find(f, 'user');
      assert.equal(user!.args.length, 0);
      assert.equal(user!.range.start.line, 0);
    },
  },
  'crossplane/tests/configs/spelling-mistake/nginx.conf': {
    nginx: 'unknown directive "proxy_passs" in nginx.conf:7',
    check: (f) => {
      const [d] = find(f, 'proxy_passs');
      assert.equal(d!.range.start.line, 6);
      assert.equal(d!.parent?.name, 'location');
    },
  },
  'crossplane/tests/configs/directive-with-space/nginx.conf': {
    nginx: 'accepted: a quoted map key may contain a space',
    check: (f) => {
      const [key] = find(f, '~Opera Mini');
      assert.equal(key!.nameToken.kind, 'single');
      assert.deepEqual(
        key!.args.map((a) => a.value),
        ['1'],
      );
      assert.equal(key!.parent?.name, 'map');
    },
  },
  'crossplane/tests/configs/non-unicode/nginx.conf': {
    nginx: 'accepted by the tokenizer (nginx reads bytes; only "no events section" follows)',
    check: (f) => {
      // 0xF6 (latin1 ö) is not UTF-8: decoding turns it into U+FFFD, in a comment and in a string.
      const [ret] = find(f, 'return');
      assert.equal(ret!.args[1]!.value, 'M\uFFFDlln\n');
      assert.equal(f.comments.length, 1);
      assert.ok(f.comments[0]!.value.includes('\uFFFD'));
    },
  },
};

/** A disk FileHost for `analyze`, with nginx's include globs (`*`, `?`, `[...]` inside a path segment). */
const diskHost: FileHost = {
  readFile: (p) => {
    try {
      return statSync(p).isFile() ? read(p) : undefined;
    } catch {
      return undefined;
    }
  },
  glob: (pattern) => {
    const parts = pattern.split('/').filter(Boolean);
    let bases = ['/'];
    for (const part of parts) {
      const next: string[] = [];
      const re = /[*?[]/.test(part)
        ? new RegExp(
            '^' +
              part
                .replace(/[.+^${}()|\\]/g, '\\$&')
                .replace(/\*/g, '.*')
                .replace(/\?/g, '.') +
              '$',
          )
        : null;
      for (const b of bases) {
        if (!re) {
          if (existsSync(join(b, part))) next.push(join(b, part));
          continue;
        }
        let names: string[];
        try {
          names = readdirSync(b);
        } catch {
          continue;
        }
        for (const n of names.sort()) if (re.test(n)) next.push(join(b, n));
      }
      bases = next;
    }
    return bases.filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
  },
  dirname: (p) => dirname(p),
  resolve: (dir, rel) => (rel.startsWith('/') ? rel : join(dir, rel)),
};

const wsFindings = (fs: Finding[]) => fs.filter((f) => f.code.startsWith('ws-'));

function corpusTests(label: string, root: string, all: boolean, absent: false | string) {
  if (absent) {
    test(`${label}: every file parses`, { skip: absent }, () => {});
    return;
  }
  const files = configFiles(root, all);

  test(`${label}: every file parses without syntax errors, broken ones recover at the right line`, () => {
    assert.ok(files.length > 0);
    for (const path of files) {
      const key = relative(CORPUS, path);
      const f = parse(read(path), path);
      const broken = BROKEN[key];
      if (broken) {
        assert.deepEqual(errorLines(f), broken.errors, `${key} (nginx: ${broken.nginx})`);
        broken.recovered(f);
      } else {
        assert.deepEqual(errorLines(f), [], `${key} has no syntax errors`);
        SEMANTIC[key]?.check(f);
      }
    }
  });

  test(`${label}: lintText never throws`, () => {
    for (const path of files) {
      const findings = lintText(read(path), path);
      assert.ok(Array.isArray(findings), path);
    }
  });

  // crossplane's and h5bp's configs (and Debian's) proxy no WebSocket, so any ws-* finding on them is a false
  // positive. nginx's own test suite does proxy WebSockets (with 2 s timeouts, on purpose): it is held to
  // "no error on a config nginx accepts" by its own test instead.
  test(`${label}: no ws-* findings (no WebSocket false positives)`, () => {
    for (const path of files) {
      if (relative(CORPUS, path).startsWith('nginx-tests/')) continue;
      assert.deepEqual(
        wsFindings(lintText(read(path), path)).map((f) => `${f.range.start.line + 1}: ${f.code} ${f.message}`),
        [],
        path,
      );
    }
    // Whole configs with their includes resolved from disk.
    for (const root of files.filter((p) => p.endsWith('/nginx.conf') && !relative(CORPUS, p).startsWith('nginx-tests/'))) {
      const a = analyze(root, diskHost);
      assert.deepEqual(
        wsFindings(a.findings).map((f) => `${f.path}:${f.range.start.line + 1}: ${f.code} ${f.message}`),
        [],
        root,
      );
    }
  });
}

test('every broken-file expectation names a file that exists in the corpus', { skip: CORPUS_ABSENT }, () => {
  for (const key of [...Object.keys(BROKEN), ...Object.keys(SEMANTIC)]) assert.ok(existsSync(join(CORPUS, key)), key);
});

corpusTests('corpus', CORPUS, false, CORPUS_ABSENT);
// Debian's tree includes extension-less files (sites-available/default, fastcgi_params, koi-utf...).
corpusTests(
  'Debian /etc/nginx',
  DEBIAN,
  true,
  existsSync(DEBIAN) ? false : `${DEBIAN} is absent (Debian's nginx package is not installed)`,
);

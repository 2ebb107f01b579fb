/**
 * Highlighting tests: the fixture files in test/fixtures/grammar are tokenized with
 * the same TextMate engine VS Code uses (vscode-textmate + vscode-oniguruma), and
 * specific tokens are checked for their scopes. The language configuration's
 * regular expressions are checked the way VS Code applies them (JavaScript RegExp).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';
import { CORPUS, CORPUS_ABSENT, corpusPart } from '../support/corpus';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'grammar');
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'nginx.tmLanguage.json');

interface Token {
  text: string;
  scopes: string[];
}

interface TokenizedLine {
  text: string;
  tokens: Token[];
}

let grammar: vsctm.IGrammar;

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    // No Lua grammar here on purpose: the Lua block must stay closed by the nginx grammar's own rules,
    // whatever Lua grammar (if any) the user has installed.
    loadGrammar: (scopeName: string) =>
      Promise.resolve(scopeName === 'source.nginx' ? vsctm.parseRawGrammar(readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null),
  });
  const g = await registry.loadGrammar('source.nginx');
  assert.ok(g, 'grammar source.nginx did not load');
  return g;
}

function tokenize(text: string): TokenizedLine[] {
  let stack = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return {
      text: line,
      tokens: result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })),
    };
  });
}

const fixtureCache = new Map<string, TokenizedLine[]>();
function fixture(name: string): TokenizedLine[] {
  let lines = fixtureCache.get(name);
  if (!lines) {
    lines = tokenize(readFileSync(path.join(FIXTURES, name), 'utf8'));
    fixtureCache.set(name, lines);
  }
  return lines;
}

function describeLine(line: TokenizedLine): string {
  return line.tokens.map((t) => `  ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`).join('\n');
}

/** The `nth` token (0-based) on 1-based `lineNo` whose text is exactly `text`. */
function tokenAt(lines: TokenizedLine[], lineNo: number, text: string, nth = 0): Token {
  const line = lines[lineNo - 1];
  assert.ok(line, `line ${lineNo} does not exist`);
  const matches = line.tokens.filter((t) => t.text === text);
  const token = matches[nth];
  assert.ok(token, `no token ${JSON.stringify(text)} (#${nth}) on line ${lineNo}: ${JSON.stringify(line.text)}\n${describeLine(line)}`);
  return token;
}

/** Asserts that a token's scope stack contains `scope` (a substring of one of its scopes). */
function expectScope(lines: TokenizedLine[], lineNo: number, text: string, scope: string, nth = 0): void {
  const token = tokenAt(lines, lineNo, text, nth);
  assert.ok(
    token.scopes.some((s) => s.includes(scope)),
    `line ${lineNo} token ${JSON.stringify(text)}: expected a scope containing "${scope}", got ${token.scopes.join(' ')}`,
  );
}

function expectNoScope(lines: TokenizedLine[], lineNo: number, text: string, scope: string, nth = 0): void {
  const token = tokenAt(lines, lineNo, text, nth);
  assert.ok(
    !token.scopes.some((s) => s.includes(scope)),
    `line ${lineNo} token ${JSON.stringify(text)}: expected no scope containing "${scope}", got ${token.scopes.join(' ')}`,
  );
}

/** Nesting depth of `meta.block` scopes, i.e. how many nginx blocks the tokenizer believes are open. */
function blockDepth(token: Token): number {
  return token.scopes.filter((s) => s === 'meta.block.nginx' || s === 'meta.block.map.nginx').length;
}

describe('nginx TextMate grammar', () => {
  before(async () => {
    grammar = await loadGrammar();
  });

  describe('directives and blocks', () => {
    it('scopes directive names at statement start as keywords, arguments not', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 2, 'user', 'keyword.other.directive.nginx');
      expectScope(l, 6, 'worker_connections', 'keyword.other.directive.nginx');
      expectScope(l, 30, 'proxy_http_version', 'keyword.other.directive.nginx');
      expectScope(l, 29, ';', 'punctuation.terminator.statement.nginx');
      // `server` inside upstream is a directive, not a block.
      expectScope(l, 18, 'server', 'keyword.other.directive.nginx');
      expectNoScope(l, 18, 'server', 'storage.type.block');
    });

    it('scopes block names', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 5, 'events', 'storage.type.block.nginx');
      expectScope(l, 9, 'http', 'storage.type.block.nginx');
      expectScope(l, 10, 'map', 'storage.type.block.nginx');
      expectScope(l, 16, 'upstream', 'storage.type.block.nginx');
      expectScope(l, 16, 'ws_backend', 'entity.name.type.upstream.nginx');
      expectScope(l, 22, 'server', 'storage.type.block.nginx');
      expectScope(l, 28, 'location', 'storage.type.block.nginx');
      expectScope(l, 47, 'if', 'keyword.control.conditional.if.nginx');
      expectScope(l, 22, '{', 'punctuation.section.block.begin.nginx');
      expectScope(l, 63, '}', 'punctuation.section.block.end.nginx');
    });

    it('treats unknown names followed by a brace as blocks, and ${VAR} is not a brace', () => {
      const l = tokenize('stream {\n  rtmp_app live {\n  }\n}\nserver_name ${SERVER_NAME};\n');
      expectScope(l, 1, 'stream', 'storage.type.block.nginx');
      expectScope(l, 2, 'rtmp_app', 'storage.type.block.nginx');
      expectScope(l, 5, 'server_name', 'keyword.other.directive.nginx');
    });

    it('closes every block it opens', () => {
      for (const name of ['websocket.conf', 'lua.conf', 'edge-cases.conf']) {
        const l = fixture(name);
        const last = l.filter((line) => line.text.trim() !== '').at(-1)!;
        const closing = last.tokens.find((t) => t.text === '}')!;
        assert.equal(blockDepth(closing), 1, `${name}: final } should close the outermost block`);
      }
      const after = tokenize(readFileSync(path.join(FIXTURES, 'lua.conf'), 'utf8') + 'pid /run/nginx.pid;\n');
      const pid = after.find((line) => line.text.startsWith('pid'))!;
      assert.deepEqual(pid.tokens[0]!.scopes, ['source.nginx', 'meta.directive.nginx', 'keyword.other.directive.nginx']);
    });
  });

  describe('locations', () => {
    it('scopes modifiers, prefix paths and named locations', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 28, '/ws/', 'string.unquoted.path.nginx');
      expectScope(l, 38, '=', 'keyword.operator.location-modifier.nginx');
      expectScope(l, 38, '/health', 'string.unquoted.path.nginx');
      expectScope(l, 42, '^~', 'keyword.operator.location-modifier.nginx');
      expectScope(l, 59, 'fallback', 'entity.name.function.named-location.nginx');
    });

    it('scopes regex paths with their groups, alternation and anchors', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 46, '~*', 'keyword.operator.location-modifier.nginx');
      expectScope(l, 46, '^', 'keyword.control.anchor.regexp');
      expectScope(l, 46, '/socket/', 'string.regexp.nginx');
      expectScope(l, 46, '(', 'punctuation.definition.group.regexp');
      expectScope(l, 46, '|', 'keyword.operator.or.regexp');
      expectScope(l, 46, '$', 'keyword.control.anchor.regexp');
      expectScope(l, 46, '{', 'punctuation.section.block.begin.nginx');
      const e = fixture('edge-cases.conf');
      expectScope(e, 29, '\\.', 'constant.character.escape.regexp');
    });

    it('keeps a quoted regex with a {2} quantifier inside the location header', () => {
      const l = fixture('edge-cases.conf');
      expectScope(l, 26, '{2}', 'keyword.operator.quantifier.regexp');
      expectScope(l, 26, '{2}', 'string.regexp.nginx');
      expectScope(l, 26, '[0-9]', 'constant.other.character-class.set.regexp');
      expectScope(l, 26, '{', 'punctuation.section.block.begin.nginx');
      expectScope(l, 27, 'proxy_pass', 'keyword.other.directive.nginx');
      expectScope(l, 28, '}', 'punctuation.section.block.end.nginx');
    });
  });

  describe('strings, variables, numbers, comments', () => {
    it('scopes double and single quoted strings with escapes and embedded variables', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 39, 'ok ', 'string.quoted.single.nginx');
      expectScope(l, 39, 'host', 'variable.other.nginx');
      expectScope(l, 39, '\\n', 'constant.character.escape.nginx');
      expectScope(l, 33, 'proxy_add_x_forwarded_for', 'variable.other.nginx');
      expectScope(l, 33, 'proxy_add_x_forwarded_for', 'string.quoted.double.nginx');
      expectScope(l, 33, '${', 'punctuation.definition.variable.begin.nginx');
      expectScope(l, 47, '"', 'punctuation.definition.string.begin.nginx');
    });

    it('keeps ; { } inside quoted strings from ending the statement', () => {
      const l = fixture('edge-cases.conf');
      expectScope(l, 23, 'a;b{c}d', 'string.quoted.double.nginx');
      expectScope(l, 23, 'always', 'constant.language.nginx');
      expectScope(l, 23, ';', 'punctuation.terminator.statement.nginx');
      expectScope(l, 24, 'x;y}', 'string.quoted.single.nginx');
      expectScope(l, 24, ';', 'punctuation.terminator.statement.nginx');
      expectScope(l, 25, 'server_name', 'keyword.other.directive.nginx');
    });

    it('scopes $var, ${var}, regex captures and template placeholders as variables', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 31, 'http_upgrade', 'variable.other.nginx');
      expectScope(l, 31, '$', 'punctuation.definition.variable.nginx');
      expectScope(l, 56, '1', 'variable.other.nginx');
      expectScope(l, 56, 'is_args', 'variable.other.nginx');
      expectScope(l, 56, 'http://127.0.0.1:8080/', 'markup.underline.link.nginx');
      const e = fixture('edge-cases.conf');
      expectScope(e, 25, 'SERVER_NAME', 'variable.other.nginx');
    });

    it('scopes a proxy_pass URL as a link, never as a string or anything a theme paints as an error', () => {
      // Light themes colour `string` dark red, and the editor underlines URLs itself: a string-scoped URL read
      // as an error at a glance. `markup.underline.link` is the scope themes give links.
      const l = fixture('websocket.conf');
      for (const [line, text] of [
        [29, 'http://ws_backend'],
        [56, 'http://127.0.0.1:8080/'],
      ] as const) {
        const t = tokenAt(l, line, text);
        assert.ok(t.scopes.includes('markup.underline.link.nginx'), `${text}: ${t.scopes.join(' ')}`);
        assert.ok(
          !t.scopes.some((s) => s.startsWith('string') || s.startsWith('invalid') || s.startsWith('markup.deleted')),
          `${text}: ${t.scopes.join(' ')}`,
        );
      }
    });

    it('scopes numbers with time and size units', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 6, '1024', 'constant.numeric.nginx');
      expectScope(l, 30, '1.1', 'constant.numeric.nginx');
      expectScope(l, 34, '3600', 'constant.numeric.nginx');
      expectScope(l, 34, 's', 'keyword.other.unit.nginx');
      expectScope(l, 25, '1', 'constant.numeric.nginx');
      expectScope(l, 25, 'h', 'keyword.other.unit.nginx');
      expectScope(l, 25, '30', 'constant.numeric.nginx');
      expectScope(l, 25, 'm', 'keyword.other.unit.nginx');
      expectScope(l, 26, '64', 'constant.numeric.nginx');
      expectScope(l, 26, 'k', 'keyword.other.unit.nginx');
      expectScope(l, 35, 'off', 'constant.language.boolean.nginx');
      // Digits inside an address are not numbers.
      expectNoScope(l, 18, ' 127.0.0.1:8080 max_fails=3 fail_timeout=10s', 'constant.numeric');
    });

    it('scopes comments only where a token can start', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 1, '#', 'punctuation.definition.comment.nginx');
      expectScope(l, 13, ' regex key', 'comment.line.number-sign.nginx');
      const e = fixture('edge-cases.conf');
      expectNoScope(e, 33, ' v1#2', 'comment');
      expectScope(e, 33, ' only this is a comment', 'comment.line.number-sign.nginx');
    });

    it('keeps multi-line log_format strings inside one directive', () => {
      const l = fixture('edge-cases.conf');
      expectScope(l, 2, 'log_format', 'keyword.other.directive.nginx');
      expectScope(l, 3, 'request', 'variable.other.nginx');
      expectScope(l, 3, 'request', 'meta.directive.nginx');
      expectScope(l, 4, 'request_time', 'string.quoted.single.nginx');
      expectScope(l, 4, ';', 'punctuation.terminator.statement.nginx');
      // One string spanning lines, with JSON braces inside.
      expectScope(l, 5, '{', 'string.quoted.single.nginx');
      expectScope(l, 6, 'remote_addr', 'variable.other.nginx');
      expectScope(l, 7, '        "status": ', 'string.quoted.single.nginx');
      expectScope(l, 8, '    }', 'string.quoted.single.nginx');
      expectScope(l, 8, ';', 'punctuation.terminator.statement.nginx');
      expectScope(l, 10, 'limit_conn_zone', 'keyword.other.directive.nginx');
    });
  });

  describe('if conditions', () => {
    it('scopes operators, regexes and the closing parenthesis', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 47, '(', 'punctuation.section.condition.begin.nginx');
      expectScope(l, 47, '!~*', 'keyword.operator.regex.nginx');
      expectScope(l, 47, 'websocket', 'string.regexp.nginx');
      expectScope(l, 47, ')', 'punctuation.section.condition.end.nginx');
      expectScope(l, 48, 'return', 'keyword.other.directive.nginx');
      expectScope(l, 53, '-f', 'keyword.operator.comparison.nginx');
      expectScope(l, 53, 'request_filename', 'variable.other.nginx');
    });

    it('lets an unquoted regex keep its own parentheses', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 50, '~', 'keyword.operator.regex.nginx');
      expectScope(l, 50, 'MSIE', 'string.regexp.nginx');
      expectScope(l, 50, ')', 'punctuation.definition.group.regexp', 0);
      expectScope(l, 50, ')', 'punctuation.section.condition.end.nginx', 1);
      expectScope(l, 50, '{', 'punctuation.section.block.begin.nginx');
    });

    it('scopes the regex of rewrite', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 60, '/old/', 'string.regexp.nginx');
      expectScope(l, 60, '*', 'keyword.operator.quantifier.regexp');
      expectScope(l, 60, 'permanent', 'constant.language.nginx');
    });
  });

  describe('map, types and geo bodies', () => {
    it('scopes map entries as keys and values, not directives', () => {
      const l = fixture('websocket.conf');
      expectScope(l, 10, 'connection_upgrade', 'variable.other.nginx');
      expectScope(l, 11, 'default', 'keyword.other.map.nginx');
      expectNoScope(l, 11, 'default', 'keyword.other.directive');
      expectScope(l, 12, "'", 'string.quoted.single.nginx');
      expectScope(l, 12, ';', 'punctuation.terminator.statement.nginx');
      expectScope(l, 13, '~*', 'keyword.operator.regex.nginx');
      expectScope(l, 13, 'web', 'string.regexp.nginx');
      expectScope(l, 14, '}', 'punctuation.section.block.end.nginx');
      expectScope(l, 16, 'upstream', 'storage.type.block.nginx');
    });

    it('scopes types and geo bodies', () => {
      const l = fixture('edge-cases.conf');
      expectScope(l, 12, 'types', 'storage.type.block.nginx');
      expectScope(l, 13, 'text/html', 'support.type.mime.nginx');
      expectScope(l, 14, 'application/javascript', 'support.type.mime.nginx');
      expectScope(l, 17, 'geo', 'storage.type.block.nginx');
      expectScope(l, 18, 'default', 'keyword.other.map.nginx');
      expectScope(l, 19, '127.0.0.1/32', 'string.unquoted.map-key.nginx');
      expectScope(l, 22, 'server', 'storage.type.block.nginx');
    });
  });

  describe('Lua blocks', () => {
    it('embeds *_by_lua_block bodies as Lua', () => {
      const l = fixture('lua.conf');
      expectScope(l, 2, 'init_by_lua_block', 'keyword.other.directive.nginx');
      expectScope(l, 3, 'resty.core', 'meta.embedded.block.lua');
      expectScope(l, 3, 'resty.core', 'string.quoted.double.lua');
      expectScope(l, 9, 'content_by_lua_block', 'keyword.other.directive.nginx');
      expectScope(l, 21, ' return 32 + math.cos(32) ', 'meta.embedded.block.lua');
      expectScope(l, 21, 'res', 'variable.other.nginx');
    });

    it('is not closed by braces in strings, comments, long brackets or tables', () => {
      const l = fixture('lua.conf');
      expectScope(l, 4, '}', 'string.quoted.double.lua');
      expectScope(l, 4, '}', 'punctuation.section.table.end.lua', 1);
      expectScope(l, 4, ' a table with braces in strings', 'comment.line.double-dash.lua');
      expectScope(l, 5, '}', 'punctuation.section.block.end.nginx');
      expectScope(l, 10, ' a comment with a closing brace }', 'comment.line.double-dash.lua');
      expectScope(l, 11, 'single } quote', 'string.quoted.single.lua');
      expectScope(l, 12, '}', 'punctuation.section.table.end.lua', 1);
      expectNoScope(l, 12, '}', 'punctuation.section.block.end.nginx', 1);
      expectScope(l, 13, ' block comment with }', 'comment.block.lua');
      expectScope(l, 14, ']]', 'comment.block.lua');
      expectScope(l, 15, ' long string } ', 'string.quoted.other.multiline.lua');
      expectScope(l, 16, 'hello }', 'string.quoted.double.lua');
      expectScope(l, 17, '}', 'punctuation.section.block.end.nginx');
      expectNoScope(l, 17, '}', 'meta.embedded.block.lua');
    });

    it('highlights nginx again after the Lua block', () => {
      const l = fixture('lua.conf');
      expectScope(l, 18, 'access_log', 'keyword.other.directive.nginx');
      expectNoScope(l, 18, 'access_log', 'meta.embedded');
      expectScope(l, 18, 'off', 'constant.language.boolean.nginx');
      expectScope(l, 22, 'proxy_read_timeout', 'keyword.other.directive.nginx');
      expectScope(l, 22, 's', 'keyword.other.unit.nginx');
    });
  });

  describe('real-world configs (read in place from ../shared/corpus)', () => {
    const corpus = CORPUS;
    // Files that end in a bare word with no `;` on purpose ("this file should never be included"):
    // nginx reads the rest of the file as that directive's arguments, and so does the grammar.
    const unterminated = new Set([
      'crossplane/tests/configs/includes-regular/conf.d/bar.conf',
      'crossplane/tests/configs/includes-regular/conf.d/foo.conf',
      'crossplane/tests/configs/includes-globbed/servers/locations/not-included.conf',
    ]);
    const configFiles = (dir: string): string[] =>
      existsSync(dir)
        ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
            .filter((rel) => /(\.conf|mime\.types)$/.test(rel) || /sites-(available|enabled)\/[^/]+$/.test(rel))
            .map((rel) => path.join(dir, rel))
            .filter((f) => statSync(f).isFile())
        : [];

    const debianAbsent = existsSync('/etc/nginx') ? false : "/etc/nginx is absent (Debian's nginx package is not installed)";
    const files = [...configFiles(corpus), ...configFiles('/etc/nginx')];
    it(
      'highlights every corpus and Debian config without invalid tokens and returns to the top level',
      { skip: files.length === 0 && `${CORPUS_ABSENT}; ${debianAbsent}` },
      async (t) => {
        // One of the two sources missing: the other still runs, and the missing one is reported skipped with the reason.
        if (CORPUS_ABSENT) await t.test('the corpus files', { skip: CORPUS_ABSENT }, () => {});
        if (debianAbsent) await t.test("Debian's /etc/nginx", { skip: debianAbsent }, () => {});
        const started = performance.now();
        for (const file of files) {
          // latin1 keeps the deliberately non-UTF-8 fixture readable byte for byte.
          const lines = tokenize(readFileSync(file, 'latin1') + '\nworker_processes 1;\n');
          const invalid = lines.flatMap((l, i) =>
            l.tokens.filter((tok) => tok.scopes.some((sc) => sc.startsWith('invalid'))).map((tok) => `${i + 1}: ${tok.text}`),
          );
          assert.deepEqual(invalid, [], `${file}: invalid tokens`);
          if (unterminated.has(path.relative(corpus, file))) continue;
          const probe = lines.at(-2)!.tokens[0]!;
          assert.deepEqual(
            probe.scopes,
            ['source.nginx', 'meta.directive.nginx', 'keyword.other.directive.nginx'],
            `${file}: a directive after the file is not at the top level`,
          );
        }
        const ms = performance.now() - started;
        t.diagnostic(`${files.length} files tokenized in ${ms.toFixed(0)} ms`);
        assert.ok(ms < 10_000, `tokenizing ${files.length} files took ${ms.toFixed(0)} ms`);
      },
    );

    const crossplane = corpusPart(path.join('crossplane', 'tests', 'configs'));
    it("handles crossplane's messy and tricky Lua configs", { skip: crossplane.absent }, () => {
      const dir = crossplane.dir;
      const messy = tokenize(readFileSync(path.join(dir, 'messy', 'nginx.conf'), 'utf8'));
      expectScope(messy, 3, 'events', 'storage.type.block.nginx');
      expectScope(messy, 3, 'worker_connections', 'keyword.other.directive.nginx');
      expectScope(messy, 14, '/hello/world;', 'string.regexp.nginx');
      expectScope(messy, 22, 'return', 'keyword.other.directive.nginx');
      expectScope(messy, 24, 'server', 'storage.type.block.nginx');
      const tricky = tokenize(readFileSync(path.join(dir, 'lua-block-tricky', 'nginx.conf'), 'utf8'));
      expectNoScope(tricky, 4, '  content_by_lua_block ', 'keyword');
      expectScope(tricky, 5, 'set_by_lua_block', 'keyword.other.directive.nginx');
      expectScope(tricky, 9, ' write to $diff directly', 'comment.line.double-dash.lua');
      expectScope(tricky, 12, 'rewrite_by_lua_block', 'keyword.other.directive.nginx');
      expectScope(tricky, 15, '}', 'punctuation.section.table.end.lua');
      expectScope(tricky, 16, '}', 'punctuation.section.block.end.nginx');
      expectScope(tricky, 18, 'content_by_lua_block', 'entity.name.type.upstream.nginx');
    });
  });

  it('opens strings only at the start of a token, as nginx does', () => {
    const l = tokenize('add_header X-A a"b;\nreturn 200 "ok";\n');
    expectNoScope(l, 1, ' X-A a"b', 'string');
    expectScope(l, 1, ';', 'punctuation.terminator.statement.nginx');
    expectScope(l, 2, 'ok', 'string.quoted.double.nginx');
  });

  it('recovers from a missing semicolon at the closing brace', () => {
    const l = tokenize('server {\n  location / {\n    proxy_pass http://a\n  }\n  listen 80;\n}\n');
    expectScope(l, 4, '}', 'punctuation.section.block.end.nginx');
    expectScope(l, 5, 'listen', 'keyword.other.directive.nginx');
    expectScope(l, 6, '}', 'punctuation.section.block.end.nginx');
  });

  it('marks a stray closing brace instead of losing track', () => {
    const l = tokenize('}\nworker_processes 1;\n');
    expectScope(l, 1, '}', 'invalid.illegal.stray-brace.nginx');
    expectScope(l, 2, 'worker_processes', 'keyword.other.directive.nginx');
  });
});

describe('language configuration', () => {
  interface LanguageConfiguration {
    comments: { lineComment: string };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
    surroundingPairs: [string, string][];
    folding: { markers: { start: string; end: string } };
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
    wordPattern: string;
  }
  const config = JSON.parse(readFileSync(path.join(ROOT, 'language-configuration.json'), 'utf8')) as LanguageConfiguration;

  it('declares # comments, brackets and auto-closing quotes', () => {
    assert.equal(config.comments.lineComment, '#');
    assert.deepEqual(config.brackets, [
      ['{', '}'],
      ['(', ')'],
      ['[', ']'],
    ]);
    const pairs = new Map(config.autoClosingPairs.map((p) => [p.open, p]));
    for (const [open, close] of [
      ['{', '}'],
      ['(', ')'],
      ['[', ']'],
      ['"', '"'],
      ["'", "'"],
    ] as const) {
      assert.equal(pairs.get(open)?.close, close, `auto-closing ${open}`);
    }
    assert.deepEqual(pairs.get('"')?.notIn, ['string', 'comment']);
  });

  it('folds on braces and #region markers', () => {
    const start = new RegExp(config.folding.markers.start);
    const end = new RegExp(config.folding.markers.end);
    for (const line of ['server {', '    location ~ "^/a{2}$" {   # ws', 'content_by_lua_block {', '# region upstreams']) {
      assert.ok(start.test(line), `fold start: ${line}`);
    }
    for (const line of ['location / { return 200; }', '# server {', 'add_header X "{";']) {
      assert.ok(!start.test(line), `not a fold start: ${line}`);
    }
    assert.ok(end.test('    }'));
    assert.ok(end.test('# endregion'));
    assert.ok(!end.test('return 200 "}";'));
  });

  it('indents after an open brace and outdents on a closing one', () => {
    const inc = new RegExp(config.indentationRules.increaseIndentPattern);
    const dec = new RegExp(config.indentationRules.decreaseIndentPattern);
    assert.ok(inc.test('http {'));
    assert.ok(inc.test('    map $http_upgrade $connection_upgrade {'));
    assert.ok(inc.test('if ($http_upgrade ~* "^web{1}") {  # comment'));
    assert.ok(!inc.test('location / { return 200; }'));
    assert.ok(!inc.test('# http {'));
    assert.ok(!inc.test("add_header X '{';"));
    assert.ok(dec.test('  }'));
    assert.ok(!dec.test('  proxy_pass http://b;'));
  });

  it('keeps $variables, ${variables}, directive names and values with units whole', () => {
    const words = (text: string) => text.match(new RegExp(config.wordPattern, 'g'));
    assert.deepEqual(words('proxy_set_header Connection $connection_upgrade;'), ['proxy_set_header', 'Connection', '$connection_upgrade']);
    assert.deepEqual(words('server_name ${SERVER_NAME};'), ['server_name', '${SERVER_NAME}']);
    assert.deepEqual(words('keepalive_timeout 1h30m; proxy_http_version 1.1;'), [
      'keepalive_timeout',
      '1h30m',
      'proxy_http_version',
      '1.1',
    ]);
    assert.deepEqual(words('try_files $uri @fallback;'), ['try_files', '$uri', '@fallback']);
    assert.deepEqual(words('proxy_pass http://ws_backend;'), ['proxy_pass', 'http', 'ws_backend']);
  });
});

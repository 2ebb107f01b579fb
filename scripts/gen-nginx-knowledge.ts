/**
 * Generates `server/src/engine/knowledge/data/nginx.ts`: every directive and
 * built-in variable of the modules nginx ships, with how each one's contexts
 * and argument count changed from release to release, read from nginx's own
 * sources at each release tag (the `ngx_command_t` tables and the variable
 * arrays), plus the nginx.org `<appeared-in>` notes for what predates the
 * first tag scanned. Data only: names, flags and version numbers.
 *
 *   node --import tsx scripts/gen-nginx-knowledge.ts [NGINX_GIT_DIR] [NGINX_ORG_GIT_DIR]
 *
 * Defaults: the snapshots under /work/.mirror (bare git dirs of
 * github.com/nginx/nginx and github.com/nginx/nginx.org, and of the third-party
 * modules listed in THIRD_PARTY beside them). Run it again when a
 * new nginx release appears; `test/unit/knowledge-versions.test.ts` checks the
 * committed file against the snapshots when they are present.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDirectives, getVariables, Format } from '@nginx/reference-lib';

const NGINX = process.argv[2] ?? '/work/.mirror/nginx+nginx/repo';
const ORG = process.argv[3] ?? '/work/.mirror/nginx+nginx.org/repo';
/** Where the two files go; NGINX_KNOWLEDGE_OUT=DIR writes them elsewhere (the test compares a fresh run with the committed files). */
const OUT_DIR = process.env.NGINX_KNOWLEDGE_OUT ?? join(__dirname, '..', 'server', 'src', 'engine', 'knowledge', 'data');
const OUT = join(OUT_DIR, 'nginx.ts');
const OUT_CHANGES = join(OUT_DIR, 'nginx-changes.ts');
/** Snapshots of the third-party modules' repositories (owner+name/repo, as /work/.mirror keeps them). */
const MIRRORS = process.env.NGINX_KNOWLEDGE_MIRRORS ?? join(NGINX, '..', '..');
const FIRST = '1.18.0';

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });

function cmpVersion(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** Mainline releases and the first release of each stable branch, from FIRST on (stable point releases add no features). */
function releaseTags(): string[] {
  return git(NGINX, 'tag')
    .split('\n')
    .map((t) => /^release-(\d+\.\d+\.\d+)$/.exec(t)?.[1])
    .filter((v): v is string => !!v && cmpVersion(v, FIRST) >= 0)
    .filter((v) => Number(v.split('.')[1]) % 2 === 1 || v.endsWith('.0'))
    .sort(cmpVersion);
}

/** Reads many blobs at once with `git cat-file --batch`. */
function readBlobs(ids: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const buf = execFileSync('git', ['-C', NGINX, 'cat-file', '--batch'], { input: ids.join('\n') + '\n', maxBuffer: 1 << 30 });
  let p = 0;
  while (p < buf.length) {
    const nl = buf.indexOf(10, p);
    const [id, , size] = buf.toString('latin1', p, nl).split(' ');
    const start = nl + 1;
    out.set(id!, buf.toString('latin1', start, start + Number(size)));
    p = start + Number(size) + 1;
  }
  return out;
}

const CTX_FLAGS: [string, string][] = [
  ['NGX_MAIN_CONF', 'M'],
  ['NGX_EVENT_CONF', 'E'],
  ['NGX_ANY_CONF', '*'],
  ['NGX_HTTP_MAIN_CONF', 'H'],
  ['NGX_HTTP_SRV_CONF', 'S'],
  ['NGX_HTTP_LOC_CONF', 'L'],
  ['NGX_HTTP_UPS_CONF', 'U'],
  ['NGX_HTTP_SIF_CONF', 'SIF'],
  ['NGX_HTTP_LIF_CONF', 'LIF'],
  ['NGX_HTTP_LMT_CONF', 'LMT'],
  ['NGX_STREAM_MAIN_CONF', 'ST'],
  ['NGX_STREAM_SRV_CONF', 'STS'],
  ['NGX_STREAM_UPS_CONF', 'STU'],
  ['NGX_MAIL_MAIN_CONF', 'ML'],
  ['NGX_MAIL_SRV_CONF', 'MLS'],
];
const CTX_ORDER = CTX_FLAGS.map((c) => c[1]);

/** `NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12` → { ctx: 'L', args: '12' }; args as the knowledge table writes them. */
function decodeFlags(flags: string): { ctx: string; args: string } | null {
  const parts = flags
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean);
  const ctx = new Set<string>();
  const counts = new Set<number>();
  let special = '';
  let block = false;
  for (const f of parts) {
    const c = CTX_FLAGS.find((x) => x[0] === f);
    if (c) ctx.add(c[1]);
    else if (f === 'NGX_DIRECT_CONF') continue;
    else if (f === 'NGX_CONF_BLOCK') block = true;
    else if (f === 'NGX_CONF_FLAG') special = 'flag';
    else if (f === 'NGX_CONF_1MORE') special = '1+';
    else if (f === 'NGX_CONF_2MORE') special = '2+';
    else if (f === 'NGX_CONF_ANY') special = '0+';
    else if (f === 'NGX_CONF_NOARGS') counts.add(0);
    else if (/^NGX_CONF_TAKE\d+$/.test(f)) for (const d of f.slice(13)) counts.add(Number(d));
    else return null; // not a command's type field
  }
  if (!ctx.size) return null;
  const args = (special || [...counts].sort().join('')) + (block ? 'B' : '');
  return { ctx: [...ctx].sort((a, b) => CTX_ORDER.indexOf(a) - CTX_ORDER.indexOf(b)).join(' '), args };
}

/** Splits `a, f(b, c), d` at top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '{') depth++;
    if (ch === ')' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

interface Found {
  /** name → module → { ctx, args } */
  commands: Map<string, Map<string, { ctx: string; args: string; dep?: string; ignored?: boolean }>>;
  /** `http:name` / `stream:name` → { module, prefix } */
  variables: Map<string, { module: string; prefix: boolean }>;
}

function stripComments(c: string): string {
  return c.replace(/\/\*[\s\S]*?\*\//g, ' ');
}

function parseFile(path: string, text: string, found: Found): void {
  const c = stripComments(text);
  // Which module owns which command array.
  const owner = new Map<string, string>();
  for (const m of c.matchAll(/ngx_module_t\s+(\w+)\s*=\s*\{\s*NGX_MODULE_V1\s*,\s*[^,]+,\s*(\w+)\s*,/g)) owner.set(m[2]!, m[1]!);
  const fileModule = /ngx_module_t\s+(\w+)\s*=\s*\{/.exec(c)?.[1] ?? path;
  for (const m of c.matchAll(/ngx_command_t\s+(\w+)\[\]\s*=\s*\{([\s\S]*?)ngx_null_command/g)) {
    const module = owner.get(m[1]!) ?? fileModule;
    for (const e of m[2]!.replace(/^\s*#.*$/gm, '').matchAll(/\{\s*ngx_string\("([^"]+)"\)\s*,([^{}]*)\}/g)) {
      const [type, set, , , post] = splitTop(e[2]!);
      const flags = decodeFlags((type ?? '').replace(/\s+/g, ''));
      if (!flags) continue;
      // Deprecated: an `_obsolete` handler, or a post of type ngx_conf_deprecated_t ({ ngx_conf_deprecated, "old", "new" }).
      const postName = /^&(\w+)$/.exec((post ?? '').trim())?.[1];
      const dep = postName
        ? new RegExp(`ngx_conf_deprecated_t\\s+${postName}\\s*=\\s*\\{[^}]*"[^"]*"\\s*,\\s*"([^"]*)"`).exec(c)?.[1]
        : undefined;
      const obsolete = /obsolete/.test(set ?? '');
      const d = { ...flags, dep: dep ?? (obsolete ? '' : undefined), ignored: obsolete };
      let byModule = found.commands.get(e[1]!);
      if (!byModule) found.commands.set(e[1]!, (byModule = new Map<string, typeof d>()));
      byModule.set(module, d);
    }
  }
  // Variable arrays: { ngx_string("name"), set, get, data, flags, index }.
  for (const m of c.matchAll(/ngx_(http|stream)_variable_t\s+\w+\[\]\s*=\s*\{([\s\S]*?)ngx_\1_null_variable/g)) {
    const sub = m[1]!;
    const body = m[2]!.replace(/^\s*#.*$/gm, '');
    for (const e of body.matchAll(/\{\s*(ngx_string\("[^"]*"\)[^{}]*(?:\([^()]*\)[^{}]*)*)\}/g)) {
      const fields = splitTop(e[1]!);
      const name = /ngx_string\("([^"]*)"\)/.exec(fields[0]!)?.[1];
      if (!name) continue;
      const prefix = /_VAR_PREFIX/.test(fields[4] ?? '');
      found.variables.set(`${sub}:${name}`, { module: fileModule, prefix });
    }
  }
  // Variables added one by one from a static name: ngx_http_add_variable(cf, &ngx_http_slice_range_name, ...).
  for (const m of c.matchAll(/ngx_(http|stream)_add_variable\(\s*cf\s*,\s*&(\w+)\s*,([^;]*)\)/g)) {
    const def = new RegExp(`ngx_str_t\\s+${m[2]}\\s*=\\s*ngx_string\\("([^"]+)"\\)`).exec(c);
    if (def) found.variables.set(`${m[1]}:${def[1]}`, { module: fileModule, prefix: /_VAR_PREFIX/.test(m[3]!) });
  }
}

function scan(tag: string, blobCache: Map<string, string>): Found {
  const found: Found = { commands: new Map(), variables: new Map() };
  const files = git(NGINX, 'ls-tree', '-r', `release-${tag}`, 'src')
    .split('\n')
    .map((l) => /^\d+ blob (\w+)\t(.+\.c)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m);
  const missing = files.map((m) => m[1]!).filter((id) => !blobCache.has(id));
  if (missing.length) for (const [id, text] of readBlobs(missing)) blobCache.set(id, text);
  for (const m of files) parseFile(m[2]!, blobCache.get(m[1]!)!, found);
  return found;
}

/** `<appeared-in>` notes of nginx.org's module pages: `module|directive` → version. */
function appearedIn(): Map<string, { version: string; file: string }> {
  const out = new Map<string, { version: string; file: string }>();
  const files = git(ORG, 'ls-tree', '-r', '--name-only', 'HEAD', 'xml/en/docs')
    .split('\n')
    .filter((f) => /\/ngx_[a-z0-9_]+\.xml$/.test(f));
  for (const f of files) {
    const text = git(ORG, 'show', `HEAD:${f}`);
    const module = /\/(ngx_[a-z0-9_]+)\.xml$/.exec(f)![1]!;
    for (const m of text.matchAll(/<directive name="([^"]+)"[^>]*>([\s\S]*?)<\/directive>/g)) {
      const v = /<appeared-in>([\d.]+)<\/appeared-in>/.exec(m[2]!)?.[1];
      if (v) out.set(`${module}|${m[1]}`, { version: v, file: f });
    }
  }
  return out;
}

/** Source module → the nginx.org page that documents its directives. */
function docModule(src: string, name: string, docsIndex: Map<string, Set<string>>): string {
  const pages = docsIndex.get(name);
  const family = src.startsWith('ngx_http_')
    ? 'ngx_http_'
    : src.startsWith('ngx_stream_')
      ? 'ngx_stream_'
      : src.startsWith('ngx_mail_')
        ? 'ngx_mail_'
        : '';
  if (pages) {
    const candidates = [...pages].filter((p) => (family ? p.startsWith(family) : !/^ngx_(http|stream|mail)_/.test(p)));
    const exact = candidates.find((p) => p === src || p === src.replace('_filter_module', '_module'));
    if (exact) return exact;
    if (candidates.length === 1) return candidates[0]!;
    // ngx_http_upstream_keepalive_module's directives are documented on ngx_http_upstream_module's page.
    const stem = (m: string) => m.replace(/_module$/, '_');
    const parent = candidates.find((p) => stem(src).startsWith(stem(p)));
    if (parent) return parent;
  }
  if (!family) return 'ngx_core_module';
  return src.replace('_filter_module', '_module');
}

/** [since, contexts, args, deprecated: the replacement ('' when there is none), 1 when nginx ignores it (obsolete)] */
type State = [string, string, string] | [string, string, string, string] | [string, string, string, string, number];

/** Files that define variables without an ngx_module_t of their own. */
const VARIABLE_FILES: Record<string, string> = {
  'src/http/ngx_http_variables.c': 'ngx_http_core_module',
  'src/stream/ngx_stream_variables.c': 'ngx_stream_core_module',
};

/** Third-party modules people commonly build in (snapshots of their repositories under /work/.mirror). */
const THIRD_PARTY: { repo: string; label: string; docs: string; commit?: string }[] = [
  { repo: 'openresty/lua-nginx-module', label: 'lua-nginx-module (OpenResty)', docs: 'https://github.com/openresty/lua-nginx-module#' },
  {
    repo: 'openresty/stream-lua-nginx-module',
    label: 'stream-lua-nginx-module (OpenResty)',
    docs: 'https://github.com/openresty/stream-lua-nginx-module#',
  },
  {
    repo: 'openresty/headers-more-nginx-module',
    label: 'headers-more-nginx-module (OpenResty)',
    docs: 'https://github.com/openresty/headers-more-nginx-module#',
  },
  { repo: 'openresty/echo-nginx-module', label: 'echo-nginx-module (OpenResty)', docs: 'https://github.com/openresty/echo-nginx-module#' },
  { repo: 'google/ngx_brotli', label: 'ngx_brotli (Google)', docs: 'https://github.com/google/ngx_brotli#' },
];

function scanThirdParty(): [string, number, string, string][] {
  const out: [string, number, string, string][] = [];
  THIRD_PARTY.forEach((t, i) => {
    const dir = join(MIRRORS, t.repo.replace('/', '+'), 'repo');
    t.commit = git(dir, 'rev-parse', 'HEAD').trim().slice(0, 12);
    const found: Found = { commands: new Map(), variables: new Map() };
    for (const f of git(dir, 'ls-tree', '-r', '--name-only', 'HEAD')
      .split('\n')
      .filter((f) => f.endsWith('.c'))) {
      parseFile(f, git(dir, 'show', `HEAD:${f}`), found);
    }
    for (const [name, mods] of [...found.commands].sort((a, b) => a[0].localeCompare(b[0]))) {
      const seen = new Set<string>();
      for (const d of mods.values()) {
        const key = `${d.ctx}/${d.args}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push([name, i, d.ctx, d.args]);
      }
    }
  });
  return out;
}

/** nginx's change log (docs/xml/nginx/changes.xml at the last release): version → English entries. */
function changeLog(tag: string): Map<string, { type: string; text: string }[]> {
  const xml = git(NGINX, 'show', `release-${tag}:docs/xml/nginx/changes.xml`);
  const out = new Map<string, { type: string; text: string }[]>();
  for (const v of xml.matchAll(/<changes ver="([\d.]+)"[^>]*>([\s\S]*?)<\/changes>/g)) {
    const list: { type: string; text: string }[] = [];
    for (const c of v[2]!.matchAll(/<change(?: type="(\w+)")?>([\s\S]*?)<\/change>/g)) {
      const en = /<para lang="en">([\s\S]*?)<\/para>/.exec(c[2]!)?.[1];
      if (en)
        list.push({
          type: c[1] ?? 'change',
          text: en
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
        });
    }
    out.set(v[1]!, list);
  }
  return out;
}

/** How the reference's module names map to where a directive comes from, for those nginx's sources lack. */
function referenceOrigin(module: string, description: string): string {
  if (module === 'ngx_http_js_module' || module === 'ngx_stream_js_module') return 'njs';
  if (module === 'ngx_otel_module') return 'otel';
  if (module === 'ngx_http_acme_module') return 'acme';
  if (/removed in version/.test(description)) return 'removed';
  return 'plus';
}

const REF_CTX: Record<string, Record<string, string>> = {
  http: { server: 'S', upstream: 'U' },
  stream: { server: 'STS', upstream: 'STU' },
  mail: { server: 'MLS' },
  core: {},
};
const REF_COMMON: Record<string, string[]> = {
  main: ['M'],
  events: ['E'],
  http: ['H'],
  stream: ['ST'],
  mail: ['ML'],
  location: ['L'],
  'if in location': ['LIF'],
  'if in server': ['SIF'],
  if: ['SIF', 'LIF'],
  limit_except: ['LMT'],
};

/** A reference entry's contexts as context codes (null for contexts of NGINX Plus blocks such as `mgmt`). */
export function referenceContexts(module: string, contexts: string[]): string[] | null {
  // Modules named outside the subsystems (ngx_otel_module) are http modules when they live in http contexts.
  const family = /^ngx_(http|stream|mail)_/.exec(module)?.[1] ?? (contexts.some((c) => c === 'http' || c === 'location') ? 'http' : 'core');
  const out: string[] = [];
  for (const c of contexts) {
    const codes = REF_CTX[family]![c] ? [REF_CTX[family]![c]] : REF_COMMON[c];
    if (!codes) return null;
    for (const x of codes) if (!out.includes(x)) out.push(x);
  }
  return out.length ? out.sort((a, b) => CTX_ORDER.indexOf(a) - CTX_ORDER.indexOf(b)) : null;
}

function main(): void {
  const tags = releaseTags();
  const blobCache = new Map<string, string>();
  const scans = tags.map((t) => {
    process.stderr.write(`scanning ${t}\n`);
    return scan(t, blobCache);
  });
  const appeared = appearedIn();
  // Directive name → the doc pages that document it (for the module name users see).
  const docsIndex = new Map<string, Set<string>>();
  for (const key of appeared.keys()) {
    const [m, d] = key.split('|') as [string, string];
    if (!docsIndex.has(d)) docsIndex.set(d, new Set());
    docsIndex.get(d)!.add(m);
  }
  for (const f of git(ORG, 'ls-tree', '-r', '--name-only', 'HEAD', 'xml/en/docs')
    .split('\n')
    .filter((f) => /\/ngx_[a-z0-9_]+\.xml$/.test(f))) {
    const module = /\/(ngx_[a-z0-9_]+)\.xml$/.exec(f)![1]!;
    for (const m of git(ORG, 'show', `HEAD:${f}`).matchAll(/<directive name="([^"]+)"/g)) {
      if (!docsIndex.has(m[1]!)) docsIndex.set(m[1]!, new Set());
      docsIndex.get(m[1]!)!.add(module);
    }
  }

  // Directives: key name|source module; states over the scanned releases.
  const keys = new Set<string>();
  for (const s of scans) for (const [name, mods] of s.commands) for (const m of mods.keys()) keys.add(`${name}|${m}`);
  const directives: { name: string; module: string; states: State[] }[] = [];
  for (const key of [...keys].sort()) {
    const [name, src] = key.split('|') as [string, string];
    const module = docModule(src, name, docsIndex);
    const states: State[] = [];
    let prev = '';
    scans.forEach((s, i) => {
      const d = s.commands.get(name)?.get(src);
      const cur = d ? `${d.ctx}/${d.args}/${d.dep}/${d.ignored}` : '-';
      if (cur === prev) return;
      if (i === 0 && cur === '-') {
        prev = cur;
        return;
      }
      const from = i === 0 ? '' : tags[i]!;
      states.push(
        d
          ? d.dep === undefined
            ? [from, d.ctx, d.args]
            : d.ignored
              ? [from, d.ctx, d.args, d.dep, 1]
              : [from, d.ctx, d.args, d.dep]
          : [from, '-', ''],
      );
      prev = cur;
    });
    if (!states.length) continue;
    if (states[0]![0] === '') {
      const a = appeared.get(`${module}|${name}`);
      if (a && cmpVersion(a.version, FIRST) < 0) states[0]![0] = a.version;
    }
    directives.push({ name, module, states });
  }

  // Variables.
  const vkeys = new Set<string>();
  for (const s of scans) for (const k of s.variables.keys()) vkeys.add(k);
  const variables: { sub: string; name: string; module: string; prefix: boolean; states: [string, boolean][] }[] = [];
  for (const key of [...vkeys].sort()) {
    const [sub, name] = key.split(':') as [string, string];
    let module = '';
    let prefix = false;
    const states: [string, boolean][] = [];
    let prev: boolean | null = null;
    scans.forEach((s, i) => {
      const v = s.variables.get(key);
      if (v) {
        prefix = v.prefix;
        module = VARIABLE_FILES[v.module] ?? v.module.replace('_filter_module', '_module');
      }
      const cur = !!v;
      if (cur === prev) return;
      if (!(i === 0 && !cur)) states.push([i === 0 ? '' : tags[i]!, cur]);
      prev = cur;
    });
    variables.push({ sub, name, module, prefix, states });
  }

  const thirdParty = scanThirdParty();
  const head = git(NGINX, 'rev-list', '-n1', `release-${tags[tags.length - 1]}`).trim();
  const lines: string[] = [];
  lines.push('/**');
  lines.push(' * GENERATED by scripts/gen-nginx-knowledge.ts; do not edit by hand.');
  lines.push(' *');
  lines.push(` * Every directive and built-in variable of nginx's own sources (github.com/nginx/nginx), scanned at the`);
  lines.push(` * release tags ${tags[0]} … ${tags[tags.length - 1]} (${head.slice(0, 12)}): the \`ngx_command_t\` tables give`);
  lines.push(" * each directive's contexts and argument count, the variable arrays each variable. A state's version is");
  lines.push(` * the first scanned release that has it ('' = already in ${FIRST}; an earlier version there comes from the`);
  lines.push(' * `<appeared-in>` note of the directive on nginx.org, xml/en/docs/…). Context codes: M main, E events,');
  lines.push(' * * any, H http, S server, L location, U upstream, SIF/LIF if in server/location, LMT limit_except, ST stream,');
  lines.push(' * STS stream server, STU stream upstream, ML mail, MLS mail server. Arguments: counts (`12` = 1 or 2),');
  lines.push(' * `flag`, `1+`, `2+`, `0+`; `B` = takes a block. A `-` context means the directive is gone from that release; a');
  lines.push(' * fourth field means nginx accepts it with a "deprecated"/"obsolete" warning, naming the replacement (\'\' = none);');
  lines.push(' * a fifth (1) that nginx ignores its value (an "obsolete" handler), where a "deprecated" one still applies it.');
  lines.push(' */');
  lines.push('');
  lines.push(`export const SCANNED_RELEASES = ${JSON.stringify(tags)};`);
  lines.push('');
  lines.push('/** [name, documentation module, states: [since, contexts, args, deprecated?, ignored?][]] */');
  lines.push(
    'export const DIRECTIVES: [string, string, ([string, string, string] | [string, string, string, string] | [string, string, string, string, number])[]][] = [',
  );
  for (const d of directives) lines.push(`  ${JSON.stringify([d.name, d.module, d.states])},`);
  lines.push('];');
  lines.push('');
  lines.push('/** [subsystem, name (a prefix ends with `_`), source module, prefix, states: [since, present][]] */');
  lines.push('export const VARIABLES: [string, string, string, boolean, [string, boolean][]][] = [');
  for (const v of variables) lines.push(`  ${JSON.stringify([v.sub, v.name, v.module, v.prefix, v.states])},`);
  lines.push('];');
  lines.push('');
  // Directives the official reference (@nginx/reference-lib) documents that nginx's own sources lack.
  const known = new Set(directives.map((d) => `${d.name}|${d.module}`));
  const refOnly: [string, string, string, boolean, string][] = [];
  for (const r of getDirectives(Format.Markdown)) {
    const module = r.module === 'Core functionality' ? 'ngx_core_module' : r.module;
    if (known.has(`${r.name}|${module}`)) continue;
    const ctx = referenceContexts(module, r.contexts);
    if (!ctx) continue;
    refOnly.push([r.name, module, ctx.join(' '), r.isBlock, referenceOrigin(module, r.description)]);
  }
  lines.push('/**');
  lines.push(" * Directives that @nginx/reference-lib documents and nginx's sources lack: NGINX Plus (`plus`), njs");
  lines.push(' * (`njs`), nginx-otel (`otel`), nginx-acme (`acme`), or removed before the first release scanned (`removed`).');
  lines.push(' * [name, documentation module, contexts, takes a block, origin]');
  lines.push(' */');
  lines.push('export const REFERENCE_ONLY: [string, string, string, boolean, string][] = [');
  for (const d of refOnly) lines.push(`  ${JSON.stringify(d)},`);
  lines.push('];');
  lines.push('');
  // Variables the reference documents that nginx's sources lack (NGINX Plus, njs ...).
  const knownVars = new Set(variables.map((v) => `${v.sub}:${v.name}`));
  const refVars: [string, string, string, boolean, string][] = [];
  for (const r of getVariables(Format.Markdown)) {
    const sub = r.module.startsWith('ngx_stream_') ? 'stream' : 'http';
    // Documented, but nginx only reads it: the config must set it (nginx -t: unknown "memcached_key" variable).
    if (r.name === '$memcached_key') continue;
    const m = /^\$(.*_)NAME$/.exec(r.name);
    const name = m ? m[1]! : r.name.replace(/^\$/, '');
    if (knownVars.has(`${sub}:${name}`)) continue;
    knownVars.add(`${sub}:${name}`);
    refVars.push([sub, name, r.module, !!m, referenceOrigin(r.module, r.description)]);
  }
  lines.push("/** Variables that @nginx/reference-lib documents and nginx's sources lack. [subsystem, name, module, prefix, origin] */");
  lines.push('export const REFERENCE_ONLY_VARIABLES: [string, string, string, boolean, string][] = [');
  for (const v of refVars) lines.push(`  ${JSON.stringify(v)},`);
  lines.push('];');
  lines.push('');
  lines.push('/**');
  lines.push(' * Directives of common third-party modules, from the `ngx_command_t` tables of their sources:');
  for (const t of THIRD_PARTY) lines.push(` * ${t.repo} at ${t.commit ?? '?'}`);
  lines.push(' * [name, module (index into THIRD_PARTY_MODULES), contexts, args]');
  lines.push(' */');
  lines.push(`export const THIRD_PARTY_MODULES: [string, string][] = ${JSON.stringify(THIRD_PARTY.map((t) => [t.label, t.docs]))};`);
  lines.push('export const THIRD_PARTY: [string, number, string, string][] = [');
  for (const d of thirdParty) lines.push(`  ${JSON.stringify(d)},`);
  lines.push('];');
  lines.push('');
  // Citations: the change log entry behind each version of a directive's or variable's history.
  const log = changeLog(tags[tags.length - 1]!);
  const cites: [string, string, string][] = [];
  const cited = new Set<string>();
  const cite = (name: string, version: string, module?: string) => {
    if (!version || cmpVersion(version, FIRST) <= 0 || cited.has(`${name}@${version}`)) return;
    cited.add(`${name}@${version}`);
    const entries = log.get(version) ?? [];
    const hit = entries.find((e) => e.text.includes(`"${name}"`) || e.text.includes(`$${name}`));
    const xml = module ? appeared.get(`${module}|${name}`) : undefined;
    cites.push([
      name,
      version,
      hit
        ? `CHANGES ${version}: ${hit.type}: ${hit.text}`
        : xml?.version === version
          ? `${xml.file}: <appeared-in>${version}</appeared-in>`
          : `src at release-${version} (no CHANGES entry names it)`,
    ]);
  };
  for (const d of directives) for (const st of d.states) cite(d.name, st[0], d.module);
  for (const v of variables) for (const st of v.states) cite(v.name, st[0]);
  const c: string[] = [];
  c.push('/**');
  c.push(' * GENERATED by scripts/gen-nginx-knowledge.ts; do not edit by hand.');
  c.push(' *');
  c.push(" * The source of every version in data/nginx.ts after the first scanned release: the entry of nginx's");
  c.push(` * change log (docs/xml/nginx/changes.xml at release-${tags[tags.length - 1]}) that names the directive or variable, or`);
  c.push(' * the release tag whose sources first (or no longer) have it. [name, version, citation]');
  c.push(' */');
  c.push('export const CITATIONS: [string, string, string][] = [');
  for (const x of cites) c.push(`  ${JSON.stringify(x)},`);
  c.push('];');
  c.push('');
  writeFileSync(OUT_CHANGES, c.join('\n'));
  writeFileSync(
    OUT,
    lines
      .join('\n')
      .replace(/","/g, '", "')
      .replace(/\],\["/g, '], ["'),
  );
  process.stderr.write(`${directives.length} directives, ${variables.length} variables → ${OUT}\n`);
}

main();

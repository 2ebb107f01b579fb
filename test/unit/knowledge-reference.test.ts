/**
 * Our table against NGINX's published reference (@nginx/reference-lib): the
 * table's contexts and block-ness come from nginx's own ngx_command_t flags
 * (held to the real binary by test/integration/knowledge-nginx.test.ts); the
 * reference is nginx.org's documentation. Every directive both know must
 * agree, except the disagreements listed here with their reason, each of
 * which must still be one (so the list cannot go stale and hide a new one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Format, getDirectives, getVariables } from '@nginx/reference-lib';
import { DIRECTIVES, REFERENCE_ONLY, REFERENCE_ONLY_VARIABLES } from '../../server/src/engine/knowledge/data/nginx';
import { ALL_CONTEXTS, directiveNames, lookupDirective, type Context } from '../../server/src/engine/knowledge/directives';
import { lookupVariable } from '../../server/src/engine/knowledge/variables';

const moduleOf = (m: string) => (m === 'Core functionality' ? 'ngx_core_module' : m);

/** The reference's context words as our contexts, by the module's subsystem. */
function contextsOf(module: string, words: string[]): Context[] | null {
  const sub = /^ngx_(http|stream|mail)_/.exec(module)?.[1] ?? (words.some((w) => w === 'http' || w === 'location') ? 'http' : 'core');
  const out = new Set<Context>();
  for (const w of words) {
    const map: Record<string, Context[]> = {
      main: ['main'],
      events: ['events'],
      http: ['http'],
      stream: ['stream'],
      mail: ['mail'],
      location: ['location'],
      'if in location': ['location-if'],
      'if in server': ['server-if'],
      if: ['server-if', 'location-if'],
      limit_except: ['limit_except'],
      server: [sub === 'stream' ? 'stream-server' : sub === 'mail' ? 'mail-server' : 'server'],
      upstream: [sub === 'stream' ? 'stream-upstream' : 'upstream'],
    };
    const cs = map[w];
    if (!cs) return null;
    for (const c of cs) out.add(c);
  }
  return [...out].sort();
}

/**
 * Where nginx and its documentation part ways. Resolved in favour of what real nginx does: the table keeps
 * nginx's flags, checked against nginx 1.22.1 here.
 */
const DISAGREEMENTS: Record<string, string> = {
  'error_log|ngx_core_module':
    "the reference documents error_log once for every context; nginx defines it in four modules (core: main; http, stream and mail cores: their own contexts), and the table has the four entries, whose contexts together are the reference's",
  'fastcgi_split_path_info|ngx_http_fastcgi_module':
    'the reference says location only; nginx accepts it in http and server too (NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF; `nginx -t` with it in http fails only on the regex, measured)',
  'secure_link_secret|ngx_http_secure_link_module':
    'the reference says location only; nginx accepts it in http and server too (the same flags as its siblings; `nginx -t` accepts it in http, measured)',
  'include|ngx_core_module': 'the reference gives no context list for include; nginx allows it anywhere (NGX_ANY_CONF)',
};

test('every directive both know has the same contexts and block-ness, or a listed reason', () => {
  const reference = getDirectives(Format.Markdown);
  const found: string[] = [];
  const seenListed = new Set<string>();
  let compared = 0;
  for (const r of reference) {
    const module = moduleOf(r.module);
    const e = lookupDirective(r.name).find((x) => x.module === module && x.origin === 'nginx');
    if (!e) continue;
    compared++;
    const key = `${r.name}|${module}`;
    const theirs = contextsOf(module, r.contexts);
    const mine = [...e.contexts].sort();
    const same = theirs !== null && theirs.join() === mine.join() && r.isBlock === e.block;
    if (DISAGREEMENTS[key]) {
      seenListed.add(key);
      assert.ok(!same, `${key} is listed as a disagreement but now agrees: remove it from the list`);
      continue;
    }
    if (!same)
      found.push(
        `${key}: nginx ${mine.join(' ')}${e.block ? ' {}' : ''}, reference ${theirs?.join(' ') ?? r.contexts.join(',')}${r.isBlock ? ' {}' : ''}`,
      );
  }
  assert.deepEqual(found, []);
  assert.deepEqual([...seenListed].sort(), Object.keys(DISAGREEMENTS).sort());
  assert.ok(compared > 700, `only ${compared} directives compared`);
});

test("error_log: the table's entries together have the reference's contexts", () => {
  const union = new Set(lookupDirective('error_log').flatMap((e) => e.contexts));
  const ref = getDirectives(Format.Markdown).find((d) => d.name === 'error_log')!;
  assert.deepEqual(
    [...union].sort(),
    [...new Set(ref.contexts.flatMap((c) => (c === 'server' ? ['server', 'stream-server', 'mail-server'] : [c])))].sort(),
  );
});

test('every directive the reference documents is in the table, named as whose it is', () => {
  const missing: string[] = [];
  for (const r of getDirectives(Format.Markdown)) {
    const module = moduleOf(r.module);
    const e = lookupDirective(r.name).find((x) => x.module === module);
    // Directives of NGINX Plus blocks (mgmt, oidc_provider, acme_issuer ...) live in contexts nginx itself lacks.
    if (!e && contextsOf(module, r.contexts) !== null) missing.push(`${r.name} (${module})`);
  }
  assert.deepEqual(missing, []);
  // The generated list of what nginx lacks is what the installed reference says (regenerate after upgrading it).
  const source = new Set(DIRECTIVES.map(([n, m]) => `${n}|${m}`));
  const expected = getDirectives(Format.Markdown)
    .map((r) => ({ r, module: moduleOf(r.module) }))
    .filter(({ r, module }) => !source.has(`${r.name}|${module}`) && contextsOf(module, r.contexts) !== null)
    .map(({ r, module }) => `${r.name}|${module}`);
  assert.deepEqual(REFERENCE_ONLY.map(([n, m]) => `${n}|${m}`).sort(), expected.sort());
});

test('NGINX Plus, njs and the modules NGINX publishes apart are recognised as such', () => {
  const origin = (name: string) => lookupDirective(name).map((e) => e.origin);
  assert.deepEqual(origin('health_check'), ['plus', 'plus']);
  assert.deepEqual(origin('api'), ['plus']);
  assert.deepEqual(origin('js_content'), ['njs']);
  assert.deepEqual(origin('otel_trace'), ['otel']);
  assert.deepEqual(origin('acme_issuer'), ['acme']);
  // In nginx's own sources since 1.29.6, NGINX Plus before: the table follows the open-source release.
  assert.deepEqual(origin('sticky'), ['nginx']);
  assert.equal(lookupDirective('sticky')[0]!.history[0]!.since, '1.29.6');
  for (const p of REFERENCE_ONLY.filter(([, , , , o]) => o === 'plus')) {
    const d = getDirectives(Format.Markdown).find((r) => r.name === p[0] && moduleOf(r.module) === p[1])!;
    assert.ok(d, p[0]);
  }
});

test('common third-party modules are recognised from their own sources', () => {
  const third = (name: string) =>
    lookupDirective(name)
      .filter((e) => e.origin === 'third-party')
      .map((e) => e.module);
  assert.deepEqual(third('content_by_lua_block'), ['lua-nginx-module (OpenResty)', 'stream-lua-nginx-module (OpenResty)']);
  assert.deepEqual(third('more_set_headers'), ['headers-more-nginx-module (OpenResty)']);
  assert.deepEqual(third('brotli'), ['ngx_brotli (Google)']);
  assert.deepEqual(third('echo'), ['echo-nginx-module (OpenResty)']);
  const lua = lookupDirective('content_by_lua_block').find((e) => e.contexts.includes('location'))!;
  assert.equal(lua.block, true);
  assert.match(lua.doc, /third-party module/);
  assert.equal(lua.url, 'https://github.com/openresty/lua-nginx-module#content_by_lua_block');
});

test('the table knows every directive nginx ships, those nginx.org does not document too', () => {
  const names = [...directiveNames()];
  assert.ok(names.length > 900, `${names.length} names`);
  // Directives of nginx's sources that nginx.org does not document: they are known, without a description.
  const reference = new Set(getDirectives(Format.Markdown).map((r) => r.name));
  const undocumented = DIRECTIVES.filter(([n, , states]) => states[states.length - 1]![1] !== '-' && !reference.has(n)).map(([n]) => n);
  assert.deepEqual(undocumented.sort(), [
    'acceptex_read',
    'degradation',
    'degrade',
    'devpoll_changes',
    'devpoll_events',
    'epoll_events',
    'eventport_events',
    'gzip_hash',
    'gzip_no_buffer',
    'gzip_window',
    'http2_pool_size',
    'http2_streams_index_size',
    'iocp_threads',
    'kqueue_changes',
    'kqueue_events',
    'open_file_cache_events',
    'post_acceptex',
    'post_action',
    'postpone_gzipping',
    'proxy_downstream_buffer',
    'proxy_upstream_buffer',
    'ssi_ignore_recycled_buffers',
    'uwsgi_string',
  ]);
  for (const c of ALL_CONTEXTS) assert.ok(lookupDirective('include')[0]!.contexts.includes(c));
});

test('every variable the reference documents is known, in its subsystem, with its description', () => {
  const missing: string[] = [];
  for (const v of getVariables(Format.Markdown)) {
    if (v.name === '$memcached_key') continue; // nginx reads it; the config must set it (nginx -t: unknown variable otherwise)
    const sub = v.module.startsWith('ngx_stream_') ? 'stream' : 'http';
    const name = v.name.replace(/^\$/, '').replace(/NAME$/, 'x');
    const info = lookupVariable(name, sub);
    if (!info) missing.push(`${v.name} (${v.module})`);
    else if (!info.doc) missing.push(`${v.name}: no description`);
  }
  assert.deepEqual(missing, []);
  assert.equal(lookupVariable('memcached_key'), undefined);
  assert.ok(REFERENCE_ONLY_VARIABLES.some(([, n, , , o]) => n === 'jwt_claim_' && o === 'plus'));
});

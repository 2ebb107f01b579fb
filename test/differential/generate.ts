/**
 * Random nginx configs that mix what decides a WebSocket handshake, for the
 * request-model differential test: location kinds and nesting, header lists
 * at several levels and in included files, maps, `set`, `if`, returns and
 * rewrites, access rules, timeouts, hidden headers, several servers on two
 * ports. Deterministic per seed. Placeholders (`__PORT__`, `__PORT2__`,
 * `__BACKEND__`, `__PREFIX__`) are filled in by test/support/nginx.ts.
 *
 * Every location (and every server) logs to a file of its own with the
 * request's `X-Req` number, so the test reads which one answered.
 */
import { rng } from '../support/rng';

export interface GeneratedRequest {
  /** `__PORT__` or `__PORT2__`. */
  port: 'PORT' | 'PORT2';
  target: string;
  host: string;
  /** Extra headers after the handshake's own. */
  headers: { name: string; value: string }[];
  /** Leave out a handshake header the client normally sends. */
  omit?: string;
}

export interface GeneratedConfig {
  seed: number;
  /** Content of `http {}`. */
  http: string;
  /** Files written into the prefix (included configs). */
  files: Record<string, string>;
  requests: GeneratedRequest[];
}

type R = () => number;

const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: R, p: number): boolean => r() < p;

const PATHS = ['/', '/ws/', '/ws', '/ws/chat', '/ws/admin/', '/api/', '/api/ws', '/chat/', '/socket.io/', '/live', '/live/feed', '/old/ws'];
const NAMES = ['a.test', 'b.test', '*.w.test', '.d.test', 'www.t.*', '~^(?<sub>[a-z]+)\\.r\\.test$', '_', ''];
const HOSTS = ['a.test', 'b.test', 'x.w.test', 'd.test', 'y.d.test', 'www.t.org', 'abc.r.test', 'unknown.test', '127.0.0.1'];

/** proxy_set_header lines, by what they do to a handshake. */
const HEADER_LINES = [
  'proxy_set_header Upgrade $http_upgrade;',
  'proxy_set_header Upgrade websocket;',
  'proxy_set_header Upgrade $http_upgrde;',
  'proxy_set_header Connection "upgrade";',
  'proxy_set_header Connection "Upgrade";',
  'proxy_set_header Connection $connection_upgrade;',
  'proxy_set_header Connection $conn_strict;',
  'proxy_set_header Connection close;',
  'proxy_set_header Connection "";',
  'proxy_set_header Host $host;',
  'proxy_set_header Host "";',
  'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
  'proxy_set_header X-Real-IP $remote_addr;',
  'proxy_set_header X-Custom $http_x_custom;',
  'proxy_set_header X-Kind $uri_kind;',
  'proxy_set_header X-Host-Kind $host_kind;',
  'proxy_set_header X-Set $set_var;',
  'proxy_set_header Sec-WebSocket-Key "";',
  'proxy_set_header Sec-WebSocket-Version 12;',
  'proxy_set_header X-Uri "$uri?$args";',
];

const RECIPE = ['proxy_set_header Upgrade $http_upgrade;', 'proxy_set_header Connection $connection_upgrade;'];

class Gen {
  private logId = 0;
  private serverId = 0;
  private readonly defaults = new Set<string>();
  readonly files: Record<string, string> = {};
  private fileId = 0;
  /** Concrete paths worth requesting (each location's own). */
  readonly paths = new Set<string>(PATHS);
  readonly names: string[] = [];

  constructor(private readonly r: R) {}

  log(kind: string): string {
    return `access_log __PREFIX__/logs/${kind}${++this.logId}.log marker;`;
  }

  /** Header lines: sometimes the recipe, else a random mix; sometimes from an included file. */
  headers(indent: string, min = 0): string[] {
    const r = this.r;
    let lines: string[];
    if (chance(r, 0.35)) lines = [...RECIPE];
    else {
      lines = [];
      const n = min + Math.floor(r() * 4);
      for (let i = 0; i < n; i++) lines.push(pick(r, HEADER_LINES));
    }
    if (lines.length && chance(r, 0.15)) {
      const name = `inc/h${++this.fileId}.conf`;
      this.files[name] = lines.join('\n') + '\n';
      return [`${indent}include __PREFIX__/${name};`];
    }
    return lines.map((l) => indent + l);
  }

  settings(indent: string, level: 'http' | 'server' | 'location'): string[] {
    const r = this.r;
    const out: string[] = [];
    if (chance(r, level === 'location' ? 0.55 : 0.25)) out.push(`${indent}proxy_http_version ${chance(r, 0.8) ? '1.1' : '1.0'};`);
    if (chance(r, level === 'location' ? 0.6 : 0.3)) out.push(...this.headers(indent));
    if (chance(r, 0.08)) out.push(`${indent}proxy_hide_header ${pick(r, ['Upgrade', 'Sec-WebSocket-Accept', 'X-Backend'])};`);
    if (chance(r, 0.05)) out.push(`${indent}proxy_pass_header ${pick(r, ['X-Accel-Buffering', 'Date'])};`);
    if (chance(r, 0.04)) out.push(`${indent}proxy_pass_request_headers off;`);
    if (chance(r, 0.03)) out.push(`${indent}proxy_read_timeout 0;`);
    else if (chance(r, 0.1)) out.push(`${indent}proxy_read_timeout ${pick(r, ['30s', '1h', '75'])};`);
    if (chance(r, 0.03)) out.push(`${indent}proxy_connect_timeout 0;`);
    return out;
  }

  rewriteLines(indent: string, where: 'server' | 'location'): string[] {
    const r = this.r;
    const out: string[] = [];
    if (chance(r, 0.15)) out.push(`${indent}set $set_var ${pick(r, ['one', '"$host-$uri"', '$arg_v'])};`);
    if (chance(r, 0.12)) out.push(`${indent}if ($http_x_flag = "1") { return ${pick(r, ['418', '403', '204'])}; }`);
    if (chance(r, 0.08)) out.push(`${indent}if ($arg_mode = deny) { return 403; }`);
    if (chance(r, 0.06)) out.push(`${indent}if ($http_upgrade != "websocket") { return 426; }`);
    if (chance(r, 0.06)) out.push(`${indent}if ($uri ~ ^/ws/(?<room>[a-z]+)$) { set $set_var $room; }`);
    if (where === 'server' && chance(r, 0.1)) out.push(`${indent}rewrite ^/old/(.*)$ /$1 last;`);
    if (where === 'location') {
      if (chance(r, 0.06)) out.push(`${indent}rewrite ^/ws/chat$ /chat/ last;`);
      if (chance(r, 0.05)) out.push(`${indent}rewrite ^(.*)$ $1 break;`);
      if (chance(r, 0.04)) out.push(`${indent}rewrite ^/live(.*)$ /ws$1 ${pick(r, ['last', 'break', 'redirect', 'permanent'])};`);
    }
    return out;
  }

  access(indent: string): string[] {
    const r = this.r;
    const out: string[] = [];
    if (chance(r, 0.04)) out.push(`${indent}deny all;`);
    if (chance(r, 0.04)) out.push(`${indent}allow 127.0.0.1;`, `${indent}deny all;`);
    if (chance(r, 0.03)) out.push(`${indent}deny 10.0.0.0/8;`);
    if (chance(r, 0.04)) out.push(`${indent}auth_basic "realm";`, `${indent}auth_basic_user_file __PREFIX__/htpasswd;`);
    if (chance(r, 0.03)) out.push(`${indent}internal;`);
    return out;
  }

  /** Locations already at each level (nginx refuses a duplicate). */
  private readonly taken = new Map<string, Set<string>>();

  location(indent: string, depth: number, parentPath: string | null, level = 'server'): string[] {
    const r = this.r;
    const kind = pick(r, ['', '', '', '=', '^~', '~', '~*', ...(depth === 0 ? ['@'] : [])]);
    let path: string;
    if (kind === '~' || kind === '~*')
      path = pick(r, ['^/ws/(\\w+)$', '^/ws', '/chat', '\\.php$', '^/api/(?<name>\\w+)', '^/live/?', '/$', 'SOCKET']);
    else if (kind === '@') path = pick(r, ['@ws', '@backend', '@fallback']);
    else {
      path = pick(r, PATHS);
      if (parentPath && !path.startsWith(parentPath)) path = parentPath + pick(r, ['x/', 'chat', 'ws/', 'deep/']);
      this.paths.add(path);
    }
    const head =
      kind === '@' ? `location ${path}` : `location ${kind ? `${kind} ` : ''}${kind === '~' || kind === '~*' ? `"${path}"` : path}`;
    let taken = this.taken.get(level);
    if (!taken) this.taken.set(level, (taken = new Set()));
    const key = `${kind === '^~' ? '' : kind} ${path}`;
    if (taken.has(key)) return [];
    taken.add(key);
    const body: string[] = [`${indent}    ${this.log('L')}`];
    body.push(...this.access(`${indent}    `));
    if (chance(r, 0.1)) body.push(`${indent}    limit_except ${pick(r, ['GET', 'POST', 'GET POST'])} { deny all; }`);
    body.push(...this.rewriteLines(`${indent}    `, 'location'));
    const content = r();
    const canUri = kind === '' || kind === '^~' || kind === '=';
    if (content < 0.72) {
      const targets = ['http://127.0.0.1:__BACKEND__', 'http://up1', 'http://up2', 'http://127.0.0.1:__BACKEND__$request_uri'];
      if (canUri) targets.push('http://127.0.0.1:__BACKEND__/', 'http://127.0.0.1:__BACKEND__/base/', 'http://up1/');
      body.push(`${indent}    proxy_pass ${pick(r, targets)};`);
      body.push(...this.settings(`${indent}    `, 'location'));
      if (chance(r, 0.08)) body.push(`${indent}    if ($http_x_alt) { proxy_pass http://up2; }`);
    } else if (content < 0.82) {
      body.push(`${indent}    return ${pick(r, ['200 "ok"', '204', '403', '404', '302 /elsewhere', '301 http://example.test/', '444'])};`);
    } else if (content < 0.9) {
      body.push(`${indent}    try_files $uri ${pick(r, ['@ws', '@backend', '=404', '/ws/'])};`);
    } else if (content < 0.95) {
      body.push(`${indent}    error_page 418 = @ws;`, `${indent}    return 418;`);
    }
    if (depth === 0 && (kind === '' || kind === '^~') && chance(r, 0.25)) {
      for (let i = 0, n = 1 + Math.floor(r() * 2); i < n; i++)
        body.push(...this.location(`${indent}    `, depth + 1, path, `${level} ${path}`));
    }
    return [`${indent}${head} {`, ...body, `${indent}}`];
  }

  server(port: 'PORT' | 'PORT2', first: boolean): string[] {
    const r = this.r;
    const out: string[] = ['    server {'];
    const def = !first && !this.defaults.has(port) && chance(r, 0.2) ? ' default_server' : '';
    if (def) this.defaults.add(port);
    out.push(`        listen 127.0.0.1:__${port}__${def};`);
    const names: string[] = [];
    for (let i = 0, n = Math.floor(r() * 3); i < n; i++) {
      const nm = pick(r, NAMES);
      if (nm && !names.includes(nm)) names.push(nm);
    }
    this.names.push(...names);
    if (names.length) out.push(`        server_name ${names.map((n) => (n.startsWith('~') ? `"${n}"` : n)).join(' ')};`);
    out.push(`        ${this.log('S')}`);
    // Some header lines use $set_var: a `set` somewhere makes it a variable nginx knows.
    if (first) out.push('        location = /__init { set $set_var init; return 204; }');
    out.push(...this.rewriteLines('        ', 'server'));
    out.push(...this.settings('        ', 'server'));
    if (chance(r, 0.05)) out.push('        error_page 404 = @fallback;');
    const named = new Set<string>();
    const level = `server${++this.serverId}`;
    for (let i = 0, n = 2 + Math.floor(r() * 5); i < n; i++) {
      const loc = this.location('        ', 0, null, level);
      if (!loc.length) continue;
      const m = /location (@\w+)/.exec(loc[0]!);
      if (m) {
        if (named.has(m[1]!)) continue;
        named.add(m[1]!);
      }
      out.push(...loc);
    }
    // Named locations that try_files / error_page may name, so nginx -t accepts the config.
    for (const n of ['@ws', '@backend', '@fallback']) {
      if (named.has(n)) continue;
      out.push(
        `        location ${n} {`,
        `            ${this.log('L')}`,
        '            proxy_pass http://127.0.0.1:__BACKEND__;',
        ...this.settings('            ', 'location'),
        '        }',
      );
    }
    out.push('    }');
    return out;
  }
}

export function generateConfig(seed: number): GeneratedConfig {
  const r = rng(seed);
  const g = new Gen(r);
  const lines: string[] = [];
  lines.push(`    # request-model differential test, seed ${seed}`);
  lines.push("    log_format marker '$http_x_req $status';");
  lines.push(`    ${g.log('H')}`);
  lines.push('    root __PREFIX__/html;');
  lines.push("    map $http_upgrade $connection_upgrade { default upgrade; '' close; }");
  lines.push('    map $http_upgrade $conn_strict { websocket upgrade; default close; }');
  lines.push('    map $uri $uri_kind { ~^/ws/ ws; ~*^/API/(?<api>\\w+) api-$api; default other; }');
  lines.push('    map $host $host_kind { hostnames; *.w.test wild; .d.test dotted; www.t.* tail; a.test exact; default none; }');
  lines.push('    upstream up1 { server 127.0.0.1:__BACKEND__; }');
  lines.push(`    upstream up2 { server 127.0.0.1:__BACKEND__;${chance(r, 0.5) ? ' keepalive 4;' : ''} }`);
  lines.push(...g.settings('    ', 'http'));
  const servers = 1 + Math.floor(r() * 3);
  for (let i = 0; i < servers; i++) lines.push(...g.server(i === 0 || chance(r, 0.6) ? 'PORT' : 'PORT2', i === 0));
  if (!lines.some((l) => l.includes('__PORT2__')))
    lines.push('    server {', '        listen 127.0.0.1:__PORT2__;', `        ${g.log('S')}`, '        return 404;', '    }');

  const requests: GeneratedRequest[] = [];
  const paths = [...g.paths];
  const n = 6 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const headers: GeneratedRequest['headers'] = [];
    if (chance(r, 0.2)) headers.push({ name: 'X-Custom', value: pick(r, ['yes', 'a b', '']) });
    if (chance(r, 0.15)) headers.push({ name: 'X-Flag', value: pick(r, ['1', '0']) });
    if (chance(r, 0.1)) headers.push({ name: 'X-Alt', value: '1' });
    if (chance(r, 0.08)) headers.push({ name: 'Authorization', value: 'Basic dXNlcjpwYXNz' });
    if (chance(r, 0.08)) headers.push({ name: 'X-Forwarded-For', value: '203.0.113.7' });
    let target = pick(r, paths);
    if (chance(r, 0.2)) target += pick(r, ['?mode=deny', '?v=1', '?a=1&b=2']);
    if (chance(r, 0.08)) target = target.replace(/\/$/, '') + pick(r, ['/../ws/', '//x', '/%77s']);
    requests.push({
      port: chance(r, 0.85) ? 'PORT' : 'PORT2',
      target,
      host: pick(r, [...HOSTS, ...g.names.filter((n) => /^[a-z][a-z.]*$/.test(n))]),
      headers,
      ...(chance(r, 0.06) ? { omit: pick(r, ['Upgrade', 'Connection', 'Sec-WebSocket-Key']) } : {}),
    });
  }
  return { seed, http: lines.join('\n'), files: { ...g.files, 'html/.keep': '', htpasswd: 'user:$apr1$x$y\n' }, requests };
}

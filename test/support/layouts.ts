/**
 * The config layouts people deploy, as real directory trees (symlinks
 * included), for the CLI layout tests and the CLI/language-server agreement
 * test. `makeLayout(name)` writes one into a fresh temporary folder.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Relative path → file text, or `{ link: target }` for a symlink (target relative to the link's folder). */
export type Tree = Record<string, string | { link: string }>;

const WS_LOCATION = (extra = '') => `    location /ws/ {
        proxy_pass http://127.0.0.1:3000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
${extra}    }
`;

export const LAYOUTS: Record<string, Tree> = {
  /** The issue's example: a conf.d piece uses the map its nginx.conf defines. */
  confd: {
    'nginx.conf':
      "events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    include conf.d/*.conf;\n}\n",
    'conf.d/app.conf': `server {\n    listen 80;\n${WS_LOCATION('        proxy_read_timeout 2s;\n')}}\n`,
    'conf.d/plain.conf': 'server {\n    listen 8080;\n    location / {\n        proxy_pass http://127.0.0.1:4000;\n    }\n}\n',
  },
  /** Debian: sites-enabled/ links into sites-available/, snippets/ included from a site. */
  debian: {
    'nginx.conf':
      "user www-data;\nevents { worker_connections 768; }\nhttp {\n    include mime.types;\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    include conf.d/*.conf;\n    include sites-enabled/*;\n}\n",
    'mime.types': 'types {\n    text/html html;\n}\n',
    'conf.d/gzip.conf': 'gzip on;\n',
    'snippets/ws.conf':
      'proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection $connection_upgrade;\n',
    'sites-available/app':
      'server {\n    listen 80;\n    server_name app.example.com;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:3000;\n        include snippets/ws.conf;\n        proxy_read_timeout 5s;\n    }\n}\n',
    'sites-available/old': 'server {\n    listen 81;\n    location /socket.io/ {\n        proxy_pass http://127.0.0.1:3001;\n    }\n}\n',
    'sites-enabled/app': { link: '../sites-available/app' },
  },
  /** Docker's nginx image: templates/*.conf.template rendered by envsubst at start. */
  docker: {
    'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
    'templates/default.conf.template':
      "map $http_upgrade $connection_upgrade { default upgrade; '' close; }\nserver {\n    listen ${NGINX_PORT};\n    server_name ${NGINX_HOST};\n    location /ws/ {\n        proxy_pass http://${BACKEND_HOST}:3000;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n        proxy_set_header X-Env ${APP_ENV};\n    }\n}\n",
  },
  /** OpenResty: Lua blocks with braces, `$` and quotes inside, next to a WebSocket location. */
  openresty: {
    'nginx.conf': `events {}\nhttp {\n    lua_shared_dict sessions 1m;\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    server {\n        listen 80;\n        location /lua {\n            content_by_lua_block {\n                local t = { a = "}", b = '$nope' }\n                ngx.say("hello ${'$'}{name} {")\n            }\n        }\n        set_by_lua_block $answer { return 42 }\n${WS_LOCATION('            access_by_lua_block { if not ngx.var.http_upgrade then ngx.exit(400) end }\n').replace(/^ {4}/gm, '        ')}    }\n}\n`,
  },
  /** A project settings file: its configRoots names a root that is not nginx.conf; rules and the version apply. */
  settings: {
    '.nginx-ws.json': JSON.stringify(
      {
        nginxVersion: '1.30.0',
        configRoots: ['deploy/main.conf'],
        rules: { 'ws-read-timeout-default': 'off', 'ws-upstream-no-affinity': 'warning' },
      },
      null,
      2,
    ),
    'deploy/main.conf':
      "events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    include ../sites/*.conf;\n}\n",
    'sites/app.conf':
      'upstream backends {\n    server 127.0.0.1:3000;\n    server 127.0.0.1:3001;\n}\nserver {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://backends;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n    }\n}\n',
  },
  /** Inline suppressions: one with a reason, one without, one unused, one naming no rule. */
  suppress: {
    'nginx.conf': `events {}\nhttp {\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    server {\n        listen 80;\n        # nginx-ws-ignore ws-read-timeout-short: the client pings every second\n        location /a/ {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n            proxy_read_timeout 2s; # nginx-ws-ignore ws-read-timeout-short: the client pings every second\n        }\n        location /b/ {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n            # nginx-ws-ignore ws-read-timeout-short\n            proxy_read_timeout 3s;\n            # nginx-ws-ignore no-such-rule: typo\n            proxy_buffering off;\n        }\n    }\n}\n`,
  },
};

/** Writes `tree` into a new temporary folder; returns it and a cleanup. */
export function makeTree(tree: Tree, prefix = 'nginx-ws-layout-'): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [rel, body] of Object.entries(tree)) {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof body === 'string') writeFileSync(abs, body);
    else symlinkSync(body.link, abs);
  }
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export function makeLayout(name: keyof typeof LAYOUTS): { dir: string; dispose(): void } {
  return makeTree(LAYOUTS[name]!, `nginx-ws-${name}-`);
}

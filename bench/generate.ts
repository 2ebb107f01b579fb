/**
 * Generates large, realistic, valid nginx configs for the benchmark and the
 * scaling tests: N servers, each with a WebSocket location, two plain
 * locations, an upstream and a map. The output passes `nginx -t` when written
 * under a prefix (all paths are relative, upstreams are 127.0.0.1).
 *
 * Deterministic: the same `servers` always gives the same text, so figures
 * from different runs compare.
 */

export interface GenerateOptions {
  /** Number of `server` blocks (each ~780 bytes with its upstream and map). */
  servers: number;
  /** Wrap in `events {}` / `http {}` with pid/log/temp paths inside the prefix (default true). */
  wrapper?: boolean;
  /**
   * What each server looks like. `'ws'` (the default, the output every existing caller gets): a WebSocket
   * location, two plain locations, an upstream and a map, ~700 bytes. `'site'` (issue 15's 20,000-server
   * config, ~775 bytes): an upstream with keepalive, and a server with a static location, a WebSocket
   * location and a regex API location, the proxied ones with the headers a real site sets.
   */
  shape?: 'ws' | 'site';
}

export function generateConfig(opts: GenerateOptions): string {
  const parts: string[] = [];
  const wrapper = opts.wrapper ?? true;
  if (wrapper) {
    parts.push(
      'worker_processes 1;\n',
      'pid nginx.pid;\n',
      'error_log error.log;\n',
      'events {\n    worker_connections 1024;\n}\n',
      'http {\n',
      '    access_log off;\n',
      '    client_body_temp_path client_body_temp;\n',
      '    proxy_temp_path proxy_temp;\n',
      '    fastcgi_temp_path fastcgi_temp;\n',
      '    uwsgi_temp_path uwsgi_temp;\n',
      '    scgi_temp_path scgi_temp;\n',
      '    # Large configs need bigger hash tables for server_name and map.\n',
      '    server_names_hash_bucket_size 128;\n',
      '    server_names_hash_max_size 262144;\n',
      '    map_hash_bucket_size 128;\n',
      '    variables_hash_max_size 131072;\n',
      '    variables_hash_bucket_size 128;\n',
      "    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n",
    );
  }
  for (let i = 0; i < opts.servers; i++) {
    const port = 10000 + (i % 50000);
    if (opts.shape === 'site') {
      siteServer(parts, i, port);
      continue;
    }
    parts.push(
      `    upstream app_${i} {\n`,
      `        server 127.0.0.1:${port};\n`,
      `        keepalive 16;\n`,
      `    }\n`,
      `    map $request_uri $route_${i} {\n`,
      `        default app;\n`,
      `        ~^/static/ static;\n`,
      `    }\n`,
      `    server {\n`,
      `        listen 127.0.0.1:${8000 + (i % 1000)};\n`,
      `        server_name site${i}.example.test;\n`,
      `        location /ws/ {\n`,
      `            proxy_pass http://app_${i};\n`,
      `            proxy_http_version 1.1;\n`,
      `            proxy_set_header Upgrade $http_upgrade;\n`,
      `            proxy_set_header Connection $connection_upgrade;\n`,
      `            proxy_read_timeout 3600s;\n`,
      `        }\n`,
      `        location / {\n`,
      `            proxy_pass http://app_${i};\n`,
      `            add_header X-Route $route_${i};\n`,
      `        }\n`,
      `        location ~* \\.(css|js)$ {\n`,
      `            root html;\n`,
      `        }\n`,
      `    }\n`,
    );
  }
  if (wrapper) parts.push('}\n');
  return parts.join('');
}

/** One server of the `'site'` shape, with its upstream. */
function siteServer(parts: string[], i: number, port: number): void {
  parts.push(
    `    upstream backend_${i} {\n`,
    `        server 127.0.0.1:${port};\n`,
    `        keepalive 32;\n`,
    `    }\n`,
    `    server {\n`,
    `        listen 127.0.0.1:${8000 + (i % 1000)};\n`,
    `        server_name app${i}.example.test;\n`,
    `        location /static/ {\n`,
    `            root html;\n`,
    `            expires 7d;\n`,
    `        }\n`,
    `        location /ws/ {\n`,
    `            proxy_pass http://backend_${i};\n`,
    `            proxy_http_version 1.1;\n`,
    `            proxy_set_header Upgrade $http_upgrade;\n`,
    `            proxy_set_header Connection $connection_upgrade;\n`,
    `            proxy_set_header Host $host;\n`,
    `            proxy_read_timeout 1h;\n`,
    `        }\n`,
    `        location ~ ^/api/v[0-9]+/ {\n`,
    `            proxy_pass http://backend_${i};\n`,
    `            proxy_set_header Host $host;\n`,
    `            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n`,
    `        }\n`,
    `    }\n`,
  );
}

/** Number of servers that gives about `bytes` of config. */
export function serversForBytes(bytes: number): number {
  const one = generateConfig({ servers: 1, wrapper: false }).length;
  return Math.max(1, Math.round(bytes / one));
}

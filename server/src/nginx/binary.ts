/**
 * The nginx binary: found from `nginxWs.nginxPath` (a path, or a name on
 * PATH and the usual sbin folders), described by `nginx -V` (version,
 * compiled-in paths a copy of a config must override). The one way the
 * server, the client and the tests find nginx.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as nodePath from 'node:path';

export interface NginxInfo {
  binary: string;
  version: string | null;
  /** `--prefix` (relative `load_module` paths), `--conf-path`'s folder (nginx's own mime.types...). */
  prefix: string | null;
  confDir: string | null;
  defaults: { pid: string | null; errorLog: string | null; accessLog: string | null; temp: Record<string, string> };
  /** `-e` (start-up error log) exists since 1.19.5. */
  hasDashE: boolean;
}

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin', '/opt/homebrew/bin', '/usr/local/bin'];

/** A regular file this process may access with `mode` (constants.R_OK, X_OK). */
export function fileWith(p: string, mode: number): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, mode);
    return true;
  } catch {
    return false;
  }
}

const executable = (p: string): boolean => fileWith(p, constants.X_OK);

/** The absolute path of the binary `setting` names (a path, or a name looked up on PATH and the usual sbin folders), or null. */
export function findNginx(setting: string, envPath = process.env.PATH ?? ''): string | null {
  const s = setting.trim() || 'nginx';
  if (s.includes('/')) return executable(nodePath.resolve(s)) ? nodePath.resolve(s) : null;
  for (const dir of [...envPath.split(nodePath.delimiter).filter(Boolean), ...EXTRA_DIRS]) {
    const p = nodePath.join(dir, s);
    if (executable(p)) return p;
  }
  return null;
}

const infoCache = new Map<string, Promise<NginxInfo>>();

export function nginxInfo(binary: string): Promise<NginxInfo> {
  let p = infoCache.get(binary);
  if (!p) {
    p = new Promise((resolve) => {
      execFile(binary, ['-V'], { timeout: 10_000, maxBuffer: 256 * 1024 }, (err, stdout, stderr) => {
        resolve(parseDashV(binary, `${stdout}${stderr}`));
        if (err) infoCache.delete(binary);
      });
    });
    infoCache.set(binary, p);
  }
  return p;
}

export function parseDashV(binary: string, text: string): NginxInfo {
  const version = /nginx\/(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? null;
  const arg = (name: string): string | null => new RegExp(`--${name}=(\\S+)`).exec(text)?.[1] ?? null;
  const prefix = arg('prefix') ?? '/usr/local/nginx';
  const inPrefix = (v: string | null, dflt: string): string => {
    const x = v ?? dflt;
    return nodePath.isAbsolute(x) || x === 'stderr' ? x : nodePath.join(prefix, x);
  };
  const confPath = inPrefix(arg('conf-path'), 'conf/nginx.conf');
  const temp: Record<string, string> = {};
  for (const [name, flag] of [
    ['client_body_temp_path', 'http-client-body-temp-path'],
    ['proxy_temp_path', 'http-proxy-temp-path'],
    ['fastcgi_temp_path', 'http-fastcgi-temp-path'],
    ['uwsgi_temp_path', 'http-uwsgi-temp-path'],
    ['scgi_temp_path', 'http-scgi-temp-path'],
  ] as const) {
    temp[name] = inPrefix(arg(flag), `${name.replace('_temp_path', '')}_temp`);
  }
  const [maj, min, pat] = (version ?? '0.0.0').split('.').map(Number) as [number, number, number];
  return {
    binary,
    version,
    prefix,
    confDir: nodePath.dirname(confPath),
    defaults: {
      pid: inPrefix(arg('pid-path'), 'logs/nginx.pid'),
      errorLog: inPrefix(arg('error-log-path'), 'logs/error.log'),
      accessLog: inPrefix(arg('http-log-path'), 'logs/access.log'),
      temp,
    },
    hasDashE: maj > 1 || (maj === 1 && (min > 19 || (min === 19 && pat >= 5))),
  };
}

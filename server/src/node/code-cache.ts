/**
 * Loads a bundle through a V8 code cache: the launchers dist/cli.js and
 * dist/server.js load the bundles dist/cli-main.js and dist/server-main.js
 * with it. Compiling a 1 MB bundle, and then each function the first time it
 * runs, is a third of a one-shot lint of a small config and of a fresh
 * server's first diagnostics; the cache holds the bytecode an earlier run made
 * (written when that run ends, so it holds every function that run compiled).
 *
 * The cache lives in $XDG_CACHE_HOME/nginx-ws (else %LOCALAPPDATA%\nginx-ws on
 * Windows, else ~/.cache/nginx-ws), a folder only this user may write:
 * bytecode from a folder anyone else can write would run as this user's code,
 * so any other folder is not used. A cache file is named by a hash of the
 * bundle's bytes and the runtime (Node version, architecture, flags), so a
 * rebuilt bundle or another runtime never reads a stale one (V8 itself checks
 * only the source's length); V8 still checks its version and flags and
 * rejects a cache that does not fit, and then the bundle is compiled as usual
 * and the cache written anew. Files are written atomically (a temporary file,
 * renamed), and the caches of other builds are removed then. Nothing here can
 * fail a run: without a usable folder, or with NGINX_WS_CODE_CACHE=off, the
 * bundle is loaded with a plain `require`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { threadId } from 'node:worker_threads';

/** The private cache folder, made when missing; null when there is none this user alone can write. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.NGINX_WS_CODE_CACHE === 'off') return null;
  const abs = (p: string | undefined) => (p && nodePath.isAbsolute(p) ? p : undefined);
  const base =
    abs(env.XDG_CACHE_HOME) ?? (process.platform === 'win32' ? abs(env.LOCALAPPDATA) : undefined) ?? nodePath.join(os.homedir(), '.cache');
  const dir = nodePath.join(base, 'nginx-ws');
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return null;
    if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return null;
    return dir;
  } catch {
    return null;
  }
}

/**
 * Runs the CommonJS bundle `file` as `require(file)` would, compiled from its
 * cached bytecode when there is a cache (`name` prefixes the cache file).
 * `v8Flags` are set before the bundle is compiled (V8 rejects a cache made
 * under other flags, so they are part of the cache file's key too).
 */
export function loadWithCodeCache(file: string, name: string, v8Flags: readonly string[] = []): void {
  for (const f of v8Flags) v8.setFlagsFromString(f);
  const dir = codeCacheDir();
  let bytes: Buffer | undefined;
  if (dir) {
    try {
      bytes = fs.readFileSync(file);
    } catch {
      bytes = undefined;
    }
  }
  if (!dir || !bytes) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle, loaded as Node loads it when there is no cache
    require(file);
    return;
  }
  const key = createHash('sha256')
    .update(bytes)
    .update(`\0${process.version}\0${process.arch}\0${[...process.execArgv, ...v8Flags].join('\0')}`)
    .digest('hex')
    .slice(0, 32);
  const cacheName = `${name}-${key}.v8cache`;
  let cached: Buffer | undefined;
  try {
    cached = fs.readFileSync(nodePath.join(dir, cacheName));
  } catch {
    cached = undefined;
  }
  // Node's own module wrapper; a `#!` line becomes a comment (the lines and columns after it stay the same).
  const source = bytes.toString('utf8').replace(/^#!/, '//');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData: cached,
  });
  if (cached === undefined || script.cachedDataRejected) process.once('exit', () => writeCache(dir, name, cacheName, script));
  const M = Module as unknown as { new (id: string, parent?: NodeModule): NodeModule; _nodeModulePaths(dir: string): string[] };
  const m = new M(file, module);
  m.filename = file;
  m.paths = M._nodeModulePaths(nodePath.dirname(file));
  const run = script.runInThisContext() as (
    exports: unknown,
    req: NodeJS.Require,
    mod: NodeModule,
    filename: string,
    dirname: string,
  ) => void;
  run.call(m.exports, m.exports, Module.createRequire(file), m, file, nodePath.dirname(file));
  m.loaded = true;
}

function writeCache(dir: string, name: string, cacheName: string, script: vm.Script): void {
  const tmp = nodePath.join(dir, `.${cacheName}.${process.pid}.${threadId}.tmp`);
  try {
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, nodePath.join(dir, cacheName));
    for (const f of fs.readdirSync(dir)) if (f !== cacheName && isCacheOf(name, f)) fs.rmSync(nodePath.join(dir, f), { force: true });
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // the next run compiles the bundle as usual
    }
  }
}

/** Whether `file` is a cache of the bundle `name` (`name-<32 hex>.v8cache`), not of one whose name only starts the same. */
function isCacheOf(name: string, file: string): boolean {
  return file.startsWith(`${name}-`) && /^[0-9a-f]{32}\.v8cache$/.test(file.slice(name.length + 1));
}

/**
 * What counts as an nginx file, in one place: the CLI's directory walk, the
 * config root search, the editor's file watcher and the language
 * contribution in package.json all come from here (a test holds
 * package.json's `filenamePatterns` to it).
 *
 * - by name: `nginx.conf`, `*.conf`, `*.nginx`, `*.nginxconf`, and Docker's
 *   `*.conf.template` / `*.nginx.template` (rendered by envsubst at start);
 * - by folder: any file in `sites-available/`, `sites-enabled/` or `conf.d/`
 *   (Debian's layout names sites without an extension; editor backups and
 *   dpkg leftovers excluded), and any `*.template` in a `templates/` folder
 *   (the Docker image's layout).
 */
import * as nodePath from 'node:path';

const BY_NAME = /(?:^nginx\.conf$|\.conf$|\.nginx$|\.nginxconf$|\.(?:conf|nginx)\.template$)/;
const ANY_FILE_DIRS = new Set(['sites-available', 'sites-enabled', 'conf.d']);

/** Folders a directory walk never enters. */
export const SKIP_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', '.hg', '.svn']);

/** True when `path` names an nginx config file (by its name, or by the folder it is in). */
export function isNginxFile(path: string): boolean {
  const name = nodePath.basename(path);
  if (name === '' || name.startsWith('.')) return false;
  if (BY_NAME.test(name)) return true;
  const dir = nodePath.basename(nodePath.dirname(path));
  if (ANY_FILE_DIRS.has(dir)) return !/~$|\.(?:bak|orig|rej|swp|dpkg-[a-z]+|ucf-[a-z]+)$/.test(name);
  return dir === 'templates' && name.endsWith('.template');
}

/** A Docker `*.template` file: `${NAME}` in it is an envsubst placeholder, not an nginx variable. */
export function isTemplateFile(path: string): boolean {
  return path.endsWith('.template');
}

/**
 * The same set as one glob (VS Code's syntax), for the editor's file watcher,
 * plus what configs commonly include under other names (`mime.types`,
 * `fastcgi_params`, snippets) and `.nginx-ws.json`, so a changed project
 * settings file applies at once.
 */
export const NGINX_FILES_GLOB =
  '{**/*.conf,**/*.nginx,**/*.nginxconf,**/*.conf.template,**/*.nginx.template,**/templates/*.template,**/sites-enabled/*,**/sites-available/*,**/conf.d/*,**/snippets/*,**/*_params,**/*.map,**/*.types,**/*.params,**/*.inc,**/.nginx-ws.json}';

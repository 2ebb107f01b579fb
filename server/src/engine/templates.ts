/**
 * Docker's nginx image renders `/etc/nginx/templates/*.template` with
 * envsubst at start: `${NAME}` in such a file is an environment placeholder
 * replaced before nginx reads it (only the braced form, and only names set
 * in the environment). In a `.template` file the engine treats `${NAME}` as
 * an opaque value: not an undefined nginx variable, and never part of an
 * endpoint URL (the endpoint test asks for the real value).
 */

/** True for a Docker template file (`default.conf.template`). */
export function isTemplatePath(path: string): boolean {
  return path.endsWith('.template');
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The `${NAME}` placeholders in a value of a template file (empty elsewhere). */
export function placeholdersIn(path: string, value: string): string[] {
  if (!isTemplatePath(path) || !value.includes('${')) return [];
  return [...value.matchAll(PLACEHOLDER)].map((m) => m[0]);
}

/** True when the variable at `raw[at]` (its `$`) is a `${NAME}` placeholder of a template file. */
export function isPlaceholderAt(path: string, raw: string, at: number): boolean {
  return isTemplatePath(path) && raw.charCodeAt(at + 1) === 123; /* { */
}

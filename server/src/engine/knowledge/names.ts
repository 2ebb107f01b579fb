/**
 * Directive names the parser's missing-semicolon recovery needs ("a known
 * directive name at the start of a new line ends the previous directive").
 *
 * The set is the full knowledge table (`directives.ts`) plus a few names of
 * common third-party modules; lookup is one Set probe, so the parser stays fast.
 */
import { directiveNames } from './directives';

const EXTRA_NAMES = [
  // Widely used third-party modules (lua-nginx-module, headers-more, nginx-plus).
  'more_set_headers',
  'more_clear_headers',
  'lua_shared_dict',
  'lua_package_path',
  'content_by_lua_block',
  'access_by_lua_block',
  'rewrite_by_lua_block',
  'init_by_lua_block',
  'least_time',
];

/** Made on first use (the first parse), not when the server starts. */
let known: Set<string> | undefined;
function knownNames(): Set<string> {
  if (!known) {
    known = new Set<string>(EXTRA_NAMES);
    for (const n of directiveNames()) known.add(n);
  }
  return known;
}

export function isKnownDirectiveName(name: string): boolean {
  return knownNames().has(name);
}

/** Lets adapters or tests teach the recovery extra names (custom modules). */
export function registerDirectiveNames(names: Iterable<string>): void {
  const k = knownNames();
  for (const n of names) k.add(n);
}

/** Blocks whose bodies are data (`key value;` pairs), not directives. */
export const DATA_BLOCKS = new Set(['map', 'types', 'geo', 'split_clients', 'match', 'charset_map']);

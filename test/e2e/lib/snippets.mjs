// The text VS Code inserts for a snippet when every placeholder keeps its
// default: read from the shipped snippets file, so the session checks the
// editor against the product's own definition rather than a copy of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './code-server.mjs';

export function snippetByPrefix(prefix) {
  const all = JSON.parse(readFileSync(join(REPO, 'snippets', 'nginx.code-snippets'), 'utf8'));
  const found = Object.entries(all).find(([, s]) => s.prefix === prefix);
  if (!found) throw new Error(`no snippet with prefix ${prefix} in snippets/nginx.code-snippets`);
  return { name: found[0], ...found[1] };
}

/**
 * Expands a snippet body as VS Code does with defaults accepted: `${n:x}` → x,
 * `$n`/`${n}` → '', `\$` → '$', tabs → the editor's indent unit, and every
 * line after the first prefixed with the indentation of the insertion line.
 */
export function expandSnippet(body, { baseIndent = '', indentUnit = '    ' } = {}) {
  const lines = Array.isArray(body) ? body : [body];
  const resolve = (s) => {
    let prev;
    // Nested placeholders resolve from the inside out.
    do {
      prev = s;
      s = s.replace(/\$\{\d+:((?:[^{}$\\]|\\.)*)\}/g, '$1');
    } while (s !== prev);
    return s.replace(/\$\{\d+\}|\$\d+/g, '').replace(/\\([$}\\])/g, '$1');
  };
  return lines
    .map((l, i) => {
      const text = resolve(l).replace(/^\t+/, (tabs) => indentUnit.repeat(tabs.length));
      return i === 0 ? text : baseIndent + text;
    })
    .join('\n');
}

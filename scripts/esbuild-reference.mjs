// esbuild plugin: the bundles get @nginx/reference-lib's Markdown half only (its HTML half is never shown), written
// beside them as dist/reference-md.json and read the first time a hover, completion or signature asks for a
// description, so starting the server costs nothing more. The engine imports the package as usual
// (server/src/engine/knowledge/reference.ts); the tests run it unbundled.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Format, getDirectives, getVariables } from '@nginx/reference-lib';

export const REFERENCE_FILE = 'reference-md.json';

/** The Markdown half, minified: directives as [name, module, description, syntax, contexts, isBlock, default]. */
export function referenceMarkdownJson() {
  const d = getDirectives(Format.Markdown).map((x) => [
    x.name,
    x.module,
    x.description,
    x.syntax,
    x.contexts,
    x.isBlock ? 1 : 0,
    x.default,
  ]);
  const v = getVariables(Format.Markdown).map((x) => [x.name, x.module, x.description]);
  return JSON.stringify({ d, v });
}

/** The module that replaces the package in the bundle: the same API (getDirectives, getVariables, find, Format). */
const MODULE = `const fs = require('fs');
const path = require('path');
let data;
function load() {
  if (data) return data;
  try {
    data = JSON.parse(fs.readFileSync(path.join(__dirname, ${JSON.stringify(REFERENCE_FILE)}), 'utf8'));
  } catch {
    // Without the file hover and completion still work, without the official descriptions.
    data = { d: [], v: [] };
  }
  return data;
}
export const Format = { Markdown: 1, HTML: 2 };
export function getDirectives() {
  return load().d.map(([name, module, description, syntax, contexts, isBlock, def]) => ({ name, module, description, syntax, contexts, isBlock: !!isBlock, default: def }));
}
export function getVariables() {
  return load().v.map(([name, module, description]) => ({ name, module, description }));
}
export function find(name, module) {
  const d = load().d.find((x) => x[0] === name && (!module || x[1].toUpperCase() === module.toUpperCase()));
  return d ? d[2] : undefined;
}
`;

/** @type {import('esbuild').Plugin} */
export const referenceMarkdownOnly = {
  name: 'nginx-reference-markdown-only',
  setup(build) {
    let used = false;
    build.onResolve({ filter: /^@nginx\/reference-lib$/ }, () => {
      used = true;
      return { path: 'markdown', namespace: 'nginx-reference' };
    });
    build.onLoad({ filter: /.*/, namespace: 'nginx-reference' }, () => ({ contents: MODULE, loader: 'js' }));
    build.onEnd((result) => {
      const out = build.initialOptions.outfile;
      if (!used || !out || result.errors.length) return;
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(`${dirname(out)}/${REFERENCE_FILE}`, referenceMarkdownJson());
    });
  },
};

/**
 * NGINX's own directive and variable reference (`@nginx/reference-lib`,
 * generated from nginx.org's documentation sources): each directive's
 * description, syntax, default and contexts, each variable's description, in
 * Markdown. It is documentation only: what nginx accepts comes from
 * `data/nginx.ts` (nginx's own `ngx_command_t` tables).
 *
 * Nothing is read until the first hover, completion or signature asks: the
 * package is required then, and the extension bundle replaces it with its
 * Markdown half, read from dist/reference-md.json on that first call
 * (`scripts/esbuild-reference.mjs`).
 */
import type * as ReferenceLib from '@nginx/reference-lib';

/** The package itself, loaded on first use (unbundled, it is 1.7 MB of JavaScript; a lint never needs it). */
let lib: typeof ReferenceLib | undefined;
function reference(): typeof ReferenceLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at start-up
  return (lib ??= require('@nginx/reference-lib') as typeof ReferenceLib);
}

export interface ReferenceDirective {
  name: string;
  /** Documentation module, e.g. `ngx_http_proxy_module` (`ngx_core_module` for the core page). */
  module: string;
  /** Markdown. */
  description: string;
  /** Syntax lines in Markdown (`*\`time\`*` is a value, `` `on` `` a keyword), without the name. */
  syntax: string[];
  contexts: string[];
  isBlock: boolean;
  default: string;
}

export interface ReferenceVariable {
  /** Without `$`; a family keeps its placeholder (`http_NAME`). */
  name: string;
  module: string;
  description: string;
}

let directives: Map<string, ReferenceDirective[]> | undefined;
let variables: Map<string, ReferenceVariable[]> | undefined;

const moduleName = (m: string) => (m === 'Core functionality' ? 'ngx_core_module' : m);

function directiveIndex(): Map<string, ReferenceDirective[]> {
  if (directives) return directives;
  directives = new Map();
  const { getDirectives, Format } = reference();
  for (const d of getDirectives(Format.Markdown)) {
    const r: ReferenceDirective = { ...d, module: moduleName(d.module), syntax: d.syntax ?? [], contexts: d.contexts ?? [] };
    const list = directives.get(r.name);
    if (list) list.push(r);
    else directives.set(r.name, [r]);
  }
  return directives;
}

function variableIndex(): Map<string, ReferenceVariable[]> {
  if (variables) return variables;
  variables = new Map();
  const { getVariables, Format } = reference();
  for (const v of getVariables(Format.Markdown)) {
    const r: ReferenceVariable = { name: v.name.replace(/^\$/, ''), module: moduleName(v.module), description: v.description };
    const list = variables.get(r.name);
    if (list) list.push(r);
    else variables.set(r.name, [r]);
  }
  return variables;
}

/** The reference entry of a directive in a module (or the first entry of the name). */
export function referenceDirective(name: string, module?: string): ReferenceDirective | undefined {
  const list = directiveIndex().get(name);
  if (!list) return undefined;
  return (module && list.find((d) => d.module === module)) || list[0];
}

/** Every directive the reference documents. */
export function referenceDirectives(): ReferenceDirective[] {
  return [...directiveIndex().values()].flat();
}

/** The reference entry of a variable (name without `$`; families as `http_NAME`) in a module, or the first. */
export function referenceVariable(name: string, module?: string): ReferenceVariable | undefined {
  const list = variableIndex().get(name);
  if (!list) return undefined;
  return (module && list.find((v) => v.module === module)) || list[0];
}

/** Every variable the reference documents. */
export function referenceVariables(): ReferenceVariable[] {
  return [...variableIndex().values()].flat();
}

/** `*\`address\`*[:*\`port\`*] [\`ssl\`]` → `address[:port] [ssl]`: the syntax as nginx.org prints it, in plain text. */
export function plainSyntax(md: string): string {
  return md
    .replace(/\*`([^`]*)`\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1');
}

/** The nginx.org page of a documentation module. */
export function moduleUrl(module: string): string {
  const family = /^ngx_(http|stream|mail)_/.exec(module)?.[1];
  return `https://nginx.org/en/docs/${family ? `${family}/` : ''}${module}.html`;
}

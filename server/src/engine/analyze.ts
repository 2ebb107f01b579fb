/**
 * Whole analysis of one config: parse the root and its includes, build the
 * scope model, run the rules. (Stub: syntax errors only; the model and rules
 * land next.)
 */
import type { Directive, Range, SourceFile } from './syntax/ast';
import { parse } from './syntax/parser';
import { DEFAULT_SETTINGS, type EngineSettings, type FileHost, type Finding } from './types';

export interface WsLocation {
  /** File that holds the location. */
  path: string;
  /** The `location` directive. */
  directive: Directive;
  /** Range of the location's first line (name and arguments), for a CodeLens. */
  range: Range;
  /** The location's path or regex, e.g. `/ws/`. */
  locationPath: string;
  /** `''`, `=`, `~`, `~*`, `^~` or `@`. */
  modifier: string;
  /** Why it counts as a WebSocket location. */
  intent: 'recipe' | 'path' | 'setting';
  /** The enclosing `server` directive, if any. */
  server: Directive | null;
  /** Directives of the enclosing server block, includes expanded (listen, server_name, ...). */
  serverDirectives: Directive[];
  /** The effective `proxy_pass` directive (own or inherited), if any. */
  proxyPass: Directive | null;
}

export interface Analysis {
  /** Every parsed file of the config, root first. */
  files: Map<string, SourceFile>;
  /** Findings for every file of the config. */
  findings: Finding[];
  wsLocations: WsLocation[];
  /** `upstream` blocks by name. */
  upstreams: Map<string, Directive>;
}

export function analyze(rootPath: string, host: FileHost, settings: EngineSettings = DEFAULT_SETTINGS): Analysis {
  void settings;
  const text = host.readFile(rootPath) ?? '';
  const file = parse(text, rootPath);
  const findings: Finding[] = file.errors.map((e) => ({
    path: rootPath,
    range: file.rangeOf(e.start, e.end),
    severity: 'error',
    code: 'syntax',
    message: e.message,
    fixes: [],
  }));
  return { files: new Map([[rootPath, file]]), findings, wsLocations: [], upstreams: new Map() };
}

/** Lints one text with no include resolution beyond what `host` offers (tests, snippets). */
export function lintText(text: string, path = '/virtual/nginx.conf', settings: EngineSettings = DEFAULT_SETTINGS, host?: FileHost): Finding[] {
  const h: FileHost = host ?? {
    readFile: (p) => (p === path ? text : undefined),
    glob: () => [],
    dirname: (p) => p.slice(0, Math.max(0, p.lastIndexOf('/'))) || '/',
    resolve: (dir, rel) => (rel.startsWith('/') ? rel : `${dir.replace(/\/$/, '')}/${rel}`),
  };
  return analyze(path, h, settings).findings.filter((f) => f.path === path);
}

/**
 * Shapes shared by the engine and its adapters (LSP server, CLI). Structurally
 * compatible with the LSP types, but with no dependency on them.
 */
import type { Range } from './syntax/ast';

export type { Position, Range } from './syntax/ast';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off';

export interface TextEdit {
  range: Range;
  newText: string;
}

/** Edits to one file; `path` is the same path/URI string the engine was given. */
export interface FileEdit {
  path: string;
  edits: TextEdit[];
}

export interface Fix {
  title: string;
  /** Edits, grouped per file (a fix may add a `map` to the file that holds `http {}`). */
  changes: FileEdit[];
  isPreferred?: boolean;
  /**
   * The fix changes how nginx reads text beyond its own edits (a no-break
   * space made a space splits a word; a lone CR made an LF ends a comment
   * and revives the lines after it), and needs no block structure to be
   * right. So "fix all" applies it first, in a round of its own in its file
   * (the other fixes there were computed on the old reading), and a file
   * with syntax errors keeps it (they may be its very effect).
   */
  rereads?: boolean;
}

export interface RelatedInfo {
  path: string;
  range: Range;
  message: string;
}

export interface Finding {
  /** The file the finding belongs to (where its fix goes). */
  path: string;
  range: Range;
  severity: Severity;
  /** Rule id, or `syntax` for parse errors, `include` for include problems. */
  code: string;
  message: string;
  /** Documentation for the rule. */
  href?: string;
  related?: RelatedInfo[];
  fixes: Fix[];
}

/** Reads the files of a config for include resolution. Adapters decide where text comes from. */
export interface FileHost {
  /** Text of a file (an open editor buffer first, then disk); undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  /** Absolute paths matching an absolute glob pattern (nginx `include` syntax: `*`, `?`, `[...]`), sorted. */
  glob(pattern: string): string[];
  /** Directory name of a path (adapters may use URIs). */
  dirname(path: string): string;
  /** Joins a directory and a relative path; returns `rel` unchanged when it is absolute. */
  resolve(dir: string, rel: string): string;
}

export interface EngineSettings {
  /** Target nginx version, e.g. "1.24.0"; empty when unknown (assumed older than 1.29.7). */
  nginxVersion: string;
  /** Per-rule severity override; rules not listed keep their default. */
  rules: Record<string, SeveritySetting>;
  /** Extra regular expressions (JavaScript syntax) for location paths that are WebSocket endpoints. */
  websocketPathPatterns: string[];
  /** Explicit proxy_read_timeout values below this many seconds are warned about. */
  idleTimeoutThresholdSeconds: number;
  /** nginx prefix for relative includes (nginx resolves them against its prefix); empty: the including file's directory. */
  prefix: string;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  nginxVersion: '',
  rules: {},
  websocketPathPatterns: [],
  idleTimeoutThresholdSeconds: 60,
  prefix: '',
};

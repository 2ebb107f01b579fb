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
  /**
   * Text of a file (an open editor buffer first, then disk); undefined when it cannot be read.
   * `budget` is what the analysis may still read: a host that reads disk spends it and refuses
   * what would exceed it (see `refusal`).
   */
  readFile(path: string, budget?: ReadBudget): string | undefined;
  /** Absolute paths matching an absolute glob pattern (nginx `include` syntax: `*`, `?`, `[...]`), sorted. */
  glob(pattern: string, budget?: ReadBudget): string[];
  /**
   * Why the last `readFile(path)` gave nothing although something is there (a limit, a file that
   * is not a regular file, a workspace that is not trusted...), or why the last `glob(pattern)`
   * stopped early; undefined when the file does not exist (or the glob was complete). The text
   * says which limit was hit and how to raise it.
   */
  refusal?(pathOrPattern: string): string | undefined;
  /** Limits to use when the settings give none (the CLI reads them from its environment). */
  defaultLimits?(): Limits;
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
  /** What one analysis may read; absent: the host's defaults, else DEFAULT_LIMITS. */
  limits?: Limits;
}

/**
 * Bounds on what one analysis reports: findings of one rule in one file, findings of one
 * file (each cut with one summary finding that says how many more there are), and the
 * length of a message (a syntax error quoting a 10 MB token is cut).
 */
export const FINDING_LIMITS = { perRulePerFile: 200, perFile: 1000, messageChars: 1000 } as const;

/** Bounds on what one analysis reads (settings `nginxWs.limits.*`). */
export interface Limits {
  /** Largest file read, in MB (the open document included). */
  fileMB: number;
  /** Bytes all the files of one config may add up to, in MB. */
  configMB: number;
  /** Files one config may have. */
  files: number;
  /** Directory entries the glob includes of one config may look at. */
  globEntries: number;
}

export const DEFAULT_LIMITS: Limits = { fileMB: 20, configMB: 32, files: 2000, globEntries: 20_000 };

/** What one analysis may still read; hosts spend it as they read. */
export interface ReadBudget {
  readonly limits: Limits;
  /** The file the analysis is of: read even if it looks binary (the user asked for it), while includes that do are refused. */
  readonly root?: string;
  /** Largest single file, in bytes. */
  readonly fileBytes: number;
  /** Bytes left (refused partial reads count too). */
  bytes: number;
  /** Files left. */
  files: number;
  /** Directory entries left for glob walks. */
  globEntries: number;
}

export function readBudget(limits: Limits, root?: string): ReadBudget {
  const mb = (n: number) => Math.max(0, Math.floor(n * 1024 * 1024));
  return {
    limits,
    root,
    fileBytes: mb(limits.fileMB),
    bytes: mb(limits.configMB),
    files: Math.max(0, Math.floor(limits.files)),
    globEntries: Math.max(0, Math.floor(limits.globEntries)),
  };
}

export const DEFAULT_SETTINGS: EngineSettings = {
  nginxVersion: '',
  rules: {},
  websocketPathPatterns: [],
  idleTimeoutThresholdSeconds: 60,
  prefix: '',
};

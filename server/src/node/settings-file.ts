/**
 * The project settings file, `.nginx-ws.json`, checked into the repository
 * next to the configs and read by both the CLI and the editor: the nearest
 * one walking up from the linted file applies. The editor's settings (or the
 * CLI's flags) layer on top of it.
 *
 * ```json
 * {
 *   "nginxVersion": "1.24.0",
 *   "rules": { "ws-read-timeout-default": "off", "ws-upstream-no-affinity": "warning" },
 *   "configRoots": ["nginx.conf"],
 *   "prefix": "/etc/nginx",
 *   "websocketPathPatterns": ["^/live/"],
 *   "idleTimeoutThresholdSeconds": 30,
 *   "indent": 2
 * }
 * ```
 *
 * `configRoots` entries are relative to the file's folder; a relative
 * `prefix` too. Every value is validated; a bad one is ignored with a
 * message naming it, never a crash. The file is read through the same
 * size-capped `DiskReader` as configs.
 */
import * as nodePath from 'node:path';
import { compileNginxRegex, DEFAULT_SETTINGS, type EngineSettings, type SeveritySetting, RULES } from '../engine/index';
import type { DiskReader } from './file-host';
import { isDiskPath } from './paths';

export const SETTINGS_FILE_NAME = '.nginx-ws.json';

/** What a settings file may set (validated), absolute paths resolved. */
export interface ProjectSettings {
  rules?: Record<string, SeveritySetting>;
  nginxVersion?: string;
  websocketPathPatterns?: string[];
  idleTimeoutThresholdSeconds?: number;
  prefix?: string;
  /** Absolute paths of whole configs that include the files under this folder. */
  configRoots?: string[];
  /** The formatter's indentation unit (`"indent": 2` or `"tab"`), for the editor and `nginx-ws fmt`. */
  indent?: string;
}

export interface SettingsFile {
  /** Absolute path of the `.nginx-ws.json`. */
  path: string;
  settings: ProjectSettings;
  /** One line per value that was ignored, `path: key: why`. */
  problems: string[];
}

export const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'information', 'hint', 'off']);
export const VERSION_RE = /^\d+\.\d+(\.\d+)?$/;
const KEYS = new Set([
  '$schema',
  'rules',
  'nginxVersion',
  'websocketPathPatterns',
  'idleTimeoutThresholdSeconds',
  'prefix',
  'configRoots',
  'indent',
]);
/** How far up the walk goes: far enough for any repository, bounded for a hostile path. */
const MAX_LEVELS = 64;

/** An indentation unit from `2` or `tab` (the settings file's `indent`, fmt's `--indent`); null when it is neither. */
export function parseIndent(raw: string): string | null {
  if (raw === 'tab') return '\t';
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  return n >= 1 && n <= 16 ? ' '.repeat(n) : null;
}

/** Severities per rule id; unknown ids and values are reported (`where` names the setting). */
export function validateRules(raw: unknown, where: string, problems: string[]): Record<string, SeveritySetting> {
  const out: Record<string, SeveritySetting> = {};
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${where}: expected an object of rule id to severity`);
    return out;
  }
  for (const [id, sev] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof sev === 'string' && SEVERITIES.has(sev)) out[id] = sev as SeveritySetting;
    else problems.push(`${where}.${id}: expected error|warning|information|hint|off, got ${JSON.stringify(sev)}`);
  }
  return out;
}

/** Regular expressions that compile; the others are reported. */
export function validatePatterns(raw: readonly string[], where: string, problems: string[]): string[] {
  // They run on the linear-time engine (engine/model/regex.ts, case-insensitive): what it cannot evaluate is ignored, and said.
  const out: string[] = [];
  for (const p of raw) {
    const re = compileNginxRegex(p, true);
    if (re.ok) out.push(p);
    else problems.push(`${where}: ignoring ${JSON.stringify(p.length > 80 ? `${p.slice(0, 77)}…` : p)}: it ${re.reason}`);
  }
  return out;
}

/** Parses and validates a settings file's text; `path` is where it lives (relative entries resolve against its folder). */
export function parseSettingsFile(path: string, text: string): SettingsFile {
  const problems: string[] = [];
  const dir = nodePath.dirname(path);
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return { path, settings: {}, problems: [`${path}: not valid JSON (${(e as Error).message}); ignored`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { path, settings: {}, problems: [`${path}: expected a JSON object; ignored`] };
  }
  const o = raw as Record<string, unknown>;
  const bad = (key: string, want: string) => problems.push(`${path}: ${key}: expected ${want}, got ${JSON.stringify(o[key])}; ignored`);
  for (const k of Object.keys(o))
    if (!KEYS.has(k)) problems.push(`${path}: unknown key "${k}" (known: ${[...KEYS].filter((x) => x !== '$schema').join(', ')}); ignored`);
  const s: ProjectSettings = {};
  if (o.rules !== undefined) {
    s.rules = validateRules(o.rules, `${path}: rules`, problems);
    const known = new Set(RULES.map((r) => r.id));
    for (const id of Object.keys(s.rules)) if (!known.has(id)) problems.push(`${path}: rules.${id}: no such rule`);
  }
  if (o.nginxVersion !== undefined) {
    if (typeof o.nginxVersion === 'string' && (o.nginxVersion.trim() === '' || VERSION_RE.test(o.nginxVersion.trim())))
      s.nginxVersion = o.nginxVersion.trim();
    else bad('nginxVersion', 'a version such as "1.24.0"');
  }
  if (o.websocketPathPatterns !== undefined) {
    if (isStringArray(o.websocketPathPatterns))
      s.websocketPathPatterns = validatePatterns(o.websocketPathPatterns, `${path}: websocketPathPatterns`, problems);
    else bad('websocketPathPatterns', 'an array of regular expressions');
  }
  if (o.idleTimeoutThresholdSeconds !== undefined) {
    const t = o.idleTimeoutThresholdSeconds;
    if (typeof t === 'number' && Number.isFinite(t) && t >= 0) s.idleTimeoutThresholdSeconds = t;
    else bad('idleTimeoutThresholdSeconds', 'a number of seconds, 0 or more');
  }
  if (o.indent !== undefined) {
    const unit = typeof o.indent === 'number' || typeof o.indent === 'string' ? parseIndent(String(o.indent)) : null;
    if (unit !== null) s.indent = unit;
    else bad('indent', 'a number of spaces from 1 to 16, or "tab"');
  }
  if (o.prefix !== undefined) {
    if (typeof o.prefix === 'string') s.prefix = o.prefix.trim() === '' ? '' : nodePath.resolve(dir, o.prefix.trim());
    else bad('prefix', 'a folder');
  }
  if (o.configRoots !== undefined) {
    if (isStringArray(o.configRoots))
      s.configRoots = [
        ...new Set(
          o.configRoots
            .map((r) => r.trim())
            .filter((r) => r !== '')
            .map((r) => nodePath.resolve(dir, r)),
        ),
      ];
    else bad('configRoots', 'an array of config file paths');
  }
  return { path, settings: s, problems };
}

/**
 * Finds and reads the settings file that applies to files in a folder: the
 * nearest `.nginx-ws.json` walking up. Cached per folder until `invalidate`
 * (the editor calls it when files change on disk); a file that cannot be
 * parsed still counts as found (its problems say why), so a broken file
 * never silently lets a farther one apply.
 */
export class SettingsFiles {
  private readonly byDir = new Map<string, SettingsFile | null>();

  constructor(private readonly disk: DiskReader) {}

  /** The settings file that applies to `path` (a file), or null. */
  forFile(path: string): SettingsFile | null {
    if (!isDiskPath(path)) return null;
    return this.forDir(nodePath.dirname(path));
  }

  forDir(dir: string): SettingsFile | null {
    const walked: string[] = [];
    let found: SettingsFile | null = null;
    for (let d = dir, i = 0; i < MAX_LEVELS; i++) {
      const known = this.byDir.get(d);
      if (known !== undefined) {
        found = known;
        break;
      }
      walked.push(d);
      const candidate = nodePath.join(d, SETTINGS_FILE_NAME);
      const r = this.disk.read(candidate);
      if ('text' in r) {
        found = parseSettingsFile(candidate, r.text);
        break;
      }
      if (r.error !== 'file not found') {
        found = { path: candidate, settings: {}, problems: [`${candidate}: ${r.error}; ignored`] };
        break;
      }
      const up = nodePath.dirname(d);
      if (up === d) break;
      d = up;
    }
    for (const d of walked) this.byDir.set(d, found);
    return found;
  }

  invalidate(): void {
    this.byDir.clear();
  }
}

/**
 * The settings a file is analysed with: the project file's, with `over`
 * layered on top. `over` holds what the editor's settings or the CLI's flags
 * set explicitly: rule severities are merged (over wins per rule), patterns
 * are added to the file's, and a scalar of `over` replaces the file's when it
 * is set (a non-empty version or prefix, a threshold other than the default).
 */
export function layerSettings(project: ProjectSettings | undefined, over: EngineSettings): EngineSettings {
  const p = project ?? {};
  return {
    ...over,
    nginxVersion: over.nginxVersion || p.nginxVersion || '',
    rules: { ...p.rules, ...over.rules },
    websocketPathPatterns: [...new Set([...(p.websocketPathPatterns ?? []), ...over.websocketPathPatterns])],
    idleTimeoutThresholdSeconds:
      over.idleTimeoutThresholdSeconds !== DEFAULT_SETTINGS.idleTimeoutThresholdSeconds
        ? over.idleTimeoutThresholdSeconds
        : (p.idleTimeoutThresholdSeconds ?? DEFAULT_SETTINGS.idleTimeoutThresholdSeconds),
    prefix: over.prefix || p.prefix || '',
  };
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/**
 * The server's settings (section `nginxWs`): the engine's settings plus how to
 * find the nginx version. Pure, so tests compare these defaults with the ones
 * package.json declares. Values from the client are validated field by field:
 * a wrong type falls back to the default with a message, never a crash.
 */
import { DEFAULT_LIMITS, DEFAULT_SETTINGS, type EngineSettings, type Limits } from '../engine/index';
import { validatePatterns, validateRules } from '../node/settings-file';

export interface ServerSettings extends EngineSettings {
  /** What one analysis may read (`nginxWs.limits.*`). */
  limits: Limits;
  /** Run `<nginxPath> -v` (trusted workspaces only) when `nginxVersion` is empty. */
  detectNginxVersion: boolean;
  nginxPath: string;
  /** Whole configs that include the files being edited; relative entries are resolved against each workspace folder. */
  configRoots: string[];
  nginxTest: {
    /** Run `<nginxPath> -t` on the config when one of its files is saved (trusted workspaces only). */
    onSave: boolean;
  };
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  ...DEFAULT_SETTINGS,
  limits: DEFAULT_LIMITS,
  detectNginxVersion: true,
  nginxPath: 'nginx',
  configRoots: [],
  nginxTest: { onSave: true },
};

export function normalizeSettings(raw: unknown): { settings: ServerSettings; problems: string[] } {
  const problems: string[] = [];
  const d = DEFAULT_SERVER_SETTINGS;
  const o = isObject(raw) ? raw : {};
  const pick = <T>(key: string, ok: (v: unknown) => v is T, fallback: T): T => {
    const v = o[key];
    if (v === undefined || v === null) return fallback;
    if (ok(v)) return v;
    problems.push(`nginxWs.${key}: ignoring invalid value ${JSON.stringify(v)}`);
    return fallback;
  };

  const rules = validateRules(o['rules'], 'nginxWs.rules', problems);
  // Run on the linear-time engine (engine/model/regex.ts): what it cannot evaluate is ignored, and said.
  const patterns = validatePatterns(
    pick('websocketPathPatterns', isStringArray, d.websocketPathPatterns),
    'nginxWs.websocketPathPatterns',
    problems,
  );

  // Limits: each a positive number; a wrong one keeps its default.
  const rawLimits = isObject(o['limits']) ? o['limits'] : {};
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const v = rawLimits[key] ?? o[`limits.${key}`];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) limits[key] = v;
    else problems.push(`nginxWs.limits.${key}: ignoring invalid value ${JSON.stringify(v)} (a positive number)`);
  }

  // `nginxTest.onSave` arrives nested from VS Code; a flat dotted key from other clients is taken too.
  const nginxTest = isObject(o['nginxTest']) ? o['nginxTest'] : {};
  let onSave = d.nginxTest.onSave;
  const rawOnSave = nginxTest['onSave'] ?? o['nginxTest.onSave'];
  if (isBoolean(rawOnSave)) onSave = rawOnSave;
  else if (rawOnSave !== undefined && rawOnSave !== null)
    problems.push(`nginxWs.nginxTest.onSave: ignoring invalid value ${JSON.stringify(rawOnSave)}`);

  const threshold = pick('idleTimeoutThresholdSeconds', isNonNegativeNumber, d.idleTimeoutThresholdSeconds);

  return {
    settings: {
      rules,
      nginxVersion: pick('nginxVersion', isString, d.nginxVersion).trim(),
      websocketPathPatterns: patterns,
      idleTimeoutThresholdSeconds: threshold,
      prefix: pick('prefix', isString, d.prefix).trim(),
      detectNginxVersion: pick('detectNginxVersion', isBoolean, d.detectNginxVersion),
      nginxPath: pick('nginxPath', isString, d.nginxPath).trim() || d.nginxPath,
      configRoots: pick('configRoots', isStringArray, d.configRoots)
        .map((r) => r.trim())
        .filter((r) => r !== ''),
      nginxTest: { onSave },
      limits,
    },
    problems,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isString(v: unknown): v is string {
  return typeof v === 'string';
}
function isBoolean(v: unknown): v is boolean {
  return typeof v === 'boolean';
}
function isNonNegativeNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/**
 * How the limits of an analysis are named to the user, per shell: the
 * editor's settings (`nginxWs.limits.files`) or the CLI's environment
 * (`NGINX_WS_LIMITS=files=5000`), and reading that environment.
 */
import { DEFAULT_LIMITS, type Limits } from '../engine/index';

/** Says how to raise one limit: `raise nginxWs.limits.files`. */
export type LimitHint = (name: keyof Limits) => string;

export const SETTINGS_HINT: LimitHint = (name) => `raise nginxWs.limits.${name}`;
export const ENV_HINT: LimitHint = (name) => `raise it with NGINX_WS_LIMITS=${name}=N`;

export const ENV_VAR = 'NGINX_WS_LIMITS';

/**
 * Limits from `NGINX_WS_LIMITS` (`fileMB=50,configMB=200,files=10000,globEntries=100000`),
 * the defaults for what it does not name. Malformed entries are reported in `problems`.
 */
export function limitsFromEnv(raw = process.env[ENV_VAR]): { limits: Limits; problems: string[] } {
  const limits: Limits = { ...DEFAULT_LIMITS };
  const problems: string[] = [];
  if (!raw) return { limits, problems };
  for (const part of raw.split(/[,;\s]+/).filter(Boolean)) {
    const m = /^(\w+)=(\d+(?:\.\d+)?)$/.exec(part);
    const key = m?.[1] as keyof Limits | undefined;
    if (!m || !key || !(key in DEFAULT_LIMITS)) {
      problems.push(
        `${ENV_VAR}: ignoring '${part}' (expected ${Object.keys(DEFAULT_LIMITS)
          .map((k) => `${k}=N`)
          .join(',')})`,
      );
      continue;
    }
    limits[key] = Number(m[2]);
  }
  return { limits, problems };
}

export function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

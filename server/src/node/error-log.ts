/**
 * The error_log file nginx writes for a location, so the endpoint test can
 * show the lines a failed handshake adds (the editor command and the CLI
 * both ask here). nginx takes `error_log` from the nearest level that sets
 * it: location, server, http, then the main context; several at one level
 * all log, and the first one that is a plain file is used. `stderr`,
 * `syslog:` and `memory:` targets and paths with variables are not files
 * to read. Relative paths are relative to the nginx prefix.
 */
import * as nodePath from 'node:path';
import { own, type Scope, type Analysis, type WsLocation } from '../engine/index';

export function errorLogFor(analysis: Analysis, loc: WsLocation, prefix: string): string | null {
  let scope: Scope | null = analysis.model.scopeOf.get(loc.directive) ?? null;
  for (; scope; scope = scope.parent) {
    for (const d of own(scope, 'error_log')) {
      const v = d.arg(0);
      if (!v || v === 'stderr' || v.includes('$') || (v.includes(':') && !nodePath.isAbsolute(v))) continue;
      if (nodePath.isAbsolute(v)) return v;
      return prefix ? nodePath.resolve(prefix, v) : null;
    }
  }
  return null;
}

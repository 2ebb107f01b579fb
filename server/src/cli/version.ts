/** The package's version, read from the package.json next to the bundle (dist/../package.json) or the sources. */
import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';

let cached: string | undefined;

export function version(): string {
  if (cached) return cached;
  for (let dir = __dirname, i = 0; i < 5; i++, dir = nodePath.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(nodePath.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'nginx-websocket' && pkg.version) return (cached = pkg.version);
    } catch {
      // not here; one folder up
    }
  }
  return (cached = 'unknown');
}

/** The shared corpus of real configs (../shared/corpus, read in place, never copied) and a file walk over it. */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CORPUS = resolve(__dirname, '../../../shared/corpus');

/** Files under `dir` (sorted, depth first) whose name `accept` takes. */
export function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (accept(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * The shared corpus of real configs (crossplane's and h5bp's configs, nginx's own test suite; see its README), the one
 * place every test finds it. It lives beside the repository (`../shared/corpus` from /work/main), is read in place and
 * never copied; it is found by walking up from the repository, so a worktree elsewhere (/work/wt/NAME) finds it too,
 * and `NGINX_WS_CORPUS` names another place.
 *
 *   test('...', { skip: CORPUS_ABSENT }, () => { for (const f of filesUnder(CORPUS, accept)) ... });
 *
 * A test that needs the corpus says so with `skip: CORPUS_ABSENT` (or `corpusPart(rel).absent`): false when it is
 * there, else the reason, so a machine without it reports skipped tests with that reason, never a silent pass.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');

function corpusRoot(): string {
  if (process.env.NGINX_WS_CORPUS) return resolve(process.env.NGINX_WS_CORPUS);
  for (let dir = REPO; ; dir = dirname(dir)) {
    const c = join(dir, 'shared', 'corpus');
    if (existsSync(c)) return c;
    if (dirname(dir) === dir) return resolve(REPO, '..', 'shared', 'corpus');
  }
}

export const CORPUS = corpusRoot();

function absent(dir: string): false | string {
  if (existsSync(dir)) return false;
  return process.env.NGINX_WS_CORPUS
    ? `the corpus of real configs is absent: ${dir} does not exist (NGINX_WS_CORPUS)`
    : `the corpus of real configs is absent: no shared/corpus beside ${REPO} or above it (NGINX_WS_CORPUS names another place)`;
}

/** False when the corpus is there; else why a test that needs it is skipped. */
export const CORPUS_ABSENT: false | string = absent(CORPUS);

/** A part of the corpus (`nginx-tests`, `crossplane/tests/configs`...): its folder, and why a test is skipped without it. */
export function corpusPart(rel: string): { dir: string; absent: false | string } {
  const dir = join(CORPUS, rel);
  return { dir, absent: CORPUS_ABSENT || absent(dir) };
}

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

import type { Rule } from './rule';

export const directiveNotAllowed: Rule = {
  id: 'directive-not-allowed',
  defaultSeverity: 'error',
  title: 'A directive in the wrong context, with the wrong number of arguments, or misusing a block',
  why:
    'nginx refuses to start on a directive outside the contexts its module allows (`proxy_pass` in server {}), on a wrong ' +
    'argument count, or on a block directive without `{` (`nginx -t`: "directive is not allowed here", "invalid number of arguments"). ' +
    'The contexts and counts come from a table checked against a real nginx. A file only ever included is checked in the context ' +
    'its includer gives it; a snippet with no includer only inside its blocks, unless a first-line `# nginx-ws: context=server` says where it lives.',
  href: 'https://nginx.org/en/docs/dirindex.html',
  versions: 'all',
  noFix: 'where the directive belongs is a human decision',
  check(ctx) {
    for (const { file, problems } of ctx.contextProblems()) {
      for (const p of problems) if (p.kind !== 'unknown') ctx.report({ at: { file, start: p.start, end: p.end }, message: p.message });
    }
  },
};

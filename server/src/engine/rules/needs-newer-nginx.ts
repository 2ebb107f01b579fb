import { versionProblems } from '../model/version-check';
import type { Rule } from './rule';

export const needsNewerNginx: Rule = {
  id: 'needs-newer-nginx',
  defaultSeverity: 'error',
  title: 'A directive, parameter or variable newer than the target nginx version',
  why:
    'nginx refuses to start on what it does not know yet: `http2 on;` on nginx 1.22 is an "unknown directive", `listen ... quic` ' +
    'an "invalid parameter", `$ssl_sigalg` an "unknown variable" (measured with nginx 1.22.1 on nginx\'s own test suite). ' +
    "The version each one needs comes from nginx's own sources at every release since 1.18 and the documentation's notes. " +
    'Only with a target version: `nginxWs.nginxVersion`, `--nginx-version`, the detected `nginx -v`, or ' +
    '`# nginx-ws: nginx-version=1.22.1` at the top of the config. The fix removes a directive the target lacks, or writes ' +
    '`http2 on;` the old way (`listen ... ssl http2`) where every listen of the server has `ssl`.',
  href: 'https://nginx.org/en/CHANGES',
  versions: 'with a target version',
  check(ctx) {
    const target = ctx.settings.nginxVersion;
    if (!target) return;
    for (const p of versionProblems(ctx, target)) {
      if (p.kind !== 'too-new') continue;
      ctx.report({ at: { file: p.file, start: p.start, end: p.end }, message: p.message, fixes: p.fixes });
    }
  },
};

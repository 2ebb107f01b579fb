import { versionProblems } from '../model/version-check';
import type { Rule } from './rule';

export const deprecatedDirective: Rule = {
  id: 'deprecated-directive',
  defaultSeverity: 'warning',
  title: 'A directive or parameter nginx has deprecated or removed',
  why:
    'nginx still accepts a deprecated form with a warning in its log (`listen ... http2` since 1.25.1, `http2_idle_timeout` ' +
    'since 1.19.7, whose value it ignores), and rejects a removed one (`ssl on;` since 1.25.1: "unknown directive"), so the ' +
    'finding is an error when the target version no longer has it. The replacement is the quick fix: `http2 on;`, ' +
    '`listen ... ssl`, or removing what nginx ignores anyway. Without a target version these are information only.',
  href: 'https://nginx.org/en/CHANGES',
  versions: 'warning from the version that deprecates it, error from the one that removes it',
  check(ctx) {
    for (const p of versionProblems(ctx, ctx.settings.nginxVersion)) {
      if (p.kind === 'too-new') continue;
      ctx.report({
        at: { file: p.file, start: p.start, end: p.end },
        message: p.message,
        severity: p.severity === 'warning' ? undefined : p.severity,
        fixes: p.fixes,
      });
    }
  },
};

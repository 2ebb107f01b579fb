/**
 * SARIF 2.1.0 output, so CI systems (GitHub code scanning and others) show
 * findings inline: the tool's name, version and rules (title, why, help
 * link), every result with its rule and 1-based region, and each linted
 * file as an artifact whose `properties.root` names the config it was
 * judged in (also on each result).
 */
import type { Finding, RuleMeta } from '../engine/index';

const LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

const OTHER: Record<string, string> = {
  syntax: 'nginx syntax error',
  include: 'An include that cannot be read',
  suppression: 'An inline suppression that is unused, unknown or gives no reason',
};

export interface SarifFile {
  /** As printed (relative to the current folder when inside it). */
  file: string;
  /** The config it was judged in, printed the same way. */
  root: string;
}

function uri(p: string): string {
  return p.split('\\').join('/');
}

export function toSarif(
  findings: (Finding & { root?: string })[],
  rules: readonly RuleMeta[],
  files: SarifFile[] = [],
  version = '',
): object {
  const ids = [...new Set([...rules.map((r) => r.id), ...findings.map((f) => f.code)])];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nginx-ws',
            ...(version ? { version, semanticVersion: version } : {}),
            informationUri: 'https://nginx.org/en/docs/http/websocket.html',
            rules: ids.map((id) => {
              const r = rules.find((x) => x.id === id);
              return r
                ? {
                    id,
                    name: id,
                    shortDescription: { text: r.title },
                    fullDescription: { text: r.why },
                    help: { text: `${r.why}\n${r.href}`, markdown: `${r.why}\n\n[nginx documentation](${r.href})` },
                    helpUri: r.href,
                    defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
                  }
                : { id, name: id, shortDescription: { text: OTHER[id] ?? `nginx config problem (${id})` } };
            }),
          },
        },
        artifacts: files.map((f) => ({ location: { uri: uri(f.file) }, properties: { root: uri(f.root) } })),
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: ids.indexOf(f.code),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uri(f.path) },
                // SARIF is 1-based; columns count UTF-16 units like LSP.
                region: {
                  startLine: f.range.start.line + 1,
                  startColumn: f.range.start.character + 1,
                  endLine: f.range.end.line + 1,
                  endColumn: f.range.end.character + 1,
                },
              },
            },
          ],
          ...(f.root ? { properties: { root: uri(f.root) } } : {}),
        })),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

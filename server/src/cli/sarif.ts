/** SARIF 2.1.0 output, so CI systems (GitHub code scanning and others) show findings inline. */
import type { Finding } from '../engine/index';
import type { RuleMeta } from '../engine/rules/index';

const LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

export function toSarif(findings: Finding[], rules: readonly RuleMeta[]): object {
  const ids = [...new Set([...rules.map((r) => r.id), ...findings.map((f) => f.code)])];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nginx-ws',
            informationUri: 'https://nginx.org/en/docs/http/websocket.html',
            rules: ids.map((id) => {
              const r = rules.find((x) => x.id === id);
              return r
                ? { id, shortDescription: { text: r.title }, fullDescription: { text: r.why }, helpUri: r.href, defaultConfiguration: { level: LEVEL[r.defaultSeverity] } }
                : { id, shortDescription: { text: id === 'syntax' ? 'nginx syntax error' : `nginx config problem (${id})` } };
            }),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: ids.indexOf(f.code),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.path.split('\\\\').join('/') },
                // SARIF is 1-based; columns count UTF-16 units like LSP.
                region: { startLine: f.range.start.line + 1, startColumn: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1 },
              },
            },
          ],
        })),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

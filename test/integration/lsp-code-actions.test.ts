/**
 * Quick fixes and "fix all" over the real protocol: request the actions, apply
 * their WorkspaceEdit to the text like an editor (checking the version), send
 * the result back as a change, and check the server's new diagnostics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { RULES } from '../../server/src/engine/rules/index';
import { applyWorkspaceEdit, buildOnce, LspTestClient } from '../support/lsp-client';
import { describeStated, expectations, FIXTURE_FILES, fixture, statedAll } from '../support/rules';

const T = { timeout: 30_000 };

/** Two locations both missing the `map`, one without proxy_http_version, one without Upgrade. */
const MANY = `http {
    server {
        listen 80;
        location /a/ {
            proxy_pass http://127.0.0.1:8080;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
        }
        location /b/ {
            proxy_pass http://127.0.0.1:8080;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
        }
    }
}
`;

class Doc {
  version = 1;
  constructor(
    readonly c: LspTestClient,
    readonly uri: string,
    public text: string,
  ) {
    c.open(uri, text, 1);
  }
  diagnostics(): Promise<PublishDiagnosticsParams> {
    return this.c.diagnostics(this.uri, (p) => p.version === this.version);
  }
  async actions(range: Diagnostic['range'], diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    return this.c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: this.uri },
      range,
      context: only ? { diagnostics, only } : { diagnostics },
    });
  }
  /** Applies the edit as an editor would (rejecting a version mismatch) and sends the new text. */
  apply(action: CodeAction): void {
    assert.ok(action.edit, `${action.title} has an edit`);
    const docs = new Map([[this.uri, { text: this.text, version: this.version }]]);
    applyWorkspaceEdit(docs, action.edit);
    this.text = docs.get(this.uri)!.text;
    this.version++;
    this.c.change(this.uri, this.version, this.text);
  }
}

function count(p: PublishDiagnosticsParams, code: string): number {
  return p.diagnostics.filter((d) => d.code === code).length;
}

describe('LSP quick fixes', () => {
  let c: LspTestClient;
  before(async () => {
    buildOnce();
    c = await LspTestClient.start();
  });
  after(() => c?.kill());

  test('a quick fix is linked to its diagnostic, versioned, and makes it disappear', T, async () => {
    const doc = new Doc(c, 'file:///virtual/qf1/nginx.conf', MANY);
    const p = await doc.diagnostics();
    const undef = p.diagnostics.find((d) => d.code === 'undefined-variable')!;
    assert.ok(undef, JSON.stringify(p.diagnostics.map((d) => d.code)));
    const actions = await doc.actions(undef.range, [undef]);
    const quick = actions.filter((a) => a.kind === 'quickfix');
    assert.ok(quick.length >= 1);
    const fix = quick.find((a) => a.isPreferred) ?? quick[0]!;
    assert.deepEqual(fix.diagnostics, [undef]);
    const change = fix.edit!.documentChanges![0]!;
    assert.ok('textDocument' in change);
    assert.deepEqual(change.textDocument, { uri: doc.uri, version: 1 });

    const before = count(p, 'undefined-variable');
    doc.apply(fix);
    assert.match(doc.text, /map \$http_upgrade \$connection_upgrade \{/);
    const p2 = await doc.diagnostics();
    assert.equal(count(p2, 'undefined-variable'), 0, `the map defines it for both locations (was ${before})`);
    const newCodes = p2.diagnostics.map((d) => d.code).filter((code) => !p.diagnostics.some((d) => d.code === code));
    assert.deepEqual(newCodes, [], 'the fix introduced no new problem');
  });

  test('a fix from an outdated analysis is not offered', T, async () => {
    const doc = new Doc(c, 'file:///virtual/qf2/nginx.conf', MANY);
    const p = await doc.diagnostics();
    const stale = p.diagnostics.find((d) => d.code === 'undefined-variable')!;
    doc.version = 2;
    doc.text = `# a comment line shifts everything\n${MANY}`;
    c.change(doc.uri, 2, doc.text);
    const p2 = await doc.diagnostics();
    const actions = await doc.actions(stale.range, [stale], ['quickfix']);
    assert.deepEqual(actions, [], 'the diagnostic names version 1; the document is at 2');
    const fresh = p2.diagnostics.find((d) => d.code === 'undefined-variable')!;
    const again = await doc.actions(fresh.range, [fresh], ['quickfix']);
    assert.ok(again.length >= 1);
    assert.equal((again[0]!.edit!.documentChanges![0] as { textDocument: { version: number } }).textDocument.version, 2);
  });

  test('diagnostics from other sources get no actions, and `only` filters kinds', T, async () => {
    const doc = new Doc(c, 'file:///virtual/qf3/nginx.conf', MANY);
    const p = await doc.diagnostics();
    const foreign: Diagnostic = { ...p.diagnostics[0]!, source: 'other-linter' };
    const none = await doc.actions(foreign.range, [foreign], ['quickfix']);
    assert.deepEqual(none, []);
    const sourceOnly = await doc.actions(p.diagnostics[0]!.range, p.diagnostics, ['source.fixAll']);
    assert.deepEqual(
      sourceOnly.map((a) => a.kind),
      ['source.fixAll.nginxWs'],
    );
  });

  for (const rule of RULES) {
    test(`${rule.id}: the preferred quick fix of the rule's diagnostic on bad.conf removes it and introduces nothing`, T, async () => {
      const doc = new Doc(c, `file:///virtual/fixtures/${rule.id}/nginx.conf`, fixture(rule.id, 'bad')!);
      const p = await doc.diagnostics();
      const target = p.diagnostics.find((d) => d.code === rule.id);
      assert.ok(target, `${rule.id}: bad.conf raises it (got ${p.diagnostics.map((d) => d.code).join(', ')})`);
      const actions = (await doc.actions(target.range, [target], ['quickfix'])).filter((a) => a.kind === 'quickfix');
      if (rule.noFix) {
        assert.deepEqual(
          actions.map((a) => a.title),
          [],
          `${rule.id} has no fix (${rule.noFix})`,
        );
        return;
      }
      assert.ok(actions.length > 0, `${rule.id}: no quick fix offered`);
      const fix = actions.find((a) => a.isPreferred) ?? actions[0]!;
      const before = count(p, rule.id);
      doc.apply(fix);
      const p2 = await doc.diagnostics();
      assert.ok(count(p2, rule.id) < before, `${rule.id}: "${fix.title}" removed the diagnostic\n${doc.text}`);
      const introduced = p2.diagnostics.filter((d) => !p.diagnostics.some((o) => o.code === d.code));
      assert.deepEqual(
        introduced.map((d) => d.code),
        [],
        `${rule.id}: "${fix.title}" introduced nothing new`,
      );
    });
  }
});

/**
 * The rule fixtures through the real server: what it publishes on each fixture is exactly what the fixture's
 * expected.json states (rule, line, severity, the underlined text), and its "Fix all" turns bad.conf into
 * fixed.conf byte for byte, as the unit tests' fix-all does.
 */
describe('LSP on every rule fixture', () => {
  let c: LspTestClient;
  before(async () => {
    buildOnce();
    c = await LspTestClient.start();
  });
  after(() => c?.kill());

  const SEVERITY = ['', 'error', 'warning', 'information', 'hint'] as const;
  const statedOf = (p: PublishDiagnosticsParams, text: string) =>
    statedAll(
      p.diagnostics.map((d) => ({ range: d.range, severity: SEVERITY[d.severity!], code: String(d.code) })),
      text,
    ).map(describeStated);
  const START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

  for (const rule of RULES) {
    test(`${rule.id}: the diagnostics of bad.conf, fixed.conf and good.conf are exactly what expected.json states`, T, async () => {
      for (const file of FIXTURE_FILES) {
        const text = fixture(rule.id, file.replace(/\.conf$/, '') as 'bad' | 'good' | 'fixed')!;
        const doc = new Doc(c, `file:///virtual/stated/${rule.id}/${file.replace(/\.conf$/, '')}/nginx.conf`, text);
        assert.deepEqual(statedOf(await doc.diagnostics(), text), expectations(rule.id)![file].map(describeStated), `${rule.id}/${file}`);
      }
    });

    test(`${rule.id}: "Fix all" turns bad.conf into fixed.conf byte for byte, then has nothing left to do`, T, async () => {
      const bad = fixture(rule.id, 'bad')!;
      const fixed = fixture(rule.id, 'fixed')!;
      const doc = new Doc(c, `file:///virtual/fix-all/${rule.id}/nginx.conf`, bad);
      await doc.diagnostics();
      const actions = await doc.actions(START, [], ['source.fixAll']);
      if (fixed === bad) {
        assert.deepEqual(
          actions.map((a) => a.title),
          [],
          `${rule.id}: fixed.conf is bad.conf, so nothing is to be fixed`,
        );
        return;
      }
      assert.deepEqual(
        actions.map((a) => a.kind),
        ['source.fixAll.nginxWs'],
      );
      doc.apply(actions[0]!);
      assert.equal(doc.text, fixed, `${rule.id}: "Fix all" of bad.conf differs from fixed.conf`);
      await doc.diagnostics();
      assert.deepEqual(
        (await doc.actions(START, [], ['source.fixAll'])).map((a) => a.title),
        [],
        `${rule.id}: "Fix all" offered again on fixed.conf`,
      );
    });
  }
});

describe('LSP fix all', () => {
  let c: LspTestClient;
  before(async () => {
    buildOnce();
    c = await LspTestClient.start();
  });
  after(() => c?.kill());

  test('the source action fixes every fixable problem at once, shared edits applied once', T, async () => {
    const doc = new Doc(c, 'file:///virtual/fixall1/nginx.conf', MANY);
    const p = await doc.diagnostics();
    const fixable = p.diagnostics.filter((d) => d.data);
    assert.ok(fixable.length >= 3, JSON.stringify(p.diagnostics.map((d) => d.code)));
    assert.equal(count(p, 'undefined-variable'), 2, 'both locations lack the map');

    const actions = await doc.actions({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
    assert.equal(actions.length, 1);
    const all = actions[0]!;
    assert.equal(all.kind, 'source.fixAll.nginxWs');
    assert.equal(all.title, 'Fix all WebSocket problems in this file');
    doc.apply(all);
    assert.equal(doc.text.match(/map \$http_upgrade \$connection_upgrade/g)?.length, 1, `one map block\n${doc.text}`);

    const p2 = await doc.diagnostics();
    assert.deepEqual(
      p2.diagnostics.filter((d) => d.data).map((d) => d.code),
      [],
      `nothing fixable is left\n${doc.text}`,
    );
    const again = await doc.actions({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll.nginxWs']);
    assert.deepEqual(again, [], 'no fix-all action when there is nothing to fix');
  });

  test('fix all is computed on the current text even right after an edit', T, async () => {
    const doc = new Doc(c, 'file:///virtual/fixall2/nginx.conf', 'http {\n}\n');
    await doc.diagnostics();
    doc.version = 2;
    doc.text = MANY;
    c.change(doc.uri, 2, MANY);
    // No wait for diagnostics: the request itself must see version 2.
    const actions = await doc.actions({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
    assert.equal(actions.length, 1);
    const change = actions[0]!.edit!.documentChanges![0] as { textDocument: { version: number } };
    assert.equal(change.textDocument.version, 2);
  });
});

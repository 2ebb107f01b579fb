/**
 * Runs inside a real extension host (VS Code via @vscode/test-electron, or
 * code-server via test/e2e/sessions/06-vscode-suite.e2e.mjs) against the
 * workspace in test/vscode/workspace. Nothing is saved: edits are reverted so
 * the fixtures stay as they are.
 */
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';

const EXTENSION_ID = 'nginx-ws.nginx-websocket';

function workspaceFile(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs test/vscode/workspace opened as the workspace folder');
  return vscode.Uri.joinPath(folder.uri, rel);
}

/** Resolves with the file's diagnostics once `accept` holds, on the diagnostics event (no polling). */
function diagnosticsWhere(uri: vscode.Uri, accept: (d: vscode.Diagnostic[]) => boolean, timeoutMs = 15_000): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const d = vscode.languages.getDiagnostics(uri);
      if (!accept(d)) return false;
      cleanup();
      resolve(d);
      return true;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `diagnostics of ${uri.fsPath} never matched; last: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map(describe))}`,
        ),
      );
    }, timeoutMs);
    function cleanup(): void {
      sub.dispose();
      clearTimeout(timer);
    }
    check();
  });
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

function describe(d: vscode.Diagnostic): string {
  return `${d.range.start.line}:${d.range.start.character} ${codeOf(d)} ${d.message}`;
}

async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(rel));
  return vscode.window.showTextDocument(doc);
}

async function applyAction(action: vscode.CodeAction): Promise<void> {
  assert.ok(action.edit, `code action "${action.title}" carries no edit`);
  assert.equal(await vscode.workspace.applyEdit(action.edit), true, `applying "${action.title}" failed`);
}

suite('nginx WebSocket Doctor in a real extension host', () => {
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed in this extension host`);
    await ext.activate();
  });

  teardown(async () => {
    // Throw away unsaved fix edits so every test starts from the fixture text.
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.isDirty) {
        await vscode.window.showTextDocument(editor.document);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('conf.d files are nginx documents', async () => {
    const editor = await open('conf.d/chat.conf');
    assert.equal(editor.document.languageId, 'nginx');
  });

  test('a location without the Connection header gets an error on the location line', async () => {
    const editor = await open('conf.d/chat.conf');
    const diags = await diagnosticsWhere(editor.document.uri, (d) => d.some((x) => codeOf(x) === 'ws-connection-header'));
    const d = diags.find((x) => codeOf(x) === 'ws-connection-header')!;
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(editor.document.getText(d.range), 'location /chat/');
    assert.match(d.message, /Connection/);
    assert.equal(d.source !== undefined && d.source.length > 0, true, 'diagnostics name their source');
  });

  test('a correct WebSocket location has no diagnostics', async () => {
    const good = await open('conf.d/good.conf');
    // A bad file analysed after it proves the server is answering, so silence on good.conf is a verdict, not a delay.
    const bad = await open('conf.d/chat.conf');
    await diagnosticsWhere(bad.document.uri, (d) => d.length > 0);
    assert.deepEqual(vscode.languages.getDiagnostics(good.document.uri).map(describe), []);
  });

  test('the quick fix adds the Connection header and the error goes away', async () => {
    const editor = await open('conf.d/chat.conf');
    const uri = editor.document.uri;
    const diags = await diagnosticsWhere(uri, (d) => d.some((x) => codeOf(x) === 'ws-connection-header'));
    const target = diags.find((x) => codeOf(x) === 'ws-connection-header')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      target.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === 'Add "proxy_set_header Connection "upgrade";"');
    assert.ok(fix, `quick fix not offered; got: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    await applyAction(fix);
    assert.equal(
      editor.document.lineAt(8).text,
      '        proxy_set_header Connection "upgrade";',
      'the header goes right after the Upgrade line, indented like it',
    );
    await diagnosticsWhere(
      uri,
      (d) => !d.some((x) => codeOf(x) === 'ws-connection-header') && !d.some((x) => x.severity === vscode.DiagnosticSeverity.Error),
    );
  });

  test('fix all leaves a location with no findings', async () => {
    const editor = await open('conf.d/chat.conf');
    const uri = editor.document.uri;
    await diagnosticsWhere(uri, (d) => d.length >= 2);
    const whole = new vscode.Range(0, 0, editor.document.lineCount, 0);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      whole,
      'source.fixAll.nginxWs',
    );
    const fixAll = actions.find((a) => a.title === 'Fix all WebSocket problems in this file');
    assert.ok(fixAll, `fix-all not offered; got: ${actions.map((a) => a.title).join(' | ')}`);
    await applyAction(fixAll);
    const text = editor.document.getText();
    assert.match(text, /\n {8}proxy_set_header Connection "upgrade";\n/);
    assert.match(text, /\n {8}proxy_read_timeout 3600s;\n/);
    await diagnosticsWhere(uri, (d) => d.length === 0);
  });

  test('the extension registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['nginxWs.testEndpoint', 'nginxWs.fixAll', 'nginxWs.showOutput']) {
      assert.ok(commands.includes(id), `command ${id} is not registered`);
    }
  });

  test('a CodeLens above each WebSocket location runs the endpoint test', async () => {
    const editor = await open('conf.d/chat.conf');
    // Lenses come from the server's analysis: wait until it has run.
    await diagnosticsWhere(editor.document.uri, (d) => d.length > 0);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 10);
    const lens = lenses.find((l) => l.command?.command === 'nginxWs.testEndpoint');
    assert.ok(lens, `no test lens; got: ${JSON.stringify(lenses.map((l) => l.command))}`);
    assert.equal(lens.range.start.line, 4, 'the lens sits on the location line');
    assert.match(lens.command!.title, /Test WebSocket endpoint/);
  });
});

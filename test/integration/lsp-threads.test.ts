/**
 * The server never blocks (issue 11): the real server process (`dist/server.js`
 * over stdio) runs its analyses in two worker threads behind a front
 * (server/src/lsp/front/front.ts). What a client sees of that:
 *
 * - while the primary thread spends seconds on an 18 MB config, requests about
 *   another file (hover, symbols, a quick fix) are answered, and an edit of it
 *   gets its diagnostics, by the replica, before that analysis ends;
 * - an analysis longer than `limits.analysisSeconds`, or one that needs more
 *   heap than `limits.serverMemoryMB`, stops its thread: that version of the
 *   file gets one diagnostic naming the limit and is not analysed again until
 *   it changes, the other files are served by the new thread, an edit of the
 *   file analyses it again.
 *
 * No assertion is about speed: the order of events is what is checked, with a
 * margin of seconds (the flood takes 5 to 10 s here).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, DocumentSymbol, Hover } from 'vscode-languageserver-protocol/node';
import { buildOnce, LspTestClient, messageText, TempWorkspace } from '../support/lsp-client';
import { NORMAL, NormalDocument } from '../support/still-served';

/** 800,000 lines, 18 MB: an analysis of several seconds that needs several hundred MB of heap. */
const FLOOD = `http {\n${'proxy_set_header X $y;\n'.repeat(800_000)}}\n`;
const LONG = 180_000;
const T = { timeout: 240_000 };
const SETTINGS = { detectNginxVersion: false, nginxTest: { onSave: false } };
/** The hover position on `proxy_pass` in NORMAL. */
const ON_PROXY_PASS = { line: 4, character: 14 };

describe('the server front: requests about other files are answered during a long analysis', () => {
  let ws: TempWorkspace;
  let c: LspTestClient;

  before(async () => {
    buildOnce();
    ws = new TempWorkspace('nginx-ws-threads-');
    ws.write('normal.conf', NORMAL);
    c = await ws.start({ settings: SETTINGS });
  });
  after(async () => {
    await c?.stop().catch(() => undefined);
    ws?.dispose();
  });

  test("hover, symbols, a quick fix and an edit's diagnostics on one file while 18 MB files are analysed", T, async () => {
    const normal = ws.uri('normal.conf');
    c.open(normal, NORMAL, 1);
    const first = await c.diagnostics(normal, (x) => x.version === 1, { timeoutMs: LONG });
    const missing = first.diagnostics.find((d) => d.code === 'ws-upgrade-header-missing');
    assert.ok(missing, 'NORMAL lacks the Upgrade header');

    // Three floods opened at once: the primary analyses them one after the other, for several seconds in all.
    const floods = [1, 2, 3].map((i) => ws.uri(`flood${i}.conf`));
    let floodDone = 0;
    for (const f of floods) c.open(f, FLOOD, 1);
    const floodPublished = Promise.all(floods.map((f) => c.diagnostics(f, (x) => x.version === 1, { timeoutMs: LONG }))).then((all) => {
      floodDone = Date.now();
      return all[2]!;
    });
    // Inside the first flood's analysis (it starts within a few hundred ms of the open and lasts seconds).
    await sleep(1000);
    const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: normal }, position: ON_PROXY_PASS }, LONG);
    const hoverAt = Date.now();
    const symbols = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: normal } }, LONG);
    const actions = await c.request<CodeAction[]>(
      'textDocument/codeAction',
      { textDocument: { uri: normal }, range: missing.range, context: { diagnostics: [missing], only: ['quickfix'] } },
      LONG,
    );
    const actionsAt = Date.now();
    // An edit of the normal file meanwhile: its diagnostics come from the replica, before the floods'.
    const since = c.mark(normal);
    c.change(
      normal,
      2,
      NORMAL.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;'),
    );
    const edited = await c.diagnostics(normal, (x) => x.version === 2, { since, timeoutMs: LONG });
    const editedAt = Date.now();
    const p = await floodPublished;

    assert.ok(h && JSON.stringify(h.contents).includes('proxy_pass'), 'the hover is about proxy_pass');
    assert.equal(symbols[0]?.name, 'http');
    assert.ok(
      actions.some((a) => a.diagnostics?.[0]?.code === 'ws-upgrade-header-missing' && a.edit),
      `a quick fix for the missing Upgrade header: ${JSON.stringify(actions.map((a) => a.title))}`,
    );
    assert.ok(hoverAt < floodDone && actionsAt < floodDone, `answered ${floodDone - actionsAt} ms before the last flood's diagnostics`);
    assert.ok(editedAt < floodDone, `the edit's diagnostics came ${floodDone - editedAt} ms before the last flood's`);
    assert.ok(!edited.diagnostics.some((d) => d.code === 'ws-upgrade-header-missing'), 'version 2 has the Upgrade header');
    process.stdout.write(
      `# hover, symbols and quick fix answered ${floodDone - actionsAt} ms, an edit's diagnostics published ${floodDone - editedAt} ms, before the last 18 MB file's diagnostics\n`,
    );
    assert.equal(p.diagnostics.filter((d) => d.code === 'undefined-variable').length, 201, 'the flood is analysed all the same');
    for (const f of floods) c.close(f);
  });
});

describe('the server front: budgets of one analysis', () => {
  let ws: TempWorkspace;
  let c: LspTestClient | undefined;
  let normal: NormalDocument;

  before(() => {
    buildOnce();
    ws = new TempWorkspace('nginx-ws-budget-');
    ws.write('normal.conf', NORMAL);
  });
  after(() => ws?.dispose());

  async function start(limits: Record<string, number>): Promise<LspTestClient> {
    await c?.stop().catch(() => undefined);
    c = await ws.start({ settings: { ...SETTINGS, limits } });
    normal = new NormalDocument(() => c!, ws.uri('normal.conf'));
    await normal.open(LONG);
    return c;
  }

  /** Opens the flood, expects one diagnostic matching `re`, checks it is not retried, and that an edit analyses the file again. */
  async function overBudget(client: LspTestClient, re: RegExp): Promise<void> {
    const flood = ws.uri('flood.conf');
    client.open(flood, FLOOD, 1);
    const p = await client.diagnostics(flood, (x) => x.version === 1, { timeoutMs: LONG });
    assert.equal(p.diagnostics.length, 1, p.diagnostics.map((d) => messageText(d)).join('\n'));
    assert.match(messageText(p.diagnostics[0]!), re);
    await normal.stillServed('a thread stopped at its budget', LONG);
    // Not retried: no other thread stops while the file stays as it is.
    await sleep(3000);
    const stops = client.logs.filter((l) => l.includes('flood.conf') && /went over its budget/.test(l));
    assert.equal(stops.length, 1, stops.join('\n'));
    assert.ok(client.alive);
    // An edit is a new version: analysed again.
    const since = client.mark(flood);
    client.change(flood, 2, 'http {\n    proxy_set_header X $y;\n}\n');
    const q = await client.diagnostics(flood, (x) => x.version === 2, { since, timeoutMs: LONG });
    assert.deepEqual(
      q.diagnostics.map((d) => d.code),
      ['undefined-variable'],
    );
    client.close(flood);
  }

  test('an analysis longer than limits.analysisSeconds: its thread is stopped, the file says so, nothing else is lost', T, async () => {
    const client = await start({ analysisSeconds: 1 });
    await overBudget(client, /took longer than 1 s, the limit for one analysis.*raise nginxWs\.limits\.analysisSeconds/);
  });

  test('an analysis that needs more heap than limits.serverMemoryMB: reported, the server lives on', T, async () => {
    const client = await start({ serverMemoryMB: 160 });
    await client.log(/heap limit of 160 MB/, { timeoutMs: LONG });
    await overBudget(client, /needed more than the 160 MB the language server may use.*nginxWs\.limits\.serverMemoryMB/);
  });
});

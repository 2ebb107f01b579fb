/**
 * Runs `nginx -t` on a config when one of its files is saved and publishes
 * what nginx says next to the engine's diagnostics. One run at a time per
 * root; saves during a run queue exactly one more run, so the result shown is
 * always that of the newest saved text.
 */
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver/node';
import * as nodePath from 'node:path';
import type { Analysis } from '../engine/index';
import type { Analyzer } from './analyzer';
import { NGINX_TEST_CODE, NGINX_TEST_SOURCE, missingHere, runNginxTest, type NginxMessage, type NginxTestRun } from '../nginx/config-test';
import { isDiskPath } from '../node/paths';
import type { Contribution } from './publisher';
import type { ServerSettings } from './settings';

export interface NginxCheckOptions {
  analyzer: Analyzer;
  settings(): ServerSettings;
  trusted(): boolean;
  log(message: string): void;
  info(message: string): void;
  /** Called after each run (tests and logs). */
  onRun?(root: string, run: NginxTestRun): void;
}

export class NginxChecker {
  /** root → the document whose save asked for the next run, while a run is in progress. */
  private readonly running = new Map<string, { next: string | undefined }>();
  private readonly missingBinaries = new Set<string>();

  constructor(private readonly o: NginxCheckOptions) {}

  /** A document was saved: test its config if allowed and it belongs to a whole config on disk. */
  async saved(uri: string): Promise<void> {
    if (!this.o.trusted() || !this.o.settings().nginxTest.onSave) return;
    const state = await this.o.analyzer.current(uri);
    if (!state?.analysis || !state.complete || !isDiskPath(state.rootPath)) return;
    const root = state.rootPath;
    const busy = this.running.get(root);
    if (busy) {
      busy.next = uri;
      return;
    }
    const entry: { next: string | undefined } = { next: uri };
    this.running.set(root, entry);
    try {
      while (entry.next) {
        const u = entry.next;
        entry.next = undefined;
        await this.check(u, root);
      }
    } finally {
      this.running.delete(root);
    }
  }

  private async check(uri: string, root: string): Promise<void> {
    // Trust or the setting may have changed while queued.
    if (!this.o.trusted() || !this.o.settings().nginxTest.onSave) return;
    const state = await this.o.analyzer.current(uri);
    const analysis = state?.analysis;
    if (!state || !analysis || state.rootPath !== root) return;
    // nginx reads the files now; diagnostics are valid for the texts they have now.
    const versions = new Map<string, number | null>();
    for (const p of analysis.files.keys()) versions.set(p, this.o.analyzer.openVersion(p) ?? null);
    const settings = this.o.settings();
    const mainItems = analysis.model.root.items;
    const binary = settings.nginxPath;
    const run = await runNginxTest({
      binary,
      root,
      prefix: settings.prefix || nodePath.dirname(root),
      hasPid: mainItems.some((d) => d.name === 'pid'),
      hasErrorLog: mainItems.some((d) => d.name === 'error_log'),
    });
    try {
      this.o.onRun?.(root, run);
    } catch {
      // a hook must not stop the diagnostics
    }
    if (run.error) {
      if (!this.missingBinaries.has(binary))
        this.o.info(`nginx-ws: nginx -t on save: ${run.error} (nginxWs.nginxPath = "${binary}"); not run`);
      if (run.error.endsWith('not found')) this.missingBinaries.add(binary);
      return;
    }
    this.missingBinaries.delete(binary);
    const byPath = this.toDiagnostics(run, root, analysis);
    const contributions = new Map<string, Contribution>();
    for (const [p, diagnostics] of byPath) {
      contributions.set(p, { diagnostics, targetVersion: versions.has(p) ? versions.get(p)! : (this.o.analyzer.openVersion(p) ?? null) });
    }
    this.o.analyzer.setExternal(`nginx-t:${root}`, contributions);
    // After publishing, so a client that sees this line has the diagnostics already.
    this.o.info(`nginx-ws: nginx -t ${run.ok ? 'passed' : 'failed'} for ${root}${run.ok ? '' : `: ${firstMessage(run)}`}`);
  }

  private toDiagnostics(run: NginxTestRun, root: string, analysis: Analysis): Map<string, Diagnostic[]> {
    const byPath = new Map<string, Diagnostic[]>();
    const add = (path: string, d: Diagnostic) => {
      let l = byPath.get(path);
      if (!l) byPath.set(path, (l = []));
      l.push(d);
    };
    let unchecked: NginxMessage | undefined;
    let why = '';
    for (const m of run.messages) {
      // Alerts are about this process (an error log it may not open), notices are chatter: not the config.
      if (m.level === 'alert' || m.level === 'notice') {
        this.o.info(`nginx-ws: nginx -t: [${m.level}] ${m.message}`);
        continue;
      }
      const missing = missingHere(m);
      if (missing) {
        if (!unchecked) [unchecked, why] = [m, missing];
        continue;
      }
      const at = m.file && m.line ? { path: m.file, line: m.line - 1 } : (locate(m, analysis) ?? { path: root, line: 0 });
      add(at.path, {
        range: lineRange(analysis, at.path, at.line),
        severity: m.level === 'warn' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
        source: NGINX_TEST_SOURCE,
        code: NGINX_TEST_CODE,
        message: m.message,
      });
    }
    if (unchecked) {
      const where = unchecked.file ? ` (${nodePath.basename(unchecked.file)}:${unchecked.line})` : '';
      add(root, {
        range: lineRange(analysis, root, 0),
        severity: DiagnosticSeverity.Information,
        source: NGINX_TEST_SOURCE,
        code: NGINX_TEST_CODE,
        message: `nginx -t could not check this config on this machine: ${why} it needs is missing here — ${unchecked.message}${where}. nginx stops at that point, so the rest was not checked by nginx; the extension's own checks still apply.`,
      });
    } else if (!run.ok && !byPath.size) {
      add(root, {
        range: lineRange(analysis, root, 0),
        severity: DiagnosticSeverity.Information,
        source: NGINX_TEST_SOURCE,
        code: NGINX_TEST_CODE,
        message: `nginx -t failed without saying where: ${run.output.split('\n')[0] || 'no output'}`,
      });
    }
    return byPath;
  }
}

function firstMessage(run: NginxTestRun): string {
  const m = run.messages.find((x) => x.level !== 'alert' && x.level !== 'notice');
  return m ? `[${m.level}] ${m.message}${m.file ? ` in ${m.file}:${m.line}` : ''}` : (run.output.split('\n')[0] ?? '');
}

/** Where a message that names no place is about: `unknown "x" variable` → the first use of `$x`. */
function locate(m: NginxMessage, analysis: Analysis): { path: string; line: number } | undefined {
  const v = /^unknown "([A-Za-z0-9_]+)" variable$/.exec(m.message)?.[1];
  if (!v) return undefined;
  const re = new RegExp(`\\$(?:${v}(?![A-Za-z0-9_])|\\{${v}\\})`);
  for (const [path, file] of analysis.files) {
    const hit = re.exec(file.text);
    if (hit) return { path, line: file.lines.positionAt(hit.index).line };
  }
  return undefined;
}

/** The line's text without its indentation, or the line start when the file is not known to the engine. */
function lineRange(analysis: Analysis, path: string, line: number): Range {
  const file = analysis.files.get(path);
  if (!file) return { start: { line, character: 0 }, end: { line, character: 0 } };
  const lines = file.text.split('\n');
  const text = (lines[line] ?? '').replace(/\r$/, '');
  const indent = text.length - text.trimStart().length;
  return { start: { line, character: indent }, end: { line, character: Math.max(indent, text.trimEnd().length) } };
}

/**
 * The report panel's page, rendered from a `ReportModel`. Pure (no vscode
 * import) so a unit test reads the HTML it produces.
 *
 * Follows VS Code's webview guidelines: a strict Content-Security-Policy
 * (nothing but this page's own nonce'd style and script, no remote content,
 * no inline handlers), the theme's CSS variables (light, dark and both
 * high-contrast themes look native), real buttons, links and <details> so
 * everything works from the keyboard, and a focus outline in the theme's
 * focus colour. The script only posts the user's clicks to the extension and
 * keeps the panel's view state (open sections, scroll) with setState.
 */
import type { ConfigLine, ReportModel, StageRow } from './model';
import { stageName } from './model';

/** Per-row quick fix titles, by index into `model.diagnosis` (filled by the extension from the language server). */
export type FixTitles = Record<number, string>;

export interface RenderOptions {
  nonce: string;
  /** `webview.cspSource`: may only be used for images/fonts; nothing is loaded from it today. */
  cspSource: string;
  fixes?: FixTitles;
  /** Shown above the verdict while a re-run or a fix is in progress. */
  busy?: string | null;
  /** A line about the last action (fix applied, reload output). */
  notice?: string | null;
  /** Short display name of a config file (the workspace-relative path). */
  displayPath?: (file: string) => string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON for a `<script type="application/json">` block: `<` escaped so no text can close the element. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function contentSecurityPolicy(nonce: string, cspSource: string): string {
  return [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function renderReport(m: ReportModel, o: RenderOptions): string {
  const e = escapeHtml;
  const show = o.displayPath ?? ((f: string) => f);
  const link = (at: ConfigLine | null, label?: string): string =>
    at
      ? `<a href="#" class="cfg-link" data-action="open" data-file="${e(at.file)}" data-line="${at.line}" title="Open ${e(at.file)} at line ${at.line}">${e(label ?? `${show(at.file)}:${at.line}`)}</a>`
      : '';
  const status = m.verdict.status !== null ? `<span class="chip">HTTP ${m.verdict.status}</span>` : '';
  const sections: string[] = [];

  sections.push(`<header class="verdict ${m.verdict.ok ? 'ok' : 'failed'}" role="status" aria-live="polite">
  <div class="verdict-line"><span class="icon" aria-hidden="true">${m.verdict.ok ? '✔' : '✘'}</span><h1 id="verdict">${e(m.verdict.headline)}</h1>${status}</div>
  <p class="detail">${e(m.verdict.detail)}</p>
  <p class="meta"><span class="target">${e(m.target)}</span>${m.location ? ` · ${link(m.location, `${m.location.label} (${show(m.location.file)}:${m.location.line})`)}` : ''} · <time datetime="${e(m.finishedAt)}">${e(new Date(m.finishedAt).toLocaleString())}</time></p>
  <div class="actions">
    <button type="button" data-action="rerun" class="primary">Run again</button>
    <button type="button" data-action="copy" class="secondary">Copy as text</button>
  </div>
  ${o.busy ? `<p class="busy" role="status">${e(o.busy)}</p>` : ''}
  ${o.notice ? `<p class="notice" role="status">${e(o.notice)}</p>` : ''}
</header>`);

  if (m.prediction) {
    const p = m.prediction;
    const predicted = p.outcome === 'upgrade' ? '101 Switching Protocols' : p.status !== null ? `HTTP ${p.status}` : 'unknown';
    const observed = m.verdict.ok
      ? '101 Switching Protocols'
      : m.verdict.status !== null
        ? `HTTP ${m.verdict.status}`
        : `no answer (${stageName(m.verdict.stage)})`;
    const agree = predicted === observed;
    sections.push(`<section aria-labelledby="h-prediction"><h2 id="h-prediction">Predicted and observed</h2>
<div class="compare ${agree ? 'agree' : 'differ'}">
  <div><h3>Predicted from the config</h3><p class="big">${e(predicted)}</p><p>${e(p.summary)}</p>
  ${p.steps.length ? `<ol class="plain">${p.steps.map((s) => `<li>${e(s.message)} ${link(s.at)}</li>`).join('')}</ol>` : ''}</div>
  <div><h3>Observed</h3><p class="big">${e(observed)}</p><p>${e(m.verdict.detail)}</p></div>
</div>
${agree ? '' : '<p class="warn">The live answer differs from the prediction: the deployed config is not the one in the editor, or the backend refused.</p>'}
</section>`);
  }

  sections.push(`<section aria-labelledby="h-diagnosis"><h2 id="h-diagnosis">Diagnosis</h2>
${
  m.diagnosis.length === 0
    ? `<p class="muted">${m.verdict.ok ? 'Nothing to report.' : 'No specific cause identified.'}</p>`
    : `<ul class="diagnosis">${m.diagnosis
        .map(
          (d, i) => `<li>
  <p>${e(d.message)}${d.code ? ` <code class="rule">${e(d.code)}</code>` : ''}</p>
  <p class="row-actions">${link(d.at)}${o.fixes?.[i] ? ` <button type="button" data-action="fix" data-index="${i}" title="Apply the quick fix, save the file and run the test again">${e(o.fixes[i])} and re-run</button>` : ''}</p>
</li>`,
        )
        .join('')}</ul>`
}
</section>`);

  if (m.proof) {
    const p = m.proof;
    sections.push(`<section aria-labelledby="h-stands"><h2 id="h-stands">What this proof stands behind</h2>
<p class="stands">${e(p.standsBehind)}</p>
${
  p.caveats.length
    ? `<ul class="caveats">${p.caveats
        .map(
          (c) =>
            `<li class="${c.onPath ? 'on-path' : 'off-path'}"><span class="icon" aria-hidden="true">${c.onPath ? '⚠' : '–'}</span> ${e(c.message)}${c.onPath ? '<span class="visually-hidden"> (applies to this location)</span>' : ''} ${link(c.at)}</li>`,
        )
        .join('')}</ul>`
    : ''
}
</section>`);
  }

  sections.push(`<section aria-labelledby="h-timeline"><h2 id="h-timeline">Stages</h2>
<ol class="timeline">${m.stages.map((s) => stageItem(s, maxMs(m.stages))).join('')}</ol>
</section>`);

  if (m.checks.length) {
    sections.push(
      `<section aria-labelledby="h-checks"><h2 id="h-checks">More checks</h2><ul class="checks">${m.checks
        .map(
          (c) =>
            `<li class="${c.ok ? 'ok' : 'failed'}"><span class="icon" aria-hidden="true">${c.ok ? '✔' : '✘'}</span> <strong>${e(c.title)}</strong>: ${e(c.detail)}</li>`,
        )
        .join('')}</ul></section>`,
    );
  }

  if (m.rewrites?.length) {
    sections.push(
      `<section aria-labelledby="h-rewrites"><h2 id="h-rewrites">What was changed to run the config here</h2><table><thead><tr><th scope="col">what</th><th scope="col">in the config</th><th scope="col">here</th><th scope="col">line</th></tr></thead><tbody>${m.rewrites
        .map(
          (r) =>
            `<tr><td>${e(r.what)}</td><td><code>${e(r.from)}</code></td><td><code>${e(r.to)}</code>${r.why ? `<div class="muted small">${e(r.why)}</div>` : ''}</td><td>${r.at ? link(r.at) : '<span class="muted">command line</span>'}</td></tr>`,
        )
        .join('')}</tbody></table></section>`,
    );
  }

  sections.push(`<section aria-labelledby="h-headers"><h2 id="h-headers">Handshake</h2>
<div class="exchange">
  <div><h3>Request sent</h3>${
    m.exchange.request
      ? `<p class="line"><code>${e(m.exchange.request.line)}</code></p>${headerTable(m.exchange.request.headers, 'Request headers')}`
      : '<p class="muted">Nothing was sent (the test stopped before the handshake).</p>'
  }</div>
  <div><h3>Response received</h3>${
    m.exchange.response
      ? `<p class="line"><code>${e(m.exchange.response.statusLine)}</code></p>${headerTable(m.exchange.response.headers, 'Response headers')}${
          m.exchange.response.body.trim()
            ? `<details data-key="body"><summary>Body</summary><pre>${e(m.exchange.response.body)}</pre></details>`
            : ''
        }`
      : '<p class="muted">No HTTP answer.</p>'
  }</div>
</div>
<p class="muted small">Credentials (Authorization, cookies, token-like values) are masked.</p>
</section>`);

  if (m.proof) {
    const b = m.proof.backend;
    sections.push(`<section aria-labelledby="h-backend"><h2 id="h-backend">What the echo backend received</h2>
${b ? `<p class="muted">A strict RFC 6455 echo backend on ${e(b.address)}${b.tls ? ' (TLS)' : ''} stood in for the location's backend.</p>` : ''}
${
  !b || b.requests.length === 0
    ? '<p class="muted">Nothing reached the backend.</p>'
    : b.requests
        .map(
          (q) =>
            `<div class="backend-request"><p class="line"><code>${e(q.line)}</code> → <strong>${q.answer.status}</strong> ${e(q.answer.reason)}</p>${headerTable(q.headers, 'Headers the backend received')}</div>`,
        )
        .join('')
}
<p class="muted small">${[
      m.proof.nginx,
      m.proof.cleanup,
      m.proof.readInPlace.length ? `Read in place: ${m.proof.readInPlace.join(', ')}` : '',
    ]
      .filter((x): x is string => !!x)
      .map(e)
      .join(' · ')}</p>
</section>`);
  }

  if (m.findings.length) {
    sections.push(
      `<section aria-labelledby="h-findings"><h2 id="h-findings">Linter findings for this location</h2><ul class="findings">${m.findings
        .map(
          (f) =>
            `<li><span class="sev ${e(f.severity)}">${e(f.severity)}</span> <code class="rule">${e(f.code)}</code> ${e(f.message)} ${link(f.at)}</li>`,
        )
        .join('')}</ul></section>`,
    );
  }

  if (m.nginxTest) {
    sections.push(
      `<section><details data-key="nginx-t"><summary><h2>nginx -t: ${m.nginxTest.ok ? 'ok' : 'failed'}</h2></summary><pre>${e(m.nginxTest.output.trim() || '(no output)')}</pre></details></section>`,
    );
  }
  if (m.errorLog) {
    const logTitle =
      m.kind === 'local-proof'
        ? `nginx error log: ${m.errorLog.length} line${m.errorLog.length === 1 ? '' : 's'}`
        : `error_log: ${m.errorLog.length} new line${m.errorLog.length === 1 ? '' : 's'} during the test`;
    sections.push(
      `<section><details data-key="error-log"><summary><h2>${e(logTitle)}</h2></summary>${
        m.errorLog.length ? `<pre>${e(m.errorLog.join('\n'))}</pre>` : '<p class="muted">The error_log gained no lines during the test.</p>'
      }</details></section>`,
    );
  }

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.nonce, o.cspSource)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${e(m.title)}: ${e(m.verdict.headline)}</title>
<style nonce="${o.nonce}">${STYLE}</style>
</head>
<body>
<main aria-labelledby="verdict">
${sections.join('\n')}
</main>
<script type="application/json" id="model">${jsonForScript(m)}</script>
<script nonce="${o.nonce}">${SCRIPT}</script>
</body>
</html>`;
}

function maxMs(stages: StageRow[]): number {
  return Math.max(1, ...stages.map((s) => s.ms ?? 0));
}

function stageItem(s: StageRow, max: number): string {
  const e = escapeHtml;
  const icon = { ok: '✔', failed: '✘', 'not-run': '○', skipped: '–' }[s.state];
  const width = s.ms !== null ? Math.max(2, Math.round((s.ms / max) * 100)) : 0;
  const stateText = { ok: 'passed', failed: 'failed', 'not-run': 'not reached', skipped: 'skipped' }[s.state];
  return `<li class="stage ${s.state}"${s.state === 'failed' ? ' aria-current="step"' : ''}>
  <span class="icon" aria-hidden="true">${icon}</span>
  <span class="name">${e(s.label)}<span class="visually-hidden">: ${stateText}</span></span>
  <span class="ms">${s.ms !== null ? `${s.ms} ms` : ''}</span>
  <span class="bar" aria-hidden="true"><span data-w="${width}"></span></span>
  <span class="sdetail">${e(s.detail)}</span>
</li>`;
}

function headerTable(headers: [string, string][], caption: string): string {
  const e = escapeHtml;
  if (headers.length === 0) return '<p class="muted">No headers.</p>';
  return `<table class="headers"><caption class="visually-hidden">${e(caption)}</caption><tbody>${headers
    .map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`)
    .join('')}</tbody></table>`;
}

// Inline style attributes are blocked by the CSP (style-src has only the nonce): the bar widths travel in
// `data-w` and the nonce'd script applies them through the CSSOM, which the CSP allows.
const STYLE = `
:root { color-scheme: light dark; }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 24px; line-height: 1.45; }
main { max-width: 1100px; }
h1 { font-size: 1.9em; margin: 0; font-weight: 600; }
h2 { font-size: 1.1em; margin: 1.4em 0 .5em; font-weight: 600; }
h3 { font-size: 1em; margin: .2em 0 .4em; font-weight: 600; color: var(--vscode-descriptionForeground); }
details > summary h2 { display: inline; margin: 0; }
details { margin: 1.2em 0 .5em; }
summary { cursor: pointer; }
code, pre, .headers, .target { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
pre { background: var(--vscode-textCodeBlock-background); padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; border-radius: 3px; }
a { color: var(--vscode-textLink-foreground); }
a:hover { color: var(--vscode-textLink-activeForeground); }
:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.verdict { border-left: 6px solid var(--vscode-testing-iconPassed, #388a34); padding: 12px 16px; margin: 16px 0 8px; background: var(--vscode-editorWidget-background); }
.verdict.failed { border-left-color: var(--vscode-testing-iconFailed, #c72e0f); }
body.vscode-high-contrast .verdict, body.vscode-high-contrast-light .verdict { border: 1px solid var(--vscode-contrastBorder); border-left-width: 6px; }
.verdict-line { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.verdict .icon { font-size: 1.9em; }
.verdict.ok .icon, .stage.ok .icon, .checks .ok .icon { color: var(--vscode-testing-iconPassed, #388a34); }
.verdict.failed .icon, .stage.failed .icon, .checks .failed .icon { color: var(--vscode-testing-iconFailed, #c72e0f); }
.detail { font-size: 1.1em; margin: .4em 0; }
.meta { color: var(--vscode-descriptionForeground); margin: .3em 0 .8em; }
.chip { border: 1px solid var(--vscode-contrastBorder, var(--vscode-badge-background)); background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); border-radius: 10px; padding: 1px 9px; font-weight: 600; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; }
button { font-family: inherit; font-size: inherit; border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; border-radius: 2px; cursor: pointer; color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:disabled { opacity: .6; cursor: default; }
.busy, .notice { margin: .6em 0 0; color: var(--vscode-descriptionForeground); }
.busy::before { content: '⟳ '; }
.warn { color: var(--vscode-editorWarning-foreground); }
.stands { font-size: 1.05em; }
ul.caveats { padding-left: 1.2em; list-style: none; }
ul.caveats li.on-path .icon { color: var(--vscode-editorWarning-foreground); }
ul.caveats li.off-path { color: var(--vscode-descriptionForeground); }
.backend-request { margin-bottom: .8em; }
.muted { color: var(--vscode-descriptionForeground); }
.small { font-size: .9em; }
ul.diagnosis, ul.findings, ul.checks, ol.plain { padding-left: 1.2em; }
ul.diagnosis li { margin-bottom: .6em; }
ul.diagnosis p { margin: .15em 0; }
.rule { color: var(--vscode-descriptionForeground); }
.row-actions { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.timeline { list-style: none; padding: 0; margin: 0; }
.stage { display: grid; grid-template-columns: 1.6em 13em 5.5em 10em 1fr; gap: 8px; align-items: baseline; padding: 3px 6px; border-radius: 3px; }
.stage.failed { background: var(--vscode-inputValidation-errorBackground, rgba(200,40,40,.12)); outline: 1px solid var(--vscode-inputValidation-errorBorder, transparent); }
.stage.not-run, .stage.skipped { color: var(--vscode-disabledForeground, var(--vscode-descriptionForeground)); }
.stage .ms { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: 8px; background: var(--vscode-editorWidget-border, rgba(128,128,128,.25)); border-radius: 4px; overflow: hidden; align-self: center; }
.bar > span { display: block; height: 100%; background: var(--vscode-progressBar-background); }
.stage.failed .bar > span { background: var(--vscode-testing-iconFailed, #c72e0f); }
.exchange, .compare { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 700px) { .exchange, .compare { grid-template-columns: 1fr; } .stage { grid-template-columns: 1.6em 1fr 5em; } .stage .bar, .stage .sdetail { grid-column: 2 / 4; } }
.compare.differ { outline: 1px solid var(--vscode-editorWarning-foreground); padding: 6px; }
.big { font-size: 1.3em; font-weight: 600; margin: .2em 0; }
table { border-collapse: collapse; width: 100%; }
.headers th { text-align: left; font-weight: 600; padding: 2px 10px 2px 0; vertical-align: top; white-space: nowrap; }
.headers td { padding: 2px 0; word-break: break-all; }
.headers tr { border-bottom: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.2)); }
.line { margin: .2em 0 .5em; }
.sev { font-weight: 600; }
.sev.error { color: var(--vscode-errorForeground); }
.sev.warning { color: var(--vscode-editorWarning-foreground); }
.sev.information, .sev.hint { color: var(--vscode-editorInfo-foreground); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/**
 * The page's only script. Clicks on elements with `data-action` become messages to the extension;
 * the model and the open <details> sections are kept with setState, so a hidden panel shown again
 * (or restored after a reload by the serializer) looks as it was left.
 */
const SCRIPT = `
(function () {
  const vscode = acquireVsCodeApi();
  const model = JSON.parse(document.getElementById('model').textContent);
  const prev = vscode.getState() || {};
  const same = prev.model && prev.model.finishedAt === model.finishedAt && prev.model.target === model.target;
  const ui = same && prev.ui ? prev.ui : { open: [], scrollY: 0 };
  for (const d of document.querySelectorAll('details[data-key]')) d.open = ui.open.includes(d.dataset.key);
  for (const s of document.querySelectorAll('.bar > span')) s.style.width = s.getAttribute('data-w') + '%';
  if (ui.scrollY) window.scrollTo(0, ui.scrollY);
  const save = () => {
    const open = [...document.querySelectorAll('details[data-key]')].filter((d) => d.open).map((d) => d.dataset.key);
    vscode.setState({ model, ui: { open, scrollY: window.scrollY } });
  };
  save();
  document.addEventListener('toggle', save, true);
  let t = 0;
  window.addEventListener('scroll', () => { clearTimeout(t); t = setTimeout(save, 150); });
  document.addEventListener('click', (ev) => {
    const el = ev.target.closest('[data-action]');
    if (!el) return;
    ev.preventDefault();
    const a = el.dataset.action;
    if (a === 'open') vscode.postMessage({ type: 'open', file: el.dataset.file, line: Number(el.dataset.line) });
    else if (a === 'fix') { el.disabled = true; vscode.postMessage({ type: 'fix', index: Number(el.dataset.index) }); }
    else if (a === 'rerun') { el.disabled = true; vscode.postMessage({ type: 'rerun' }); }
    else if (a === 'copy') vscode.postMessage({ type: 'copy' });
  });
})();
`;

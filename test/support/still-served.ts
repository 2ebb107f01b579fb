/**
 * "The server keeps answering other files": a small, valid config the hostile
 * tests keep editing between their cases. Each edit flips whether it lacks the
 * Upgrade header, and the diagnostics of that exact version must say so.
 */
import assert from 'node:assert/strict';
import type { LspTestClient } from './lsp-client';

export const NORMAL = `http {
    server {
        listen 80;
        location /ws/ {
            proxy_pass http://127.0.0.1:9000;
            proxy_http_version 1.1;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 3600s;
        }
    }
}
`;

export class NormalDocument {
  private version = 1;

  constructor(
    private readonly c: () => LspTestClient,
    readonly uri: string,
  ) {}

  /** Opens it (version 1) and waits for its first diagnostics. */
  async open(timeoutMs = 10_000): Promise<void> {
    this.version = 1;
    this.c().open(this.uri, NORMAL, 1);
    await this.c().diagnostics(this.uri, (x) => x.version === 1, { timeoutMs });
  }

  /** Edits it and waits for the diagnostics of that exact version; the server must be alive and right. */
  async stillServed(what: string, timeoutMs = 20_000): Promise<void> {
    const c = this.c();
    assert.ok(c.alive, `server alive after ${what}`);
    const version = ++this.version;
    const broken = version % 2 === 0;
    c.change(
      this.uri,
      version,
      broken
        ? NORMAL
        : NORMAL.replace('proxy_http_version 1.1;', 'proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;'),
    );
    const p = await c.diagnostics(this.uri, (x) => x.version === version, { timeoutMs });
    assert.equal(
      p.diagnostics.some((d) => d.code === 'ws-upgrade-header-missing'),
      broken,
      `after ${what}: version ${version} analysed correctly`,
    );
    assert.ok(c.alive, `server alive after ${what}`);
  }
}

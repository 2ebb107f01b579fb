// A real nginx (Debian's, on loopback) in front of a real WebSocket echo
// backend, running the endpoint workspace's nginx.conf; both stopped by t.after.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './code-server.mjs';

export async function startLiveEndpoint(t) {
  // test/support is TypeScript: the runner starts sessions under tsx.
  const { startNginx } = await import('../../support/nginx.ts');
  const { startWsBackend } = await import('../../support/ws-backend.ts');
  const backend = await startWsBackend();
  t.after(() => backend.stop());
  const template = readFileSync(join(REPO, 'test/e2e/workspaces/endpoint/nginx.conf'), 'utf8');
  const nginx = await startNginx({ conf: template, backendPort: backend.port });
  t.after(() => nginx.stop());
  return {
    backend,
    nginx,
    /** The config nginx runs, for the workspace copy the editor opens. */
    confText: readFileSync(nginx.confPath, 'utf8'),
    writeInto(ws) {
      writeFileSync(join(ws, 'nginx.conf'), this.confText);
    },
  };
}

/**
 * The local proof's public API (Node-level: it runs nginx, openssl and an
 * echo backend; no vscode import). The editor command and `nginx-ws prove`
 * are thin shells around it:
 *
 *   const r = await runProof({ root, host, settings, location: { file, line }, nginx: 'nginx', idleSeconds, signal, onProgress });
 *   output.append(formatProof(r));
 *
 * It never throws: a config that cannot run, an nginx that will not start or
 * a cancel is a result with its stage, error and diagnosis; and whatever
 * happened, nginx and the backend are stopped and the prefix is removed
 * before it returns (`r.cleanup` says so).
 */
export { runProof, pickLocation, DEFAULT_PROOF_TIMEOUT_MS } from './run';
export { formatProof, proofJson, proofSummary, proofStageName } from './report';
export { findNginx } from '../nginx/binary';
export { snapshotHost, type ConfigSnapshot } from './snapshot';
export type * from './types';

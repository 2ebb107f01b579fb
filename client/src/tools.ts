/**
 * Entry of dist/client-tools.js: the endpoint tester and the local proof,
 * which the extension loads on their first use (tools-loader.ts), not when it
 * activates. With the request model, `re2js` and `ws` they bring, they are
 * half of what the extension would otherwise compile at activation, for
 * commands many sessions never run.
 */
export { runProof, snapshotHost } from '../../server/src/prove/index';
export { runEndpointTest } from '../../server/src/wstest/index';

/**
 * The endpoint tester and URL derivation the command uses: the same modules
 * as the CLI (server/src/wstest), bundled into the client.
 */
export { formatReport, runEndpointTest, summaryLine } from '../../server/src/wstest/index';
export type { EndpointTestOptions, EndpointTestResult } from '../../server/src/wstest/index';

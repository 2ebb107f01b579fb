/**
 * What real nginx 1.22 does with each rule's bad fixture before the fix
 * (WEBSOCKET-FACTS.md), measured by test/integration/fix-proof.test.ts and
 * expected of the local proof by test/integration/prove-fixtures.test.ts:
 * one table, so the two can never disagree.
 */
export type Outcome = 'nginx -t fails' | number | 'idle close' | 'works';

export const BEFORE: Record<string, Outcome> = {
  'ws-upgrade-header-missing': 426,
  'ws-connection-header': 426,
  'ws-http-version': 400, // with the strict backend
  'ws-inherited-headers-dropped': 426,
  'undefined-variable': 'nginx -t fails',
  'ws-read-timeout-short': 'idle close',
  'ws-read-timeout-default': 'works',
  'invalid-time-value': 'nginx -t fails',
  'proxy-connect-timeout-too-long': 'works',
  'ws-keepalive-connection-clash': 426,
  'map-close-defeats-keepalive': 'works',
  'ws-upstream-no-affinity': 'works',
  'ws-path-without-recipe': 426,
  'directive-not-allowed': 'nginx -t fails',
  'unknown-directive': 'nginx -t fails',
};

/** Rules whose outcome needs a strict (RFC 6455-enforcing) backend. */
export const STRICT = new Set(['ws-http-version']);

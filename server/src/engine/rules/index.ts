/** The rule registry: every rule the engine runs, in reporting order. */
import type { Rule } from './rule';
import { wsUpgradeHeaderMissing } from './ws-upgrade-header-missing';
import { wsConnectionHeader } from './ws-connection-header';
import { wsHttpVersion } from './ws-http-version';
import { wsInheritedHeadersDropped } from './ws-inherited-headers-dropped';
import { undefinedVariable } from './undefined-variable';
import { wsReadTimeoutShort } from './ws-read-timeout-short';
import { wsReadTimeoutDefault } from './ws-read-timeout-default';
import { invalidTimeValue } from './invalid-time-value';
import { proxyConnectTimeoutTooLong } from './proxy-connect-timeout-too-long';
import { wsKeepaliveConnectionClash } from './ws-keepalive-connection-clash';
import { mapCloseDefeatsKeepalive } from './map-close-defeats-keepalive';
import { wsUpstreamNoAffinity } from './ws-upstream-no-affinity';
import { wsPathWithoutRecipe } from './ws-path-without-recipe';
import { directiveNotAllowed } from './directive-not-allowed';
import { unknownDirective } from './unknown-directive';
import { wsAnsweredBeforeProxy } from './ws-answered-before-proxy';
import { wsHandshakeElsewhere } from './ws-handshake-elsewhere';
import { wsUpgradeValue } from './ws-upgrade-value';
import { wsHandshakeHeadersDropped } from './ws-handshake-headers-dropped';
import { ws101HeaderHidden } from './ws-101-header-hidden';
import { wsTimeoutFailsHandshake } from './ws-timeout-fails-handshake';
import { wsListenHttp2Cleartext } from './ws-listen-http2-cleartext';
import { locationUnreachable } from './location-unreachable';
import { lookalikeWhitespace } from './lookalike-whitespace';
import { needsNewerNginx } from './needs-newer-nginx';
import { deprecatedDirective } from './deprecated-directive';

export type { Rule, RuleMeta } from './rule';

export const RULES: readonly Rule[] = [
  wsUpgradeHeaderMissing,
  wsConnectionHeader,
  wsHttpVersion,
  wsInheritedHeadersDropped,
  wsUpgradeValue,
  wsHandshakeHeadersDropped,
  ws101HeaderHidden,
  wsTimeoutFailsHandshake,
  wsListenHttp2Cleartext,
  wsAnsweredBeforeProxy,
  wsHandshakeElsewhere,
  locationUnreachable,
  undefinedVariable,
  wsReadTimeoutShort,
  wsReadTimeoutDefault,
  invalidTimeValue,
  proxyConnectTimeoutTooLong,
  wsKeepaliveConnectionClash,
  mapCloseDefeatsKeepalive,
  wsUpstreamNoAffinity,
  wsPathWithoutRecipe,
  directiveNotAllowed,
  unknownDirective,
  lookalikeWhitespace,
  needsNewerNginx,
  deprecatedDirective,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

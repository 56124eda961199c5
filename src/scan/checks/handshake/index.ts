/** The handshake checks, RWS-010 … RWS-029 (catalogue rows H1–H14). */
import type { CheckDefinition } from '../../types.js';
import { crossSiteOriginCheck } from './cross-site-origin.js';
import { originBypassCheck } from './origin-bypass.js';
import { missingOriginCookieCheck } from './missing-origin-cookie.js';
import { malformedOriginHostCheck } from './malformed-origin-host.js';
import { subprotocolConfusionCheck } from './subprotocol-confusion.js';
import { legacyVersionsCheck } from './legacy-versions.js';
import { malformedHandshakeCheck } from './malformed-handshake.js';
import { headerAbuseCheck } from './header-abuse.js';
import { headerRedosCheck } from './header-redos.js';
import { refusedUpgradeSmugglingCheck } from './refused-upgrade-smuggling.js';
import { hostValidationCheck } from './host-validation.js';
import { slowlorisCheck } from './slowloris.js';
import { forwardedHeaderTrustCheck } from './forwarded-header-trust.js';

export const handshakeChecks: CheckDefinition[] = [
  crossSiteOriginCheck,
  originBypassCheck,
  missingOriginCookieCheck,
  malformedOriginHostCheck,
  subprotocolConfusionCheck,
  legacyVersionsCheck,
  malformedHandshakeCheck,
  headerAbuseCheck,
  headerRedosCheck,
  refusedUpgradeSmugglingCheck,
  hostValidationCheck,
  slowlorisCheck,
  forwardedHeaderTrustCheck,
];

export {
  crossSiteOriginCheck,
  originBypassCheck,
  missingOriginCookieCheck,
  malformedOriginHostCheck,
  subprotocolConfusionCheck,
  legacyVersionsCheck,
  malformedHandshakeCheck,
  headerAbuseCheck,
  headerRedosCheck,
  refusedUpgradeSmugglingCheck,
  hostValidationCheck,
  slowlorisCheck,
  forwardedHeaderTrustCheck,
};

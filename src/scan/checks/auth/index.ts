/** The authentication and session checks, RWS-030 … RWS-039 (catalogue rows A1–A7). */
import type { CheckDefinition } from '../../types.js';
import { unauthenticatedAccessCheck } from './unauthenticated-access.js';
import { tokenInUrlCheck } from './token-in-url.js';
import { sessionAfterLogoutCheck } from './session-after-logout.js';
import { sessionTokenStrengthCheck } from './session-token-strength.js';

export const authChecks: CheckDefinition[] = [unauthenticatedAccessCheck, tokenInUrlCheck, sessionAfterLogoutCheck, sessionTokenStrengthCheck];

export { unauthenticatedAccessCheck, tokenInUrlCheck, sessionAfterLogoutCheck, sessionTokenStrengthCheck };

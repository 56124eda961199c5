/**
 * Every check, in the order a scan runs them: cheap handshake probes first, then auth, framing,
 * transport, the resource probes (aggressive ones included), and the leakage checks last, because
 * they also read what the earlier probes saw (ctx.observations).
 */
import type { CheckDefinition } from '../types.js';
import { authChecks } from './auth/index.js';
import { framingChecks } from './framing/index.js';
import { handshakeChecks } from './handshake/index.js';
import { leakageChecks } from './leakage/index.js';
import { resourceChecks } from './resources/index.js';
import { transportChecks } from './transport/index.js';

export const ALL_CHECKS: readonly CheckDefinition[] = [
  ...handshakeChecks,
  ...authChecks,
  ...framingChecks,
  ...transportChecks,
  ...resourceChecks,
  ...leakageChecks,
];

/** The transport checks, RWS-090 … RWS-099 (catalogue rows T1–T2). */
import type { CheckDefinition } from '../../types.js';
import { cleartextCheck } from './cleartext.js';
import { tlsConfigurationCheck } from './tls-configuration.js';

export const transportChecks: CheckDefinition[] = [cleartextCheck, tlsConfigurationCheck];

export { cleartextCheck, tlsConfigurationCheck };

/** The information-leakage checks, RWS-080 … RWS-089 (catalogue rows L1–L4). */
import type { CheckDefinition } from '../../types.js';
import { serverBannersCheck } from './server-banners.js';
import { verboseErrorsCheck } from './verbose-errors.js';
import { closeReasonFingerprintCheck } from './close-reason-fingerprint.js';
import { dataOversharingCheck } from './data-oversharing.js';

/** Passive checks read what earlier checks recorded, so a scan runs these after the others. */
export const leakageChecks: CheckDefinition[] = [serverBannersCheck, verboseErrorsCheck, closeReasonFingerprintCheck, dataOversharingCheck];

export { serverBannersCheck, verboseErrorsCheck, closeReasonFingerprintCheck, dataOversharingCheck };

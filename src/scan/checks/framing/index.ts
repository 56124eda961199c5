/**
 * Framing checks (RWS-040 … RWS-059): hand-built valid and invalid frames against RFC 6455,
 * judged by what RFC 6455 requires (any close fails the connection), never by Rampart's own codes.
 * None of them is aggressive: each probe is one small connection and one round trip (the length
 * stalls RWS-044/045 wait at most the scan timeout).
 */
import type { CheckDefinition } from '../../types.js';
import { unmaskedFrameCheck } from './unmasked-frame.js';
import { reservedBitsCheck } from './reserved-bits.js';
import { reservedOpcodesCheck } from './reserved-opcodes.js';
import { controlFramesCheck } from './control-frames.js';
import { absurdLengthCheck } from './absurd-length.js';
import { declaredLengthCheck } from './declared-length.js';
import { fragmentationCheck } from './fragmentation.js';
import { invalidUtf8Check } from './invalid-utf8.js';
import { closeCodesCheck } from './close-codes.js';
import { binaryFramesCheck } from './binary-frames.js';
import { nonMinimalLengthCheck } from './non-minimal-length.js';
import { messageSizeCheck } from './message-size.js';
import { compressionCheck } from './compression.js';

export const framingChecks: CheckDefinition[] = [
  unmaskedFrameCheck,
  reservedBitsCheck,
  reservedOpcodesCheck,
  controlFramesCheck,
  absurdLengthCheck,
  declaredLengthCheck,
  fragmentationCheck,
  invalidUtf8Check,
  closeCodesCheck,
  binaryFramesCheck,
  nonMinimalLengthCheck,
  messageSizeCheck,
  compressionCheck,
];

/**
 * Resource checks (RWS-060 … RWS-079). All are aggressive (floods, bombs, slowloris-style
 * waits): they run only with --aggressive, each bounded in count and time (see each check's
 * description), paced, and followed by the runner's liveness canary. The rampart-profile ones
 * (RWS-067 … RWS-069) are skipped on generic targets.
 */
import type { CheckDefinition } from '../../types.js';
import { decompressionBombCheck } from './decompression-bomb.js';
import { fragmentFloodCheck } from './fragment-flood.js';
import { pingFloodCheck } from './ping-flood.js';
import { idleConnectionCheck } from './idle-connection.js';
import { slowDripCheck } from './slow-drip.js';
import { closeStallCheck } from './close-stall.js';
import { connectionCapCheck } from './connection-cap.js';
import { messageRateCheck } from './message-rate.js';
import { slowConsumerCheck } from './slow-consumer.js';
import { roomCapCheck } from './room-cap.js';

export const resourceChecks: CheckDefinition[] = [
  decompressionBombCheck,
  fragmentFloodCheck,
  pingFloodCheck,
  idleConnectionCheck,
  slowDripCheck,
  closeStallCheck,
  connectionCapCheck,
  messageRateCheck,
  slowConsumerCheck,
  roomCapCheck,
];

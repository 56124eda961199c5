/** RWS-001: the liveness oracle's finding — the target crashed, hung or refused after a probe. */
import type { CheckDefinition } from '../types.js';

/** Metadata only: the runner produces this finding itself after every other check. */
export const livenessCheck: Omit<CheckDefinition, 'run'> = {
  id: 'RWS-001',
  title: 'Target stopped answering after a probe',
  category: 'liveness',
  severity: 'high',
  cwe: 400,
  catalogue: ['I5', 'R1', 'R12'],
  description:
    'After every probe a fresh baseline connection must complete its handshake and answer a ping. A refusal, a timeout or a dead process means the probe crashed or hung the server.',
  remediation:
    'Attach an error listener to every socket, catch handler exceptions (close that socket with 1011), bound every buffer and queue, and keep the event loop free of unbounded work.',
};

/**
 * Whether a socket's incoming message is unfinished: a fragmented message is open, or a frame
 * has been read only in part. ws offers no event for "message started", so this reads two fields
 * of its receiver (`_fragmented`, `_state`). The lockfile pins ws; test/attacks/frames.test.ts
 * (the slow-drip and unfinished-message attacks) fails if a ws upgrade changes them.
 */
import type { WebSocket } from 'ws';

/** ws's receiver state while it waits for the first byte of a new frame. */
const RECEIVER_GET_INFO = 0;

interface ReceiverInternals {
  _fragmented?: unknown;
  _state?: unknown;
}

export function isMidMessage(ws: WebSocket): boolean {
  const receiver = (ws as unknown as { _receiver?: ReceiverInternals | null })._receiver;
  if (!receiver || typeof receiver._state !== 'number') return false;
  return receiver._fragmented !== 0 || receiver._state !== RECEIVER_GET_INFO;
}

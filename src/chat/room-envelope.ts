/**
 * The payload a room's Bus topic carries. A chat message is serialized once by the node that
 * stored it and the same string is written to every recipient's socket on every node; the
 * envelope only adds what fan-out needs to decide without parsing the frame:
 *   `F<seq> <frame>`         a frame for every member (seq 0 when not a stored message)
 *   `X<userId> <frame>`      a frame for every member except that user's connections (typing)
 *   `K<reason> <userId>`     that user was kicked/banned from the room
 */
export type RoomEvent =
  | { kind: 'frame'; seq: number; frame: string }
  | { kind: 'frame-except'; userId: string; frame: string }
  | { kind: 'kick'; reason: 'kicked' | 'banned'; userId: string };

export function roomTopic(room: string): string {
  return `rampart:room:${room}`;
}

export function encodeRoomEvent(event: RoomEvent): string {
  switch (event.kind) {
    case 'frame':
      return `F${event.seq} ${event.frame}`;
    case 'frame-except':
      return `X${event.userId} ${event.frame}`;
    case 'kick':
      return `K${event.reason} ${event.userId}`;
  }
}

export function decodeRoomEvent(payload: string): RoomEvent | null {
  const space = payload.indexOf(' ');
  if (space < 1) return null;
  const head = payload.slice(1, space);
  const rest = payload.slice(space + 1);
  switch (payload[0]) {
    case 'F':
      return { kind: 'frame', seq: Number(head), frame: rest };
    case 'X':
      return { kind: 'frame-except', userId: head, frame: rest };
    case 'K':
      return head === 'kicked' || head === 'banned' ? { kind: 'kick', reason: head, userId: rest } : null;
    default:
      return null;
  }
}

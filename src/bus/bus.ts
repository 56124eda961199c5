/**
 * Bus: fan-out of already-serialized events between the processes serving one chat.
 *
 * LocalBus (default) delivers inside this process; RedisBus (later) across processes and
 * machines. Delivery is at-most-once and ordered per topic from one publisher; durability is
 * the Store's job (a client that missed an event resumes from the store by seq).
 */
export type BusHandler = (payload: string) => void;

export interface Bus {
  /** Sends `payload` to every subscriber of `topic`, on this node and others. */
  publish(topic: string, payload: string): Promise<void>;
  /** Subscribes; resolves once events published after this call will arrive. Returns an unsubscribe function. */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

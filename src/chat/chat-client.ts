/**
 * What the chat layer needs of a live connection. The session layer implements it; chat never
 * sees a socket, so the same rules serve any transport (and unit tests use a plain object).
 */
import type { User } from '../store/store.js';

export interface ChatClient {
  /** Unique per connection, process-wide. */
  readonly connectionId: string;
  readonly user: User;
  /** Server admins may moderate every room. */
  readonly admin: boolean;
  /** Queues an already-serialized server frame (shared bytes: never mutated). */
  deliver(frame: string): void;
}

/**
 * LocalBus: the single-process Bus. Delivery is synchronous and in publish order, so a
 * publisher's own subscribers see an event before `publish` resolves.
 */
import type { Bus, BusHandler } from './bus.js';

export class LocalBus implements Bus {
  readonly #topics = new Map<string, Set<BusHandler>>();
  #closed = false;

  async publish(topic: string, payload: string): Promise<void> {
    if (this.#closed) throw new Error('bus closed');
    const handlers = this.#topics.get(topic);
    if (!handlers) return;
    // Copy: a handler may unsubscribe (or subscribe) while we iterate.
    for (const handler of [...handlers]) handler(payload);
  }

  async subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('bus closed');
    let handlers = this.#topics.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.#topics.set(topic, handlers);
    }
    handlers.add(handler);
    return async () => {
      const current = this.#topics.get(topic);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) this.#topics.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#topics.clear();
  }
}

/**
 * One room's messages as this client holds them: a run of seqs in ascending order, deduplicated
 * by seq. Live, replayed and paged messages can overlap (docs/protocol.md, "Resuming"); this is
 * the one place that decides what is new, so nothing is ever shown twice.
 *
 * `resumeSeq` is the highest seq handed to us in order (live or replay): the `since` of the next
 * join. Older messages come only through `addOlder` (history pages), below the oldest we hold.
 * Pure data, no DOM: unit-tested in test/web/timeline.test.ts.
 */
export interface TimelineMessage {
  room: string;
  seq: number;
  from: { id: string; name: string };
  text: string;
  ts: number;
}

export class Timeline {
  #messages: TimelineMessage[] = [];
  readonly #seqs = new Set<number>();
  #resumeSeq = 0;
  #hasOlder = false;

  get messages(): readonly TimelineMessage[] {
    return this.#messages;
  }
  get resumeSeq(): number {
    return this.#resumeSeq;
  }
  /** Whether a history page may still find messages older than the oldest held. */
  get hasOlder(): boolean {
    return this.#hasOlder;
  }
  get oldestSeq(): number | undefined {
    return this.#messages[0]?.seq;
  }
  has(seq: number): boolean {
    return this.#seqs.has(seq);
  }
  get size(): number {
    return this.#messages.length;
  }

  /**
   * Starts over at the room's latest seq (first join, or a resume the server truncated):
   * what came before is reached by paging back with `history`.
   */
  reset(latestSeq: number): void {
    this.#messages = [];
    this.#seqs.clear();
    this.#resumeSeq = latestSeq;
    this.#hasOlder = latestSeq > 0;
  }

  /**
   * A live or replayed message. Appended when it is past `resumeSeq`; a seq at or below it is
   * either a duplicate or part of a gap that history will fill, so it is dropped. Returns
   * whether the message is new.
   */
  addLive(m: TimelineMessage): boolean {
    if (this.#seqs.has(m.seq) || m.seq <= this.#resumeSeq) return false;
    this.#seqs.add(m.seq);
    this.#messages.push(m);
    this.#resumeSeq = m.seq;
    return true;
  }

  /**
   * A history page (ascending seqs, all below `before`, at most `limit`). Returns the messages
   * that were new, ascending; they all go before the ones already held. A short page means the
   * start of the room.
   */
  addOlder(page: readonly TimelineMessage[], limit: number): TimelineMessage[] {
    const oldest = this.oldestSeq ?? this.#resumeSeq + 1;
    const fresh = page.filter((m) => m.seq < oldest && !this.#seqs.has(m.seq));
    fresh.sort((a, b) => a.seq - b.seq);
    for (const m of fresh) this.#seqs.add(m.seq);
    this.#messages = fresh.concat(this.#messages);
    if (page.length < limit || (fresh[0]?.seq ?? 2) <= 1) this.#hasOlder = false;
    return fresh;
  }

  /**
   * Forgets the oldest messages beyond `keep` (they stay reachable by scrolling back). Keeps a
   * long-open room's memory and DOM bounded. Returns how many were dropped.
   */
  trimOldest(keep: number): number {
    const drop = this.#messages.length - keep;
    if (drop <= 0) return 0;
    for (const m of this.#messages.slice(0, drop)) this.#seqs.delete(m.seq);
    this.#messages = this.#messages.slice(drop);
    this.#hasOlder = true;
    return drop;
  }
}

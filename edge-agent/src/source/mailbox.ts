/**
 * A one-slot mailbox between a producer that must never wait (a live camera) and a consumer that may
 * be slow (analytics). In 'latest' mode a new item replaces an unread one, so the consumer always
 * gets the newest frame and memory stays at one frame per camera whatever the consumer's speed. In
 * 'every' mode (offline files) put() reports the slot is full and the producer pauses instead.
 */
export type DeliveryMode = 'latest' | 'every';

export class LatestMailbox<T> {
  private item: T | undefined;
  private has = false;
  private waiter: ((item: T) => void) | undefined;
  private spaceWaiters: (() => void)[] = [];

  constructor(private readonly onDrop: (dropped: T) => void = () => {}) {}

  get full(): boolean {
    return this.has;
  }

  /** Hands the item over; returns false when the slot was already full (the old item is dropped). */
  put(item: T): boolean {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(item);
      return true;
    }
    const wasFull = this.has;
    if (wasFull) this.onDrop(this.item as T);
    this.item = item;
    this.has = true;
    return !wasFull;
  }

  take(): Promise<T> {
    if (this.has) {
      const item = this.item as T;
      this.item = undefined;
      this.has = false;
      for (const w of this.spaceWaiters.splice(0)) w();
      return Promise.resolve(item);
    }
    if (this.waiter) throw new Error('LatestMailbox: one reader at a time');
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Empties the slot and releases a waiting producer; for shutting down. */
  clear(): void {
    this.item = undefined;
    this.has = false;
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  /** Resolves when the slot is empty (for 'every' mode producers). */
  space(): Promise<void> {
    if (!this.has) return Promise.resolve();
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }
}

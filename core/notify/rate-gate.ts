/**
 * Spaces calls at least `intervalMs` apart: Telegram allows about one message a second per chat
 * and thirty a second per bot. `slot()` reserves the next free moment and waits for it.
 */
export class RateGate {
  private next = 0;

  constructor(readonly intervalMs: number) {}

  async slot(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }

  /** After a 429: nothing goes out before `ms` from now. */
  pause(ms: number): void {
    this.next = Math.max(this.next, Date.now() + ms);
  }
}

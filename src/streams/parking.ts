// Losers of a race on a hot stream, answered in turn. Answered all at once, every loser re-reads and
// retries at once: one wins, the others spend a round trip each and lose again (16 writers: ~30
// HTTP requests per committed event, and the winner is whoever is quickest, so an unlucky writer
// loses a hundred times). So each commit releases one loser, oldest first, with the version that
// commit left: a server-side backoff that gives every writer its turn. A held 409 stays true
// (versions only grow); a 201 is never held, and no loser waits longer than MAX_WAIT_MS.
const IDLE_MS = 50;
const MAX_WAIT_MS = 200;

export class Parking<W> {
  private waiting: { w: W; at: number }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = 0;

  constructor(private answer: (w: W) => void) {}

  /** Losers waiting. */
  get size(): number {
    return this.waiting.length;
  }

  park(w: W) {
    this.waiting.push({ w, at: Date.now() });
  }

  /** A commit returned: the oldest loser is answered, and any that waited too long. */
  turn() {
    const first = this.waiting.shift();
    if (first) this.answer(first.w);
    const late = Date.now() - MAX_WAIT_MS;
    while (this.waiting.length && this.waiting[0]!.at < late) this.answer(this.waiting.shift()!.w);
  }

  commitStarted() {
    this.started++;
  }

  /** Nothing in flight: when no commit starts for a while the race is over, so all are answered. */
  idle() {
    if (this.timer || !this.size) return;
    const started = this.started;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.started !== started) return this.idle(); // still racing: the commits release them
      for (const { w } of this.waiting.splice(0)) this.answer(w);
    }, IDLE_MS);
  }
}

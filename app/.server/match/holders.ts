/** Open `match.events` streams per visitor on this instance, which keep a waiting visitor queued. */
export class Holders {
  private readonly counts = new Map<string, number>();

  has(visitorId: string): boolean {
    return this.counts.has(visitorId);
  }

  visitorIds(): string[] {
    return [...this.counts.keys()];
  }

  /** Counts one more stream; the returned release (safe to call twice) runs `onLast` when the visitor's last one closes. */
  acquire(visitorId: string, onLast: () => void): () => void {
    this.counts.set(visitorId, (this.counts.get(visitorId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(visitorId) ?? 1) - 1;
      if (left > 0) {
        this.counts.set(visitorId, left);
        return;
      }
      this.counts.delete(visitorId);
      onLast();
    };
  }
}

interface Round<T> {
  parts: T[];
  waitingFor: Set<number>;
  settle: (error?: Error) => void;
}

/**
 * The primary's pending scrapes: each round asks some workers for their figures and ends when
 * every one of them has answered or exited (a worker that dies mid-scrape will never answer), or
 * when the time is up.
 */
export class CollectionRounds<T> {
  private readonly rounds = new Map<number, Round<T>>();
  private nextId = 0;

  constructor(private readonly timeoutMs: number) {}

  /** Opens a round waiting for `workerIds`; `parts` resolves with the answers received. */
  start(workerIds: readonly number[]): { id: number; parts: Promise<T[]> } {
    const id = this.nextId++;
    const parts = new Promise<T[]>((resolve, reject) => {
      const round: Round<T> = {
        parts: [],
        waitingFor: new Set(workerIds),
        settle: (error) => {
          if (!this.rounds.delete(id)) return;
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(round.parts);
        },
      };
      const timer = setTimeout(
        () => round.settle(new Error("a worker did not answer for its metrics")),
        this.timeoutMs,
      );
      this.rounds.set(id, round);
      if (round.waitingFor.size === 0) round.settle();
    });
    return { id, parts };
  }

  answer(roundId: number, workerId: number, part: T): void {
    const round = this.rounds.get(roundId);
    if (!round?.waitingFor.has(workerId)) return;
    round.parts.push(part);
    this.stopWaiting(round, workerId);
  }

  fail(roundId: number, error: Error): void {
    this.rounds.get(roundId)?.settle(error);
  }

  workerExited(workerId: number): void {
    for (const round of this.rounds.values()) this.stopWaiting(round, workerId);
  }

  private stopWaiting(round: Round<T>, workerId: number): void {
    if (round.waitingFor.delete(workerId) && round.waitingFor.size === 0) round.settle();
  }
}

/** Too many hashes are waiting already: answer "try again" rather than make everyone wait longer. */
export class HashingBusyError extends Error {
  override name = "HashingBusyError";
}

export interface HashGateLimits {
  /** Hashes that run at once. */
  atOnce: number;
  /** Beyond this many waiting, a newcomer is refused at once. */
  maxWaiting: number;
  /** A turn that comes after waiting longer than this is refused, while a backlog stands behind it. */
  maxWaitMs: number;
  /**
   * A line this short is always served, however long its head waited: nobody behind it is
   * spared anything by a refusal, and the one refused would only wait as long again on retry.
   * On a slow or busy host a single hash can take longer than maxWaitMs, and two people signing
   * up at once must not see "try again".
   */
  alwaysServed: number;
}

export type HashGate = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * Runs at most `atOnce` works at once, in arrival order. A slot is handed over by the work that
 * finishes, so no newcomer can take it first; a burst is shed from its stale turns instead of
 * queueing everyone for seconds.
 */
export function createHashGate(limits: HashGateLimits, now: () => number = () => performance.now()): HashGate {
  let running = 0;
  const waiting: Array<{ since: number; go: () => void; refuse: () => void }> = [];

  return async function gated<T>(work: () => Promise<T>): Promise<T> {
    if (running < limits.atOnce) running += 1;
    else if (waiting.length >= limits.maxWaiting) throw new HashingBusyError("Too many password checks are waiting");
    else {
      await new Promise<void>((go, reject) =>
        waiting.push({ since: now(), go, refuse: () => reject(new HashingBusyError("Waited too long")) }),
      );
    }
    try {
      return await work();
    } finally {
      let next = waiting.shift();
      while (next && now() - next.since > limits.maxWaitMs && waiting.length >= limits.alwaysServed) {
        next.refuse();
        next = waiting.shift();
      }
      if (next) next.go();
      else running -= 1;
    }
  };
}

/** The backing store cannot be reached right now; the operation may succeed if retried. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
  /** How long a client should wait before trying again. */
  readonly retryAfterSeconds: number = 5;
}

/**
 * The store answers but refuses to hold more (Redis at `maxmemory` with `noeviction`). It is
 * unavailable too, for longer: room frees up only as rooms end.
 */
export class StoreFullError extends StoreUnavailableError {
  override name = "StoreFullError";
  override readonly retryAfterSeconds = 30;
}

/**
 * What a person is told when the store could not take their request, ending with how to retry
 * (`Try the link again`, for a page). It promises nothing about what the store still holds: after
 * an outage a Redis that keeps nothing on disk comes back empty.
 */
export function unavailableMessage(error: StoreUnavailableError, retry = "Try again"): string {
  return error instanceof StoreFullError
    ? `The server is full right now. ${retry} later.`
    : `Ephemera cannot reach its message store right now. ${retry} in a moment.`;
}

import { TRPCError } from "@trpc/server";
import type { Env } from "./env";
import { limitKeyHasher, RateLimitedError } from "./rate-limits";

/** One count a new stream takes a slot in: under which (hashed) key, and how many it may hold. */
export interface SlotClaim {
  key: string;
  cap: number;
}

/** Either the slots were taken (`release` gives them back), or the claim that was `full` (0 or 1). */
export type SlotGrant = { release: () => void } | { full: 0 | 1 };

/** Where open streams are counted: this process's memory, or Redis for every instance at once. */
export interface SlotCounter {
  /** Takes one slot under both claims, or neither when either is at its cap. */
  acquire(person: SlotClaim, address: SlotClaim): Promise<SlotGrant>;
  close(): Promise<void>;
}

/** Counts for one process: the in-memory store's single instance. */
export class MemorySlotCounter implements SlotCounter {
  private readonly counts = new Map<string, number>();

  async acquire(person: SlotClaim, address: SlotClaim): Promise<SlotGrant> {
    const claims = [person, address] as const;
    for (const [index, claim] of claims.entries()) {
      if ((this.counts.get(claim.key) ?? 0) >= claim.cap) return { full: index as 0 | 1 };
    }
    for (const claim of claims) this.counts.set(claim.key, (this.counts.get(claim.key) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const claim of claims) {
          const left = (this.counts.get(claim.key) ?? 1) - 1;
          if (left > 0) this.counts.set(claim.key, left);
          else this.counts.delete(claim.key);
        }
      },
    };
  }

  async close() {}
}

/**
 * Whose stream it is: a room seat's (`room.events`, direct chats included), a stranger-page
 * visitor's (`match.events`) or a signed-in account's (`chat.events`).
 */
export type StreamOwner = { roomId: string; seat: number } | { visitorId: string } | { accountId: string };

/** A refused stream may try again this soon: slots free as soon as another stream closes. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Caps on open event streams: per person (a seat in a room, or a visitor to the stranger page) and
 * per client address, across every instance. A person has a few tabs, not thousands: one held
 * 3,000 room streams (36 KB of server memory each) and a visitor 1,573 stranger-page streams,
 * which refresh their counts every few seconds. Keys are hashed like the rate limits' keys.
 */
export class StreamLimits {
  private readonly enabled: boolean;
  private readonly keyOf: (who: string) => string;
  private readonly perPerson: number;
  private readonly perAddress: number;

  constructor(
    config: Env,
    private readonly counter: SlotCounter,
    secret: string,
  ) {
    this.enabled = config.RATE_LIMITS === "on";
    this.keyOf = limitKeyHasher(secret);
    this.perPerson = config.RATE_LIMIT_STREAMS_PER_PERSON;
    this.perAddress = config.RATE_LIMIT_STREAMS_PER_ADDRESS;
  }

  /**
   * Counts one more open stream for `owner` from `address`; resolves to the function that counts
   * it closed (safe to call twice). Throws TOO_MANY_REQUESTS, with a wait, when either is at its cap.
   */
  async open(owner: StreamOwner, address: string): Promise<() => void> {
    if (!this.enabled) return () => {};
    const person =
      "visitorId" in owner
        ? `visitor:${owner.visitorId}`
        : "accountId" in owner
          ? `account:${owner.accountId}`
          : `seat:${owner.roomId}:${owner.seat}`;
    const grant = await this.counter.acquire(
      { key: this.keyOf(person), cap: this.perPerson },
      { key: this.keyOf(`address:${address}`), cap: this.perAddress },
    );
    if ("release" in grant) return grant.release;
    const wait = `try again in ${RETRY_AFTER_SECONDS} s.`;
    const message =
      grant.full === 1
        ? `Too many open connections from your network (at most ${this.perAddress}). Close some tabs and ${wait}`
        : `You have ${"visitorId" in owner ? "the stranger page" : "this room"} open in too many tabs (at most ${this.perPerson}). Close one and ${wait}`;
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message,
      cause: new RateLimitedError(message, RETRY_AFTER_SECONDS),
    });
  }
}

import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { RedisClient } from "./redis/connections";
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { Env } from "./env";
import { unavailable } from "./redis/script-runner";

export type LimitName =
  | "createRoom"
  | "joinRoom"
  | "findStranger"
  | "sendMessage"
  | "signal"
  | "setName"
  | "uploadImage"
  | "read"
  | "signInName"
  | "signInAddress"
  | "signUp"
  | "accountSalt"
  | "changePassword"
  | "searchPeople"
  | "chatAction";

export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

const MESSAGES: Record<LimitName, string> = {
  createRoom: "You are creating rooms too quickly. Slow down",
  joinRoom: "Too many rooms opened from your network. Slow down",
  findStranger: "You are looking for strangers too quickly. Slow down",
  sendMessage: "You are sending messages too fast. Slow down",
  signal: "Too many typing or read signals. Slow down",
  setName: "You are changing your name too often. Wait a little",
  uploadImage: "You are sending images too quickly. Slow down",
  read: "Too many requests for room data from your network. Slow down",
  // The same sentence whether or not the name has an account: it must not tell.
  signInName: "Too many sign-in attempts for this username. Wait",
  signInAddress: "Too many sign-in attempts from your network. Wait",
  signUp: "Too many new accounts from your network. Wait",
  accountSalt: "Too many sign-in attempts from your network. Wait",
  changePassword: "Too many password changes. Wait",
  searchPeople: "Too many searches. Wait",
  chatAction: "Too many changes to your chats. Slow down",
};

/** Limiters taken in turn, every one of which must agree: a ladder of longer and longer windows. */
type Limiter = RateLimiterAbstract | BurstyRateLimiter | RateLimiterAbstract[];

/**
 * Turns who a limit counts (an address, a member, a visitor) into the key its counter is stored
 * under: an HMAC under a key derived from the server's secret. A plain hash of an address can be
 * reversed by hashing every IPv4 address (about two hours on one core); this one cannot without
 * the secret. Instances sharing a Redis share SESSION_SECRET, so they count the same person alike.
 */
export function limitKeyHasher(secret: string): (who: string) => string {
  const key = Buffer.from(hkdfSync("sha256", secret, "", "ephemera/1/rate-limit-keys", 32));
  return (who) => createHmac("sha256", key).update(who).digest("base64url").slice(0, 22);
}

/**
 * Takes `points` for `key` from `limiter`, or throws RateLimitedError: `message`, then how long
 * to wait. `key` must already be hashed (`limitKeyHasher`).
 */
export async function consumeOrRefuse(
  limiter: RateLimiterAbstract | BurstyRateLimiter,
  key: string,
  points: number,
  message: string,
): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (rejection) {
    // Its counters live in the room store's Redis: unreachable or full, it is the store's 503.
    if (!(rejection instanceof RateLimiterRes)) unavailable(rejection);
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new RateLimitedError(`${message} and try again in ${retryAfterSeconds} s.`, retryAfterSeconds);
  }
}

/**
 * Limits kept in Redis when the app uses Redis (so every instance counts the same visitor), in
 * memory otherwise. Keys are keyed hashes (`limitKeyHasher`): no IP address or member id is
 * stored as such, nor as anything that can be reversed without the secret.
 */
export class RateLimits {
  private readonly limiters: Partial<Record<LimitName, Limiter>>;
  /** Without a secret (tests, a bare memory store), a random one: only this process counts anyway. */
  private readonly keyOf: (who: string) => string;

  constructor(
    config: Env,
    redis?: RedisClient,
    secret = config.SESSION_SECRET ?? randomBytes(32).toString("base64url"),
  ) {
    this.keyOf = limitKeyHasher(secret);
    if (config.RATE_LIMITS === "off") {
      this.limiters = {};
      return;
    }
    const make = (keyPrefix: string, points: number, duration: number) =>
      redis
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `rl:${keyPrefix}`, points, duration })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    this.limiters = {
      createRoom: make("create", config.RATE_LIMIT_ROOMS_PER_MINUTE, 60),
      joinRoom: make("join", config.RATE_LIMIT_JOINS_PER_MINUTE, 60),
      // Every skip is a new search: the same budget as opening rooms.
      findStranger: make("stranger", config.RATE_LIMIT_JOINS_PER_MINUTE, 60),
      // About N a second, with a small burst on top for a quick reply or two.
      sendMessage: new BurstyRateLimiter(
        make("msg", config.RATE_LIMIT_MESSAGES_PER_SECOND, 1),
        make("msgburst", config.RATE_LIMIT_MESSAGE_BURST, 10),
      ),
      // Typing and receipts: a browser sends about one a second each, a few more in a busy
      // exchange. Generous, but a script cannot flood a room's channel with them.
      signal: make("signal", 60, 10),
      // A name is chosen on arrival and changed now and then: each one is a line in the
      // partner's log, so a few a minute, not a flood.
      setName: make("name", 10, 60),
      // Each image is up to 2 MB of Redis memory until the room ends: a handful a minute.
      uploadImage: make("image", 10, 60),
      // Queries: a page of a full room is up to 256 KB read from the store and sent.
      read: make("read", config.RATE_LIMIT_READS_PER_MINUTE, 60),
      // Per username, from every address together: N a minute, then the wait grows to an hour
      // and a day, so one person's password cannot be guessed online at any useful rate. The
      // price: anyone can keep a name waiting by trying it; the per-address limit slows that.
      signInName: [
        make("signin-name-m", config.RATE_LIMIT_SIGN_INS_PER_MINUTE, 60),
        make("signin-name-h", config.RATE_LIMIT_SIGN_INS_PER_MINUTE * 4, 60 * 60),
        make("signin-name-d", config.RATE_LIMIT_SIGN_INS_PER_MINUTE * 10, 24 * 60 * 60),
      ],
      signInAddress: make("signin-addr", config.RATE_LIMIT_SIGN_INS_PER_ADDRESS_PER_MINUTE, 60),
      signUp: make("signup", config.RATE_LIMIT_SIGN_UPS_PER_HOUR, 60 * 60),
      accountSalt: make("salt", config.RATE_LIMIT_SALT_LOOKUPS_PER_MINUTE, 60),
      changePassword: make("password", config.RATE_LIMIT_PASSWORD_CHANGES_PER_HOUR, 60 * 60),
      searchPeople: make("people", config.RATE_LIMIT_PEOPLE_SEARCHES_PER_MINUTE, 60),
      // Opening, timers, clearing, blocking: each writes to a chat both people see.
      chatAction: make("chat", 60, 60),
    };
  }

  get enabled(): boolean {
    return Object.keys(this.limiters).length > 0;
  }

  /** Takes one point for `key`, or throws RateLimitedError saying how long to wait. */
  async consume(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiters[name];
    if (!limiter) return;
    const hashed = this.keyOf(key);
    for (const step of Array.isArray(limiter) ? limiter : [limiter]) {
      await consumeOrRefuse(step, hashed, 1, MESSAGES[name]);
    }
  }

  /** The same check for tRPC procedures: TOO_MANY_REQUESTS with the wait in its data. */
  async consumeOrThrow(name: LimitName, key: string): Promise<void> {
    try {
      await this.consume(name, key);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: error.message, cause: error });
      }
      throw error;
    }
  }
}

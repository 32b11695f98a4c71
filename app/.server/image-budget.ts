import type { RedisClient } from "./redis/connections";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Env } from "./env";
import { consumeOrRefuse, limitKeyHasher } from "./rate-limits";

const MESSAGE = "You are sending too many images from your network. Slow down";

/**
 * Sealed image bytes each client address may upload per hour, counted like the other limits
 * (in Redis when there is one, keyed by an HMAC of the address). The count of images per member
 * and room alone let one address store 480 MB in 50 s by spreading them over 20 rooms.
 */
export class ImageBudget {
  private readonly limiter?: RateLimiterAbstract;
  private readonly keyOf: (who: string) => string;

  constructor(config: Env, secret: string, redis?: RedisClient) {
    this.keyOf = limitKeyHasher(secret);
    if (config.RATE_LIMITS === "off") return;
    const points = config.RATE_LIMIT_IMAGE_MB_PER_HOUR * 1_000_000;
    this.limiter = redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix: "rl:imagebytes", points, duration: 3600 })
      : new RateLimiterMemory({ keyPrefix: "imagebytes", points, duration: 3600 });
  }

  /** Spends `bytes` of the address's budget, or throws RateLimitedError saying how long to wait. */
  async spend(address: string, bytes: number): Promise<void> {
    if (this.limiter) await consumeOrRefuse(this.limiter, this.keyOf(address), bytes, MESSAGE);
  }
}

import { env } from "./env";
import { logger } from "./logger";
import { checkRedisPersistence, getServices } from "./services";

/**
 * Builds the services now rather than on the first request, so that the store's startup line
 * (and a bad Redis URL, which throws here) show when the process starts; then checks that Redis
 * keeps nothing on disk and evicts nothing. Resolves false when REQUIRE_EPHEMERAL_REDIS forbids
 * serving with this Redis: the caller must then stop. Called by the servers, never on import, so
 * that loading the app (a test, the dev server's reload) starts nothing by itself.
 */
export function startServices(): Promise<boolean> {
  return checkRedisPersistence(getServices(), env).then((verdict) => {
    if (verdict === "ok") return true;
    logger.fatal("REQUIRE_EPHEMERAL_REDIS=true and Redis may write to disk or evict rooms: refusing to start");
    return false;
  });
}

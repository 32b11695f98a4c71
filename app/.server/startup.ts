import { createDemoAccounts } from "./accounts/demo-accounts";
import { prepareDummyVerify } from "./accounts/passwords";
import { env } from "./env";
import { logger } from "./logger";
import { checkRedisPersistence, getServices } from "./services";

/**
 * Builds the services now rather than on the first request, so that the store's startup line
 * (and a bad Redis URL, which throws here) show when the process starts; then checks that Redis
 * keeps nothing on disk and evicts nothing, and makes the account store (migrating PostgreSQL).
 * Resolves false when the process must not serve: REQUIRE_EPHEMERAL_REDIS forbids this Redis, or
 * the accounts database cannot be reached or migrated. Called by the servers, never on import,
 * so that loading the app (a test, the dev server's reload) starts nothing by itself.
 */
export async function startServices(): Promise<boolean> {
  const services = getServices();
  const verdict = await checkRedisPersistence(services, env);
  if (verdict !== "ok") {
    logger.fatal("REQUIRE_EPHEMERAL_REDIS=true and Redis may write to disk or evict rooms: refusing to start");
    return false;
  }
  try {
    // Waits for the store to be made (PostgreSQL: connected and migrated), then asks it once.
    await services.accounts.ping();
  } catch (error) {
    // The message names what failed (connection refused, a bad migration), never the URL.
    logger.fatal(
      { err: { message: error instanceof Error ? error.message : String(error) } },
      "The accounts database cannot be used: refusing to start",
    );
    return false;
  }
  // The first unknown-name sign-in must not be the one that pays for making the dummy verifier.
  await prepareDummyVerify();
  if (env.DEMO_ACCOUNTS === "on") {
    const created = await createDemoAccounts(services.accounts, services.identitySeal);
    logger.info(
      { demoAccounts: created.length },
      "Demo accounts alice and bob exist (in memory; password in the README)",
    );
  }
  return true;
}

import { startAppServer } from "../support/app-server";

/** One production server with the in-memory store, exactly what `npm start` gives a new user. */
export default async function globalSetup() {
  // Limits stay on, raised because every test browser shares one address.
  const server = await startAppServer({
    LOG_LEVEL: "warn",
    RATE_LIMITS: "on",
    RATE_LIMIT_ROOMS_PER_MINUTE: "10000",
    RATE_LIMIT_JOINS_PER_MINUTE: "10000",
    RATE_LIMIT_MESSAGES_PER_SECOND: "1000",
    RATE_LIMIT_READS_PER_MINUTE: "10000",
    // Per address, so raised; the per-username sign-in limit keeps its default for the test about it.
    RATE_LIMIT_SIGN_UPS_PER_HOUR: "10000",
    RATE_LIMIT_SIGN_INS_PER_ADDRESS_PER_MINUTE: "10000",
    RATE_LIMIT_SALT_LOOKUPS_PER_MINUTE: "10000",
    RATE_LIMIT_PEOPLE_SEARCHES_PER_MINUTE: "10000",
    // Presence tests watch someone leave; the default five seconds would only make them slower.
    PRESENCE_GRACE_MS: "2000",
    // A 10-second disappearing timer, so a test can watch a direct message disappear.
    CHAT_SHORTEST_TIMER_SECONDS: "10",
  });
  process.env.E2E_BASE_URL = server.url;
  return () => server.stop();
}

import { startAppServer } from "../support/app-server";

/** One production server with the in-memory store, exactly what `npm start` gives a new user. */
export default async function globalSetup() {
  const server = await startAppServer({ LOG_LEVEL: "warn" });
  process.env.E2E_BASE_URL = server.url;
  return () => server.stop();
}

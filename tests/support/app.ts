import { MemoryAccountStore } from "~/.server/accounts/memory-account-store";
import type { AccountStore } from "~/.server/accounts/types";
import { parseEnv, type Env } from "~/.server/env";
import { enterRoom } from "~/.server/room-gate";
import { newRoomToken } from "~/.server/room-token";
import { createServices, type Services } from "~/.server/services";
import { createContext } from "~/.server/trpc/context";
import { createCaller } from "~/.server/trpc/root";
import { makeStorage, type StoreKind } from "./stores";

export const TEST_SECRET = "test-secret-test-secret-test-secret-0123";

/**
 * Services over rooms of either kind. Accounts are in memory unless a test passes a store (see
 * account-stores.ts); `close()` closes it with the rest.
 */
export function makeServices(
  kind: StoreKind,
  env: Record<string, string> = {},
  storage = makeStorage(kind),
  accounts: AccountStore = new MemoryAccountStore(),
): Services {
  // Limits are off unless a test is about them: suites create many rooms from one "address".
  const config: Env = parseEnv({ NODE_ENV: "test", SESSION_SECRET: TEST_SECRET, RATE_LIMITS: "off", ...env });
  return createServices(config, storage, accounts);
}

export const CHROME_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

/**
 * Each set of services visits from an address of its own unless a test gives one. With limits on,
 * the Redis store's counters are shared by every test file in the run: a shared default address
 * let one file's seats spend another's limit on new seats.
 */
const peerAddresses = new WeakMap<Services, string>();
function peerAddressOf(services: Services): string {
  let address = peerAddresses.get(services);
  if (!address) peerAddresses.set(services, (address = `test-peer-${newRoomToken()}`));
  return address;
}

export function visitRoom(
  services: Services,
  roomId: string,
  {
    cookie,
    headers = {},
    origin = "http://localhost:3000",
  }: { cookie?: string; headers?: Record<string, string>; origin?: string } = {},
) {
  const request = new Request(`${origin}/room/${roomId}`, {
    headers: { "user-agent": CHROME_UA, ...(cookie ? { cookie } : {}), ...headers },
  });
  return enterRoom(request, roomId, services, peerAddressOf(services));
}

/** The `name=value` part of a Set-Cookie header, as a browser would send it back. */
export function cookiePair(setCookie: string | undefined): string {
  if (!setCookie) throw new Error("expected a Set-Cookie header");
  return setCookie.split(";")[0] ?? "";
}

/** Visits the room as a new person and returns the cookie they would hold afterwards. */
export async function joinAsNewVisitor(services: Services, roomId: string): Promise<string> {
  const result = await visitRoom(services, roomId);
  if (result.kind !== "member") throw new Error(`expected a seat, got ${JSON.stringify(result)}`);
  return cookiePair(result.setCookie);
}

export function callerFor(services: Services, cookie?: string, signal?: AbortSignal, peerAddress = "203.0.113.7") {
  const request = new Request("http://localhost:3000/api/trpc", {
    headers: cookie ? { cookie } : {},
  });
  return createCaller(createContext(request.headers, services, peerAddress), { signal });
}

/** A browser that has opened /stranger: its visitor cookie, as `name=value`. */
export async function visitorCookie(services: Services): Promise<string> {
  return cookiePair(await services.cookies.serializeVisitor(newRoomToken(), new URL("http://localhost:3000/stranger")));
}

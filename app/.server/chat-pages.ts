/**
 * What the chats pages' loaders need (routes may import this file; it is their one door to direct
 * chats): who is signed in, and the chat a page opens, refused as the `chat.open` procedure
 * refuses it. Thrown redirects and responses are the loaders' answers.
 */
import { redirect } from "@remix-run/node";
import type { ChatOpened } from "~/shared/direct-chats";
import type { Account } from "./accounts/types";
import { DirectChatRefusal, openChat } from "./chats/direct-chats";
import { RateLimitedError } from "./rate-limits";
import { getServices } from "./services";
import { StoreUnavailableError, unavailableMessage } from "./store-errors";
import { createContext } from "./trpc/context";
import { normalizeUsername } from "~/shared/username";

const NO_STORE = { "Cache-Control": "no-store" };

async function signedInAccount(request: Request, next: string): Promise<Account> {
  const signedIn = await createContext(request.headers, getServices()).signedIn();
  if (!signedIn) throw redirect(`/signin?next=${encodeURIComponent(next)}`, { headers: NO_STORE });
  return signedIn.account;
}

export async function chatsPageData(request: Request): Promise<{ me: { username: string }; timerChoices: number[] }> {
  const account = await signedInAccount(request, "/chats");
  return { me: { username: account.username }, timerChoices: [...getServices().directChats.timerChoices] };
}

export async function chatPageData(request: Request, username: string): Promise<ChatOpened> {
  const account = await signedInAccount(request, `/chats/${encodeURIComponent(username)}`);
  const normalized = normalizeUsername(username);
  if (normalized === null) throw new Response("There is no such username", { status: 404, headers: NO_STORE });
  const services = getServices();
  try {
    await services.limits.consume("chatAction", account.id);
    return await openChat(services.directChats, services.directChats.partners, account, normalized);
  } catch (error) {
    if (error instanceof DirectChatRefusal) {
      const status = error.reason === "no-such-account" ? 404 : error.reason === "blocked" ? 403 : 400;
      throw new Response(error.message, { status, headers: NO_STORE });
    }
    if (error instanceof RateLimitedError) {
      throw new Response(error.message, {
        status: 429,
        headers: { ...NO_STORE, "Retry-After": String(error.retryAfterSeconds) },
      });
    }
    if (error instanceof StoreUnavailableError) {
      throw new Response(unavailableMessage(error, "Try again"), {
        status: 503,
        headers: { ...NO_STORE, "Retry-After": String(error.retryAfterSeconds) },
      });
    }
    throw error;
  }
}

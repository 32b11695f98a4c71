import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import type { AppRouter } from "~/.server/trpc/root";
import { MAX_BATCH_CALLS } from "~/shared/limits";

/**
 * One person with one browser's cookie jar, talking to one app origin over real HTTP: page loads
 * through the gate, queries and mutations over tRPC HTTP, room events over SSE.
 */
export class Visitor {
  readonly trpc;

  constructor(
    readonly origin: string,
    private readonly cookies = new Map<string, string>(),
  ) {
    const withCookies = (init?: RequestInit) => ({
      ...init,
      headers: { ...(init?.headers as Record<string, string> | undefined), cookie: this.cookieHeader() },
    });
    const url = `${origin}/api/trpc`;
    this.trpc = createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({
            url,
            transformer: superjson,
            EventSource,
            eventSourceOptions: () => ({
              fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, withCookies(init)),
            }),
          }),
          false: httpBatchLink({
            url,
            transformer: superjson,
            maxItems: MAX_BATCH_CALLS,
            fetch: (input, init) => fetch(input, withCookies(init as RequestInit)),
          }),
        }),
      ],
    });
  }

  /** The same browser (cookie jar) talking to another instance, as after a load balancer's switch. */
  on(origin: string): Visitor {
    return new Visitor(origin, this.cookies);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** Loads a page like a browser's address bar would, without following redirects. */
  async open(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.origin}${path}`, {
      redirect: "manual",
      headers: { cookie: this.cookieHeader(), "user-agent": "Mozilla/5.0 Chrome/156.0", ...headers },
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = ""] = setCookie.split(";");
      const separator = pair.indexOf("=");
      this.cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
    }
    return response;
  }
}

/** Someone who created a room (with `ttlSeconds`) and holds a seat in it. */
export async function memberOfNewRoom(origin: string, ttlSeconds = 600): Promise<{ member: Visitor; roomId: string }> {
  const member = new Visitor(origin);
  const { roomId } = await member.trpc.room.create.mutate({ ttlSeconds });
  await member.open(`/room/${roomId}`);
  return { member, roomId };
}

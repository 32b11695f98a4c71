import { QueryClient } from "@tanstack/react-query";
import { createTRPCReact, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/react-query";
import superjson from "superjson";
import type { AppRouter } from "~/.server/trpc/root";
import { MAX_BATCH_CALLS } from "~/shared/limits";

export const trpc = createTRPCReact<AppRouter>();

export const TRPC_ENDPOINT = "/api/trpc";

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: 1, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

/** Queries and mutations go over batched HTTP; subscriptions over server-sent events. */
export function createTrpcClient() {
  return trpc.createClient({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: TRPC_ENDPOINT, transformer: superjson }),
        false: httpBatchLink({ url: TRPC_ENDPOINT, transformer: superjson, maxItems: MAX_BATCH_CALLS }),
      }),
    ],
  });
}

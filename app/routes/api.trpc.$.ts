import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { RateLimitedError } from "~/.server/rate-limits";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { logger } from "~/.server/logger";
import { getServices } from "~/.server/services";
import { createContext } from "~/.server/trpc/context";
import { appRouter } from "~/.server/trpc/root";

function handler({ request, context }: LoaderFunctionArgs | ActionFunctionArgs) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createContext(request, getServices(), context.clientAddress),
    responseMeta({ errors }) {
      const limited = errors.map((error) => error.cause).find((cause) => cause instanceof RateLimitedError);
      return limited ? { headers: new Headers({ "Retry-After": String(limited.retryAfterSeconds) }) } : {};
    },
    onError({ error, path, type }) {
      // Only what went wrong where: never the input, which holds message text and names.
      if (error.code === "INTERNAL_SERVER_ERROR") {
        logger.error({ path, type, err: { message: error.message } }, "tRPC procedure failed");
      }
    },
  });
}

export const loader = handler;
export const action = handler;

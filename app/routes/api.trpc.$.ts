import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { logger } from "~/.server/logger";
import { getServices } from "~/.server/services";
import { createContext } from "~/.server/trpc/context";
import { appRouter } from "~/.server/trpc/root";

function handler({ request }: LoaderFunctionArgs | ActionFunctionArgs) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createContext(request, getServices()),
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

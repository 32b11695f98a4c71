import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getServices } from "~/.server/services";
import { createContext } from "~/.server/trpc/context";
import { trpcHandlerOptions } from "~/.server/transport/handler-options";

/**
 * tRPC inside Remix, for `npm run dev`. The production server answers /api/trpc itself before
 * Remix sees the request (app/.server/trpc/node-handler.ts); both use the same options.
 */
function handler({ request, context }: LoaderFunctionArgs | ActionFunctionArgs) {
  return fetchRequestHandler({
    ...trpcHandlerOptions,
    endpoint: "/api/trpc",
    req: request,
    createContext: () => createContext(request.headers, getServices(), context.clientAddress),
  });
}

export const loader = handler;
export const action = handler;

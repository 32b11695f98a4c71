import type { TRPCError } from "@trpc/server";
import { MAX_BATCH_CALLS } from "~/shared/limits";
import { logger } from "../logger";
import { RateLimitedError } from "../rate-limits";
import type { Context } from "../trpc/context";
import { appRouter } from "../trpc/root";

/** What every way into the router shares: tRPC's Node adapter, the mutation batches and the event-stream writer. */
export const trpcHandlerOptions = {
  router: appRouter,
  /** The production server refuses a larger batch first, with a message that says the limit. */
  maxBatchSize: MAX_BATCH_CALLS,
  /**
   * The head of every answer. `ctx` is undefined when the context could not be made; the head of
   * a streamed answer is decided before its procedures run, and closes their cookies then.
   */
  responseMeta({ ctx, errors, eagerGeneration }: { ctx?: Context; errors: TRPCError[]; eagerGeneration?: boolean }) {
    // Answers hold room state and ciphertext: no cache, shared or the browser's own, may keep one.
    const headers = new Headers({ "Cache-Control": "no-store" });
    const limited = errors.map((error) => error.cause).find((cause) => cause instanceof RateLimitedError);
    if (limited) headers.set("Retry-After", String(limited.retryAfterSeconds));
    const because = eagerGeneration ? "a streamed answer's headers are written before its procedures run" : undefined;
    for (const cookie of ctx?.responseCookies.takeForHead(because) ?? []) headers.append("Set-Cookie", cookie);
    return { headers };
  },
  onError({ error, path, type }: { error: TRPCError; path?: string; type: string }) {
    // Only what went wrong where: never the input, which holds message text and names.
    if (error.code === "INTERNAL_SERVER_ERROR") {
      logger.error({ path, type, err: { message: error.message } }, "tRPC procedure failed");
    }
  },
};

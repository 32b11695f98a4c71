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
  /** tRPC's adapter takes the head of an answer as Fetch `Headers`. */
  responseMeta(answer: AnswerHeadOptions) {
    return { headers: new Headers(answerHeaders(answer)) };
  },
  /** The same head as plain pairs, for the procedure batches. */
  answerHeaders,
  onError({ error, path, type }: { error: TRPCError; path?: string; type: string }) {
    // Only what went wrong where: never the input, which holds message text and names.
    if (error.code === "INTERNAL_SERVER_ERROR") {
      logger.error({ path, type, err: { message: error.message } }, "tRPC procedure failed");
    }
  },
};

interface AnswerHeadOptions {
  /** Undefined when the context could not be made. */
  ctx?: Context;
  errors: TRPCError[];
  /** The head of a streamed answer is decided before its procedures run, and closes their cookies then. */
  eagerGeneration?: boolean;
}

/**
 * The head of every answer, as name and value pairs (`set-cookie` may repeat): tRPC's adapter
 * and the procedure batches write the same. Plain pairs rather than Fetch `Headers`, which cost
 * every send and receipt about 1 % of its CPU on the batches (bench/README.md).
 */
export function answerHeaders({ ctx, errors, eagerGeneration }: AnswerHeadOptions): Array<[string, string]> {
  // Answers hold room state and ciphertext: no cache, shared or the browser's own, may keep one.
  const headers: Array<[string, string]> = [["cache-control", "no-store"]];
  const limited = errors.map((error) => error.cause).find((cause) => cause instanceof RateLimitedError);
  if (limited) headers.push(["retry-after", String(limited.retryAfterSeconds)]);
  const because = eagerGeneration ? "a streamed answer's headers are written before its procedures run" : undefined;
  for (const cookie of ctx?.responseCookies.takeForHead(because) ?? []) headers.push(["set-cookie", cookie]);
  return headers;
}

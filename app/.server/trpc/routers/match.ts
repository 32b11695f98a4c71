import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import type { MatchEvent, StrangerCounts } from "~/shared/match-events";
import { logger } from "../../logger";
import type { MatchState, MatchStore } from "../../match/types";
import { newRoomId } from "../../room-token";
import { WakeQueue } from "../../wake-queue";
import type { Context } from "../context";
import { memberProcedure, publicProcedure, router } from "../trpc";

/** How often an open "searching" screen gets fresh counts (only sent when they changed). */
const COUNTS_EVERY_MS = 5000;

/** Looks again this long after a cooldown's end, so a clock a little behind Redis' does not look too soon. */
const COOLDOWN_SLACK_MS = 250;

/** Everything about the queue needs the visitor cookie the /stranger page sets. */
const visitorProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const visitorId = await ctx.visitorId();
  if (!visitorId) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "Open the stranger page first: it gives this browser its visitor cookie",
    });
  }
  return next({ ctx: { visitor: visitorId } });
});

async function counts(matches: MatchStore): Promise<StrangerCounts> {
  const { waiting, chatting } = await matches.counts();
  return { online: waiting + chatting, waiting };
}

function find(ctx: Context, visitorId: string) {
  return ctx.services.matches.find(visitorId, {
    roomId: newRoomId(),
    roomTtlMs: ctx.services.defaultTtlSeconds * 1000,
  });
}

/**
 * Two people waiting who just talked are kept apart until their cooldown ends, and nobody else
 * searches then: the stream of a waiting visitor whose state says so looks again at that moment.
 */
function lookAgainWhenCooldownEnds(lookAgain: () => Promise<void>) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = () => {
    // The store briefly unreachable: try again a little later rather than leave the two apart.
    lookAgain().catch(() => {
      if (!stopped) timer = setTimeout(attempt, COUNTS_EVERY_MS);
    });
  };
  return {
    after(state: MatchState) {
      clearTimeout(timer);
      if (stopped || state.status !== "waiting" || state.lastPartnerUntil === undefined) return;
      timer = setTimeout(attempt, Math.max(0, state.lastPartnerUntil - Date.now()) + COOLDOWN_SLACK_MS);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Ends the caller's stranger chat in `roomId` for both of them, and the room with it. */
async function endChat(ctx: Context & { visitor: string }, roomId: string, block: boolean) {
  // The room is destroyed in the same step; the partner's stream hears `destroyed`, which in a
  // stranger chat reads "Stranger left".
  const ended = await ctx.services.matches.end(ctx.visitor, roomId, { block });
  if (!ended)
    throw new TRPCError({ code: "BAD_REQUEST", message: "roomId: this is not your current chat with a stranger" });
  logger.info({ reported: block }, "stranger chat ended");
}

export const matchRouter = router({
  /** Lobby figure; nothing about anyone. */
  stats: publicProcedure.input(z.object({}).optional()).query(async ({ ctx }) => {
    await ctx.services.limits.consumeOrThrow("read", ctx.clientKey);
    return counts(ctx.services.matches);
  }),

  /** Pairs the caller with a waiting stranger, or queues them. */
  find: visitorProcedure.input(z.object({})).mutation(async ({ ctx }) => {
    await ctx.services.limits.consumeOrThrow("findStranger", ctx.clientKey);
    return find(ctx, ctx.visitor);
  }),

  cancel: visitorProcedure.input(z.object({})).mutation(async ({ ctx }) => {
    await ctx.services.matches.cancel(ctx.visitor);
    return { status: "idle" as const };
  }),

  /** Skip (optionally reporting): ends the chat for both and queues the caller again at once. */
  next: memberProcedure
    .input(z.object({ report: z.boolean({ error: "must be true or false" }).default(false) }))
    .unstable_concat(visitorProcedure)
    .mutation(async ({ ctx, input }) => {
      // Limited before anything ends: a refused Skip leaves the chat as it was.
      await ctx.services.limits.consumeOrThrow("findStranger", ctx.clientKey);
      await endChat(ctx, input.roomId, input.report);
      return find(ctx, ctx.visitor);
    }),

  /** End chat: ends it for both and leaves the caller idle. */
  end: memberProcedure.unstable_concat(visitorProcedure).mutation(async ({ ctx, input }) => {
    await endChat(ctx, input.roomId, false);
    return { status: "idle" as const };
  }),

  /**
   * The caller's state and the counts, live. While it is open a waiting caller keeps their place
   * in the queue; once it closes, only for the grace period (a reload does not lose the place).
   */
  events: visitorProcedure.input(z.object({})).subscription(async function* ({ ctx, signal }) {
    const { matches } = ctx.services;
    // First: a stream refused for having too many open holds nothing and reads nothing.
    const releaseSlot = await ctx.services.streams.open({ visitorId: ctx.visitor }, ctx.clientKey);
    const queue = new WakeQueue<MatchEvent | "resync">();
    const unsubscribe = await matches
      .subscribe(ctx.visitor, (state) => queue.push(state ? { type: "state", state } : "resync"))
      .catch((error: unknown) => {
        releaseSlot();
        throw error;
      });
    const release = await matches.hold(ctx.visitor).catch((error: unknown) => {
      unsubscribe();
      releaseSlot();
      throw error;
    });
    let shown = "";
    const refreshCounts = async () => {
      const now = await counts(matches).catch(() => null);
      const key = JSON.stringify(now);
      if (now && key !== shown) {
        shown = key;
        queue.push({ type: "counts", ...now });
      }
    };
    const timer = setInterval(() => void refreshCounts(), COUNTS_EVERY_MS);
    const cooldown = lookAgainWhenCooldownEnds(async () =>
      queue.push({ type: "state", state: await find(ctx, ctx.visitor) }),
    );
    signal?.addEventListener("abort", queue.wake);
    let id = 0;
    try {
      queue.push({ type: "state", state: await matches.state(ctx.visitor) });
      await refreshCounts();
      while (!signal?.aborted) {
        const item = queue.shift();
        if (!item) {
          await queue.wait();
          continue;
        }
        const event: MatchEvent = item === "resync" ? { type: "state", state: await matches.state(ctx.visitor) } : item;
        id += 1;
        yield tracked(String(id), event);
        // A state change is a change in the counts too (someone joined the queue or left it).
        if (event.type === "state") {
          cooldown.after(event.state);
          void refreshCounts();
        }
      }
    } finally {
      clearInterval(timer);
      cooldown.stop();
      signal?.removeEventListener("abort", queue.wake);
      release();
      unsubscribe();
      releaseSlot();
    }
  }),
});

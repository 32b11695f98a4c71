import { z } from "zod";
import { SEALED_MESSAGE_MAX_LENGTH } from "~/lib/limits";
import { metrics } from "../../metrics";
import { deliveryStatus, toSealedMessage } from "../to-client";
import { memberIdFor, memberProcedure, notAMember, publicProcedure, roomIdSchema, roomNotFound, router, sealedSchema, signalProcedure } from "../trpc";

export const clientIdSchema = z
  .string({ error: "must be the send's id: 1 to 36 letters, digits, '-' or '_'" })
  .regex(/^[\w-]{1,36}$/, { error: "must be 1 to 36 letters, digits, '-' or '_'" });

const eventIdSchema = z
  .number({ error: "must be a message id" })
  .int({ error: "must be a whole number" })
  .min(0, { error: "must not be negative" })
  .max(Number.MAX_SAFE_INTEGER, { error: "must be a message id" });

export const messageRouter = router({
  // The hot path: the seat check and the store-and-publish are one store step (one Redis round
  // trip), with the same NOT_FOUND / UNAUTHORIZED answers as every member procedure. The message
  // (name and text) is sealed in the sender's browser, bound to the room and its clientId.
  // One input schema, not roomProcedure's plus its own: each input step is a middleware level,
  // and tRPC copies the call's options and context at every level.
  send: publicProcedure
    .input(z.object({ roomId: roomIdSchema, ciphertext: sealedSchema(SEALED_MESSAGE_MAX_LENGTH), clientId: clientIdSchema }))
    .mutation(async ({ ctx, input }) => {
      const memberId = await memberIdFor(ctx, input.roomId);
      // Per participant: a seat is one person, whatever network they are on.
      await ctx.services.limits.consumeOrThrow("sendMessage", `${input.roomId}:${memberId}`);
      const outcome = await ctx.services.store.appendMemberMessage(input.roomId, memberId, {
        ciphertext: input.ciphertext,
        clientId: input.clientId,
      });
      if (outcome.status === "not-found") throw roomNotFound();
      if (outcome.status === "not-member") throw notAMember();
      // A retry of a send that was stored (its answer was lost) gets the first copy back.
      if (outcome.status === "stored") metrics.messagesSent.inc();
      return { ...toSealedMessage(outcome.message, outcome.message.author), status: "sent" as const };
    }),

  /** Every stored message; the viewer's own carry their delivery status. */
  list: memberProcedure.query(async ({ ctx, input }) => {
    const { store } = ctx.services;
    const [stored, state] = await Promise.all([store.messagesAfter(input.roomId, 0), store.roomState(input.roomId)]);
    if (!stored || !state) throw roomNotFound();
    return {
      messages: stored.map((message) => {
        const chat = toSealedMessage(message, ctx.member.seat);
        if (chat.mine) chat.status = deliveryStatus(message.id, ctx.member.seat, state.receipts);
        return chat;
      }),
    };
  }),

  /**
   * The caller's receipts as watermarks: every partner message up to `delivered` reached their
   * device, up to `seen` was on their visible screen. Only ever raised; ids past the last
   * message are capped.
   */
  receipt: signalProcedure
    .input(
      z
        .object({ delivered: eventIdSchema.optional(), seen: eventIdSchema.optional() })
        .refine((input) => input.delivered !== undefined || input.seen !== undefined, {
          error: "give delivered, seen or both",
          path: ["delivered"],
        }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!ctx.member) return { ok: false };
      await ctx.services.limits.consumeOrThrow("signal", `${input.roomId}:${ctx.member.seat}`);
      const done = await ctx.services.store.markReceipts(
        input.roomId,
        ctx.member.seat,
        input.delivered ?? 0,
        input.seen ?? 0,
      );
      return { ok: done };
    }),
});

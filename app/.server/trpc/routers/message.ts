import { z } from "zod";
import { MESSAGE_MAX_LENGTH, SENDER_MAX_LENGTH } from "~/lib/limits";
import { metrics } from "../../metrics";
import { toChatMessage } from "../to-client";
import { memberIdFor, memberProcedure, notAMember, roomNotFound, roomProcedure, router } from "../trpc";

const textSchema = z
  .string({ error: "must be text" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(MESSAGE_MAX_LENGTH, { error: `must be at most ${MESSAGE_MAX_LENGTH} characters` });

const senderSchema = z
  .string({ error: "must be a display name" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(SENDER_MAX_LENGTH, { error: `must be at most ${SENDER_MAX_LENGTH} characters` });

const clientIdSchema = z
  .string()
  .regex(/^[\w-]{1,36}$/, { error: "must be 1 to 36 letters, digits, '-' or '_'" });

export const messageRouter = router({
  // The hot path: the seat check and the store-and-publish are one store step (one Redis round
  // trip), with the same NOT_FOUND / UNAUTHORIZED answers as every member procedure.
  send: roomProcedure
    .input(z.object({ text: textSchema, sender: senderSchema, clientId: clientIdSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      const memberId = await memberIdFor(ctx, input.roomId);
      // Per participant: a seat is one person, whatever network they are on.
      await ctx.services.limits.consumeOrThrow("sendMessage", `${input.roomId}:${memberId}`);
      const outcome = await ctx.services.store.appendMemberMessage(input.roomId, memberId, {
        sender: input.sender,
        text: input.text,
        clientId: input.clientId,
      });
      if (outcome.status === "not-found") throw roomNotFound();
      if (outcome.status === "not-member") throw notAMember();
      metrics.messagesSent.inc();
      return toChatMessage(outcome.message, outcome.message.author);
    }),

  list: memberProcedure.query(async ({ ctx, input }) => {
    const stored = await ctx.services.store.messagesAfter(input.roomId, 0);
    if (!stored) throw roomNotFound();
    return { messages: stored.map((message) => toChatMessage(message, ctx.member.seat)) };
  }),
});

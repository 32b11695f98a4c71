import { z } from "zod";
import { SEALED_MESSAGE_MAX_LENGTH } from "~/shared/limits";
import { noteActivity } from "../../chats/direct-chats";
import { logger } from "../../logger";
import { metrics } from "../../metrics";
import type { StoredMessage } from "../../rooms/types";
import type { Context } from "../context";
import { deliveryStatus, toSealedMessage, toSentMessage } from "../to-client";
import {
  cannotMessage,
  memberProcedure,
  notAMember,
  publicProcedure,
  roomIdSchema,
  roomNotFound,
  router,
  sealedSchema,
  seatHolderFor,
  sendSignal,
  signalProcedure,
} from "../trpc";

/**
 * A direct chat's lists follow its messages, best effort: the message is stored and delivered
 * whatever happens to the lists, and a list re-reads its entries on the next change.
 */
function noteDirectActivity(ctx: Context, chatId: string, accountId: string, message: StoredMessage) {
  const { chats, partners } = ctx.services.directChats;
  void partners
    .partnerOf(chats, chatId, accountId, Date.now())
    .then((partnerId) => (partnerId === null ? undefined : noteActivity(chats, chatId, accountId, partnerId, message)))
    .catch(listNotUpdated);
}

function markDirectChatRead(ctx: Context, chatId: string, accountId: string) {
  const { chats, partners } = ctx.services.directChats;
  void partners
    .partnerOf(chats, chatId, accountId, Date.now())
    .then((partnerId) =>
      partnerId === null
        ? undefined
        : chats.touch(accountId, { chatId, partnerId, activityAt: 0, expiresAt: 0, unread: "clear" }),
    )
    .catch(listNotUpdated);
}

const listNotUpdated = (error: unknown) =>
  logger.warn(
    { err: { message: error instanceof Error ? error.message : String(error) } },
    "A chat list was not updated",
  );

export const clientIdSchema = z
  .string({ error: "must be the send's id: 1 to 36 letters, digits, '-' or '_'" })
  .regex(/^[\w-]{1,36}$/, { error: "must be 1 to 36 letters, digits, '-' or '_'" });

const eventIdSchema = z
  .number({ error: "must be a message id" })
  .int({ error: "must be a whole number" })
  .min(0, { error: "must not be negative" })
  .max(Number.MAX_SAFE_INTEGER, { error: "must be a message id" });

/** At most this many messages, and this much ciphertext, in one `message.list` answer. */
export const MESSAGE_PAGE_MAX_COUNT = 100;
export const MESSAGE_PAGE_MAX_CHARS = 256 * 1024;

/** The longest prefix within both bounds; never empty, so a reader always gets further. */
function firstPage<T extends { ciphertext: string }>(messages: T[]): T[] {
  let chars = 0;
  for (let index = 0; index < messages.length; index += 1) {
    chars += messages[index]!.ciphertext.length;
    if (index === MESSAGE_PAGE_MAX_COUNT || (index > 0 && chars > MESSAGE_PAGE_MAX_CHARS))
      return messages.slice(0, index);
  }
  return messages;
}

export const messageRouter = router({
  // The hot path: the seat check and the store-and-publish are one store step (one Redis round
  // trip), with the same NOT_FOUND / UNAUTHORIZED answers as every member procedure. The message
  // (name and text) is sealed in the sender's browser, bound to the room and its clientId.
  // One input schema, not roomProcedure's plus its own: each input step is a middleware level,
  // and tRPC copies the call's options and context at every level.
  send: publicProcedure
    .input(
      z.object({ roomId: roomIdSchema, ciphertext: sealedSchema(SEALED_MESSAGE_MAX_LENGTH), clientId: clientIdSchema }),
    )
    .mutation(async ({ ctx, input }) => {
      const { memberId, accountId } = await seatHolderFor(ctx, input.roomId);
      // Per participant: a seat is one person, whatever network they are on.
      await ctx.services.limits.consumeOrThrow("sendMessage", `${input.roomId}:${memberId}`);
      const outcome = await ctx.services.store.appendMemberMessage(input.roomId, memberId, {
        ciphertext: input.ciphertext,
        clientId: input.clientId,
      });
      if (outcome.status === "not-found") throw roomNotFound();
      if (outcome.status === "not-member") throw notAMember();
      if (outcome.status === "blocked") throw cannotMessage();
      // A retry of a send that was stored (its answer was lost) gets the first copy back.
      if (outcome.status === "stored") {
        metrics.messagesSent.inc();
        // A direct chat's (its messages expire one by one): both people's lists move it up.
        if (accountId !== null && outcome.message.expiresAt !== undefined) {
          noteDirectActivity(ctx, input.roomId, accountId, outcome.message);
        }
      }
      return toSentMessage(outcome.message);
    }),

  /**
   * One page of the stored messages after `after` (from the first), oldest first; the viewer's
   * own carry their delivery status. `hasMore`: ask again with `after` = the last id. A page is
   * bounded in count and in bytes: a full room is 1,000 messages of up to 16 KB, and reading it
   * whole, 20 times in one batch, once took 20 s and 1.5 GB.
   */
  list: memberProcedure.input(z.object({ after: eventIdSchema.optional() })).query(async ({ ctx, input }) => {
    await ctx.services.limits.consumeOrThrow("read", ctx.clientKey);
    const { store } = ctx.services;
    const [stored, state] = await Promise.all([
      // One more than a page: whether it exists is whether there is more.
      store.messagesAfter(input.roomId, input.after ?? 0, { seat: ctx.member.seat, limit: MESSAGE_PAGE_MAX_COUNT + 1 }),
      store.roomState(input.roomId),
    ]);
    if (!stored || !state) throw roomNotFound();
    const page = firstPage(stored);
    return {
      messages: page.map((message) => {
        const chat = toSealedMessage(message, ctx.member.seat);
        if (chat.mine) chat.status = deliveryStatus(message.id, ctx.member.seat, state.receipts);
        return chat;
      }),
      hasMore: page.length < stored.length,
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
    .mutation(
      sendSignal(async ({ ctx, roomId, seat, accountId, input }) => {
        const marked = await ctx.services.store.markReceipts(roomId, seat, input.delivered ?? 0, input.seen ?? 0);
        // In a direct chat, having seen the partner's messages is having read the chat.
        if (marked && accountId !== null && input.seen !== undefined) markDirectChatRead(ctx, roomId, accountId);
        return marked;
      }),
    ),
});

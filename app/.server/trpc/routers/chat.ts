import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { ChatEvent, ChatListItem, ChatOpened } from "~/shared/direct-chats";
import { usernameSchema } from "../../accounts/account-inputs";
import { accountProcedure, roomIdSchema, router } from "../trpc";

/**
 * The `chat` procedures' shape (DIRECT-CHATS.md), so the pages can be written against it; every
 * one refuses until the chat directory is in place.
 */
const notYet = () => new TRPCError({ code: "NOT_IMPLEMENTED", message: "Direct chats are not available yet" });

export const chatRouter = router({
  search: accountProcedure
    .input(z.object({ query: z.string().max(96) }))
    .query(async (): Promise<{ people: { username: string }[] }> => {
      throw notYet();
    }),
  open: accountProcedure.input(z.object({ username: usernameSchema })).mutation(async (): Promise<ChatOpened> => {
    throw notYet();
  }),
  list: accountProcedure.query(async (): Promise<{ chats: ChatListItem[] }> => {
    throw notYet();
  }),
  events: accountProcedure.subscription(async function* (): AsyncGenerator<ChatEvent> {
    yield* [];
    throw notYet();
  }),
  setTimer: accountProcedure
    .input(z.object({ chatId: roomIdSchema, timerSeconds: z.number().int() }))
    .mutation(async (): Promise<{ ok: true }> => {
      throw notYet();
    }),
  clear: accountProcedure.input(z.object({ chatId: roomIdSchema })).mutation(async (): Promise<{ ok: true }> => {
    throw notYet();
  }),
  block: accountProcedure.input(z.object({ username: usernameSchema })).mutation(async (): Promise<{ ok: true }> => {
    throw notYet();
  }),
  unblock: accountProcedure.input(z.object({ username: usernameSchema })).mutation(async (): Promise<{ ok: true }> => {
    throw notYet();
  }),
});

import { TRPCError } from "@trpc/server";
import { z } from "zod";
import {
  CHAT_SEARCH_MAX_RESULTS,
  CHAT_SEARCH_MIN_PREFIX,
  type ChatEvent,
  type ChatListItem,
  type ChatOpened,
} from "~/shared/direct-chats";
import { USERNAME_MAX } from "~/shared/username";
import { usernameSchema } from "../../accounts/account-inputs";
import type { Account } from "../../accounts/types";
import {
  DirectChatRefusal,
  listItems,
  noteActivity,
  openChat,
  presenceView,
  setBlock,
  toListItem,
} from "../../chats/direct-chats";
import type { AccountEvent, AccountPresence } from "../../chats/types";
import type { StoredMessage } from "../../rooms/types";
import { WakeQueue } from "../../wake-queue";
import type { Context } from "../context";
import { sessionWatch, type SessionWatch } from "../session-watch";
import { accountProcedure, roomIdSchema, roomNotFound, router } from "../trpc";

const searchQuerySchema = z
  .string({ error: "must be a name or the start of one" })
  .trim()
  .min(1, { error: "must be a name or the start of one" })
  .max(USERNAME_MAX, { error: `must be at most ${USERNAME_MAX} characters` })
  .regex(/^[A-Za-z0-9_]+$/, { error: "may hold only letters a-z, digits and underscores" });

const chatIdInput = z.object({ chatId: roomIdSchema });

/** The deps of `chats/direct-chats.ts`, from the services. */
const depsOf = (ctx: Context) => ctx.services.directChats;

function refusal(error: unknown): never {
  if (!(error instanceof DirectChatRefusal)) throw error;
  const code =
    error.reason === "no-such-account" ? "NOT_FOUND" : error.reason === "blocked" ? "FORBIDDEN" : "BAD_REQUEST";
  throw new TRPCError({ code, message: error.message, cause: error });
}

/**
 * The caller's seat in a chat of theirs and who the other person is; NOT_FOUND when the chat is
 * gone or not theirs (the same answer: a chat id tells nobody else anything).
 */
async function ownChat(ctx: Context, account: Account, chatId: string) {
  const { store, chatIds, partners, chats } = depsOf(ctx);
  const status = await store.memberStatus(chatId, chatIds.memberIdFor(chatId, account.id));
  if (status.status !== "member") throw roomNotFound();
  const partnerId = await partners.partnerOf(chats, chatId, account.id, Date.now());
  if (!partnerId) throw roomNotFound();
  return { seat: status.seat, partnerId };
}

/** A notice went into the log: both lists move the chat up, as for a message. */
async function afterNotice(
  ctx: Context,
  chatId: string,
  authorId: string,
  partnerId: string,
  notice: StoredMessage | null,
) {
  if (!notice) throw roomNotFound();
  await noteActivity(depsOf(ctx).chats, chatId, authorId, partnerId, notice);
  return { ok: true as const };
}

export const chatRouter = router({
  /**
   * People by name: the exact name, or names starting with the query once it has two characters.
   * A handful at most, never the caller, and never a list of everyone.
   */
  search: accountProcedure
    .input(z.object({ query: searchQuerySchema }))
    .query(async ({ ctx, input }): Promise<{ people: { username: string }[] }> => {
      await ctx.services.limits.consumeOrThrow("searchPeople", ctx.account.id);
      const query = input.query.toLowerCase();
      const names =
        query.length >= CHAT_SEARCH_MIN_PREFIX
          ? await ctx.services.accounts.searchUsernames(query, CHAT_SEARCH_MAX_RESULTS + 1)
          : (await ctx.services.accounts.findByUsername(query))
            ? [query]
            : [];
      return {
        people: names
          .filter((name) => name !== ctx.account.username)
          .slice(0, CHAT_SEARCH_MAX_RESULTS)
          .map((username) => ({ username })),
      };
    }),

  /** The chat with someone, opened if need be (the chat page's loader does the same). */
  open: accountProcedure
    .input(z.object({ username: usernameSchema }))
    .mutation(async ({ ctx, input }): Promise<ChatOpened> => {
      await ctx.services.limits.consumeOrThrow("chatAction", ctx.account.id);
      return openChat(depsOf(ctx), depsOf(ctx).partners, ctx.account, input.username).catch(refusal);
    }),

  /** The caller's chats, newest activity first. */
  list: accountProcedure.input(z.object({}).optional()).query(async ({ ctx }): Promise<{ chats: ChatListItem[] }> => {
    await ctx.services.limits.consumeOrThrow("read", ctx.clientKey);
    const { chats } = depsOf(ctx);
    const now = Date.now();
    return { chats: await listItems(ctx.services.accounts, chats, await chats.list(ctx.account.id, now), now) };
  }),

  /** How long the chat's next messages last, for both; the log tells both who changed it. */
  setTimer: accountProcedure
    .input(
      chatIdInput.extend({
        timerSeconds: z.number({ error: "must be a number of seconds" }).int({ error: "must be a whole number" }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { timerChoices } = depsOf(ctx);
      if (!timerChoices.includes(input.timerSeconds)) {
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: `timerSeconds: must be one of ${timerChoices.join(", ")}`,
        });
      }
      await ctx.services.limits.consumeOrThrow("chatAction", ctx.account.id);
      const { seat, partnerId } = await ownChat(ctx, ctx.account, input.chatId);
      const notice = await depsOf(ctx).store.setChatTimer(input.chatId, seat, input.timerSeconds * 1000);
      return afterNotice(ctx, input.chatId, ctx.account.id, partnerId, notice);
    }),

  /** Removes every message and image of the chat, for both. */
  clear: accountProcedure.input(chatIdInput).mutation(async ({ ctx, input }) => {
    await ctx.services.limits.consumeOrThrow("chatAction", ctx.account.id);
    const { seat, partnerId } = await ownChat(ctx, ctx.account, input.chatId);
    const notice = await depsOf(ctx).store.clearChat(input.chatId, seat);
    return afterNotice(ctx, input.chatId, ctx.account.id, partnerId, notice);
  }),

  block: accountProcedure
    .input(z.object({ username: usernameSchema }))
    .mutation(async ({ ctx, input }) => blockResult(await setBlockFor(ctx, input.username, true), input.username)),

  unblock: accountProcedure
    .input(z.object({ username: usernameSchema }))
    .mutation(async ({ ctx, input }) => blockResult(await setBlockFor(ctx, input.username, false), input.username)),

  /**
   * The caller's list as it changes (entries, removals, partners' presence), on one stream per
   * tab; an open stream is what makes the account "online" to the people it chats with.
   */
  events: accountProcedure.input(z.object({}).optional()).subscription(({ ctx, signal }) =>
    // The generator is handed what it uses, not the request: it lives as long as the tab, and a
    // generator keeps its arguments (here tRPC's call, the context and the session) for good.
    accountEvents({
      me: ctx.account.id,
      chats: depsOf(ctx).chats,
      accounts: ctx.services.accounts,
      streams: ctx.services.streams,
      clientKey: ctx.clientKey,
      // Signed out or revoked elsewhere: the list stops here, and the browser's reconnect is refused.
      watchSession: sessionWatch(ctx),
      signal: signal ?? new AbortController().signal,
    }),
  ),
});

interface AccountStreamDeps {
  me: string;
  chats: Context["services"]["directChats"]["chats"];
  accounts: Context["services"]["accounts"];
  streams: Context["services"]["streams"];
  clientKey: string;
  /** Starts the session watch: called once the stream has its slot. */
  watchSession: (signal: AbortSignal) => SessionWatch;
  signal: AbortSignal;
}

async function* accountEvents({ me, chats, accounts, streams, clientKey, watchSession, signal }: AccountStreamDeps) {
  // First: a stream refused for having too many open holds nothing, reads nothing and watches nothing.
  const releaseSlot = await streams.open({ accountId: me }, clientKey);
  const queue = new WakeQueue<AccountEvent>();
  const unsubscribe = await chats
    .subscribe(me, (event) => queue.push(event))
    .catch((error: unknown) => {
      releaseSlot();
      throw error;
    });
  const release = await chats.connect(me).catch((error: unknown) => {
    unsubscribe();
    releaseSlot();
    throw error;
  });
  // Names by account id, read once per stream: a name never changes, an account may go.
  const names = new Map<string, string | null>();
  const nameOf = async (accountId: string) => {
    if (!names.has(accountId)) names.set(accountId, (await accounts.getAccount(accountId))?.username ?? null);
    return names.get(accountId)!;
  };
  const memory: StreamMemory = { me, chats, nameOf, presence: new Map() };
  const watch = watchSession(signal);
  const abort = watch.signal;
  abort.addEventListener("abort", queue.wake);
  try {
    while (!abort.aborted) {
      const event = queue.shift();
      if (!event) {
        await queue.wait();
        continue;
      }
      const out = await toChatEvents(event, memory);
      for (const item of out) yield item;
    }
  } finally {
    abort.removeEventListener("abort", queue.wake);
    // The watch ends with the stream, however the stream ends.
    watch.stop();
    release();
    unsubscribe();
    releaseSlot();
  }
}

/** What one account stream knows: partners' names and presence, each read once, then kept up by events. */
interface StreamMemory {
  me: string;
  chats: Context["services"]["directChats"]["chats"];
  nameOf: (id: string) => Promise<string | null>;
  /** Partners' presence as last read or told; `presence` events keep it current. */
  presence: Map<string, AccountPresence>;
}

async function presenceOf(memory: StreamMemory, partnerIds: string[]): Promise<void> {
  const missing = partnerIds.filter((id) => !memory.presence.has(id));
  if (missing.length === 0) return;
  for (const [id, presence] of await memory.chats.presence(missing)) memory.presence.set(id, presence);
}

async function toChatEvents(event: AccountEvent, memory: StreamMemory): Promise<ChatEvent[]> {
  const now = Date.now();
  switch (event.type) {
    case "entry": {
      const { partnerId } = event.entry;
      await presenceOf(memory, [partnerId]);
      const chat = toListItem(event.entry, await memory.nameOf(partnerId), memory.presence.get(partnerId), now);
      return [{ type: "chat", chat }];
    }
    case "removed":
      return [{ type: "removed", chatId: event.chatId }];
    case "presence": {
      memory.presence.set(event.accountId, event.presence);
      const username = await memory.nameOf(event.accountId);
      return username === null ? [] : [{ type: "presence", username, ...presenceView(event.presence, now) }];
    }
    case "resync": {
      // Events may have been missed: the whole list again, as entries, with presence read afresh.
      const entries = await memory.chats.list(memory.me, now);
      memory.presence.clear();
      await presenceOf(
        memory,
        entries.map((entry) => entry.partnerId),
      );
      const items = await Promise.all(
        entries.map(async (entry) =>
          toListItem(entry, await memory.nameOf(entry.partnerId), memory.presence.get(entry.partnerId), now),
        ),
      );
      return items.map((chat) => ({ type: "chat" as const, chat }));
    }
  }
}

async function setBlockFor(ctx: Context & { account: Account }, username: string, block: boolean) {
  await ctx.services.limits.consumeOrThrow("chatAction", ctx.account.id);
  return setBlock(depsOf(ctx), ctx.account, username, block);
}

function blockResult(outcome: "done" | "no-such-account" | "self", username: string) {
  if (outcome === "no-such-account") {
    throw new TRPCError({ code: "NOT_FOUND", message: `No account is called ${username.toLowerCase()}` });
  }
  if (outcome === "self") throw new TRPCError({ code: "BAD_REQUEST", message: "username: this is you" });
  return { ok: true as const };
}

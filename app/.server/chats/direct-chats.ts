import type { ChatListItem, ChatOpened } from "~/shared/direct-chats";
import type { Account, AccountStore } from "../accounts/types";
import type { RoomStore, StoredMessage } from "../rooms/types";
import { seatOf, type ChatIds } from "./chat-ids";
import type { AccountPresence, ChatDirectory, ChatEntry } from "./types";

/** What direct chats are made of: the accounts, the rooms that hold the chats, and each account's list. */
export interface DirectChatDeps {
  accounts: AccountStore;
  store: RoomStore;
  chats: ChatDirectory;
  chatIds: ChatIds;
  /** The timers people may choose, in seconds; the first is the shortest. */
  timerChoices: readonly number[];
  defaultTimerSeconds: number;
}

/** Why a chat cannot be opened, each a sentence the person may read. */
export class DirectChatRefusal extends Error {
  override name = "DirectChatRefusal";
  constructor(
    readonly reason: "no-such-account" | "blocked" | "self",
    message: string,
  ) {
    super(message);
  }
}

/** The words for someone who blocked you: the same whoever blocked whom, and nothing more. */
export const CANNOT_MESSAGE = "You can't message this person";

/**
 * Which two accounts a chat belongs to, remembered for the chats this process has seen: a send
 * must touch both people's lists, and the chat id alone (a keyed hash) does not say whose it is.
 * A miss is read from the sender's list entry. Bounded: the oldest are forgotten first.
 */
export class ChatPartners {
  private readonly known = new Map<string, [string, string]>();

  constructor(private readonly max = 50_000) {}

  remember(chatId: string, accountA: string, accountB: string): void {
    this.known.delete(chatId);
    this.known.set(chatId, accountA < accountB ? [accountA, accountB] : [accountB, accountA]);
    if (this.known.size > this.max) this.known.delete(this.known.keys().next().value!);
  }

  async partnerOf(chats: ChatDirectory, chatId: string, accountId: string, now: number): Promise<string | null> {
    const pair = this.known.get(chatId);
    if (pair) return pair[0] === accountId ? pair[1] : pair[1] === accountId ? pair[0] : null;
    const entry = await chats.entry(accountId, chatId, now);
    if (!entry) return null;
    this.remember(chatId, accountId, entry.partnerId);
    return entry.partnerId;
  }
}

/**
 * Opens (or finds) the chat between `me` and the account called `username`, mirrors the block
 * between them into the chat so the send path can refuse in its one store step, and puts the chat
 * in the opener's list. Refuses an unknown name, yourself, and someone who blocked you.
 */
export async function openChat(
  deps: DirectChatDeps,
  partners: ChatPartners,
  me: Account,
  username: string,
  now = Date.now(),
): Promise<ChatOpened> {
  const partner = await deps.accounts.findByUsername(username);
  if (!partner) throw new DirectChatRefusal("no-such-account", `No account is called ${username.toLowerCase()}`);
  if (partner.id === me.id) throw new DirectChatRefusal("self", "This is you: open a chat with someone else");
  const [blockedByMe, blockedByPartner] = await Promise.all([
    deps.accounts.isBlocked(me.id, partner.id),
    deps.accounts.isBlocked(partner.id, me.id),
  ]);
  const chatId = deps.chatIds.chatIdFor(me.id, partner.id);
  const mySeat = seatOf(me.id, partner.id);
  const partnerSeat = 3 - mySeat;
  if (blockedByPartner) {
    // Whatever the chat said before, nothing more reaches the one who blocked.
    await deps.store.setChatBlocked(chatId, partnerSeat);
    throw new DirectChatRefusal("blocked", CANNOT_MESSAGE);
  }
  const members = membersOf(deps.chatIds, chatId, me.id, partner.id);
  const info = await deps.store.openDirectChat(chatId, members, deps.defaultTimerSeconds * 1000);
  const blockedBy = blockedByMe ? mySeat : null;
  if (info.blockedBy !== blockedBy) await deps.store.setChatBlocked(chatId, blockedBy);
  partners.remember(chatId, me.id, partner.id);
  await deps.chats.touch(me.id, {
    chatId,
    partnerId: partner.id,
    // Opening an existing chat does not make it the newest; a new one starts at the top.
    activityAt: info.created ? now : 0,
    expiresAt: info.expiresAt,
    // Opening the chat is reading it: its messages are on the screen, whenever their receipts go.
    unread: "clear",
  });
  return {
    chatId,
    me: { username: me.username, seat: mySeat },
    partner: { username: partner.username, publicKeys: partner.publicKeys },
    timerSeconds: Math.round(info.timerMs / 1000),
    timerChoices: [...deps.timerChoices],
    blocked: blockedByMe ? "by-me" : "none",
  };
}

/** Both seats' member ids, seat 1 first. */
export function membersOf(chatIds: ChatIds, chatId: string, accountA: string, accountB: string): [string, string] {
  const [first, second] = accountA < accountB ? [accountA, accountB] : [accountB, accountA];
  return [chatIds.memberIdFor(chatId, first), chatIds.memberIdFor(chatId, second)];
}

/**
 * After something was added to a chat's log (a message, a notice): both lists move it to the
 * top with the chat's new expiry, and the partner's counts a message they have not read.
 */
export async function noteActivity(
  chats: ChatDirectory,
  chatId: string,
  authorId: string,
  partnerId: string,
  message: Pick<StoredMessage, "timestamp" | "expiresAt" | "notice">,
): Promise<void> {
  const common = { chatId, activityAt: message.timestamp, expiresAt: message.expiresAt ?? message.timestamp };
  await Promise.all([
    chats.touch(authorId, { ...common, partnerId, unread: "keep" }),
    chats.touch(partnerId, { ...common, partnerId: authorId, unread: message.notice ? "keep" : "increment" }),
  ]);
}

/** The list as the browser shows it: names for ids, presence, "last seen" as a duration. */
export async function listItems(
  accounts: AccountStore,
  chats: ChatDirectory,
  entries: ChatEntry[],
  now = Date.now(),
): Promise<ChatListItem[]> {
  if (entries.length === 0) return [];
  const partnerIds = [...new Set(entries.map((entry) => entry.partnerId))];
  const [names, presence] = await Promise.all([accounts.usernamesOf(partnerIds), chats.presence(partnerIds)]);
  return entries.map((entry) =>
    toListItem(entry, names.get(entry.partnerId) ?? null, presence.get(entry.partnerId), now),
  );
}

export function toListItem(
  entry: ChatEntry,
  partnerName: string | null,
  presence: AccountPresence | undefined,
  now = Date.now(),
): ChatListItem {
  return {
    chatId: entry.chatId,
    partner: partnerName === null ? null : { username: partnerName },
    lastActivityAt: entry.lastActivityAt,
    unread: entry.unread,
    presence: presenceView(presence, now),
  };
}

export function presenceView(presence: AccountPresence | undefined, now = Date.now()) {
  return {
    here: presence?.here ?? false,
    lastSeenAgoMs: presence?.lastSeen == null ? null : Math.max(0, now - presence.lastSeen),
  };
}

/**
 * Blocks (or unblocks) the account called `username` for `me`: the lasting record in the accounts
 * store, mirrored into their chat (if it exists) so a send is refused in the store's one step.
 * An unblock leaves the chat blocked if the other person still blocks `me`.
 */
export async function setBlock(
  deps: DirectChatDeps,
  me: Account,
  username: string,
  block: boolean,
  now = new Date(),
): Promise<"done" | "no-such-account" | "self"> {
  const partner = await deps.accounts.findByUsername(username);
  if (!partner) return "no-such-account";
  if (partner.id === me.id) return "self";
  if (block) await deps.accounts.block(me.id, partner.id, now);
  else await deps.accounts.unblock(me.id, partner.id);
  const chatId = deps.chatIds.chatIdFor(me.id, partner.id);
  const mySeat = seatOf(me.id, partner.id);
  const blockedBy = block ? mySeat : (await deps.accounts.isBlocked(partner.id, me.id)) ? 3 - mySeat : null;
  // False when there is no chat yet: opening one mirrors the block then.
  await deps.store.setChatBlocked(chatId, blockedBy);
  return "done";
}

/**
 * Before an account is deleted: every chat it is in ends for both people (its messages were
 * sealed with keys that go with the account), and leaves both lists.
 */
export async function forgetChatsOf(deps: Pick<DirectChatDeps, "store" | "chats">, accountId: string): Promise<void> {
  const entries = await deps.chats.list(accountId, 0);
  for (const entry of entries) {
    await deps.store.destroy(entry.chatId);
    await deps.chats.remove(entry.partnerId, entry.chatId);
    await deps.chats.remove(accountId, entry.chatId);
  }
}

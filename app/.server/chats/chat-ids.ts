import { createHmac } from "node:crypto";
import { ROOM_ID_LENGTH } from "../room-token";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Names direct chats. A chat's id comes from its two accounts, so both people, on any instance,
 * reach the same chat without anything stored to look it up; it is keyed by the server secret, so
 * an id neither names the accounts nor can be computed by anyone without the secret.
 */
export class ChatIds {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac("sha256", secret).update("ephemera/direct-chat-id").digest();
  }

  /** The chat of two accounts, in either order: a room id (ROOM_ID_PATTERN), so room procedures take it. */
  chatIdFor(accountA: string, accountB: string): string {
    const [first, second] = accountA < accountB ? [accountA, accountB] : [accountB, accountA];
    const digest = createHmac("sha256", this.key).update(first).update("\n").update(second).digest();
    // 21 letters of 62 from 32 bytes: each byte modulo 62 is slightly biased (256 = 4 × 62 + 8),
    // which leaves over 120 bits of an id nobody can compute without the secret anyway.
    let id = "";
    for (let index = 0; index < ROOM_ID_LENGTH; index += 1) id += ALPHABET[digest[index]! % ALPHABET.length];
    return id;
  }

  /**
   * What the room store keeps for an account's seat in a direct chat, as `memberIdOf` does for a
   * room token: keyed and one-way, so even a dump of Redis beside a dump of the accounts table
   * cannot tell whose seat it is.
   */
  memberIdFor(chatId: string, accountId: string): string {
    return createHmac("sha256", this.key)
      .update(chatId)
      .update(":account:")
      .update(accountId)
      .digest("base64url")
      .slice(0, 22);
  }
}

/** The seat an account has in its chat with `partnerId`: 1 for the id that sorts first. */
export const seatOf = (accountId: string, partnerId: string) => (accountId < partnerId ? 1 : 2);

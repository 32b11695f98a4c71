import { useCallback, useEffect, useMemo, useState } from "react";
import type { ChatOpened } from "~/shared/direct-chats";
import { chatSafetyCode, deriveChatKey } from "~/lib/crypto/chat-key";
import { defaultKeyStorage, KeyKeeper } from "~/lib/crypto/key-keeper";
import type { RoomKey } from "~/lib/crypto/room-key";
import { browserPartnerKeysStorage, PartnerKeysMemory, type PartnerKeysVerdict } from "~/lib/partner-keys-memory";

export type ChatKeyState =
  /** Reading the account's keys from this browser and agreeing the chat's key. */
  | { status: "unlocking" }
  /** This browser does not hold the account's keys (signed in before it kept them, or cleared). */
  | { status: "no-keys" }
  /** The partner's keys are unusable, or this browser could not do the agreement. */
  | { status: "failed" }
  | { status: "ready"; key: RoomKey; safetyCode: string; partnerKeys: PartnerKeysVerdict };

/**
 * A direct chat's key, agreed in this browser from the account's kept keys and the partner's
 * public keys, its safety code, and whether the partner's keys are the ones this browser met them
 * with. `accept` takes changed keys as theirs (the person compared the safety code).
 */
export function useChatKey({ chatId, me, partner }: ChatOpened) {
  const [state, setState] = useState<ChatKeyState>({ status: "unlocking" });
  const memory = useMemo(() => new PartnerKeysMemory(browserPartnerKeysStorage(), me.username), [me.username]);
  // By value: reopening the chat brings the same keys in a new object, which is no reason to agree again.
  const publicKeys = JSON.stringify(partner.publicKeys);

  useEffect(() => {
    let current = true;
    const keys: ChatOpened["partner"]["publicKeys"] = JSON.parse(publicKeys);
    (async (): Promise<ChatKeyState> => {
      const identity = await new KeyKeeper(defaultKeyStorage()).keysFor(me.username);
      if (!identity) return { status: "no-keys" };
      const key = await deriveChatKey(identity, keys, chatId);
      const [safetyCode, partnerKeys] = await Promise.all([
        chatSafetyCode(key, chatId),
        memory.check(partner.username, keys),
      ]);
      return { status: "ready", key, safetyCode, partnerKeys };
    })().then(
      (next) => current && setState(next),
      () => current && setState({ status: "failed" }),
    );
    return () => {
      current = false;
    };
  }, [chatId, me.username, partner.username, publicKeys, memory]);

  const accept = useCallback(async () => {
    await memory.accept(partner.username, JSON.parse(publicKeys));
    setState((now) => (now.status === "ready" ? { ...now, partnerKeys: "same" } : now));
  }, [memory, partner.username, publicKeys]);

  return { state, accept };
}

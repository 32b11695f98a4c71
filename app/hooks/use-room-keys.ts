import { useCallback, useEffect, useRef, useState, type MutableRefObject } from "react";
import type { RoomKind } from "~/shared/room-kinds";
import { KeyExchange } from "~/lib/crypto/key-exchange";
import type { RoomKey } from "~/lib/crypto/room-key";
import { safetyCode } from "~/lib/crypto/safety-code";
import { StrangerKeys, type StrangerKeysStatus } from "~/lib/stranger-keys";
import { showInAddressBar } from "~/lib/room-link";
import { trpc } from "~/lib/trpc";

const PUBLISH_ATTEMPTS = 6;
const publishBackoffMs = (attempt: number) => Math.min(10_000, 1000 * 2 ** attempt);

export interface RoomKeys {
  /** What sends are sealed with; null while a stranger chat's agreement is under way. */
  current: RoomKey | null;
  /** Whether a stranger chat has its key yet, or never will (the exchange was interrupted). */
  status: StrangerKeysStatus;
  /** The same key, for whatever opens messages outside React's render (null until there is one). */
  latest: MutableRefObject<RoomKey | null>;
  /** A stranger chat's six digits to compare, from the current key. */
  safetyCode: string | null;
  /** The stream's `partner-keys` (a commitment or public keys); resolves once it is dealt with. */
  onPartnerKeys: (value: string) => Promise<void>;
}

/**
 * The room's key, held in memory only. A private room's came with the link and never changes. A
 * stranger chat's comes from the fragment after a reload, or else from the key exchange over the
 * room's stream (see StrangerKeys); once agreed it goes into the fragment so a reload keeps it.
 */
export function useRoomKeys(roomId: string, kind: RoomKind, initialKey: RoomKey | null): RoomKeys {
  const utils = trpc.useUtils();
  const [current, setCurrent] = useState(initialKey);
  const [status, setStatus] = useState<StrangerKeysStatus>(initialKey ? "secured" : "securing");
  const latest = useRef<RoomKey | null>(initialKey);
  const exchange = useRef<StrangerKeys | null>(null);
  const [code, setCode] = useState<string | null>(null);

  useEffect(() => {
    if (kind !== "match") return;
    let stopped = false;
    // A commitment or public keys: the exchange's business, the server relays either.
    async function publish(value: string) {
      for (let attempt = 0; attempt < PUBLISH_ATTEMPTS && !stopped; attempt += 1) {
        try {
          await utils.client.room.publishKeys.mutate({ roomId, publicKeys: value });
          return;
        } catch {
          // Offline or briefly refused: the partner cannot agree without them, so try again.
          await new Promise((resolve) => setTimeout(resolve, publishBackoffMs(attempt)));
        }
      }
    }
    const keyExchange = new StrangerKeys(
      {
        start: () => KeyExchange.start(roomId),
        publish,
        onKey(key) {
          latest.current = key;
          showInAddressBar(roomId, key.secret);
          setCurrent(key);
          setStatus("secured");
        },
        onFailed: () => setStatus("failed"),
      },
      initialKey,
    );
    exchange.current = keyExchange;
    return () => {
      stopped = true;
      keyExchange.stop();
      exchange.current = null;
    };
  }, [kind, roomId, initialKey, utils]);

  useEffect(() => {
    if (kind !== "match" || !current) return;
    let latest = true;
    safetyCode(current.secret, roomId).then(
      (digits) => latest && setCode(digits),
      () => latest && setCode(null),
    );
    return () => {
      latest = false;
    };
  }, [kind, roomId, current]);

  const onPartnerKeys = useCallback(async (value: string) => {
    await exchange.current?.onPartnerKeys(value);
  }, []);

  return { current, status, latest, safetyCode: code, onPartnerKeys };
}

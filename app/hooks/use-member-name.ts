import { useCallback, useEffect, useRef, useState } from "react";
import type { RoomKind } from "~/shared/room-kinds";
import { sealMemberName } from "~/lib/crypto/message-payload";
import type { RoomKey } from "~/lib/crypto/room-key";
import { trpc } from "~/lib/trpc";
import { useDisplayName } from "./use-display-name";

export interface MemberName {
  /** The name this browser seals on its messages and typing signals ("" until it is known). */
  name: string;
  /** The room waits for this person to choose a name (first arrival by a link), or a rename is open. */
  prompt: "arrival" | "rename" | null;
  /** What the prompt starts with. */
  suggestion: string;
  /** Until the stream says whether this seat has a name: nothing can be sent yet. */
  loading: boolean;
  pending: boolean;
  error: string | null;
  accept: (name: string) => void;
  rename: () => void;
  cancel: () => void;
}

/**
 * The name a person goes by in a private room, announced sealed to the partner (`room.setName`):
 * kept per seat by the server, so the partner learns it on arrival, not from a first message.
 * Someone who arrives by a link is asked once (the prompt, prefilled with the name this browser
 * remembers or made up); the creator chose theirs in the lobby (`chosenInLobby`), which is
 * announced as it is. `announced` is the stream's word on this seat's name (see RoomViewState).
 * Stranger chats and direct chats never announce one: their names are "Stranger" and usernames.
 */
export function useMemberName(
  roomId: string,
  kind: RoomKind,
  roomKey: RoomKey | null,
  announced: string | null | undefined,
  chosenInLobby: boolean,
): MemberName {
  const [remembered, remember] = useDisplayName();
  const utils = trpc.useUtils();
  const active = kind === "private";
  // What this tab chose, until the stream confirms it (or another tab's choice replaces it).
  const [chosen, setChosen] = useState<string | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setChosen(null), [announced]);

  const announce = useCallback(
    async (name: string) => {
      if (!roomKey) return;
      setChosen(name);
      setPending(true);
      remember(name);
      try {
        const sealed = await sealMemberName(roomKey.key, roomId, name);
        await utils.client.room.setName.mutate({ roomId, name: sealed });
        setError(null);
      } catch (caught) {
        // Not announced: the prompt (or the old name) is back, with the reason.
        setChosen(null);
        setError(`Could not change your name: ${caught instanceof Error ? caught.message : "try again"}`);
      } finally {
        setPending(false);
      }
    },
    [remember, roomId, roomKey, utils],
  );

  const announcedOnce = useRef(false);
  useEffect(() => {
    if (!active || !chosenInLobby || announced !== null || announcedOnce.current || !remembered || !roomKey) return;
    announcedOnce.current = true;
    void announce(remembered);
  }, [active, announce, announced, chosenInLobby, remembered, roomKey]);

  const current = chosen ?? announced ?? null;
  const arriving = active && !chosenInLobby && announced === null && chosen === null;
  const accept = useCallback(
    (name: string) => {
      setRenaming(false);
      if (name !== current) void announce(name);
    },
    [announce, current],
  );
  return {
    name: current ?? remembered,
    prompt: !active ? null : arriving ? "arrival" : renaming ? "rename" : null,
    suggestion: current ?? remembered,
    loading: active && !chosenInLobby && announced === undefined && chosen === null,
    pending,
    error: active ? error : null,
    accept,
    rename: useCallback(() => setRenaming(true), []),
    cancel: useCallback(() => setRenaming(false), []),
  };
}

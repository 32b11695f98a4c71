import type { StrangerState } from "~/shared/match-events";
import { trpc } from "~/lib/trpc";
import type { RoomExit } from "./use-room-exit";

/** Where a new search leads: straight into the next chat, or to the search screen meanwhile. */
function nextPath(state: StrangerState): string {
  return state.status === "matched" ? `/room/${state.roomId}` : "/stranger";
}

/**
 * Skip, Report and skip, End chat and New chat in a stranger chat. Each ends the chat for both
 * (the server destroys the room), so each marks the page as closing first.
 */
export function useStrangerChat(roomId: string, exit: RoomExit) {
  const next = trpc.match.next.useMutation({ onSuccess: (state) => exit.go(nextPath(state)), onError: exit.fail });
  const end = trpc.match.end.useMutation({ onSuccess: () => exit.end("ended"), onError: exit.fail });
  // After a disconnection the chat may already be over; either way the next step is a new search.
  const restart = trpc.match.end.useMutation({ onSettled: () => exit.go("/stranger") });

  return {
    pending: next.isPending || end.isPending || restart.isPending,
    error: next.error
      ? `Could not skip: ${next.error.message}`
      : end.error
        ? `Could not end the chat: ${end.error.message}`
        : null,
    skip(report: boolean) {
      exit.begin();
      next.mutate({ roomId, report });
    },
    endChat() {
      exit.begin();
      end.mutate({ roomId });
    },
    newChat() {
      exit.begin();
      restart.mutate({ roomId });
    },
  };
}

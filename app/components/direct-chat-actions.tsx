import { chatTimerLabel } from "~/shared/direct-chats";
import { ChatInfoDialog } from "./chat-info-dialog";
import { ConfirmDialog } from "./confirm-dialog";
import { MENU_ITEM } from "./header-button";
import { HourglassIcon } from "./icons";
import { MoreActions } from "./more-actions";

interface DirectChatActionsProps {
  partner: string;
  safetyCode: string;
  timerSeconds: number;
  timerChoices: readonly number[];
  onTimer: (timerSeconds: number) => void;
  blocked: boolean;
  onBlock: () => void;
  onUnblock: () => void;
  onClear: () => void;
  pending: boolean;
}

/**
 * A direct chat's header controls: its disappearing timer, Chat info, Clear chat, Block or
 * Unblock. Inline from the `sm` width up, behind "More actions" on a phone.
 */
export function DirectChatActions(props: DirectChatActionsProps) {
  const { partner } = props;
  return (
    <MoreActions>
      <label className={`${MENU_ITEM} focus-within:outline-2 focus-within:outline-emerald-400`}>
        {/* The hourglass says what the choice is about: on a phone, a word beside it left the menu no room for the choice. */}
        <HourglassIcon className="size-4 text-zinc-400" />
        <select
          aria-label="Disappearing messages"
          title="How long each message stays"
          value={props.timerSeconds}
          disabled={props.pending}
          onChange={(event) => props.onTimer(Number(event.target.value))}
          className="min-w-0 flex-1 bg-transparent text-sm text-zinc-200 focus:outline-none"
        >
          {/* The chat's timer, even if it is not (or no longer) one of the choices offered. */}
          {(props.timerChoices.includes(props.timerSeconds)
            ? props.timerChoices
            : [props.timerSeconds, ...props.timerChoices]
          ).map((seconds) => (
            <option key={seconds} value={seconds} className="bg-zinc-900">
              {chatTimerLabel(seconds)}
            </option>
          ))}
        </select>
      </label>
      <ChatInfoDialog partner={partner} safetyCode={props.safetyCode} timerSeconds={props.timerSeconds} />
      <ConfirmDialog
        trigger="Clear chat"
        triggerClassName={MENU_ITEM}
        title="Clear this chat?"
        confirmLabel="Clear chat"
        confirmClassName="bg-red-500"
        pending={props.pending}
        onConfirm={props.onClear}
        closeOnConfirm
      >
        <p>Every message is deleted for both of you, right now. This cannot be undone.</p>
      </ConfirmDialog>
      {props.blocked ? (
        <ConfirmDialog
          trigger="Unblock"
          triggerClassName={MENU_ITEM}
          title={`Unblock ${partner}?`}
          confirmLabel="Unblock"
          confirmClassName="bg-emerald-500"
          pending={props.pending}
          onConfirm={props.onUnblock}
          closeOnConfirm
        >
          <p>{partner} will be able to open a chat with you and send you messages again.</p>
        </ConfirmDialog>
      ) : (
        <ConfirmDialog
          trigger="Block"
          triggerClassName={MENU_ITEM}
          title={`Block ${partner}?`}
          confirmLabel="Block"
          confirmClassName="bg-red-500"
          pending={props.pending}
          onConfirm={props.onBlock}
          closeOnConfirm
        >
          <p>
            {partner} will not be able to open a chat with you or send you messages. They are told only that they can’t
            message you.
          </p>
        </ConfirmDialog>
      )}
    </MoreActions>
  );
}

import type { PendingMessage } from "~/lib/conversation";
import type { ChatMessage } from "~/lib/chat-message";
import type { DeliveryStatus } from "~/shared/room-events";
import { MessageImage } from "./message-image";
import { MessageTimer } from "./message-timer";
import { ReceiptTicks } from "./receipt-ticks";

type BubbleProps = (
  | { kind: "confirmed"; message: ChatMessage; receipt?: DeliveryStatus }
  | { kind: "pending"; message: PendingMessage; onRetry: (message: PendingMessage) => void }
) & {
  /** Shown instead of the sender's name ("You", "Stranger" in a stranger chat). */
  label?: string;
  /** When it was sent, as the reader's locale writes it. */
  time: string;
  /**
   * It follows the same person's message just above: its header is left to screen readers
   * (who said it and when), and it sits closer.
   */
  continues?: boolean;
};

const PENDING_LABELS = { sending: "Sending…", queued: "Waiting for connection…" } as const;

/** One message. Text is always rendered as text, never as HTML, and long words wrap. */
export function MessageBubble(props: BubbleProps) {
  const { message } = props;
  const mine = props.kind === "pending" || props.message.mine;
  const failed = props.kind === "pending" && props.message.status === "failed";
  const receipt = props.kind === "confirmed" && mine ? (props.receipt ?? "sent") : undefined;
  // Nothing of an unreadable message is known, its sender's name included.
  const undecryptable = props.kind === "confirmed" && props.message.undecryptable === true;
  const label = props.label ?? (undecryptable ? (mine ? "You" : "Your partner") : message.sender);
  const image = props.kind === "confirmed" ? props.message.image : props.message.image;
  return (
    <article
      data-author={mine ? "me" : "partner"}
      data-status={props.kind === "pending" ? props.message.status : "sent"}
      data-receipt={receipt}
      data-id={props.kind === "confirmed" ? props.message.id : undefined}
      data-undecryptable={undecryptable || undefined}
      className={`flex flex-wrap items-end gap-1 ${mine ? "justify-end" : "justify-start"} ${props.continues ? "-mt-3" : ""}`}
    >
      {/* First child, always: the bubble is the second (the tests read messages that way). */}
      <p className={props.continues ? "sr-only" : `w-full text-xs text-zinc-400 ${mine ? "text-right" : ""}`}>
        <span className={mine ? "text-emerald-300/80" : "text-sky-300/80"}>{label}</span>
        {mine && !props.label && !undecryptable && <span className="sr-only"> (you)</span>} ·{" "}
        <time dateTime={new Date(message.timestamp).toISOString()}>{props.time}</time>
      </p>
      {undecryptable ? (
        <p className="max-w-[85%] rounded-lg border border-dashed border-amber-500/60 px-3 py-2 italic text-amber-200">
          This message could not be decrypted
        </p>
      ) : image ? (
        <div
          className={`max-w-[85%] ${props.kind === "pending" && !failed ? "opacity-60" : ""} ${failed ? "rounded-lg ring-1 ring-red-500/70" : ""}`}
        >
          <MessageImage image={image} alt={`Image from ${label}`} />
        </div>
      ) : (
        <p
          className={`max-w-[85%] whitespace-pre-wrap rounded-lg px-3 py-2 font-reading leading-snug [overflow-wrap:anywhere] ${
            mine ? "rounded-br-sm bg-emerald-500/15 text-emerald-50" : "rounded-bl-sm bg-zinc-800 text-zinc-100"
          } ${props.kind === "pending" && !failed ? "opacity-60" : ""} ${failed ? "ring-1 ring-red-500/70" : ""}`}
        >
          {message.text}
        </p>
      )}
      {/* A direct chat's message says when it goes, beside it, grouped or not. */}
      {props.kind === "confirmed" && props.message.expiresAt !== undefined && (
        <MessageTimer expiresAt={props.message.expiresAt} />
      )}
      {/* Beside each of one's own messages, grouped or not; a pending one keeps the place free. */}
      {receipt ? (
        <ReceiptTicks status={receipt} />
      ) : (
        mine && <span aria-hidden="true" className="ml-1 w-[1.125rem] shrink-0" />
      )}
      {props.kind === "pending" &&
        (props.message.status === "failed" ? (
          <p role="alert" className="flex w-full items-center justify-end gap-2 text-xs text-red-400">
            Not sent{props.message.error ? `: ${props.message.error}` : ""}
            <button
              type="button"
              onClick={() => props.onRetry(props.message)}
              className="rounded border border-red-500/60 px-2 py-0.5 text-red-200 hover:bg-red-500/10"
            >
              Retry
            </button>
          </p>
        ) : (
          <p
            className={`w-full text-right text-xs ${props.message.status === "queued" ? "text-amber-300" : "text-zinc-400"}`}
          >
            {PENDING_LABELS[props.message.status]}
          </p>
        ))}
    </article>
  );
}

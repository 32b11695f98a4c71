import { createLogClock } from "~/lib/message-groups";
import { partnerName, partnerStatus, type PartnerState, type PartnerStatus as Status } from "~/lib/partner";

/** Times as the log writes them. */
const clock = createLogClock();

function privateText(status: Status, name: string): string {
  if (status.kind === "online") return `${name} · online`;
  if (status.kind === "unconfirmed") return `${name} · unknown while reconnecting`;
  if (status.kind === "last-seen") return `${name} · last seen ${clock.time(status.at)}`;
  if (status.kind === "waiting") return "waiting for someone to join";
  return "\u00a0";
}

// A stranger has no name and no history worth a time: who they are to you, and whether they are here.
const STRANGER_TEXT: Record<Status["kind"], string> = {
  unknown: "Chatting with a Stranger",
  online: "Chatting with a Stranger · online",
  unconfirmed: "Chatting with a Stranger · unknown while reconnecting",
  "last-seen": "Chatting with a Stranger · disconnected",
  waiting: "Chatting with a Stranger · on their way",
};

/** The other person in a few words: here now, when they were last here, or nobody yet. */
export function PartnerStatus({ partner, stranger }: { partner: PartnerState; stranger: boolean }) {
  const status = partnerStatus(partner);
  const text = stranger ? STRANGER_TEXT[status.kind] : privateText(status, partnerName(partner));
  return (
    <p
      data-testid="presence"
      data-presence={status.kind}
      className="flex min-w-0 items-center gap-2 text-xs text-zinc-400"
    >
      {status.kind !== "unknown" && (
        <span
          aria-hidden="true"
          className={`size-2 shrink-0 rounded-full ${status.kind === "online" ? "bg-emerald-400" : "border border-zinc-500"}`}
        />
      )}
      <span className="truncate">{text}</span>
    </p>
  );
}

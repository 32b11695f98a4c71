import { createLogClock } from "~/lib/message-groups";
import { partnerName, partnerStatus, type PartnerState, type PartnerStatus as Status } from "~/lib/partner";

/** Times as the log writes them. */
const clock = createLogClock();

function privateText(status: Status, name: string): string {
  if (status.kind === "online") return `${name} · online`;
  if (status.kind === "joining") return "Someone is joining · choosing a name";
  if (status.kind === "unconfirmed") return `${name} · unknown while reconnecting`;
  if (status.kind === "last-seen") return `${name} · last seen ${clock.time(status.at)}`;
  if (status.kind === "waiting") return "waiting for someone to join";
  return "\u00a0";
}

/** A direct chat's partner is known by name: nothing but the name until they have opened it. */
function directText(status: Status, username: string): string {
  if (status.kind === "unknown" || status.kind === "waiting") return username;
  // Their name is their account's: nothing to choose.
  if (status.kind === "joining") return `${username} · online`;
  return privateText(status, username);
}

// A stranger has no name and no history worth a time: who they are to you, and whether they are here.
const STRANGER_TEXT: Record<Status["kind"], string> = {
  unknown: "Chatting with a Stranger",
  online: "Chatting with a Stranger · online",
  joining: "Chatting with a Stranger · online",
  unconfirmed: "Chatting with a Stranger · unknown while reconnecting",
  "last-seen": "Chatting with a Stranger · disconnected",
  waiting: "Chatting with a Stranger · on their way",
};

/**
 * The other person in a few words: here now, when they were last here, or nobody yet. In a
 * direct chat (`username`), whether they have this chat open.
 */
export function PartnerStatus({
  partner,
  stranger,
  username,
}: {
  partner: PartnerState;
  stranger: boolean;
  username?: string;
}) {
  const status = partnerStatus(partner);
  const text = stranger
    ? STRANGER_TEXT[status.kind]
    : username !== undefined
      ? directText(status, username)
      : privateText(status, partnerName(partner));
  const split = text.indexOf(" · ");
  const [who, state] = split === -1 ? [text, ""] : [text.slice(0, split), text.slice(split)];
  return (
    <p
      title={text}
      data-testid="presence"
      data-presence={status.kind}
      className="flex min-w-0 items-center gap-2 text-xs text-zinc-400"
    >
      {status.kind !== "unknown" && (
        <span
          aria-hidden="true"
          className={`size-2 shrink-0 rounded-full ${status.kind === "online" || status.kind === "joining" ? "bg-emerald-400" : "border border-zinc-500"}`}
        />
      )}
      {/* A long name gives way, never whether they are here: only the name is cut short. */}
      <span className="flex min-w-0">
        <span className="truncate">{who}</span>
        {state && <span className="shrink-0 whitespace-pre">{state}</span>}
      </span>
    </p>
  );
}

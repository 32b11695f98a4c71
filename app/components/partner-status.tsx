import { partnerName, partnerStatus, type PartnerState } from "~/lib/partner";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** The other person in a few words: here now, when they were last here, or nobody yet. */
export function PartnerStatus({ partner }: { partner: PartnerState }) {
  const status = partnerStatus(partner);
  const name = partnerName(partner);
  let text = "\u00a0";
  if (status.kind === "online") text = `${name} · online`;
  else if (status.kind === "last-seen") text = `${name} · last seen ${timeFormat.format(status.at)}`;
  else if (status.kind === "waiting") text = "waiting for someone to join";
  return (
    <p data-testid="presence" data-presence={status.kind} className="flex min-w-0 items-center gap-2 text-xs text-zinc-400">
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

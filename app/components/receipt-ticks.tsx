import type { DeliveryStatus } from "~/shared/room-events";

const LABELS: Record<DeliveryStatus, string> = { sent: "Sent", delivered: "Delivered", seen: "Seen" };

/** One tick: stored. Two: on the partner's device. Two in blue: on their screen. */
export function ReceiptTicks({ status }: { status: DeliveryStatus }) {
  return (
    <svg
      role="img"
      aria-label={LABELS[status]}
      viewBox="0 0 18 12"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      className={`mb-1 ml-1 inline-block h-3 w-[1.125rem] shrink-0 align-[-1px] ${status === "seen" ? "text-sky-400" : "text-zinc-400"}`}
    >
      <title>{LABELS[status]}</title>
      <path d="M1.5 6.5 5 10l6.5-8" />
      {status !== "sent" && <path d="M8.5 9 9.5 10 16 2" />}
    </svg>
  );
}

import type { ChatMessage } from "./chat-message";
import type { DeliveryStatus } from "~/shared/room-events";

/** The partner's receipts: every own message with id ≤ delivered reached them, ≤ seen was read. */
export interface Watermarks {
  delivered: number;
  seen: number;
}

export const noReceipts: Watermarks = { delivered: 0, seen: 0 };

const RANK: Record<DeliveryStatus, number> = { sent: 0, delivered: 1, seen: 2 };

/** Watermarks only rise: an older event that arrives late must not take a tick away. */
export function raiseWatermarks(current: Watermarks, next: Partial<Watermarks>): Watermarks {
  const delivered = Math.max(current.delivered, next.delivered ?? 0);
  const seen = Math.max(current.seen, next.seen ?? 0);
  return delivered === current.delivered && seen === current.seen ? current : { delivered, seen };
}

/**
 * How far an own stored message has got: the best of what its copy said when read and what the
 * partner's watermarks say since, so a late or missed receipts event never lowers it.
 */
export function receiptStatus(message: Pick<ChatMessage, "id" | "status">, marks: Watermarks): DeliveryStatus {
  const derived: DeliveryStatus =
    message.id <= marks.seen ? "seen" : message.id <= marks.delivered ? "delivered" : "sent";
  const stored = message.status ?? "sent";
  return RANK[stored] >= RANK[derived] ? stored : derived;
}

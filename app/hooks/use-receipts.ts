import { useCallback, useEffect, useRef, type RefObject } from "react";
import { createReceiptSender, type ReceiptSender } from "~/lib/receipt-sender";
import { trpc } from "~/lib/trpc";

/** Short enough that the sender's second tick still feels instant. */
const RECEIPT_COALESCE_MS = 150;

/**
 * Acknowledges the partner's messages: delivered as soon as they are here, seen when the log
 * reports one on a visible screen (`onSeen`). Returns `onSeen`. Nothing is sent while `quiet`.
 */
export function useReceipts(roomId: string, latestPartnerId: number, live: boolean, quiet: RefObject<boolean>) {
  const utils = trpc.useUtils();
  const sender = useRef<ReceiptSender>();

  useEffect(() => {
    const receipts = createReceiptSender(
      (marks) =>
        // While the room is being destroyed or left, a receipt would only meet a 404.
        quiet.current
          ? Promise.reject(new Error("room closing"))
          : utils.client.message.receipt.mutate({ roomId, ...marks }),
      // A message that arrives on a visible screen is delivered and seen in one request.
      { coalesceMs: RECEIPT_COALESCE_MS },
    );
    sender.current = receipts;
    return () => receipts.stop();
  }, [roomId, utils, quiet]);

  useEffect(() => {
    if (latestPartnerId > 0) sender.current?.raise({ delivered: latestPartnerId });
  }, [latestPartnerId]);

  useEffect(() => {
    // Back on the stream: whatever failed while we were cut off can go now.
    if (live) sender.current?.flush();
  }, [live]);

  return useCallback((id: number) => {
    sender.current?.raise({ seen: id });
  }, []);
}

import { describe, expect, it } from "vitest";
import { noReceipts, raiseWatermarks, receiptStatus } from "./receipt-status";

describe("receipt status of own messages", () => {
  it("follows the partner's watermarks", () => {
    const marks = { delivered: 5, seen: 3 };
    expect([2, 3, 4, 5, 6].map((id) => receiptStatus({ id }, marks))).toEqual([
      "seen",
      "seen",
      "delivered",
      "delivered",
      "sent",
    ]);
  });

  it("never shows less than the message's own copy said", () => {
    expect(receiptStatus({ id: 9, status: "seen" }, noReceipts)).toBe("seen");
    expect(receiptStatus({ id: 9, status: "delivered" }, { delivered: 9, seen: 9 })).toBe("seen");
    expect(receiptStatus({ id: 9, status: "delivered" }, noReceipts)).toBe("delivered");
  });

  it("only ever raises watermarks, keeping the same object when nothing rose", () => {
    const marks = raiseWatermarks(noReceipts, { delivered: 4, seen: 2 });
    expect(marks).toEqual({ delivered: 4, seen: 2 });
    expect(raiseWatermarks(marks, { delivered: 3, seen: 1 })).toBe(marks);
    expect(raiseWatermarks(marks, { seen: 4 })).toEqual({ delivered: 4, seen: 4 });
  });
});

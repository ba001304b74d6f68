import { describe, expect, it } from "vitest";
import { requestIds } from "./audit.js";

describe("requestIds", () => {
  it("takes the top-level *Id fields, snake_cased, and leaves the rest", () => {
    expect(
      requestIds({ paymentId: "pay_1", refundId: "", runId: 7n, reason: "x", orders: [{ orderId: "o1" }] }),
    ).toEqual({ payment_id: "pay_1", run_id: "7" });
  });

  it("keeps what PostgreSQL's jsonb cannot store out of the record, and caps its length", () => {
    const ids = requestIds({ paymentId: "pay\u0000\u001b[2J\ud800x", sellerId: "s".repeat(5_000) });
    expect(ids.payment_id).toBe("pay\ufffd\ufffd[2J\ufffdx");
    expect(ids.seller_id).toHaveLength(200);
    expect(requestIds({ paymentId: "a\ud83d\ude00b" }).payment_id).toBe("a\ud83d\ude00b");
  });
});

import { describe, expect, it } from "vitest";
import type { Posting } from "../../contracts/accounting/postings.js";
import { postingFingerprint } from "./posting.js";

const usd = (amountMinor: bigint) => ({ amountMinor, currency: "USD" });
const posting: Posting = {
  transactionId: "t-1",
  description: "pay-in",
  entries: [
    { accountCode: "psp_receivable:USD", direction: "DEBIT", amount: usd(1_000n) },
    { accountCode: "seller_payable:s1:USD", direction: "CREDIT", amount: usd(1_000n) },
  ],
};

describe("postingFingerprint", () => {
  it("is the same for the same content and differs for any change", () => {
    expect(postingFingerprint(posting)).toBe(postingFingerprint(structuredClone(posting)));
    expect(postingFingerprint(posting)).not.toBe(postingFingerprint({ ...posting, description: "other" }));
    expect(postingFingerprint(posting)).not.toBe(
      postingFingerprint({
        ...posting,
        entries: posting.entries.map((e, i) => (i === 1 ? { ...e, amount: usd(1_001n) } : e)),
      }),
    );
    expect(postingFingerprint(posting)).not.toBe(
      postingFingerprint({ ...posting, entries: [...posting.entries].reverse() }),
    );
  });
});

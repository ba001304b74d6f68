import { describe, expect, it } from "vitest";
import { validatePosting, type PostingInput } from "../../contracts/accounting/postings.js";
import { postingFingerprint } from "./posting.js";

const usd = (amountMinor: bigint) => ({ amountMinor, currency: "USD" });
const valid: PostingInput = {
  transactionId: "t-1",
  description: "pay-in",
  entries: [
    { accountCode: "psp_receivable:USD", direction: "DEBIT", amount: usd(1_000n) },
    { accountCode: "seller_payable:s1:USD", direction: "CREDIT", amount: usd(900n) },
    { accountCode: "platform_fee_revenue:USD", direction: "CREDIT", amount: usd(100n) },
  ],
};
describe("postingFingerprint", () => {
  it("is the same for the same content and differs for any change", () => {
    const posting = validatePosting(valid);
    expect(postingFingerprint(posting)).toBe(postingFingerprint(validatePosting(structuredClone(valid))));
    expect(postingFingerprint(posting)).not.toBe(postingFingerprint({ ...posting, description: "other" }));
    expect(postingFingerprint(posting)).not.toBe(postingFingerprint({ ...posting, entries: posting.entries.map((e, i) => (i === 1 ? { ...e, amount: usd(901n) } : e)) }));
    expect(postingFingerprint(posting)).not.toBe(postingFingerprint({ ...posting, entries: [...posting.entries].reverse() }));
  });
});

import { describe, expect, it } from "vitest";
import { walletViolations } from "./invariants.js";

describe("walletViolations", () => {
  it("compares every seller and currency, counting a missing side as zero", () => {
    const violations = walletViolations(
      [
        { accountCode: "seller_payable:a:USD", balanceMinor: 1_000n },
        { accountCode: "seller_payable:b:USD", balanceMinor: 500n },
        { accountCode: "seller_payable:c:EUR", balanceMinor: 0n },
      ],
      [
        { sellerId: "a", currency: "USD", availableMinor: 1_000n },
        { sellerId: "b", currency: "USD", availableMinor: 450n },
        { sellerId: "d:x", currency: "EUR", availableMinor: 7n },
      ],
    );
    expect(violations).toEqual([
      {
        invariant: "wallet_differs_from_seller_payable",
        accountCode: "seller_payable:b:USD",
        currency: "USD",
        detail: '"seller_payable:b:USD" is 5.00 USD in the ledger, but the wallet of seller "b" holds 4.50 USD',
      },
      {
        invariant: "wallet_differs_from_seller_payable",
        accountCode: "seller_payable:d:x:EUR",
        currency: "EUR",
        detail: '"seller_payable:d:x:EUR" is 0.00 EUR in the ledger, but the wallet of seller "d:x" holds 0.07 EUR',
      },
    ]);
  });
});

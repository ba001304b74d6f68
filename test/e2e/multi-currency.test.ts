import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { splitOrder } from "../../services/payment/domain/fees.js";
import { money } from "../ledger/platform-books.js";
import { PLATFORM_FEE_BPS } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");
const wallets = () => under.client("wallet", "marketplace");

function checkoutIn(sellerId: string, amountMinor: number, currency: string) {
  return {
    checkoutId: `cart-${randomUUID()}`,
    buyerId: `buyer-${randomUUID()}`,
    orders: [{ orderId: "o1", sellerId, amount: money(amountMinor, currency) }],
  };
}

describe("several currencies, never converted", () => {
  it("JPY (no decimals) and KWD (three) are charged, split and credited in their own minor units", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const cases = [
      { currency: "JPY", amount: 1_234, shown: "JPY 1234" },
      { currency: "KWD", amount: 12_345, shown: "KWD 12.345" },
      { currency: "USD", amount: 999, shown: "USD 9.99" },
    ];
    for (const { currency, amount, shown } of cases) {
      const payment = (await payments().createPayment(checkoutIn(sellerId, amount, currency))).payment!;
      const page = await fetch(payment.hostedPageUrl).then((r) => r.text());
      expect(page).toContain(shown);
      await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success);
      const net = BigInt(amount) - splitOrder(BigInt(amount), PLATFORM_FEE_BPS).platformFeeMinor;
      await waitFor(
        () => wallets().getBalance({ sellerId, currency }),
        (r) => r.balance!.available!.amountMinor === net,
        15_000,
        `the ${currency} wallet to hold ${net}`,
      );
    }
    // One balance per currency, each in its own unit.
    const { balances } = await wallets().listBalances({ sellerId });
    expect(balances.map((b) => b.available!.currency).sort()).toEqual(["JPY", "KWD", "USD"]);
    expect((await wallets().getBalance({ sellerId, currency: "JPY" })).balance!.available!.amountMinor).toBe(
      BigInt(1_234 - 31),
    );
    expect((await wallets().getBalance({ sellerId, currency: "KWD" })).balance!.available!.amountMinor).toBe(
      BigInt(12_345 - 309),
    );
    await waitFor(
      () => under.client("ledger", "operator-tools").checkInvariants({}),
      (r) => r.violations.length === 0,
      10_000,
      "the books to be clean",
    );
  });

  it("an ISO currency the platform does not support is INVALID_ARGUMENT naming the supported ones", async () => {
    await expect(payments().createPayment(checkoutIn("s", 100, "XAF"))).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringMatching(
        /orders\[0\]\.amount\.currency: XAF is not a currency the platform supports \(USD, EUR, .*KWD/,
      ),
    });
    await expect(payments().createPayment(checkoutIn("s", 100, "usd"))).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringContaining("is not an ISO 4217 currency code"),
    });
  });
});

import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PayoutStatus } from "../../gen/wallet/v1/wallet_pb.js";
import { PaymentStatus, RefundStatus, ReviewOutcome } from "../../gen/payment/v1/payment_pb.js";
import { Decision } from "../../gen/risk/v1/risk_pb.js";
import { feeReversedUpTo, splitOrder } from "../../services/payment/domain/fees.js";
import { paidOrder, walletBalance } from "../ledger/platform-books.js";
import { getPayout, setPayoutAccount } from "../payouts/payout-calls.js";
import { heldForReview, payCheckout, sampleCheckout } from "../support/checkouts.js";
import { PLATFORM_FEE_BPS } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";
import { definitionsOf, navigate, openLoggedIn, rowsOf, tableUnder, usdText, useBrowser } from "./browser.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");
const browser = useBrowser();

const getPayment = (paymentId: string) =>
  payments()
    .getPayment({ paymentId })
    .then((r) => r.payment!);
const TIME = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);

/** Reloads the page until the rows of the table under `heading` satisfy `done`; those rows. */
async function reloadUntil(heading: string, done: (rows: string[][]) => boolean, what: string): Promise<string[][]> {
  const { page } = browser;
  return waitFor(
    async () => {
      await page.reload();
      return rowsOf(tableUnder(page, heading));
    },
    done,
    15_000,
    what,
  );
}

describe("an operator moves money from the console in a real browser", () => {
  it("finance approves a payment held for risk review: it leaves the queue and goes to the PSP, the review shown and recorded", async () => {
    const { page, shot } = browser;
    const paymentId = await heldForReview(payments());
    const held = await getPayment(paymentId);
    const why = held.risk!.reasons.map((r) => `${r.code}: ${r.message}`);
    expect(why).toEqual([expect.stringMatching(/^amount_review: 6000\.00 USD exceeds /)]);
    const note = "known buyer, called them back";

    await openLoggedIn(page, under.platform.console.url, "/payments", { shot });
    await navigate(page, "Risk reviews", "/risk-reviews");
    expect((await rowsOf(page.locator("table"))).filter((cells) => cells[0] === paymentId)).toEqual([
      [paymentId, `${held.buyerId} (US)`, "6000.00 USD", held.risk!.reasons[0]!.message, TIME],
    ]);
    await shot("risk review queue");

    await page.getByRole("link", { name: paymentId, exact: true }).click();
    await page.waitForURL(`**/payments/${paymentId}`);
    expect(await page.locator("#payment .status").innerText()).toBe("NOT_STARTED");
    expect(await definitionsOf(page.locator("#risk"))).toEqual({ Decision: "review", Why: why.join("\n") });
    await page.getByLabel("Note").fill(note);
    await shot("held payment with the review form filled in");
    await page.getByRole("button", { name: "Approve: send it to the PSP" }).click();

    await page.waitForURL(`**/payments/${paymentId}?reviewed=approve`);
    expect(await page.getByRole("status").innerText()).toBe("Review recorded: approved.");
    expect(await page.locator("#payment .status").innerText()).toBe("EXECUTING");
    expect(await definitionsOf(page.locator("#risk"))).toEqual({
      Decision: "review",
      Why: why.join("\n"),
      Review: `approved by admin: ${note}`,
    });
    expect(await page.getByRole("button", { name: "Approve: send it to the PSP" }).count()).toBe(0);
    await shot("review recorded approved");
    expect(await getPayment(paymentId)).toMatchObject({
      status: PaymentStatus.EXECUTING,
      risk: { decision: Decision.REVIEW, reviewOutcome: ReviewOutcome.APPROVED, reviewer: "admin", reviewNote: note },
    });

    await navigate(page, "Risk reviews", "/risk-reviews");
    expect(await page.getByRole("link", { name: paymentId, exact: true }).count()).toBe(0);
    expect(await page.locator("main").innerText()).toContain("No payment waits for a review.");
    await shot("queue without the approved payment");
  });

  it("finance refunds 5.00 USD of an order: a wrong amount is named and nothing sent; the refund succeeds with its fee and seller split, the payment partially refunded", async () => {
    const { page, shot } = browser;
    const paymentId = await payCheckout(payments(), sampleCheckout()); // order-1: 25.00 USD for seller-a
    const order = { amountMinor: 2_500n, platformFeeMinor: splitOrder(2_500n, PLATFORM_FEE_BPS).platformFeeMinor };
    const feeReversedMinor = feeReversedUpTo(order, 500n);
    const reason = "arrived damaged";

    await openLoggedIn(page, under.platform.console.url, `/payments/${paymentId}`, { shot });
    expect(await page.locator("#payment .status").innerText()).toBe("SUCCEEDED");
    expect(await page.locator("h2:text-is('Refunds') + p").innerText()).toBe("No refunds.");
    await page.getByLabel("Order").selectOption("order-1");
    await page.getByLabel("Amount in USD").fill("5.005");
    await page.getByLabel("Reason").fill(reason);
    await shot("refund form with three decimals");
    await page.getByRole("button", { name: "Refund", exact: true }).click();

    await page.waitForURL(`**/payments/${paymentId}/refunds`);
    expect(await page.locator("h1").innerText()).toBe("Not refunded");
    expect(await page.getByRole("alert").innerText()).toBe(
      '"5.005" is not an amount in USD: digits, with at most 2 decimals, more than zero.',
    );
    await shot("amount refused");
    await page.getByRole("link", { name: "Back to the payment" }).click();
    await page.waitForURL(`**/payments/${paymentId}`);
    expect(await page.locator("h2:text-is('Refunds') + p").innerText()).toBe("No refunds.");
    expect((await payments().listRefunds({ paymentId })).refunds).toEqual([]);

    const refundId = await page.locator('input[name="refund_id"]').inputValue();
    await page.getByLabel("Order").selectOption("order-1");
    await page.getByLabel("Amount in USD").fill("5.00");
    await page.getByLabel("Reason").fill(reason);
    await shot("refund form");
    await page.getByRole("button", { name: "Refund", exact: true }).click();

    await page.waitForURL(`**/payments/${paymentId}?refunded=${refundId}`);
    expect(await page.getByRole("status").innerText()).toBe(
      `Refund ${refundId} sent to the PSP; its status follows below.`,
    );
    await shot("refund sent");
    const refunds = await reloadUntil(
      "Refunds",
      (rows) => rows[0]?.[5] === "SUCCEEDED",
      `refund ${refundId} SUCCEEDED on its payment's page`,
    );
    expect(refunds).toEqual([
      [
        refundId,
        "order-1",
        "5.00 USD",
        usdText(feeReversedMinor),
        usdText(500n - feeReversedMinor),
        "SUCCEEDED",
        expect.stringMatching(/^re_/),
        reason,
        TIME,
      ],
    ]);
    expect(await page.locator("#payment .status").innerText()).toBe("PARTIALLY_REFUNDED");
    expect((await rowsOf(tableUnder(page, "Orders"))).map(([orderId, , , , status]) => [orderId, status])).toEqual([
      ["order-1", "PARTIALLY_REFUNDED"],
      ["order-2", "SUCCEEDED"],
    ]);
    await shot("refund succeeded and payment partially refunded");

    expect((await payments().listRefunds({ paymentId })).refunds).toMatchObject([
      {
        refundId,
        orderId: "order-1",
        sellerId: "seller-a",
        amount: { amountMinor: 500n, currency: "USD" },
        platformFeeReversed: { amountMinor: feeReversedMinor, currency: "USD" },
        sellerDebit: { amountMinor: 500n - feeReversedMinor, currency: "USD" },
        status: RefundStatus.SUCCEEDED,
        reason,
      },
    ]);
    expect((await getPayment(paymentId)).status).toBe(PaymentStatus.PARTIALLY_REFUNDED);
  });

  it("finance pays out part of a seller's balance: the payout is requested, paid, and the balance falls by exactly its amount", async () => {
    const { page, shot } = browser;
    const sellerId = `seller-${randomUUID()}`;
    const { netMinor } = await paidOrder(under.platform, sellerId, 10_000);
    await setPayoutAccount(under.platform, sellerId, "ba_789");
    const payoutMinor = 1_234n; // 12.34 USD, as typed below

    await openLoggedIn(page, under.platform.console.url, `/wallets/${sellerId}`, { shot });
    expect((await rowsOf(tableUnder(page, "Balances"))).map((cells) => cells.slice(0, 2))).toEqual([
      [sellerId, usdText(netMinor)],
    ]);
    expect(await page.locator("h2:text-is('Payouts') + p").innerText()).toBe("No payouts.");
    const payoutId = await page.locator('input[name="payout_id"]').inputValue();
    await page.getByLabel("Amount in USD").fill("12.34");
    await shot("payout form");
    await page.getByRole("button", { name: "Pay out USD" }).click();

    await page.waitForURL(`**/wallets/${sellerId}?payout=${payoutId}`);
    expect(await page.getByRole("status").innerText()).toBe(`Payout ${payoutId} requested; its status follows below.`);
    await shot("payout requested");
    const payouts = await reloadUntil(
      "Payouts",
      (rows) => rows[0]?.[2] === "PAID",
      `payout ${payoutId} PAID on the seller's page`,
    );
    expect(payouts).toEqual([[payoutId, usdText(payoutMinor), "PAID", "ba_789", expect.stringMatching(/^po_/), ""]]);
    expect((await rowsOf(tableUnder(page, "Balances"))).map((cells) => cells.slice(0, 2))).toEqual([
      [sellerId, usdText(netMinor - payoutMinor)],
    ]);
    await shot("payout paid and balance reduced");

    expect(await getPayout(under.platform, payoutId)).toMatchObject({
      payoutId,
      sellerId,
      amount: { amountMinor: payoutMinor, currency: "USD" },
      status: PayoutStatus.PAID,
      destination: "ba_789",
    });
    expect(await walletBalance(under.platform, sellerId, "USD")).toBe(netMinor - payoutMinor);
  });
});

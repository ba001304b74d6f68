import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { PayoutStatus } from "../../gen/wallet/v1/wallet_pb.js";
import { connectAs, HARNESS } from "../support/nats-users.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";
import { failure } from "../support/clients.js";
import {
  clientOf,
  expectBooksClean,
  ledgerBalance,
  money,
  paidOrder,
  waitForPosting,
  walletBalance,
} from "../ledger/platform-books.js";
import { publishRefund, refundEvent } from "../refunds/refund-events.js";
import { getPayout, pspPayouts, requestPayout, setPayoutAccount, waitForPayout } from "./payout-calls.js";

const under = usePlatform();

const newSeller = () => `seller-${randomUUID()}`;
const newPayoutId = () => `po-${randomUUID()}`;

/** A seller with a payout account and the net of one paid order in their wallet. */
async function sellerWithBalance(amountMinor: number, currency = "USD", destination = "ba_123") {
  const sellerId = newSeller();
  const { netMinor } = await paidOrder(under.platform, sellerId, amountMinor, currency);
  await setPayoutAccount(under.platform, sellerId, destination);
  return { sellerId, netMinor };
}

describe("a payout", () => {
  it("is PENDING at once with its amount taken from the balance, then PAID by the PSP; the ledger moves it through payouts_in_transit", async () => {
    const { sellerId, netMinor } = await sellerWithBalance(10_000);
    const payoutId = newPayoutId();
    const requested = await requestPayout(under.platform, payoutId, sellerId, 5_000);
    expect(requested).toMatchObject({
      payoutId,
      sellerId,
      amount: money(5_000, "USD"),
      status: PayoutStatus.PENDING,
      destination: "ba_123",
      pspPayoutId: expect.stringMatching(/^po_/),
      failureCode: "",
    });
    expect(await walletBalance(under.platform, sellerId, "USD")).toBe(netMinor - 5_000n);

    const paid = await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
    expect(paid.pspPayoutId).toBe(requested.pspPayoutId);
    expect(await pspPayouts(under.platform, payoutId)).toEqual([
      expect.objectContaining({
        id: requested.pspPayoutId,
        amount: 5_000,
        currency: "USD",
        destination: "ba_123",
        reference: payoutId,
        status: "paid",
      }),
    ]);
    expect(await waitForPosting(under.platform, `payout:${payoutId}:requested`)).toEqual([
      `Dr seller_payable:${sellerId}:USD 5000`,
      "Cr payouts_in_transit:USD 5000",
    ]);
    expect(await waitForPosting(under.platform, `payout:${payoutId}:paid`)).toEqual([
      "Dr payouts_in_transit:USD 5000",
      "Cr bank:platform:USD 5000",
    ]);
    expect(await ledgerBalance(under.platform, `seller_payable:${sellerId}:USD`)).toBe(netMinor - 5_000n);
    await expectBooksClean(under.platform);

    const { payouts } = await clientOf(under.platform, "wallet").listPayouts({ sellerId });
    expect(payouts).toEqual([paid]);
  });

  it("to a destination the PSP cannot pay ends FAILED with the PSP's reason, and its amount returns to the balance", async () => {
    const { sellerId, netMinor } = await sellerWithBalance(4_000, "USD", "ba_closed");
    const payoutId = newPayoutId();
    await requestPayout(under.platform, payoutId, sellerId, netMinor);
    expect(await walletBalance(under.platform, sellerId, "USD")).toBe(0n);

    const failed = await waitForPayout(under.platform, payoutId, PayoutStatus.FAILED);
    expect(failed).toMatchObject({
      failureCode: "account_closed",
      failureMessage: "The bank account has been closed.",
    });
    expect(await walletBalance(under.platform, sellerId, "USD")).toBe(netMinor);
    expect(await waitForPosting(under.platform, `payout:${payoutId}:failed`)).toEqual([
      `Dr payouts_in_transit:USD ${netMinor}`,
      `Cr seller_payable:${sellerId}:USD ${netMinor}`,
    ]);
    expect(await ledgerBalance(under.platform, `seller_payable:${sellerId}:USD`)).toBe(netMinor);
    await expectBooksClean(under.platform);
  });

  it("is idempotent on payout_id: the same request gives the same payout and one PSP payout; another request is ALREADY_EXISTS", async () => {
    const { sellerId, netMinor } = await sellerWithBalance(3_000);
    const payoutId = newPayoutId();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => requestPayout(under.platform, payoutId, sellerId, 1_000)),
    );
    expect(new Set(answers.map((a) => a.pspPayoutId)).size).toBe(1);
    await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
    expect(await requestPayout(under.platform, payoutId, sellerId, 1_000)).toEqual(
      await getPayout(under.platform, payoutId),
    );
    expect(await pspPayouts(under.platform, payoutId)).toHaveLength(1);
    expect(await walletBalance(under.platform, sellerId, "USD")).toBe(netMinor - 1_000n);

    const conflict = `payout_id "${payoutId}" was already used for a payout of 10.00 USD to seller "${sellerId}"; use a new payout_id for another payout`;
    expect(await failure(requestPayout(under.platform, payoutId, sellerId, 999))).toEqual({
      code: Code.AlreadyExists,
      message: conflict,
    });
    expect(await failure(requestPayout(under.platform, payoutId, newSeller(), 1_000))).toEqual({
      code: Code.AlreadyExists,
      message: conflict,
    });
    await expectBooksClean(under.platform);
  });

  it("of more than the balance is FAILED_PRECONDITION stating what is available, in the currency's own digits", async () => {
    const { sellerId, netMinor } = await sellerWithBalance(12_345, "KWD");
    expect(netMinor).toBe(12_036n);
    const payoutId = newPayoutId();
    expect(await failure(requestPayout(under.platform, payoutId, sellerId, 12_037, "KWD"))).toEqual({
      code: Code.FailedPrecondition,
      message: `amount: 12.037 KWD is more than the 12.036 KWD available to seller "${sellerId}"`,
    });
    expect(await failure(requestPayout(under.platform, payoutId, sellerId, 1, "EUR"))).toEqual({
      code: Code.FailedPrecondition,
      message: `amount: 0.01 EUR is more than the 0.00 EUR available to seller "${sellerId}"`,
    });
    expect((await failure(getPayout(under.platform, payoutId))).code).toBe(Code.NotFound);
    expect(await walletBalance(under.platform, sellerId, "KWD")).toBe(12_036n);
  });

  it("for a seller without a payout account is FAILED_PRECONDITION saying so", async () => {
    const sellerId = newSeller();
    await paidOrder(under.platform, sellerId, 1_000);
    expect(await failure(requestPayout(under.platform, newPayoutId(), sellerId, 100))).toEqual({
      code: Code.FailedPrecondition,
      message: `seller "${sellerId}" has no payout account; set one with SetPayoutAccount first`,
    });
  });

  it.each([
    ["payout_id", { payoutId: "", sellerId: "s", amount: money(1, "USD") }, "payout_id: is required"],
    ["seller_id", { payoutId: "p", sellerId: "a b", amount: money(1, "USD") }, "seller_id: may contain only"],
    ["amount", { payoutId: "p", sellerId: "s" }, "amount: is required"],
    [
      "amount.amount_minor",
      { payoutId: "p", sellerId: "s", amount: money(0, "USD") },
      "amount.amount_minor: must be a positive integer",
    ],
    [
      "amount.currency",
      { payoutId: "p", sellerId: "s", amount: money(1, "usd") },
      'amount.currency: "usd" is not an ISO 4217 currency code',
    ],
  ])("with a bad %s is INVALID_ARGUMENT naming it", async (_field, request, message) => {
    const refused = await failure(clientOf(under.platform, "wallet").requestPayout(request));
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(refused.message).toContain(message);
  });
});

describe("payout accounts and listings", () => {
  it("SetPayoutAccount names a missing or too long destination", async () => {
    for (const [destination, message] of [
      ["", "destination: is required"],
      ["x".repeat(256), "destination: must be at most 255 characters, got 256"],
    ]) {
      expect(await failure(setPayoutAccount(under.platform, newSeller(), destination!))).toEqual({
        code: Code.InvalidArgument,
        message: expect.stringContaining(message!),
      });
    }
  });

  it("a payout keeps the destination it was requested with; ListPayouts pages newest first", async () => {
    const { sellerId } = await sellerWithBalance(10_000);
    const ids = [newPayoutId(), newPayoutId(), newPayoutId()];
    for (const [i, payoutId] of ids.entries()) {
      await setPayoutAccount(under.platform, sellerId, `ba_${i}`);
      await requestPayout(under.platform, payoutId, sellerId, 100 * (i + 1));
    }
    const first = await clientOf(under.platform, "wallet").listPayouts({ sellerId, pageSize: 2 });
    const second = await clientOf(under.platform, "wallet").listPayouts({
      sellerId,
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    const listed = [...first.payouts, ...second.payouts];
    expect(listed.map((p) => p.payoutId)).toEqual([...ids].reverse());
    expect(listed.map((p) => p.destination)).toEqual(["ba_2", "ba_1", "ba_0"]);
    expect(second.nextPageToken).toBe("");
    expect(
      (await failure(clientOf(under.platform, "wallet").listPayouts({ sellerId, pageToken: "nonsense" }))).code,
    ).toBe(Code.InvalidArgument);
    for (const payoutId of ids) await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
    await expectBooksClean(under.platform);
  });
});

describe("payouts and refunds", () => {
  it("a refund after a payout may take the balance below zero; no payout then until sales cover it", async () => {
    const { sellerId, netMinor } = await sellerWithBalance(2_000);
    const { paymentId } = await paidOrder(under.platform, sellerId, 1_000);
    const payoutId = newPayoutId();
    await requestPayout(under.platform, payoutId, sellerId, netMinor + 975n);
    await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);

    // The second order is refunded in full after its money was paid out.
    const nc = await connectAs(HARNESS);
    try {
      await publishRefund(jetstream(nc), under.platform.streams, refundEvent(sellerId, paymentId, 25n, 975n));
    } finally {
      await nc.close();
    }
    await waitFor(
      () => walletBalance(under.platform, sellerId, "USD"),
      (b) => b === -975n,
      15_000,
      "the negative balance",
    );
    expect(await failure(requestPayout(under.platform, newPayoutId(), sellerId, 1))).toEqual({
      code: Code.FailedPrecondition,
      message: `amount: 0.01 USD is more than the -9.75 USD available to seller "${sellerId}"`,
    });
    await expectBooksClean(under.platform);
  });
});

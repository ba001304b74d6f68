import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PayoutStatus } from "../../gen/wallet/v1/wallet_pb.js";
import { usePlatform } from "../support/use-platform.js";
import { expectBooksClean, paidOrder, walletBalance } from "../ledger/platform-books.js";
import { pspPayouts, requestPayout, setPayoutAccount, waitForPayout } from "./payout-calls.js";

const under = usePlatform();

async function sellerWithBalance() {
  const sellerId = `seller-${randomUUID()}`;
  const { netMinor } = await paidOrder(under.platform, sellerId, 5_000);
  await setPayoutAccount(under.platform, sellerId, "ba_123");
  return { sellerId, netMinor };
}

describe("payouts while the PSP fails", () => {
  it("a PSP that does not answer leaves the payout PENDING; once it is back, the poller sends it with the same key: one PSP payout", async () => {
    const { sellerId, netMinor } = await sellerWithBalance();
    under.platform.psp.setFaults({ error_rate: 1 });
    const payoutId = `po-${randomUUID()}`;
    let requested;
    try {
      requested = await requestPayout(under.platform, payoutId, sellerId, 2_000);
      expect(requested).toMatchObject({ status: PayoutStatus.PENDING, pspPayoutId: "" });
      expect(await walletBalance(under.platform, sellerId, "USD")).toBe(netMinor - 2_000n);
      // The poller keeps trying while the PSP is down.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      under.platform.psp.setFaults({});
    }
    const paid = await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
    expect(await pspPayouts(under.platform, payoutId)).toEqual([
      expect.objectContaining({ id: paid.pspPayoutId, amount: 2_000, status: "paid" }),
    ]);
    await expectBooksClean(under.platform);
  });

  it("a PSP answer lost after the PSP created the payout: the retry with the same key gets that payout, not a second one", async () => {
    const { sellerId } = await sellerWithBalance();
    under.platform.psp.setFaults({ fail_after_commit_rate: 1 });
    const payoutId = `po-${randomUUID()}`;
    try {
      expect(await requestPayout(under.platform, payoutId, sellerId, 1_500)).toMatchObject({
        status: PayoutStatus.PENDING,
        pspPayoutId: expect.stringMatching(/^po_/),
      });
    } finally {
      under.platform.psp.setFaults({});
    }
    await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
    expect(await pspPayouts(under.platform, payoutId)).toHaveLength(1);
    await expectBooksClean(under.platform);
  });
});

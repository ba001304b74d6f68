import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { PayoutStatus } from "../../gen/wallet/v1/wallet_pb.js";
import { usePlatform } from "../support/use-platform.js";
import {
  clientOf,
  expectBooksClean,
  ledgerBalance,
  money,
  paidOrder,
  walletBalance,
} from "../ledger/platform-books.js";
import { pspPayouts, setPayoutAccount, waitForPayout } from "./payout-calls.js";

const under = usePlatform();

describe("concurrent payouts of one seller", () => {
  it("50 at once over gRPC: exactly floor(balance / amount) accepted, the rest FAILED_PRECONDITION, the balance never below zero", async () => {
    const sellerId = `seller-${randomUUID()}`;
    const { netMinor: balance } = await paidOrder(under.platform, sellerId, 10_000);
    await setPayoutAccount(under.platform, sellerId, "ba_123");
    const amount = 1_000n;
    expect(balance).toBe(9_750n);

    const wallet = clientOf(under.platform, "wallet");
    const seen: bigint[] = [];
    let requesting = true;
    const watching = (async () => {
      while (requesting) seen.push(await walletBalance(under.platform, sellerId, "USD"));
    })();
    let outcomes;
    try {
      const ids = Array.from({ length: 50 }, (_, i) => `po-${i}-${randomUUID()}`);
      outcomes = await Promise.all(
        ids.map((payoutId) =>
          wallet.requestPayout({ payoutId, sellerId, amount: money(amount, "USD") }).then(
            ({ payout }) => ({ payoutId, accepted: payout!.payoutId === payoutId }),
            (err: unknown) => {
              const { code, rawMessage } = ConnectError.from(err);
              return { payoutId, accepted: false, code, message: rawMessage };
            },
          ),
        ),
      );
    } finally {
      requesting = false;
      await watching;
    }

    const accepted = outcomes.filter((o) => o.accepted);
    expect(accepted).toHaveLength(Number(balance / amount));
    for (const refused of outcomes.filter((o) => !o.accepted)) {
      expect(refused).toMatchObject({
        code: Code.FailedPrecondition,
        message: expect.stringMatching(/^amount: 10\.00 USD is more than the [0-9.]+ USD available to seller/),
      });
    }
    expect(BigInt(accepted.length) * amount).toBeLessThanOrEqual(balance);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((b) => b >= 0n)).toBe(true);
    expect(await walletBalance(under.platform, sellerId, "USD")).toBe(balance % amount);

    for (const { payoutId } of accepted) {
      await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
      expect(await pspPayouts(under.platform, payoutId)).toHaveLength(1);
    }
    await expectBooksClean(under.platform);
    expect(await ledgerBalance(under.platform, `seller_payable:${sellerId}:USD`)).toBe(balance % amount);
    expect(await ledgerBalance(under.platform, "payouts_in_transit:USD")).toBe(0n);
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PayoutStatus } from "../../gen/wallet/v1/wallet_pb.js";
import { createDb, type Db } from "../../services/lib/db.js";
import { createLogger } from "../../services/lib/log.js";
import { PspPayoutsClient } from "../../services/wallet/adapters/psp-payouts-client.js";
import { PayoutFlow } from "../../services/wallet/app/payout-flow.js";
import type { Payout } from "../../services/wallet/domain/payout.js";
import {
  parseMinimums,
  scheduledPayoutId,
  scheduleWindow,
  type PayoutSchedule,
} from "../../services/wallet/domain/payout-schedule.js";
import { WALLET_SCHEMA } from "../../services/wallet/store/migrations/index.js";
import { PayoutStore } from "../../services/wallet/store/payout-store.js";
import { SqlPayoutTransactions } from "../../services/wallet/store/payout-transactions.js";
import { WalletStore } from "../../services/wallet/store/wallet-store.js";
import { PSP_API_KEY, startTestPlatform, startWalletReplica, type TestPlatform } from "../support/platform.js";
import { expectBooksClean, ledgerBalance, paidOrder, waitForPosting, walletBalance } from "../ledger/platform-books.js";
import { getPayout, pspPayouts, setPayoutAccount, waitForPayout } from "./payout-calls.js";

/** Windows of almost 25 days (the longest timer): a test never straddles two. */
const SCHEDULE: PayoutSchedule = { intervalMs: 2 ** 31 - 1, minimums: parseMinimums("USD=1000,JPY=500,*=1") };

let platform: TestPlatform;
const pools: Db[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(async () => {
  await Promise.all(pools.map((db) => db.destroy()));
  await platform?.close();
});

/** The scheduler of one more wallet instance: its own pool and PSP client on the platform's database and PSP. */
function schedulerInstance(): PayoutFlow {
  const db = createDb(platform.database.url, WALLET_SCHEMA);
  pools.push(db);
  const payouts = new PayoutStore(db);
  return new PayoutFlow(
    payouts,
    new SqlPayoutTransactions(db, payouts, new WalletStore(db)),
    new PspPayoutsClient({ baseUrl: platform.psp.url, apiKey: PSP_API_KEY }),
    createLogger("wallet"),
  );
}

const window = () => scheduleWindow(new Date(), SCHEDULE.intervalMs);
const scheduledId = (sellerId: string, currency: string) => scheduledPayoutId(sellerId, currency, window());
const newSeller = () => `seller-${randomUUID()}`;

describe("scheduled payouts", () => {
  it("pay each seller's whole balance per currency once per window, whatever the reruns and instances", async () => {
    const [paidOut, noAccount, belowMinimum] = [newSeller(), newSeller(), newSeller()];
    const { netMinor } = await paidOrder(platform, paidOut, 5_000);
    await paidOrder(platform, noAccount, 5_000);
    await paidOrder(platform, belowMinimum, 1_000);
    await setPayoutAccount(platform, paidOut, "ba_123");
    await setPayoutAccount(platform, belowMinimum, "ba_456");

    // Two instances at once, then a rerun: one payout.
    const runs = await Promise.all([
      schedulerInstance().runSchedule(SCHEDULE, new Date()),
      schedulerInstance().runSchedule(SCHEDULE, new Date()),
    ]);
    const mine = (payouts: Payout[]) => payouts.filter((p) => [paidOut, noAccount, belowMinimum].includes(p.sellerId));
    expect(runs.flatMap(mine).map((p) => p.payoutId)).toEqual([scheduledId(paidOut, "USD")]);
    // Money that arrives later in the same window waits for the next one.
    const { netMinor: later } = await paidOrder(platform, paidOut, 2_000);
    expect(mine(await schedulerInstance().runSchedule(SCHEDULE, new Date()))).toEqual([]);

    const payout = await waitForPayout(platform, scheduledId(paidOut, "USD"), PayoutStatus.PAID);
    expect(payout.amount).toMatchObject({ amountMinor: netMinor, currency: "USD" });
    expect(await pspPayouts(platform, payout.payoutId)).toHaveLength(1);
    expect(await walletBalance(platform, paidOut, "USD")).toBe(later);
    expect(await walletBalance(platform, noAccount, "USD")).toBe(4_875n);
    expect(await walletBalance(platform, belowMinimum, "USD")).toBe(975n);
    await expectBooksClean(platform);
  });

  it("pay a seller's USD, JPY and KWD balances separately, each in its own minor units, without conversion", async () => {
    const sellerId = newSeller();
    await setPayoutAccount(platform, sellerId, "ba_789");
    const nets = {
      USD: (await paidOrder(platform, sellerId, 10_000, "USD")).netMinor,
      JPY: (await paidOrder(platform, sellerId, 5_000, "JPY")).netMinor,
      KWD: (await paidOrder(platform, sellerId, 12_345, "KWD")).netMinor,
    };
    expect(nets).toEqual({ USD: 9_750n, JPY: 4_875n, KWD: 12_036n });

    const created = (await schedulerInstance().runSchedule(SCHEDULE, new Date())).filter(
      (p) => p.sellerId === sellerId,
    );
    expect(created.map((p) => [p.payoutId, p.amount.amountMinor, p.amount.currency])).toEqual(
      (["JPY", "KWD", "USD"] as const).map((currency) => [scheduledId(sellerId, currency), nets[currency], currency]),
    );
    for (const [currency, net] of Object.entries(nets)) {
      const payoutId = scheduledId(sellerId, currency);
      await waitForPayout(platform, payoutId, PayoutStatus.PAID);
      expect(await pspPayouts(platform, payoutId)).toEqual([
        expect.objectContaining({ amount: Number(net), currency, destination: "ba_789", status: "paid" }),
      ]);
      expect(await waitForPosting(platform, `payout:${payoutId}:paid`)).toEqual([
        `Dr payouts_in_transit:${currency} ${net}`,
        `Cr bank:platform:${currency} ${net}`,
      ]);
      expect(await walletBalance(platform, sellerId, currency)).toBe(0n);
      expect(await ledgerBalance(platform, `seller_payable:${sellerId}:${currency}`)).toBe(0n);
    }
    await expectBooksClean(platform);
  });

  it("run in wallet instances configured with a schedule: two started together pay once", async () => {
    const sellerId = newSeller();
    const { netMinor } = await paidOrder(platform, sellerId, 3_000);
    await setPayoutAccount(platform, sellerId, "ba_123");
    const replicas = await Promise.all(
      [1, 2].map(() => startWalletReplica(platform, { payouts: { payoutSchedule: SCHEDULE } })),
    );
    try {
      const payout = await waitForPayout(platform, scheduledId(sellerId, "USD"), PayoutStatus.PAID);
      expect(payout.amount!.amountMinor).toBe(netMinor);
      expect(await pspPayouts(platform, payout.payoutId)).toHaveLength(1);
      expect(await walletBalance(platform, sellerId, "USD")).toBe(0n);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
    expect((await getPayout(platform, scheduledId(sellerId, "USD"))).status).toBe(PayoutStatus.PAID);
    await expectBooksClean(platform);
  });
});

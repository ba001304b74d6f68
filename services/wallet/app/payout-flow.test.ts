import { describe, expect, it, vi } from "vitest";
import { createLogger } from "../../lib/log.js";
import { parseMinimums, scheduledPayoutId, type PayoutSchedule } from "../domain/payout-schedule.js";
import { PayoutFlow } from "./payout-flow.js";
import { startPayoutPoller } from "./payout-jobs.js";
import { FakePspPayouts } from "./testing/fake-psp-payouts.js";
import { InMemoryWallet } from "./testing/in-memory-wallet.js";

const log = createLogger("payout-flow-test");
const USD = (amountMinor: bigint) => ({ amountMinor, currency: "USD" });

/** A seller with 50.00 USD and a payout account, the in-memory wallet, and a PSP that takes payouts to pay them later. */
function setup() {
  const wallet = new InMemoryWallet();
  const psp = new FakePspPayouts();
  const flow = new PayoutFlow(wallet, wallet, psp, log);
  wallet.credit("seller_1", USD(5_000n));
  wallet.setAccount("seller_1", "ba_1");
  const request = (payoutId: string, amountMinor: bigint, sellerId = "seller_1") =>
    flow.request({ payoutId, sellerId, amount: USD(amountMinor) });
  const payoutMovements = () =>
    wallet.movements.filter((m) => m.kind !== "payin").map((m) => `${m.kind} ${m.sellerId} ${m.amountMinor}`);
  return { wallet, psp, flow, request, payoutMovements };
}

describe("PayoutFlow on in-memory ports", () => {
  it("takes a first request's amount with its event, sends it to the PSP under the payout's id, and ends it as the PSP says", async () => {
    const { wallet, psp, flow, request, payoutMovements } = setup();
    const payout = await request("po_1", 2_000n);
    expect(payout).toMatchObject({
      payoutId: "po_1",
      status: "PENDING",
      pspPayoutId: "po_psp_1",
      destination: "ba_1",
      amount: USD(2_000n),
    });
    expect(wallet.available("seller_1", "USD")).toBe(3_000n);
    expect(psp.sent).toEqual(["po_1"]);

    psp.finish("po_1", "paid");
    expect(await flow.refresh(payout)).toMatchObject({ status: "PAID", pspPayoutId: "po_psp_1" });
    expect(wallet.available("seller_1", "USD")).toBe(3_000n);
    expect(payoutMovements()).toEqual(["payout seller_1 -2000"]);
    expect(wallet.announced).toEqual([
      { payoutId: "po_1", status: "PENDING" },
      { payoutId: "po_1", status: "PAID" },
    ]);
  });

  it("answers the same request again with the payout as it is: no second withdrawal, nothing sent again", async () => {
    const { wallet, psp, request, payoutMovements } = setup();
    const first = await request("po_1", 2_000n);
    expect(await request("po_1", 2_000n)).toEqual(first);
    expect(payoutMovements()).toEqual(["payout seller_1 -2000"]);
    expect(wallet.announced).toHaveLength(1);
    expect(psp.sent).toEqual(["po_1"]);
  });

  it("refuses another payout under a payout_id already used, and moves nothing", async () => {
    const { wallet, psp, request, payoutMovements } = setup();
    wallet.credit("seller_2", USD(5_000n));
    wallet.setAccount("seller_2", "ba_2");
    await request("po_1", 2_000n);
    await expect(request("po_1", 2_001n)).rejects.toMatchObject({
      kind: "already_exists",
      message: expect.stringContaining('payout_id "po_1" was already used'),
    });
    await expect(request("po_1", 2_000n, "seller_2")).rejects.toMatchObject({ kind: "already_exists" });
    expect(payoutMovements()).toEqual(["payout seller_1 -2000"]);
    expect(wallet.available("seller_2", "USD")).toBe(5_000n);
    expect(psp.sent).toEqual(["po_1"]);
  });

  it("refuses a payout larger than the balance, or without a payout account: no payout, no event, nothing sent", async () => {
    const { wallet, psp, request, payoutMovements } = setup();
    await expect(request("po_1", 5_001n)).rejects.toMatchObject({
      kind: "failed_precondition",
      message: expect.stringContaining("more than the 50.00 USD available"),
    });
    wallet.credit("seller_2", USD(5_000n));
    await expect(request("po_2", 1_000n, "seller_2")).rejects.toMatchObject({
      kind: "failed_precondition",
      message: expect.stringContaining("has no payout account"),
    });
    expect(await wallet.get("po_1")).toBeUndefined();
    expect(await wallet.get("po_2")).toBeUndefined();
    expect(wallet.announced).toEqual([]);
    expect(payoutMovements()).toEqual([]);
    expect(wallet.available("seller_1", "USD")).toBe(5_000n);
    expect(psp.sent).toEqual([]);
    // The whole balance may go.
    expect(await request("po_3", 5_000n)).toMatchObject({ status: "PENDING" });
    expect(wallet.available("seller_1", "USD")).toBe(0n);
  });

  it("fails a payout the PSP refuses and returns its amount to the balance", async () => {
    const { wallet, psp, request, payoutMovements } = setup();
    psp.mode = "refuse";
    const failed = await request("po_1", 2_000n);
    expect(failed).toMatchObject({
      status: "FAILED",
      pspPayoutId: undefined,
      failure: { code: "currency_not_supported", message: "payouts in USD are not supported" },
    });
    expect(wallet.available("seller_1", "USD")).toBe(5_000n);
    expect(payoutMovements()).toEqual(["payout seller_1 -2000", "payout_returned seller_1 2000"]);
    expect(wallet.announced.map((e) => e.status)).toEqual(["PENDING", "FAILED"]);
    // Final: the same request again changes nothing.
    expect(await request("po_1", 2_000n)).toEqual(failed);
    expect(psp.sent).toEqual(["po_1"]);
  });

  it("returns a payout's amount once when the PSP fails it later, however often the answer is applied", async () => {
    const { wallet, psp, flow, request, payoutMovements } = setup();
    const payout = await request("po_1", 2_000n);
    psp.finish("po_1", "failed", { code: "account_closed", message: "the account is closed" });
    const [first, second] = await Promise.all([flow.refresh(payout), flow.refresh(payout)]);
    expect(first).toMatchObject({ status: "FAILED", failure: { code: "account_closed" } });
    expect(second).toEqual(first);
    expect(wallet.available("seller_1", "USD")).toBe(5_000n);
    expect(payoutMovements()).toEqual(["payout seller_1 -2000", "payout_returned seller_1 2000"]);
  });

  it("keeps a payout PENDING while the PSP cannot be reached; the poller sends it again under the same key until it is paid", async () => {
    const { wallet, psp, flow, request, payoutMovements } = setup();
    psp.mode = "unreachable";
    expect(await request("po_1", 2_000n)).toMatchObject({ status: "PENDING", pspPayoutId: undefined });
    expect(wallet.available("seller_1", "USD")).toBe(3_000n);

    const stop = startPayoutPoller(flow, { intervalMs: 1, staleAfterMs: 0, batchSize: 10 }, log);
    try {
      await vi.waitFor(() => expect(psp.sent.length).toBeGreaterThanOrEqual(3));
      expect((await wallet.get("po_1"))!.status).toBe("PENDING");
      psp.mode = "paid";
      await vi.waitFor(async () => expect((await wallet.get("po_1"))!.status).toBe("PAID"));
    } finally {
      await stop();
    }
    expect(new Set(psp.sent)).toEqual(new Set(["po_1"]));
    expect(psp.byKey.size).toBe(1);
    expect(payoutMovements()).toEqual(["payout seller_1 -2000"]);
    expect(wallet.announced.map((e) => e.status)).toEqual(["PENDING", "PAID"]);
  });

  it("refuses payouts when no PSP is configured", async () => {
    const wallet = new InMemoryWallet();
    const flow = new PayoutFlow(wallet, wallet, undefined, log);
    await expect(flow.request({ payoutId: "po_1", sellerId: "seller_1", amount: USD(1n) })).rejects.toMatchObject({
      kind: "failed_precondition",
      message: expect.stringContaining("pay-outs are off"),
    });
  });
});

describe("scheduled payouts on in-memory ports", () => {
  const DAY = 86_400_000;
  const SCHEDULE: PayoutSchedule = { intervalMs: DAY, minimums: parseMinimums("USD=1000,JPY=500,*=1") };
  const today = new Date("2026-12-06T12:00:00Z");
  const tomorrow = new Date(today.getTime() + DAY);
  const window = (at: Date) => Math.floor(at.getTime() / DAY);

  it("pay each seller's whole balance per currency, at least the currency's minimum, once per window", async () => {
    const { wallet, psp, flow } = setup();
    wallet.credit("seller_2", USD(5_000n)); // no payout account
    wallet.credit("seller_3", USD(999n)); // below the USD minimum
    wallet.setAccount("seller_3", "ba_3");
    wallet.credit("seller_3", { amountMinor: 500n, currency: "JPY" });
    wallet.credit("seller_3", { amountMinor: 1n, currency: "EUR" });

    const paid = await flow.runSchedule(SCHEDULE, today);
    expect(paid.map((p) => [p.payoutId, p.amount.amountMinor, p.status])).toEqual([
      [scheduledPayoutId("seller_1", "USD", window(today)), 5_000n, "PENDING"],
      [scheduledPayoutId("seller_3", "EUR", window(today)), 1n, "PENDING"],
      [scheduledPayoutId("seller_3", "JPY", window(today)), 500n, "PENDING"],
    ]);
    expect(psp.sent).toEqual(paid.map((p) => p.payoutId));
    expect([
      wallet.available("seller_1", "USD"),
      wallet.available("seller_2", "USD"),
      wallet.available("seller_3", "USD"),
    ]).toEqual([0n, 5_000n, 999n]);

    // A rerun in the same window pays nothing; money that arrives later waits for the next window.
    wallet.credit("seller_1", USD(2_000n));
    expect(await flow.runSchedule(SCHEDULE, today)).toEqual([]);
    const next = await flow.runSchedule(SCHEDULE, tomorrow);
    expect(next.map((p) => [p.payoutId, p.amount.amountMinor])).toEqual([
      [scheduledPayoutId("seller_1", "USD", window(tomorrow)), 2_000n],
    ]);
  });

  it("create nothing while another instance is at it", async () => {
    const { wallet, psp, flow } = setup();
    wallet.schedulerBusy = true;
    expect(await flow.runSchedule(SCHEDULE, today)).toEqual([]);
    expect(wallet.announced).toEqual([]);
    expect(psp.sent).toEqual([]);
  });

  it("pay every seller when they do not fit in one batch (of 100)", async () => {
    const { wallet, flow } = setup();
    for (let i = 0; i < 100; i++) {
      wallet.credit(`seller_x${i}`, USD(1_000n));
      wallet.setAccount(`seller_x${i}`, `ba_x${i}`);
    }
    expect(await flow.runSchedule(SCHEDULE, today)).toHaveLength(101);
    expect(wallet.available("seller_x99", "USD")).toBe(0n);
  });
});

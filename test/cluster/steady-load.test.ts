import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { newCheckout } from "../faults/journeys.js";
import { PLATFORM_FEE_BPS, PSP_API_KEY } from "../support/platform.js";
import { testTls } from "../support/tls.js";
import { usePlatform } from "../support/use-platform.js";
import { printLoad } from "./load-report.js";
import { checkMoney, NO_MONEY_PROBLEMS, type MoneyReport } from "./money-checks.js";
import { startSteadyLoad, type LoadResult, type PlatformEndpoints } from "./steady-load.js";

/**
 * The load and the money checks of the failover test (issue 17), against the ordinary test platform without faults:
 * the checks find nothing wrong where nothing is, and they do find a payment that was answered and is not there.
 */
const under = usePlatform();
const LOAD_MS = 8_000;

let load: LoadResult | undefined;
let report: MoneyReport | undefined;

const endpoints = (): PlatformEndpoints => ({
  payment: under.platform.payment.url,
  wallet: under.platform.wallet.url,
  ledger: under.platform.ledger.url,
  psp: { url: under.platform.psp.url, apiKey: PSP_API_KEY },
  identities: { marketplace: testTls("marketplace"), operatorTools: testTls("operator-tools") },
});

afterAll(() => {
  if (load) printLoad(load, report);
});

describe("a steady load of checkouts, refunds and payouts", () => {
  it("ends with every answer final and as the PSP has it, and books that add up", async () => {
    const running = await startSteadyLoad({ ...endpoints(), ratePerSecond: 4, refundShare: 0.5, payoutEveryMs: 700 });
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 2));
    running.mark("halfway, nothing done");
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 2));
    load = await running.stop();

    expect(load.failures).toEqual([]);
    expect(load.internals).toBe(0);
    expect(load.refunds.length).toBeGreaterThan(0);
    expect(load.payouts.length).toBeGreaterThan(0);
    report = await checkMoney(endpoints(), load, { platformFeeBps: PLATFORM_FEE_BPS });
    expect(report).toEqual(NO_MONEY_PROBLEMS);
  }, 60_000);

  it("report a payment, a refund and a payout answered OK that the platform does not have, and books that do not add up", async () => {
    if (!load) throw new Error("the load did not run");
    const fabricated = newCheckout("success", 0, load.sellers);
    const bogus: LoadResult = {
      ...load,
      payments: [...load.payments, { checkout: fabricated, paymentId: "pay_never", pspPaymentId: "pi_never" }],
      refunds: [
        ...load.refunds,
        { refundId: `rf-${randomUUID()}`, paymentId: load.payments[0]!.paymentId, orderId: "order-1", amountMinor: 1n },
      ],
      payouts: [...load.payouts, { payoutId: `po-${randomUUID()}`, sellerId: load.sellers[0]!, amountMinor: 1n }],
      baseline: { ...load.baseline, pspReceivable: load.baseline.pspReceivable + 1n },
    };
    const found = await checkMoney(endpoints(), bogus, { platformFeeBps: PLATFORM_FEE_BPS, timeoutMs: 500 });
    const id = fabricated.request.checkoutId;
    expect(found.lost).toEqual([`${id}: 0 payments on our side`]);
    expect(found.notFinal).toHaveLength(3);
    expect(found.refunds).toEqual([
      expect.stringContaining(`${bogus.refunds.at(-1)!.refundId}: answered OK, not among the refunds`),
    ]);
    expect(found.payouts).toEqual([
      expect.stringContaining(`${bogus.payouts.at(-1)!.payoutId}: answered OK, not among the payouts`),
    ]);
    expect(found.books).toEqual([expect.stringMatching(/^pspReceivableGain: expected "\d+", found "-?\d+"$/)]);
    expect({ ...found, notFinal: [], lost: [], refunds: [], payouts: [], books: [] }).toEqual(NO_MONEY_PROBLEMS);
  }, 30_000);
});

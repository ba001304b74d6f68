import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FeeSchedule, percentOf } from "./fees.js";
import { API_KEY, startTestSimulator, WEBHOOK_SECRET } from "./test-support.js";
import { startPspSimulator } from "./server.js";

describe("percentOf", () => {
  it.each([
    [1000, 290, 29],
    [1999, 290, 58], // 57.971
    [50, 290, 1], // 1.45 rounds down
    [50, 300, 2], // exactly 1.5 rounds up
    [1, 5000, 1], // exactly 0.5 rounds up
    [1, 4999, 0],
    [Number.MAX_SAFE_INTEGER, 10_000, Number.MAX_SAFE_INTEGER],
  ])("%i at %i bps is %i", (amount, bps, fee) => {
    expect(percentOf(amount, bps)).toBe(fee);
  });

  it("is the exact quotient rounded half up, for any safe amount", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bps) => {
          const exact = BigInt(amount) * BigInt(bps);
          const fee = BigInt(percentOf(amount, bps));
          // fee - 1/2 <= amount * bps / 10000 < fee + 1/2
          expect(2n * exact >= (2n * fee - 1n) * 10_000n).toBe(true);
          expect(2n * exact < (2n * fee + 1n) * 10_000n).toBe(true);
        },
      ),
    );
  });
});

describe("FeeSchedule", () => {
  it("charges 2.9% + 30 minor units and 1500 per dispute by default, in every currency's own minor units", () => {
    const fees = new FeeSchedule();
    expect(fees.charge(10_000, "EUR")).toBe(320);
    expect(fees.charge(10_000, "JPY")).toBe(320);
    expect(fees.charge(1, "USD")).toBe(30); // more than the charge, as Stripe does
    expect(fees.dispute("GBP")).toBe(1500);
  });

  it("takes per-currency amounts, the default for the currencies not listed", () => {
    const fees = new FeeSchedule({
      feePercentBps: 360,
      feeFixedMinor: { JPY: 0, KWD: 100 },
      disputeFeeMinor: { USD: 1500, JPY: 1500 },
    });
    expect(fees.charge(1000, "JPY")).toBe(36);
    expect(fees.charge(1000, "KWD")).toBe(136);
    expect(fees.charge(1000, "EUR")).toBe(66);
    expect(fees.dispute("EUR")).toBe(1500);
    expect(new FeeSchedule({ feeFixedMinor: 0, disputeFeeMinor: 2000 }).charge(1000, "EUR")).toBe(29);
  });

  it("keeps fee + net = gross with net = gross - fee, for any charge", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 12 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (gross, bps, fixed) => {
          const fee = new FeeSchedule({ feePercentBps: bps, feeFixedMinor: fixed }).charge(gross, "EUR");
          const net = gross - fee;
          expect(Number.isSafeInteger(fee) && Number.isSafeInteger(net)).toBe(true);
          expect(fee + net).toBe(gross);
          expect(fee).toBeGreaterThanOrEqual(fixed);
        },
      ),
    );
  });

  it.each([
    [{ feePercentBps: -1 }, "feePercentBps"],
    [{ feePercentBps: 10_001 }, "feePercentBps"],
    [{ feePercentBps: 2.5 }, "feePercentBps"],
    [{ feeFixedMinor: -30 }, "feeFixedMinor"],
    [{ feeFixedMinor: { EUR: 1.5 } }, "feeFixedMinor.EUR"],
    [{ feeFixedMinor: { XYZ: 30 } }, "feeFixedMinor names an unsupported currency: XYZ"],
    [{ disputeFeeMinor: Number.NaN }, "disputeFeeMinor"],
  ])("refuses %j", (options, message) => {
    expect(() => new FeeSchedule(options)).toThrow(message);
  });
});

describe("fee on the payment object", () => {
  it("is absent until the payment is charged, then the fee on what was captured", async () => {
    const sim = await startTestSimulator();
    const created = (await sim.createPayment({ amount: 1999 })).body;
    expect(created).not.toHaveProperty("fee");
    const paid = await sim.paidPayment({ amount: 1999 });
    expect(paid).toMatchObject({ status: "succeeded", fee: 58 + 30 });

    const authorized = await sim.paidPayment({ amount: 10_000, capture_method: "manual" });
    expect(authorized.status).toBe("requires_capture");
    expect(authorized).not.toHaveProperty("fee");
    const captured = await sim.post(`/v1/payments/${authorized.id}/capture`, { amount_to_capture: 4000 });
    expect(captured.fee).toBe(116 + 30);

    const declined = await sim.paidPayment({}, "4000000000000002");
    expect(declined).not.toHaveProperty("fee");
  });

  it("uses the simulator's fee options, per currency", async () => {
    const sim = await startTestSimulator({ feePercentBps: 360, feeFixedMinor: { JPY: 0 } });
    expect((await sim.paidPayment({ amount: 5000, currency: "JPY" })).fee).toBe(180);
    expect((await sim.paidPayment({ amount: 5000, currency: "EUR" })).fee).toBe(180 + 30);
  });

  it("refunds leave the fee where it is", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ amount: 1000 });
    const refund = await sim.post("/v1/refunds", { payment: payment.id });
    await sim.waitForStatus(`/v1/refunds/${refund.id}`, "succeeded");
    expect((await sim.request("GET", `/v1/payments/${payment.id}`)).body).toMatchObject({
      amount_refunded: 1000,
      fee: 59,
    });
  });

  it("startPspSimulator refuses invalid fee options", async () => {
    await expect(
      startPspSimulator({ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, feePercentBps: 20_000 }),
    ).rejects.toThrow("feePercentBps");
  });
});

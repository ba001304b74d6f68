import { describe, expect, it } from "vitest";
import { formatAmount, isSupportedCurrency, SUPPORTED_CURRENCIES } from "./currencies.js";
import { getPage, startTestSimulator } from "./test-support.js";

describe("formatAmount", () => {
  it.each([
    [1234, "JPY", "JPY 1234"],
    [1234, "KWD", "KWD 1.234"],
    [5, "BHD", "BHD 0.005"],
    [1234, "GBP", "GBP 12.34"],
  ])("%i %s -> %s, by the ISO 4217 exponent", (amount, currency, expected) =>
    expect(formatAmount(amount, currency)).toBe(expected),
  );

  it("refuses a currency the simulator does not support", () => {
    expect(() => formatAmount(100, "BRL")).toThrow(/unsupported currency BRL/);
  });
});

describe("supported currencies", () => {
  it("include at least the ones the platform uses", () => {
    for (const code of ["USD", "EUR", "GBP", "JPY", "KWD", "CHF", "CAD", "AUD"])
      expect(isSupportedCurrency(code)).toBe(true);
  });

  it("are all accepted for payments and payouts", async () => {
    const sim = await startTestSimulator();
    for (const currency of SUPPORTED_CURRENCIES) {
      expect((await sim.createPayment({ currency })).body.currency).toBe(currency);
      const payout = await sim.request("POST", "/v1/payouts", {
        body: { amount: 1, currency, destination: "ba_1", reference: "r" },
      });
      expect(payout.status).toBe(201);
    }
  });

  it.each(["BRL", "XAU", "XXX"])(
    "reject %s, an ISO 4217 code the simulator does not support, naming the supported ones",
    async (currency) => {
      const sim = await startTestSimulator();
      for (const res of [
        await sim.createPayment({ currency }),
        await sim.request("POST", "/v1/payouts", {
          body: { amount: 1, currency, destination: "ba_1", reference: "r" },
        }),
      ]) {
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({
          code: "parameter_invalid",
          param: "currency",
          message: expect.stringContaining("USD, EUR"),
        });
      }
    },
  );
});

describe("amounts in minor units", () => {
  it.each([
    ["JPY", 1234, "JPY 1234"],
    ["KWD", 1234, "KWD 1.234"],
    ["USD", 1234, "USD 12.34"],
  ])("the hosted page shows %s %i as %s", async (currency, amount, shown) => {
    const sim = await startTestSimulator();
    const payment = (await sim.createPayment({ currency, amount })).body;
    expect((await getPage(payment.hosted_page_url)).html).toContain(`<p class="amount">${shown}</p>`);
  });

  it("error messages show what remains in the payment's currency", async () => {
    const sim = await startTestSimulator();
    const payment = await sim.paidPayment({ currency: "KWD", amount: 1500 });
    const res = await sim.request("POST", "/v1/refunds", { body: { payment: payment.id, amount: 1501 } });
    expect(res.body.error.message).toContain("1500 (KWD 1.500)");
  });
});

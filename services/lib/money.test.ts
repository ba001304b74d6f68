import { describe, expect, it } from "vitest";
import { formatMoney, isKnownCurrency, minorUnitDigits } from "./money.js";

describe("money", () => {
  it("knows ISO 4217 codes and their minor units", () => {
    expect(isKnownCurrency("USD")).toBe(true);
    expect(isKnownCurrency("usd")).toBe(false);
    expect(isKnownCurrency("XXX")).toBe(false);
    expect(minorUnitDigits("USD")).toBe(2);
    expect(minorUnitDigits("JPY")).toBe(0);
    expect(minorUnitDigits("KWD")).toBe(3);
  });

  it("formats minor units exactly", () => {
    expect(formatMoney({ amountMinor: 123456n, currency: "USD" })).toBe("1234.56 USD");
    expect(formatMoney({ amountMinor: 5n, currency: "USD" })).toBe("0.05 USD");
    expect(formatMoney({ amountMinor: -5n, currency: "KWD" })).toBe("-0.005 KWD");
    expect(formatMoney({ amountMinor: 500n, currency: "JPY" })).toBe("500 JPY");
    expect(formatMoney({ amountMinor: 2n ** 63n - 1n, currency: "USD" })).toBe("92233720368547758.07 USD");
  });
});

import { describe, expect, it } from "vitest";
import { formatMoney, isKnownCurrency, minorUnitDigits, parseMoney } from "./money.js";

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

describe("parseMoney", () => {
  it("reads what a person types in the currency's major units, exactly", () => {
    expect(parseMoney("12.50", "USD")).toEqual({ amountMinor: 1250n, currency: "USD" });
    expect(parseMoney(" 12.5 ", "USD")).toEqual({ amountMinor: 1250n, currency: "USD" });
    expect(parseMoney("12", "USD")).toEqual({ amountMinor: 1200n, currency: "USD" });
    expect(parseMoney("0.07", "USD")).toEqual({ amountMinor: 7n, currency: "USD" });
    expect(parseMoney("1500", "JPY")).toEqual({ amountMinor: 1500n, currency: "JPY" });
    expect(parseMoney("1.005", "KWD")).toEqual({ amountMinor: 1005n, currency: "KWD" });
    expect(parseMoney("90071992547409.93", "USD")).toEqual({ amountMinor: 9007199254740993n, currency: "USD" });
  });

  it("refuses what it cannot read exactly", () => {
    for (const text of ["", "-1", "+1", "1e3", "1,000.00", "12.505", "12.", ".5", "0x10", "1 000", "12.50 USD"])
      expect(parseMoney(text, "USD"), text).toBeUndefined();
    expect(parseMoney("15.5", "JPY")).toBeUndefined();
    expect(parseMoney("999999999999999999.99", "USD")).toBeUndefined();
  });
});

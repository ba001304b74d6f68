import { describe, expect, it } from "vitest";
import { cardBrand, luhnValid, validateCard } from "./cards.js";

describe("luhnValid", () => {
  it.each(["4242424242424242", "4000000000000002", "378282246310005", "6011111111111117", "0"])("accepts %s", (n) =>
    expect(luhnValid(n)).toBe(true),
  );
  it.each(["4242424242424241", "1234567812345678", "42a2", ""])("rejects %s", (n) => expect(luhnValid(n)).toBe(false));
});

describe("cardBrand", () => {
  it.each([
    ["4242424242424242", "visa"],
    ["5555555555554444", "mastercard"],
    ["2223003122003222", "mastercard"],
    ["378282246310005", "amex"],
    ["6011111111111117", "discover"],
    ["3056930009020004", "diners"],
    ["3566002020360505", "jcb"],
    ["6200000000000005", "unionpay"],
    ["9999999999999995", "unknown"],
  ])("%s is %s", (n, brand) => expect(cardBrand(n)).toBe(brand));
});

describe("validateCard expiry", () => {
  const now = new Date(Date.UTC(2030, 5, 30, 23, 59)); // 30 June 2030
  const check = (exp: string) => validateCard({ cardNumber: "4242424242424242", exp, cvc: "123" }, now).ok;

  it("treats a card as valid through the end of its expiry month", () => {
    expect(check("06/30")).toBe(true);
    expect(check("07/30")).toBe(true);
    expect(check("05/30")).toBe(false);
    expect(check("12/29")).toBe(false);
  });

  it("accepts spaces around the slash and rejects malformed dates", () => {
    expect(check("06 / 31")).toBe(true);
    expect(check("00/31")).toBe(false);
    expect(check("6/31")).toBe(false);
    expect(check("06/2031")).toBe(false);
  });

  it("keeps only brand, last4 and the outcome", () => {
    const result = validateCard({ cardNumber: "4000 0000 0000 9995", exp: "01/31", cvc: "1234" }, now);
    expect(result).toEqual({
      ok: true,
      card: { brand: "visa", last4: "9995", outcome: { kind: "decline", declineCode: "insufficient_funds" } },
    });
  });
});

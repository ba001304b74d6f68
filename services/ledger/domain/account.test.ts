import { describe, expect, it } from "vitest";
import { domainProblem as problem } from "../../lib/testing.js";
import { balanceOf, normalDirection, validateAccount } from "./account.js";

describe("accounts", () => {
  it("accepts a code that ends with the account's currency", () => {
    expect(validateAccount("account", { code: "seller_payable:s:1:USD", type: "LIABILITY", currency: "USD" })).toEqual({
      code: "seller_payable:s:1:USD",
      type: "LIABILITY",
      currency: "USD",
    });
  });

  it("names the field of every problem", () => {
    expect(problem(() => validateAccount("account", { code: "", type: "ASSET", currency: "USD" }))).toBe(
      "invalid_argument: account.code: is required",
    );
    expect(problem(() => validateAccount("account", { code: "x:USD", type: undefined, currency: "USD" }))).toMatch(
      /^invalid_argument: account\.type: is required/,
    );
    expect(problem(() => validateAccount("account", { code: "x:usd", type: "ASSET", currency: "usd" }))).toMatch(
      /^invalid_argument: account\.currency: "usd" is not/,
    );
    expect(problem(() => validateAccount("account", { code: "cash:EUR", type: "ASSET", currency: "USD" }))).toMatch(
      /^invalid_argument: account\.code: must end with ":USD"/,
    );
    expect(problem(() => validateAccount("account", { code: "a b:USD", type: "ASSET", currency: "USD" }))).toMatch(
      /^invalid_argument: account\.code: may contain only/,
    );
    expect(
      problem(() => validateAccount("account", { code: `${"x".repeat(200)}:USD`, type: "ASSET", currency: "USD" })),
    ).toMatch(/^invalid_argument: account\.code: must be at most 200 characters/);
  });

  it("computes balances in the account's normal direction", () => {
    const totals = { debits: 1_000n, credits: 300n };
    expect(normalDirection("ASSET")).toBe("DEBIT");
    expect(normalDirection("EXPENSE")).toBe("DEBIT");
    expect(normalDirection("LIABILITY")).toBe("CREDIT");
    expect(normalDirection("REVENUE")).toBe("CREDIT");
    expect(balanceOf("ASSET", totals)).toBe(700n);
    expect(balanceOf("LIABILITY", totals)).toBe(-700n);
  });
});

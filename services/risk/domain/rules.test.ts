import { describe, expect, it } from "vitest";
import { assess, type BuyerHistory, type RiskRules } from "./rules.js";

const rules: RiskRules = {
  amountLimits: { USD: { review: 5_000n, reject: 10_000n } },
  velocity: { windowSeconds: 60, maxAttempts: 3, maxSum: { USD: 12_000n } },
  sanctionedCountries: ["KP"],
};
const clean: BuyerHistory = { blockedReason: undefined, recentAttempts: 0, recentSum: 0n };
const usd = (amountMinor: bigint) => ({ amountMinor, currency: "USD" });
const input = (amountMinor: bigint, buyerCountry = "US") => ({ buyerId: "b1", buyerCountry, amount: usd(amountMinor) });
const codes = (a: { reasons: { code: string }[] }) => a.reasons.map((r) => r.code);

describe("risk rules", () => {
  it("approves an ordinary payment with no reasons", () => {
    expect(assess(input(1_000n), clean, rules)).toEqual({ decision: "APPROVE", reasons: [] });
  });

  it("reviews above the review threshold and rejects above the limit, at the exact boundary", () => {
    expect(assess(input(5_000n), clean, rules).decision).toBe("APPROVE");
    expect(assess(input(5_001n), clean, rules)).toMatchObject({
      decision: "REVIEW",
      reasons: [{ code: "amount_review" }],
    });
    expect(assess(input(10_000n), clean, rules).decision).toBe("REVIEW");
    expect(assess(input(10_001n), clean, rules)).toMatchObject({
      decision: "REJECT",
      reasons: [{ code: "amount_limit" }],
    });
  });

  it("reviews a currency without a configured limit", () => {
    const a = assess({ buyerId: "b1", buyerCountry: "", amount: { amountMinor: 1n, currency: "CHF" } }, clean, rules);
    expect(a).toMatchObject({ decision: "REVIEW", reasons: [{ code: "no_amount_limit" }] });
  });

  it("rejects blocked buyers and sanctioned countries, saying why", () => {
    const blocked = assess(input(100n), { ...clean, blockedReason: "chargeback fraud" }, rules);
    expect(blocked.decision).toBe("REJECT");
    expect(blocked.reasons[0]?.message).toContain("chargeback fraud");
    expect(codes(assess(input(100n, "KP"), clean, rules))).toEqual(["sanctioned_country"]);
  });

  it("rejects too many attempts and reviews too much money in the window", () => {
    expect(assess(input(100n), { ...clean, recentAttempts: 2 }, rules).decision).toBe("APPROVE");
    expect(assess(input(100n), { ...clean, recentAttempts: 3 }, rules)).toMatchObject({
      decision: "REJECT",
      reasons: [{ code: "velocity_count" }],
    });
    expect(assess(input(2_000n), { ...clean, recentSum: 10_000n }, rules).decision).toBe("APPROVE");
    expect(assess(input(2_001n), { ...clean, recentSum: 10_000n }, rules)).toMatchObject({
      decision: "REVIEW",
      reasons: [{ code: "velocity_amount" }],
    });
  });

  it("takes the most severe decision when several rules fire", () => {
    const a = assess(input(6_000n, "KP"), { ...clean, recentSum: 10_000n }, rules);
    expect(a.decision).toBe("REJECT");
    expect(codes(a).sort()).toEqual(["amount_review", "sanctioned_country", "velocity_amount"]);
  });
});

import { describe, expect, it } from "vitest";
import { domainProblem as problem } from "../../lib/testing.js";
import {
  insufficientBalance,
  requireDestination,
  sameRequestOrConflict,
  validatePayoutRequest,
  type Payout,
} from "./payout.js";
import { parseMinimums, scheduledPayoutId, scheduleWindow } from "./payout-schedule.js";
import { outcomeOf } from "./psp-payout.js";

const request = { payoutId: "po-1", sellerId: "s1", amount: { amountMinor: 1_000n, currency: "JPY" } };
const payout: Payout = {
  ...request,
  status: "PAID",
  destination: "ba_1",
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

describe("payout requests", () => {
  it("name the field of every problem", () => {
    expect(validatePayoutRequest(request)).toEqual(request);
    expect(problem(() => validatePayoutRequest({ ...request, payoutId: "" }))).toBe(
      "invalid_argument: payout_id: is required",
    );
    expect(problem(() => validatePayoutRequest({ ...request, amount: undefined }))).toBe(
      "invalid_argument: amount: is required",
    );
    expect(problem(() => validatePayoutRequest({ ...request, amount: { amountMinor: -1n, currency: "JPY" } }))).toMatch(
      /^invalid_argument: amount\.amount_minor: must be a positive/,
    );
    expect(problem(() => requireDestination("destination", ""))).toMatch(/^invalid_argument: destination: is required/);
    expect(requireDestination("destination", "x".repeat(255))).toHaveLength(255);
  });

  it("answer with the payout already under the id only when the request is the same", () => {
    expect(sameRequestOrConflict(payout, request)).toBe(payout);
    for (const other of [
      { ...request, sellerId: "s2" },
      { ...request, amount: { amountMinor: 999n, currency: "JPY" } },
      { ...request, amount: { amountMinor: 1_000n, currency: "KRW" } },
    ]) {
      expect(problem(() => sameRequestOrConflict(payout, other))).toBe(
        'already_exists: payout_id "po-1" was already used for a payout of 1000 JPY to seller "s1"; use a new payout_id for another payout',
      );
    }
  });

  it("state the available amount when the balance is short", () => {
    expect(
      problem(() => {
        throw insufficientBalance(request, 999n);
      }),
    ).toBe('failed_precondition: amount: 1000 JPY is more than the 999 JPY available to seller "s1"');
  });
});

describe("PSP payouts", () => {
  it("are final when paid or failed, with the PSP's reason", () => {
    const psp = { id: "po_1", failureCode: null, failureMessage: null };
    expect(outcomeOf({ ...psp, status: "pending" })).toBeUndefined();
    expect(outcomeOf({ ...psp, status: "paid" })).toEqual({ status: "PAID" });
    expect(outcomeOf({ ...psp, status: "failed", failureCode: "account_frozen", failureMessage: "frozen" })).toEqual({
      status: "FAILED",
      failure: { code: "account_frozen", message: "frozen" },
    });
  });
});

describe("payout schedule", () => {
  it("reads minimums per currency, with a default for the others", () => {
    expect(parseMinimums("")).toEqual({ byCurrency: {}, otherwise: 1n });
    expect(parseMinimums("USD=1000, KWD=5000,*=10")).toEqual({
      byCurrency: { USD: 1_000n, KWD: 5_000n },
      otherwise: 10n,
    });
    expect(() => parseMinimums("usd=1")).toThrow(/"usd" is not an ISO 4217 code/);
    expect(() => parseMinimums("USD=0")).toThrow(/must be CUR=<positive minor units>/);
    expect(() => parseMinimums("USD")).toThrow(/must be CUR=<positive minor units>/);
  });

  it("names a window's payout the same on every instance, within the id limit", () => {
    const window = scheduleWindow(new Date(86_400_000 * 10 + 5), 86_400_000);
    expect(window).toBe(10);
    expect(scheduledPayoutId("shop:eu:7", "EUR", window)).toBe("sched:shop:eu:7:EUR:10");
    const long = scheduledPayoutId("s".repeat(128), "EUR", window);
    expect(long).toMatch(/^sched:[0-9a-f]{40}:EUR:10$/);
    expect(scheduledPayoutId("s".repeat(128), "EUR", window)).toBe(long);
  });
});

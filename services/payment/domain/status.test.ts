import { describe, expect, it } from "vitest";
import { canMove, checkoutStatus, PAYMENT_STATUSES, statusesBefore } from "./status.js";

describe("payment state machine", () => {
  it("allows exactly the transitions of the design", () => {
    const allowed = PAYMENT_STATUSES.flatMap((from) =>
      PAYMENT_STATUSES.filter((to) => canMove(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        "NOT_STARTED->EXECUTING",
        "NOT_STARTED->FAILED",
        "EXECUTING->PENDING",
        "EXECUTING->SUCCEEDED",
        "EXECUTING->FAILED",
        "EXECUTING->AUTHORIZED",
        "EXECUTING->VOIDED",
        "PENDING->SUCCEEDED",
        "PENDING->FAILED",
        "PENDING->AUTHORIZED",
        "AUTHORIZED->SUCCEEDED",
        "AUTHORIZED->VOIDED",
        "SUCCEEDED->PARTIALLY_REFUNDED",
        "SUCCEEDED->REFUNDED",
        "PARTIALLY_REFUNDED->REFUNDED",
      ].sort(),
    );
  });

  it("never moves backwards or out of a final status", () => {
    expect(canMove("SUCCEEDED", "PENDING")).toBe(false);
    expect(canMove("FAILED", "SUCCEEDED")).toBe(false);
    expect(canMove("PENDING", "EXECUTING")).toBe(false);
    expect(canMove("SUCCEEDED", "SUCCEEDED")).toBe(false);
  });

  it("names the sources of a transition", () => {
    expect(statusesBefore("SUCCEEDED").sort()).toEqual(["AUTHORIZED", "EXECUTING", "PENDING"]);
    expect(canMove("VOIDED", "SUCCEEDED")).toBe(false);
    expect(statusesBefore("FAILED").sort()).toEqual(["EXECUTING", "NOT_STARTED", "PENDING"]);
  });

  it("derives the checkout status from its orders", () => {
    expect(checkoutStatus(["SUCCEEDED", "SUCCEEDED"])).toBe("SUCCEEDED");
    expect(checkoutStatus(["SUCCEEDED", "REFUNDED"])).toBe("PARTIALLY_REFUNDED");
  });
});

import { describe, expect, it } from "vitest";
import { invariant, InvariantViolation, present } from "./invariant.js";

describe("invariant", () => {
  it("passes a condition that holds and names what broke otherwise", () => {
    expect(() => invariant(1 + 1 === 2, "arithmetic works")).not.toThrow();
    expect(() => invariant(false, "the entries balance")).toThrow(new InvariantViolation("the entries balance"));
    expect(() => invariant(0, "a count above zero")).toThrow("invariant broken: a count above zero");
  });

  it("present() returns a present value, zero and empty string included, and refuses undefined and null", () => {
    expect(present(0n, "an amount")).toBe(0n);
    expect(present("", "a note")).toBe("");
    expect(() => present(undefined, "the first row")).toThrow("invariant broken: the first row");
    expect(() => present(null, "the payment")).toThrow(InvariantViolation);
  });
});

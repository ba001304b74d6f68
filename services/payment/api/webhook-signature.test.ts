import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signatureProblem } from "./webhook-signature.js";

const secret = "whsec_test";
const body = '{"id":"evt_1"}';
const sign = (t: number, payload = body, key = secret) =>
  createHmac("sha256", key).update(`${t}.${payload}`).digest("hex");

describe("webhook signature", () => {
  const now = 1_800_000_000;

  it("accepts a fresh, correctly signed body", () => {
    expect(signatureProblem(`t=${now},v1=${sign(now)}`, body, secret, now)).toBeUndefined();
  });

  it("accepts any matching v1 while secrets rotate", () => {
    expect(
      signatureProblem(`t=${now},v1=${sign(now, body, "old")},v1=${sign(now)}`, body, secret, now),
    ).toBeUndefined();
  });

  it("rejects a forged, tampered, stale, or missing signature", () => {
    expect(signatureProblem(`t=${now},v1=${sign(now, body, "guess")}`, body, secret, now)).toBe(
      "signature does not match",
    );
    expect(signatureProblem(`t=${now},v1=${sign(now)}`, '{"id":"evt_2"}', secret, now)).toBe(
      "signature does not match",
    );
    expect(signatureProblem(`t=${now - 301},v1=${sign(now - 301)}`, body, secret, now)).toMatch(/tolerance/);
    expect(signatureProblem(`t=${now + 301},v1=${sign(now + 301)}`, body, secret, now)).toMatch(/tolerance/);
    expect(signatureProblem(undefined, body, secret, now)).toMatch(/missing/);
    expect(signatureProblem(`v1=${sign(now)}`, body, secret, now)).toMatch(/malformed/);
    expect(signatureProblem(`t=${now},v1=zz`, body, secret, now)).toBe("signature does not match");
  });
});

import { createHmac, timingSafeEqual } from "node:crypto";

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Verifies `PSP-Signature: t=<unix seconds>,v1=<hex hmac>` where the HMAC-SHA256 covers `${t}.${rawBody}`.
 * Several v1 values may be present while the PSP rotates secrets. Returns why it failed, or undefined.
 */
export function signatureProblem(
  header: string | undefined,
  rawBody: string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): string | undefined {
  if (!header) return "missing PSP-Signature header";
  const parts = header.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]);
  const timestamp = Number(parts.find(([k]) => k === "t")?.[1]);
  const signatures = parts.flatMap(([k, v]) => (k === "v1" && v !== undefined ? [v] : []));
  if (!Number.isSafeInteger(timestamp) || signatures.length === 0) return "malformed PSP-Signature header";
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds)
    return `timestamp outside the ${toleranceSeconds}s tolerance`;
  const expected = createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest();
  const matches = signatures.some((hex) => {
    const given = Buffer.from(hex, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? undefined : "signature does not match";
}

import { createHash } from "node:crypto";
import { isKnownCurrency } from "../../lib/money.js";
import { MAX_ID_LENGTH } from "../../lib/validate.js";

/** Scheduled payouts pay each seller's whole available balance, per currency, once per window. */
export interface PayoutSchedule {
  /** How often the scheduler runs; windows of this length, counted from the Unix epoch, are the same on every instance. */
  intervalMs: number;
  minimums: PayoutMinimums;
}

/** The smallest balance worth paying out, in minor units: per currency, else `otherwise`. */
export interface PayoutMinimums {
  byCurrency: Record<string, bigint>;
  otherwise: bigint;
}

export const NO_MINIMUMS: PayoutMinimums = { byCurrency: {}, otherwise: 1n };

/** "USD=1000,JPY=1000,*=1": minimums in minor units; "*" for every other currency (default 1). */
export function parseMinimums(spec: string): PayoutMinimums {
  const minimums: PayoutMinimums = { byCurrency: {}, otherwise: NO_MINIMUMS.otherwise };
  for (const entry of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [currency = "", amount = ""] = entry.split("=");
    if (currency !== "*" && !isKnownCurrency(currency))
      throw new Error(`payout minimums: "${currency}" is not an ISO 4217 code (in "${entry}")`);
    if (!/^[1-9]\d{0,17}$/.test(amount))
      throw new Error(`payout minimums: "${entry}" must be CUR=<positive minor units>`);
    if (currency === "*") minimums.otherwise = BigInt(amount);
    else minimums.byCurrency[currency] = BigInt(amount);
  }
  return minimums;
}

export const scheduleWindow = (now: Date, intervalMs: number): number => Math.floor(now.getTime() / intervalMs);

/**
 * The same seller, currency and window always give the same id, so reruns and other instances find the payout
 * already made (and the PSP, whose idempotency key it is, too). A seller id too long for the id is hashed.
 */
export function scheduledPayoutId(sellerId: string, currency: string, window: number): string {
  const id = `sched:${sellerId}:${currency}:${window}`;
  if (id.length <= MAX_ID_LENGTH) return id;
  return `sched:${createHash("sha256").update(sellerId).digest("hex").slice(0, 40)}:${currency}:${window}`;
}

import { isSupportedCurrency } from "./currencies.js";

/** One amount in minor units for every currency, or amounts per currency (upper-case codes); unlisted currencies get the default. */
export type PerCurrencyMinor = number | Readonly<Record<string, number>>;

export interface FeeOptions {
  /** Percentage part of the processing fee, in basis points: 0..10000, default 290 (2.9%). */
  feePercentBps?: number;
  /** Fixed part of the processing fee, in the charge currency's minor units; default 30. */
  feeFixedMinor?: PerCurrencyMinor;
  /** Fee taken when a dispute is opened, in the currency's minor units; default 1500. */
  disputeFeeMinor?: PerCurrencyMinor;
}

const DEFAULT_PERCENT_BPS = 290;
const DEFAULT_FIXED_MINOR = 30;
const DEFAULT_DISPUTE_MINOR = 1500;
const BPS_PER_UNIT = 10_000n;

/** `amount * bps / 10000`, rounded half up to the minor unit; in BigInt so large amounts stay exact. */
export function percentOf(amount: number, bps: number): number {
  return Number((BigInt(amount) * BigInt(bps) * 2n + BPS_PER_UNIT) / (2n * BPS_PER_UNIT));
}

function minorAmount(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`PSP simulator: ${name} must be an integer >= 0 of minor units, got ${String(value)}`);
  }
  return value;
}

function perCurrency(
  name: string,
  value: PerCurrencyMinor | undefined,
  fallback: number,
): (currency: string) => number {
  if (value === undefined) return () => fallback;
  if (typeof value === "number") {
    const amount = minorAmount(name, value);
    return () => amount;
  }
  const amounts = new Map(
    Object.entries(value).map(([currency, amount]) => {
      if (!isSupportedCurrency(currency))
        throw new Error(`PSP simulator: ${name} names an unsupported currency: ${currency}`);
      return [currency, minorAmount(`${name}.${currency}`, amount)];
    }),
  );
  return (currency) => amounts.get(currency) ?? fallback;
}

/** What the PSP keeps: a processing fee on each charge and a fee on each dispute. */
export class FeeSchedule {
  private readonly percentBps: number;
  private readonly fixed: (currency: string) => number;
  private readonly disputeFee: (currency: string) => number;

  /** Throws on an invalid option, naming it. */
  constructor(options: FeeOptions = {}) {
    const bps = options.feePercentBps ?? DEFAULT_PERCENT_BPS;
    if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) {
      throw new Error(`PSP simulator: feePercentBps must be an integer from 0 to 10000, got ${bps}`);
    }
    this.percentBps = bps;
    this.fixed = perCurrency("feeFixedMinor", options.feeFixedMinor, DEFAULT_FIXED_MINOR);
    this.disputeFee = perCurrency("disputeFeeMinor", options.disputeFeeMinor, DEFAULT_DISPUTE_MINOR);
  }

  /** The processing fee on a charge of `amount` minor units; it may exceed a tiny amount, as with Stripe. */
  charge(amount: number, currency: string): number {
    return percentOf(amount, this.percentBps) + this.fixed(currency);
  }

  dispute(currency: string): number {
    return this.disputeFee(currency);
  }
}

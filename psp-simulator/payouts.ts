import type { Clock } from "./clock.js";
import type { Store } from "./store.js";
import { newId } from "./tokens.js";

export type PayoutStatus = "pending" | "paid" | "failed";

/** Destinations whose payouts fail, with Stripe's failure codes; any other destination is paid. */
const FAILING_DESTINATIONS: ReadonlyMap<string, { code: string; message: string }> = new Map([
  ["ba_closed", { code: "account_closed", message: "The bank account has been closed." }],
  ["ba_invalid", { code: "invalid_account_number", message: "The bank account number or routing number is invalid." }],
  ["ba_frozen", { code: "account_frozen", message: "The bank account has been frozen." }],
  ["ba_no_account", { code: "no_account", message: "The bank account details do not match an existing account." }],
]);

export interface Payout {
  id: string;
  amount: number;
  currency: string;
  destination: string;
  reference: string;
  description: string | null;
  metadata: Record<string, string>;
  status: PayoutStatus;
  failureCode: string | null;
  failureMessage: string | null;
  /** Unix seconds at which the payout is expected to resolve. */
  arrivalDate: number;
  created: number;
}

export interface NewPayout {
  amount: number;
  currency: string;
  destination: string;
  reference: string;
  description: string | null;
  metadata: Record<string, string>;
}

export type PayoutEventType = "payout.created" | "payout.paid" | "payout.failed";

export function payoutObject(payout: Payout) {
  return {
    id: payout.id,
    object: "payout" as const,
    amount: payout.amount,
    currency: payout.currency,
    destination: payout.destination,
    reference: payout.reference,
    description: payout.description,
    metadata: payout.metadata,
    status: payout.status,
    failure_code: payout.failureCode,
    failure_message: payout.failureMessage,
    arrival_date: payout.arrivalDate,
    created: payout.created,
  };
}

export type PayoutObject = ReturnType<typeof payoutObject>;

export interface PayoutsOptions {
  store: Store;
  clock: Clock;
  /** How long a payout stays pending. */
  delayMs: number;
  publish: (type: PayoutEventType, payout: Payout) => void;
}

/** Payouts to sellers' bank accounts: pending, then paid, or failed for the failing test destinations. */
export class Payouts {
  constructor(private readonly options: PayoutsOptions) {}

  create(input: NewPayout): Payout {
    const { clock, delayMs } = this.options;
    const now = clock.now();
    const payout: Payout = {
      ...input,
      id: newId("po"),
      status: "pending",
      failureCode: null,
      failureMessage: null,
      arrivalDate: Math.floor((now + delayMs) / 1000),
      created: Math.floor(now / 1000),
    };
    this.options.store.payouts.add(payout);
    this.options.publish("payout.created", payout);
    clock.at(now + delayMs, () => this.resolve(payout));
    return payout;
  }

  private resolve(payout: Payout): void {
    const failure = FAILING_DESTINATIONS.get(payout.destination);
    if (failure) {
      Object.assign(payout, { status: "failed", failureCode: failure.code, failureMessage: failure.message });
      this.options.publish("payout.failed", payout);
    } else {
      payout.status = "paid";
      this.options.publish("payout.paid", payout);
    }
  }
}

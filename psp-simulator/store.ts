import type { Dispute } from "./disputes.js";
import type { Payment } from "./payments.js";
import type { Payout } from "./payouts.js";
import type { Refund } from "./refunds.js";

/** One kind of object, by id, in creation order. */
export class Table<T extends { id: string }> {
  private readonly rows = new Map<string, T>();

  /** `noun` names the object in "No such ..." errors. */
  constructor(readonly noun: string) {}

  add(row: T): void {
    this.rows.set(row.id, row);
  }

  get(id: string): T | undefined {
    return this.rows.get(id);
  }

  /** Oldest first. */
  list(predicate: (row: T) => boolean = () => true): T[] {
    return [...this.rows.values()].filter(predicate);
  }
}

/** All simulator state lives here, in memory, for the lifetime of one simulator. */
export class Store {
  readonly payments = new Table<Payment>("payment");
  readonly refunds = new Table<Refund>("refund");
  readonly payouts = new Table<Payout>("payout");
  readonly disputes = new Table<Dispute>("dispute");
}

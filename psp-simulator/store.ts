import type { Payment } from "./payments.js";

/**
 * All simulator state lives here, in memory, for the lifetime of one simulator.
 * New resources (payouts, settlement batches) get their own collection next to `payments`.
 */
export class Store {
  private readonly payments = new Map<string, Payment>();

  addPayment(payment: Payment): void {
    this.payments.set(payment.id, payment);
  }

  getPayment(id: string): Payment | undefined {
    return this.payments.get(id);
  }

  /** Oldest first, i.e. creation order. */
  listPayments(filter: { reference?: string }): Payment[] {
    return [...this.payments.values()].filter((p) => filter.reference === undefined || p.reference === filter.reference);
  }
}

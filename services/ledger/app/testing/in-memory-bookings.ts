import type { Direction } from "../../../contracts/accounting/accounts.js";
import { HOUR_MS, type Amount, type BookedFlow, type HourTotal } from "../../domain/stalls.js";
import type { BookedCounts } from "../ports.js";

/** A transaction the ledger booked, with its entries. */
export interface Booking {
  transactionId: string;
  postedAt: Date;
  entries: { accountCode: string; direction: Direction; amount: Amount }[];
}

/** A SQL LIKE pattern (`%` any run, `_` any one character) as a regular expression. */
const like = (pattern: string) =>
  new RegExp(
    `^${[...pattern].map((c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("")}$`,
  );

/** The amounts of `booking`'s entries that carry `flow`'s amount. */
function amountsOf(flow: BookedFlow, booking: Booking): Amount[] {
  const account = like(flow.amountEntry.account);
  return booking.entries
    .filter((e) => account.test(e.accountCode) && e.direction === flow.amountEntry.direction)
    .map((e) => e.amount);
}

/** BookedCounts in memory, for unit tests: what the SQL queries count, of the bookings given. */
export class InMemoryBookings implements BookedCounts {
  readonly bookings: Booking[] = [];

  book(...bookings: Booking[]): this {
    this.bookings.push(...bookings);
    return this;
  }

  async bookedPerHour(flows: readonly BookedFlow[], since: Date): Promise<HourTotal[]> {
    const totals = new Map<string, HourTotal>();
    for (const flow of flows) {
      const ofFlow = like(flow.pattern);
      for (const booking of this.bookings.filter((b) => b.postedAt >= since && ofFlow.test(b.transactionId))) {
        const hour = Math.floor(booking.postedAt.getTime() / HOUR_MS) * HOUR_MS;
        for (const amount of amountsOf(flow, booking)) {
          const key = `${flow.name}/${hour}/${amount.currency}`;
          const total = totals.get(key) ?? {
            flow: flow.name,
            hour,
            currency: amount.currency,
            count: 0n,
            sumMinor: 0n,
          };
          totals.set(key, { ...total, count: total.count + 1n, sumMinor: total.sumMinor + amount.amountMinor });
        }
      }
    }
    return [...totals.values()];
  }

  async bookedAmounts(flow: BookedFlow, transactionIds: string[]): Promise<Map<string, Amount>> {
    const booked = new Map<string, Amount>();
    for (const booking of this.bookings.filter((b) => transactionIds.includes(b.transactionId))) {
      // A transaction without its amount entry booked nothing of the item.
      booked.set(booking.transactionId, amountsOf(flow, booking)[0] ?? { currency: "", amountMinor: 0n });
    }
    return booked;
  }
}

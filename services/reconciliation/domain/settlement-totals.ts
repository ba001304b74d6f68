import { NO_SETTLEMENT, type SettlementInput, type SettlementTotals } from "./settlement-posting.js";
import type { SettlementLine } from "./settlement-line.js";

/** The settlement totals per currency of the matched lines of a file (see settlementPosting). */
export class SettlementTotalsBuilder {
  private readonly byCurrency = new Map<string, SettlementTotals>();

  add(line: SettlementLine): void {
    const t = this.byCurrency.get(line.currency) ?? { ...NO_SETTLEMENT };
    switch (line.type) {
      case "charge":
        t.chargesGross += line.gross;
        t.chargesFee += line.fee;
        break;
      case "refund":
        t.refunds -= line.gross;
        break;
      case "chargeback":
        t.chargebacks -= line.gross;
        break;
      case "chargeback_reversal":
        t.chargebackReversals += line.gross;
        break;
      case "fee":
        t.disputeFees += line.fee;
        break;
      case "payout":
        // Booked on the bank when the payout was paid.
        break;
    }
    this.byCurrency.set(line.currency, t);
  }

  build(): Map<string, SettlementTotals> {
    return this.byCurrency;
  }
}

/** What is left to post: `current` less what earlier postings of the day already settled. */
export function totalsDelta(current: SettlementTotals, posted: SettlementTotals): SettlementTotals {
  const delta = { ...NO_SETTLEMENT };
  for (const key of Object.keys(delta) as (keyof SettlementTotals)[]) delta[key] = current[key] - posted[key];
  return delta;
}

/** Per currency: what the postings settle together, and how many there are. */
export function settledPerCurrency(
  postings: { currency: string; totals: SettlementTotals }[],
): Map<string, { totals: SettlementTotals; postings: number }> {
  const settled = new Map<string, { totals: SettlementTotals; postings: number }>();
  for (const { currency, totals } of postings) {
    const so = settled.get(currency) ?? { totals: NO_SETTLEMENT, postings: 0 };
    settled.set(currency, { totals: addTotals(so.totals, totals), postings: so.postings + 1 });
  }
  return settled;
}

export function addTotals(a: SettlementTotals, b: SettlementTotals): SettlementTotals {
  return totalsDelta(a, totalsDelta(NO_SETTLEMENT, b));
}

/**
 * Per currency, the day's next settlement: what the file's matched lines settle (`current`) beyond what the day's
 * recorded postings settled, as the posting after them (totals of zero where nothing changed).
 */
export function nextSettlements(
  date: string,
  current: ReadonlyMap<string, SettlementTotals>,
  recorded: { currency: string; totals: SettlementTotals }[],
): SettlementInput[] {
  const settled = settledPerCurrency(recorded);
  return [...new Set([...current.keys(), ...settled.keys()])].map((currency) => {
    const before = settled.get(currency) ?? { totals: NO_SETTLEMENT, postings: 0 };
    return {
      date,
      currency,
      sequence: before.postings + 1,
      totals: totalsDelta(current.get(currency) ?? NO_SETTLEMENT, before.totals),
    };
  });
}

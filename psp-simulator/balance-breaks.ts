/**
 * A day's closing balance misstated by the bank: day `date`'s file says the balance in `currency` is the real one plus
 * `delta`. Field names are those of `POST /v1/test_helpers/settlements/balance_breaks`.
 */
export interface BalanceBreak {
  date: string;
  currency: string;
  /** Minor units, non-zero, signed. */
  delta: number;
}

/**
 * The balance breaks set for each day. Only that day's closing balance line is off: the next day's file states the
 * real balance again, as a bank correcting a one-day misstatement would.
 */
export class BalanceBreaks {
  private readonly byDay = new Map<string, Map<string, number>>();

  /** Replaces any break already set for the same day and currency. */
  set({ date, currency, delta }: BalanceBreak): void {
    const day = this.byDay.get(date) ?? new Map<string, number>();
    day.set(currency, delta);
    this.byDay.set(date, day);
  }

  /** By day, then currency code. */
  list(): BalanceBreak[] {
    return [...this.byDay]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([date, day]) =>
        [...day].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, delta]) => ({ date, currency, delta })),
      );
  }

  /** Day `date`'s closing balances as the file states them; a currency with no balance yet starts from 0. */
  stated(date: string, balances: ReadonlyMap<string, number>): Map<string, number> {
    const stated = new Map(balances);
    for (const [currency, delta] of this.byDay.get(date) ?? [])
      stated.set(currency, (stated.get(currency) ?? 0) + delta);
    return stated;
  }
}

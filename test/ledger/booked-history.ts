import type { Db } from "../../services/lib/db.js";
import { addDays, type DailyValue } from "../../services/lib/forecast/daily-series.js";
import { syntheticHistory, DEMO_HISTORY } from "../../services/lib/forecast/synthetic-history.js";
import { payInPosting } from "../../services/ledger/domain/chart.js";
import { bookAt } from "./ledger-test-service.js";

/** The platform's fee on the synthetic pay-ins, in basis points. */
const FEE_BPS = 300n;

export interface BookedHistory {
  /** What each day's pay-in charged, and the platform fee it earned (the day's net revenue: no PSP fees booked). */
  grossCharged: DailyValue[];
  netRevenue: DailyValue[];
}

/** The UTC day `days` before today. */
export const daysAgo = (days: number, now = new Date()): string => addDays(now.toISOString().slice(0, 10), -days);

/**
 * Books one pay-in a day (at noon UTC) of the demo shop's synthetic history in `currency`, for the `days` days up
 * to yesterday: the history a forecast reads. Payment ids start with `prefix`, so that several histories can share
 * the books.
 */
export async function bookDailyPayIns(
  db: Db,
  {
    currency,
    days,
    seed = 18,
    prefix = `hist-${currency}`,
  }: { currency: string; days: number; seed?: number; prefix?: string },
): Promise<BookedHistory> {
  const grossCharged = syntheticHistory({ ...DEMO_HISTORY, start: daysAgo(days), days, seed });
  const netRevenue = grossCharged.map(({ day, valueMinor }) => ({ day, valueMinor: (valueMinor * FEE_BPS) / 10_000n }));
  for (const [i, { day, valueMinor }] of grossCharged.entries()) {
    const posting = payInPosting({
      paymentId: `${prefix}-${day}`,
      currency,
      orders: [{ sellerId: "seller-hist", amountMinor: valueMinor, platformFeeMinor: netRevenue[i]!.valueMinor }],
    });
    await bookAt(db, posting, new Date(`${day}T12:00:00Z`));
  }
  return { grossCharged, netRevenue };
}

const DAY_MS = 24 * 60 * 60 * 1000;

const CUTOFF = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `value` is a real calendar date written YYYY-MM-DD. */
export function isSettlementDate(value: string): boolean {
  return DATE.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().startsWith(value);
}

/**
 * Settlement days: day D runs from D at the cutoff to D+1 at the cutoff, UTC, so with the default cutoff of
 * 00:00 it is the UTC calendar day D. Its file is written at its end.
 */
export class SettlementCalendar {
  private readonly cutoffMs: number;

  /** `cutoff` is "HH:MM" UTC; throws otherwise. */
  constructor(cutoff = "00:00") {
    const match = CUTOFF.exec(cutoff);
    if (!match)
      throw new Error(
        `PSP simulator: settlementCutoff must be "HH:MM" (UTC, 00:00 to 23:59), got ${JSON.stringify(cutoff)}`,
      );
    this.cutoffMs = (Number(match[1]) * 60 + Number(match[2])) * 60 * 1000;
  }

  /** The settlement day that the instant `time` (ms) belongs to. */
  dateOf(time: number): string {
    return new Date(time - this.cutoffMs).toISOString().slice(0, 10);
  }

  /** Day `date` as [start, end) in ms. */
  window(date: string): { start: number; end: number } {
    const start = Date.parse(date) + this.cutoffMs;
    return { start, end: start + DAY_MS };
  }
}

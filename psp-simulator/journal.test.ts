import { describe, expect, it, onTestFinished } from "vitest";
import { Clock } from "./clock.js";
import { Journal } from "./journal.js";
import type { MovementDraft } from "./movements.js";

function startClock(): Clock {
  const clock = new Clock();
  onTestFinished(() => clock.close());
  return clock;
}

const charge = (pspReference: string, gross: number, currency = "EUR"): MovementDraft => ({
  pspReference,
  ourReference: `order_${pspReference}`,
  type: "charge",
  gross,
  fee: 10,
  currency,
});

describe("Journal", () => {
  it("stamps what a due action records with the time it was due, even when an advance runs it late", () => {
    const clock = startClock();
    const journal = new Journal(clock);
    const start = clock.now();
    clock.after(1000, () => journal.record([charge("pi_due", 100)]));
    clock.advance(60_000);
    journal.record([charge("pi_now", 200)]);
    const [due, now] = journal.during(start, start + 120_000);
    expect(due).toMatchObject({ pspReference: "pi_due", time: start + 1000 });
    expect(now?.pspReference).toBe("pi_now");
    expect(now?.time).toBeGreaterThanOrEqual(start + 60_000);
    // Outside a due action, an event happens now (read between two readings of the clock, which may tick between them).
    const before = clock.now();
    const eventTime = clock.eventTime();
    expect(eventTime).toBeGreaterThanOrEqual(before);
    expect(eventTime).toBeLessThanOrEqual(clock.now());
  });

  it("answers a window's movements in time order and the balances before a time", () => {
    const clock = startClock();
    const journal = new Journal(clock);
    const start = clock.now();
    clock.after(2000, () => journal.record([charge("pi_2", 300, "USD")]));
    clock.after(1000, () => journal.record([charge("pi_1a", 100), charge("pi_1b", 200)]));
    clock.advance(2000);
    expect(journal.during(start, start + 2000).map((m) => m.pspReference)).toEqual(["pi_1a", "pi_1b"]);
    expect(journal.during(start + 1001, start + 3000).map((m) => m.pspReference)).toEqual(["pi_2"]);
    expect(journal.balancesBefore(start + 2000)).toEqual(new Map([["EUR", 280]]));
    expect(journal.balancesBefore(start + 2001)).toEqual(
      new Map([
        ["EUR", 280],
        ["USD", 290],
      ]),
    );
  });
});

import { describe, expect, it } from "vitest";
import { checkStalls } from "./stall-check.js";
import type { DeadLetterCount } from "./ports.js";
import { InMemoryBookings, type Booking } from "./testing/in-memory-bookings.js";
import { InMemoryPipelineSource, type SourceItem } from "./testing/in-memory-pipeline-source.js";

const NOW = new Date("2024-03-05T12:00:00.000Z");
const CONFIG = { stallAfterMs: 60_000, lookbackMs: 24 * 3600_000 };
const at = (time: string) => new Date(`2024-03-05T${time}Z`);

/** A pay-in of `amountMinor` EUR created at `time`, settled a second later. */
const payin = (id: string, time: string, amountMinor = 1_000n): SourceItem => ({
  flow: "payin",
  id,
  currency: "EUR",
  amountMinor,
  createdAt: at(time),
  settledAt: new Date(at(time).getTime() + 1_000),
});
/** The ledger's pay-in of `paymentId`, posted at `time`. */
const bookedPayin = (paymentId: string, time: string, amountMinor = 1_000n): Booking => ({
  transactionId: `payin:${paymentId}`,
  postedAt: at(time),
  entries: [
    { accountCode: "psp_receivable:EUR", direction: "DEBIT", amount: { amountMinor, currency: "EUR" } },
    { accountCode: "seller_payable:seller_a:EUR", direction: "CREDIT", amount: { amountMinor, currency: "EUR" } },
  ],
});

const payments = () => new InMemoryPipelineSource("payment", ["payin", "refund"]);
const check = (bookings: InMemoryBookings, sources: InMemoryPipelineSource[], deadLetters?: DeadLetterCount) =>
  checkStalls(bookings, sources, deadLetters, CONFIG, NOW);

describe("checkStalls on in-memory ports", () => {
  it("finds nothing when the ledger booked what was settled, and lists no hour whose counts and sums agree", async () => {
    const source = payments().settle(payin("pay_1", "09:10:00"), payin("pay_2", "10:59:59"));
    // pay_2 was booked in the next hour: hour 10's counts differ, and its items are compared one by one.
    const report = await check(
      new InMemoryBookings().book(bookedPayin("pay_1", "09:10:02"), bookedPayin("pay_2", "11:00:01")),
      [source],
    );
    expect(report).toEqual({ violations: [], notes: [] });
    expect(source.listed).toEqual(["payin@2024-03-05T10:00:00.000Z"]);
  });

  it("reports an item settled but not booked, and one booked with another amount; not one settled too recently", async () => {
    const source = payments().settle(
      payin("pay_1", "09:00:00"),
      payin("pay_2", "09:30:00"),
      payin("pay_3", "09:40:00"),
      { ...payin("pay_4", "11:59:20"), settledAt: at("11:59:30") },
    );
    const report = await check(
      new InMemoryBookings().book(bookedPayin("pay_1", "09:00:02"), bookedPayin("pay_3", "09:40:02", 999n)),
      [source],
    );
    expect(report.violations).toEqual([
      {
        invariant: "settled_not_booked",
        transactionId: "payin:pay_2",
        detail:
          'payin "pay_2" was settled by the payment service over 60000 ms ago, but the ledger has no "payin:pay_2"',
      },
      {
        invariant: "settled_amount_differs",
        transactionId: "payin:pay_3",
        currency: "EUR",
        detail: 'payin "pay_3" was settled by the payment service for 1000 EUR, but "payin:pay_3" booked 999 EUR',
      },
    ]);
    expect(report.notes).toEqual([]);
  });

  it("compares each source's own flows only: the wallet's payouts against their paid transactions", async () => {
    const wallet = new InMemoryPipelineSource("wallet", ["payout"]).settle({
      flow: "payout",
      id: "po_1",
      currency: "EUR",
      amountMinor: 500n,
      createdAt: at("08:00:00"),
      settledAt: at("08:05:00"),
    });
    const paid: Booking = {
      transactionId: "payout:po_1:paid",
      postedAt: at("08:05:01"),
      entries: [
        { accountCode: "payouts_in_transit:EUR", direction: "DEBIT", amount: { amountMinor: 500n, currency: "EUR" } },
      ],
    };
    expect(await check(new InMemoryBookings().book(paid), [wallet])).toEqual({ violations: [], notes: [] });
    expect((await check(new InMemoryBookings(), [wallet])).violations.map((v) => v.transactionId)).toEqual([
      "payout:po_1:paid",
    ]);
  });

  it("lists at most 100 items per flow and kind, and counts the others in a note", async () => {
    const source = payments().settle(...Array.from({ length: 103 }, (_, i) => payin(`pay_${i}`, "07:00:00")));
    const report = await check(new InMemoryBookings(), [source]);
    expect(report.violations).toHaveLength(100);
    expect(report.violations[99]!.transactionId).toBe("payin:pay_99");
    expect(report.notes).toEqual(["payin: 3 more settled but not booked than are listed"]);
  });

  it("reports an outbox with unpublished events and dead letters waiting", async () => {
    const source = payments();
    source.unpublished = 4n;
    source.oldestUnpublished = at("11:58:00");
    const report = await check(new InMemoryBookings(), [source], {
      deadLetters: async () => ({ stream: "DEAD_LETTERS", messages: 2 }),
    });
    expect(report.violations).toEqual([
      {
        invariant: "outbox_events_unpublished",
        detail:
          "the payment service's outbox holds 4 unpublished events, the oldest from 2024-03-05T11:58:00.000Z (120000 ms ago)",
      },
      {
        invariant: "dead_letters_waiting",
        detail: "2 dead letters wait in DEAD_LETTERS (scripts/dead-letters.ts list)",
      },
    ]);
  });

  it("notes what it could not compare or count, and checks the other sources all the same", async () => {
    const down = payments();
    down.health = () => Promise.reject(new Error("UNAVAILABLE: payment service down"));
    const wallet = new InMemoryPipelineSource("wallet", ["payout"]).settle({
      flow: "payout",
      id: "po_1",
      currency: "EUR",
      amountMinor: 500n,
      createdAt: at("08:00:00"),
      settledAt: at("08:05:00"),
    });
    const report = await check(new InMemoryBookings(), [down, wallet], {
      deadLetters: () => Promise.reject(new Error("NATS closed")),
    });
    expect(report.violations.map((v) => v.transactionId)).toEqual(["payout:po_1:paid"]);
    expect(report.notes).toEqual([
      "the payment service's settled items and outbox were not compared: Error: UNAVAILABLE: payment service down",
      "dead letters were not counted: Error: NATS closed",
    ]);
  });
});

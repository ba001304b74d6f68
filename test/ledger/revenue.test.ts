import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GetRevenueRequestSchema, RevenueGranularity, ViolationSchema } from "../../gen/ledger/v1/ledger_pb.js";
import { disputePosting, payInPosting, refundPosting } from "../../services/ledger/domain/chart.js";
import { settleAsReportedPosting } from "../../services/reconciliation/domain/adjustment-posting.js";
import { settlementPosting, NO_SETTLEMENT } from "../../services/reconciliation/domain/settlement-posting.js";
import type { PostingPlan } from "../../services/contracts/accounting/postings.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { revenueRowsFromEntries } from "../../services/ledger/store/revenue-query.js";
import {
  revenueReport,
  zeroFigures,
  type RevenueFigures,
  type RevenuePeriod,
  type RevenueQuery,
} from "../../services/ledger/domain/revenue.js";
import { failure, serviceClient } from "../support/clients.js";
import { waitFor } from "../support/wait.js";
import { bookAt, startLedgerUnderTest, type LedgerUnderTest } from "./ledger-test-service.js";

let ledger: LedgerUnderTest;
let store: LedgerStore;

const at = (day: string, time = "12:00:00") => new Date(`${day}T${time}Z`);

/** What the books hold, by day of posting (UTC); the figures each adds are in the comments. */
const BOOKED: [Date, PostingPlan][] = [
  // gross 10000, fee 300
  [
    at("2026-01-30"),
    payInPosting({
      paymentId: "p1",
      currency: "USD",
      orders: [{ sellerId: "s1", amountMinor: 10_000n, platformFeeMinor: 300n }],
    }),
  ],
  // gross 7000, fee 210; one second before midnight, still the 31st
  [
    at("2026-01-31", "23:59:59"),
    payInPosting({
      paymentId: "p2",
      currency: "USD",
      orders: [
        { sellerId: "s1", amountMinor: 5_000n, platformFeeMinor: 150n },
        { sellerId: "s2", amountMinor: 2_000n, platformFeeMinor: 60n },
      ],
    }),
  ],
  // refunds 1000, fees reversed 30
  [
    at("2026-02-01", "00:00:00"),
    refundPosting({
      refundId: "r1",
      paymentId: "p1",
      sellerId: "s1",
      currency: "USD",
      amountMinor: 1_000n,
      platformFeeReversedMinor: 30n,
      sellerDebitMinor: 970n,
    }),
  ],
  // nothing: the sellers' shares are withheld
  [
    at("2026-02-02"),
    disputePosting({
      disputeId: "d1",
      paymentId: "p2",
      currency: "USD",
      status: "OPEN",
      shares: [{ sellerId: "s1", amountMinor: 5_000n }],
    }),
  ],
  // PSP fees 510
  [
    at("2026-02-03"),
    settlementPosting({
      date: "2026-02-03",
      currency: "USD",
      sequence: 1,
      totals: { ...NO_SETTLEMENT, chargesGross: 17_000n, chargesFee: 510n, refunds: 1_000n },
    })!,
  ],
  // disputes lost 5000
  [
    at("2026-02-10"),
    disputePosting({
      disputeId: "d1",
      paymentId: "p2",
      currency: "USD",
      status: "LOST",
      shares: [{ sellerId: "s1", amountMinor: 5_000n }],
    }),
  ],
  // EUR: gross 4000, fee 100
  [
    at("2026-02-15"),
    payInPosting({
      paymentId: "p3",
      currency: "EUR",
      orders: [{ sellerId: "s3", amountMinor: 4_000n, platformFeeMinor: 100n }],
    }),
  ],
  // PSP fees -10: a later run of the day takes back a fee
  [
    at("2026-03-05"),
    settlementPosting({
      date: "2026-02-03",
      currency: "USD",
      sequence: 2,
      totals: { ...NO_SETTLEMENT, chargesFee: -10n },
    })!,
  ],
  // PSP fees 50, reconciliation differences 10 (the PSP brought in 10 less than booked)
  [
    at("2026-03-09"),
    settleAsReportedPosting({
      exceptionId: "x1",
      operatorId: "finance",
      reason: "short by 0.10",
      lineType: "charge",
      currency: "USD",
      reportedMinor: 2_000n,
      reportedFeeMinor: 50n,
      bookedMinor: 2_010n,
    }),
  ],
];

const FIRST = "2026-01-28";
const LAST = "2026-03-10";

const zeros = zeroFigures();
type Figures = RevenueFigures;
type Period = RevenuePeriod;

/** GetRevenue over gRPC, its periods as the domain's (the same fields). */
async function revenue(
  granularity: RevenueGranularity,
  currency = "",
  fromDay = FIRST,
  toDay = LAST,
): Promise<Period[]> {
  const { periods } = await ledger.client.getRevenue({ currency, fromDay, toDay, granularity });
  return periods.map(({ $typeName: _, ...period }) => period);
}

const FIGURES = Object.keys(zeros) as (keyof Figures)[];
/** The figures alone, summed over `periods`. */
function total(periods: Period[]): Figures {
  const sum = zeroFigures();
  for (const p of periods) for (const k of FIGURES) sum[k] += p[k];
  return sum;
}
const busy = (periods: Period[]) => periods.filter((p) => FIGURES.some((k) => p[k] !== 0n));

const balanceOf = async (code: string) => (await store.balance(code))!.balance;

/** The folded rollups' horizon must pass every entry booked so far (other tests' transactions may hold it back). */
async function foldEverything(): Promise<void> {
  await waitFor(
    async () => {
      await store.advanceCheckpoints();
      const { rows } = await ledger.db.raw(
        "select count(*)::integer as n from transactions where xid >= (select horizon from checkpoint_horizon)",
      );
      return rows[0].n as number;
    },
    (unfolded) => unfolded === 0,
    15_000,
    "the checkpoint horizon to pass every transaction",
  );
}

beforeAll(async () => {
  ledger = await startLedgerUnderTest();
  store = new LedgerStore(ledger.db);
  // Half the books folded into the daily rollups, half still above the horizon: answers add both.
  for (const [postedAt, plan] of BOOKED.slice(0, 4)) await bookAt(ledger.db, plan, postedAt);
  await foldEverything();
  for (const [postedAt, plan] of BOOKED.slice(4)) await bookAt(ledger.db, plan, postedAt);
});

afterAll(async () => {
  await ledger?.close();
});

const USD_BY_MONTH: Period[] = [
  {
    currency: "USD",
    period: "2026-01",
    firstDay: "2026-01-28",
    lastDay: "2026-01-31",
    ...zeros,
    grossChargedMinor: 17_000n,
    platformFeeRevenueMinor: 510n,
    netRevenueMinor: 510n,
  },
  {
    currency: "USD",
    period: "2026-02",
    firstDay: "2026-02-01",
    lastDay: "2026-02-28",
    ...zeros,
    feesReversedMinor: 30n,
    refundsMinor: 1_000n,
    disputesLostMinor: 5_000n,
    pspFeesMinor: 510n,
    netRevenueMinor: -540n,
  },
  {
    currency: "USD",
    period: "2026-03",
    firstDay: "2026-03-01",
    lastDay: "2026-03-10",
    ...zeros,
    pspFeesMinor: 40n,
    reconciliationDifferencesMinor: 10n,
    netRevenueMinor: -50n,
  },
];

describe("GetRevenue", () => {
  it("gives each figure of each month exactly, per currency", async () => {
    expect(await revenue(RevenueGranularity.MONTH, "USD")).toEqual(USD_BY_MONTH);
    expect(await revenue(RevenueGranularity.MONTH)).toEqual([
      { currency: "EUR", period: "2026-01", firstDay: "2026-01-28", lastDay: "2026-01-31", ...zeros },
      {
        currency: "EUR",
        period: "2026-02",
        firstDay: "2026-02-01",
        lastDay: "2026-02-28",
        ...zeros,
        grossChargedMinor: 4_000n,
        platformFeeRevenueMinor: 100n,
        netRevenueMinor: 100n,
      },
      { currency: "EUR", period: "2026-03", firstDay: "2026-03-01", lastDay: "2026-03-10", ...zeros },
      ...USD_BY_MONTH,
    ]);
  });

  it("puts each posting on its UTC day, every day of the range listed", async () => {
    const days = await revenue(RevenueGranularity.DAY, "USD");
    expect(days).toHaveLength(42);
    expect(days[0]).toEqual({
      currency: "USD",
      period: "2026-01-28",
      firstDay: "2026-01-28",
      lastDay: "2026-01-28",
      ...zeros,
    });
    const figures = (p: Period) => [
      p.period,
      Object.fromEntries(FIGURES.filter((k) => p[k] !== 0n).map((k) => [k, p[k]])),
    ];
    expect(busy(days).map(figures)).toEqual([
      ["2026-01-30", { grossChargedMinor: 10_000n, platformFeeRevenueMinor: 300n, netRevenueMinor: 300n }],
      ["2026-01-31", { grossChargedMinor: 7_000n, platformFeeRevenueMinor: 210n, netRevenueMinor: 210n }],
      ["2026-02-01", { feesReversedMinor: 30n, refundsMinor: 1_000n, netRevenueMinor: -30n }],
      ["2026-02-03", { pspFeesMinor: 510n, netRevenueMinor: -510n }],
      ["2026-02-10", { disputesLostMinor: 5_000n }],
      ["2026-03-05", { pspFeesMinor: -10n, netRevenueMinor: 10n }],
      ["2026-03-09", { pspFeesMinor: 50n, reconciliationDifferencesMinor: 10n, netRevenueMinor: -60n }],
    ]);
  });

  it("labels ISO weeks from Monday, cut to the range", async () => {
    const weeks = await revenue(RevenueGranularity.WEEK, "USD");
    expect(weeks.map((w) => [w.period, w.firstDay, w.lastDay])).toEqual([
      ["2026-W05", "2026-01-28", "2026-02-01"],
      ["2026-W06", "2026-02-02", "2026-02-08"],
      ["2026-W07", "2026-02-09", "2026-02-15"],
      ["2026-W08", "2026-02-16", "2026-02-22"],
      ["2026-W09", "2026-02-23", "2026-03-01"],
      ["2026-W10", "2026-03-02", "2026-03-08"],
      ["2026-W11", "2026-03-09", "2026-03-10"],
    ]);
    expect(weeks[0]).toMatchObject({ grossChargedMinor: 17_000n, refundsMinor: 1_000n, netRevenueMinor: 480n });
  });

  it("sums the days into the weeks and months, and the periods into the accounts' balances", async () => {
    for (const currency of ["USD", "EUR"]) {
      const days = await revenue(RevenueGranularity.DAY, currency);
      for (const coarse of [
        await revenue(RevenueGranularity.WEEK, currency),
        await revenue(RevenueGranularity.MONTH, currency),
      ]) {
        for (const period of coarse) {
          expect(total([period])).toEqual(
            total(days.filter((d) => d.firstDay >= period.firstDay && d.firstDay <= period.lastDay)),
          );
        }
      }
      // The range holds every posting, so the periods add up to the balances.
      const sum = total(days);
      const feeRevenue = await balanceOf(`platform_fee_revenue:${currency}`);
      expect(sum.platformFeeRevenueMinor - sum.feesReversedMinor).toBe(feeRevenue);
      const pspFees = currency === "USD" ? await balanceOf("psp_fee_expense:USD") : 0n;
      const differences = currency === "USD" ? await balanceOf("reconciliation_differences:USD") : 0n;
      expect(sum.pspFeesMinor).toBe(pspFees);
      expect(sum.reconciliationDifferencesMinor).toBe(differences);
      expect(sum.netRevenueMinor).toBe(feeRevenue - pspFees - differences);
      // psp_receivable moves by what was charged, refunded and lost, and by what the PSP settled (the rest of its entries).
      const settled = BOOKED.flatMap(([, { posting }]) =>
        /^(settlement|adjustment):/.test(posting.transactionId) ? posting.entries : [],
      )
        .filter((e) => e.accountCode === `psp_receivable:${currency}`)
        .reduce((sum, e) => sum + (e.direction === "DEBIT" ? e.amount.amountMinor : -e.amount.amountMinor), 0n);
      expect(sum.grossChargedMinor - sum.refundsMinor - sum.disputesLostMinor + settled).toBe(
        await balanceOf(`psp_receivable:${currency}`),
      );
    }
  });

  it("answers the same from the rollups as from the entries alone, before and after they are folded", async () => {
    const query: RevenueQuery = { fromDay: FIRST, toDay: LAST, granularity: "day" };
    const fromEntries = revenueReport(query, await revenueRowsFromEntries(ledger.db, query));
    expect(await store.revenue(query)).toEqual(fromEntries);
    await foldEverything();
    expect(await store.revenue(query)).toEqual(fromEntries);
    expect((await ledger.db("revenue_days").count<{ count: bigint }[]>("* as count"))[0]!.count).toBe(13n);
  });

  it("gives the daily history of one currency, zeros on quiet days", async () => {
    const history = await store.dailyRevenueHistory("USD", "2026-01-29", "2026-02-01");
    expect(history).toEqual([
      { day: "2026-01-29", grossChargedMinor: 0n, netRevenueMinor: 0n },
      { day: "2026-01-30", grossChargedMinor: 10_000n, netRevenueMinor: 300n },
      { day: "2026-01-31", grossChargedMinor: 7_000n, netRevenueMinor: 210n },
      { day: "2026-02-01", grossChargedMinor: 0n, netRevenueMinor: -30n },
    ]);
  });

  it("refuses bad ranges, granularities and currencies, naming the field and the limit", async () => {
    const call = (request: MessageInitShape<typeof GetRevenueRequestSchema>) =>
      failure(
        ledger.client.getRevenue({ fromDay: FIRST, toDay: LAST, granularity: RevenueGranularity.DAY, ...request }),
      );
    const invalid = (message: string) => ({ code: Code.InvalidArgument, message });
    expect(await call({ toDay: "2026-01-27" })).toEqual(
      invalid("to_day: must not be before from_day 2026-01-28, got 2026-01-27"),
    );
    expect(await call({ fromDay: "2016-01-01", toDay: "2026-01-08" })).toEqual(
      invalid(
        "to_day: the range holds 3661 days, more than the limit of 3660 (about 10 years); ask for a shorter range",
      ),
    );
    expect(await revenue(RevenueGranularity.MONTH, "USD", "2016-01-01", "2026-01-07")).toHaveLength(121);
    expect(await call({ fromDay: "2026-02-30" })).toEqual(
      invalid('from_day: must be a date written YYYY-MM-DD, got "2026-02-30"'),
    );
    expect(await call({ toDay: "" })).toEqual(invalid('to_day: must be a date written YYYY-MM-DD, got ""'));
    expect(await call({ granularity: RevenueGranularity.UNSPECIFIED })).toEqual(
      invalid("granularity: is required (DAY, WEEK or MONTH)"),
    );
    expect(await call({ currency: "usd" })).toEqual(
      invalid('currency: "usd" is not an ISO 4217 currency code (use upper case, e.g. USD)'),
    );
    expect((await call({ fromDay: "2".repeat(1_001) })).code).toBe(Code.InvalidArgument);
    expect((await call({ currency: "U".repeat(2 * 1024 * 1024) })).code).toBe(Code.ResourceExhausted);
  });

  it("is refused to a caller the policy does not name", async () => {
    const reconciliation = serviceClient("ledger", ledger.service.url, "reconciliation");
    expect(
      await failure(reconciliation.getRevenue({ fromDay: FIRST, toDay: LAST, granularity: RevenueGranularity.DAY })),
    ).toEqual({
      code: Code.PermissionDenied,
      message: "reconciliation may not call /ledger.v1.LedgerService/GetRevenue",
    });
  });
});

describe("CheckInvariants on the daily rollups", () => {
  it("finds a rollup row changed or removed behind the ledger's back", async () => {
    await foldEverything();
    const violations = async () =>
      (await ledger.client.checkInvariants({})).violations.filter((v) => v.invariant.startsWith("revenue"));
    expect(await violations()).toEqual([]);

    await ledger.db.raw(
      "update revenue_days set amount_minor = amount_minor + 1 where day = '2026-01-30' and currency = 'USD' and figure = 'gross_charged'",
    );
    await ledger.db.raw(
      "delete from revenue_days where day = '2026-02-15' and currency = 'EUR' and figure = 'platform_fee_revenue'",
    );
    expect(await violations()).toEqual(
      [
        {
          invariant: "revenue_day_differs_from_entries",
          detail:
            "the revenue rollup of 2026-01-30 for gross_charged in USD holds 100.01 USD, but its entries below the checkpoint's horizon sum to 100.00 USD",
          accountCode: "",
          transactionId: "",
          currency: "USD",
        },
        {
          invariant: "revenue_day_differs_from_entries",
          detail:
            "the revenue rollup of 2026-02-15 for platform_fee_revenue in EUR has no row, but its entries below the checkpoint's horizon sum to 1.00 EUR",
          accountCode: "",
          transactionId: "",
          currency: "EUR",
        },
      ].map((v) => create(ViolationSchema, v)),
    );
  });
});

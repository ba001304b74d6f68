import { describe, expect, it } from "vitest";
import { onBehalfOf } from "../support/clients.js";
import { ExceptionStatus, RunStatus, StandardCorrection } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import {
  NO_SETTLEMENT,
  settlementPosting,
  type SettlementTotals,
} from "../../services/reconciliation/domain/settlement-posting.js";
import { settleAsReportedPosting } from "../../services/reconciliation/domain/adjustment-posting.js";
import { usd } from "../support/checkouts.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";
import { clientOf, expectBooksClean, paidOrder, postedEntries } from "../ledger/platform-books.js";
import { setPayoutAccount } from "../payouts/payout-calls.js";
import {
  classOf,
  exceptionsOf,
  newId,
  paidOut,
  paidPayment,
  pspPost,
  reconciliation,
  reconciliationAsConsole,
  refund,
  waitForTransaction,
  type PaidPayment,
  type Payout,
  type Refund,
} from "./reconciliation-calls.js";

/**
 * Discrepancies on the lines that are not charges: refunds, payouts, chargebacks, dispute fees and reversals. A real
 * platform moves a day's money, the simulator faults those lines in the day's file, and RunReconciliation over gRPC
 * must classify each, leave what only a person can fix open, and settle exactly what matched.
 */
const under = usePlatform();

const REFUND = { matched: 100, amountOff: 200, duplicated: 300, unbooked: 400, malformed: 500 } as const;
const PAYOUT = { matched: 5_000, dropped: 3_000, malformed: 2_000 } as const;
/** The won dispute takes the whole 35.00; the open one 20.00 of its payment. */
const DISPUTED = { won: 3_500, open: 2_000 } as const;

interface Day {
  date: string;
  refunded: PaidPayment;
  refunds: Record<keyof typeof REFUND, Refund>;
  payouts: Record<keyof typeof PAYOUT, Payout>;
  /** Won the same day: chargeback, fee and reversal lines. */
  disputeWon: string;
  /** Still open: chargeback and fee lines. */
  disputeOpen: string;
  file: string[];
  runId: bigint;
}

let day: Day;

async function pspGet(path: string) {
  const res = await under.platform.pspApi(path);
  if (!res.ok) throw new Error(`PSP GET ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/**
 * A refund the PSP makes (and settles) but whose webhooks never arrive, with the poller asleep: the ledger never
 * books it. The faults are on only until the PSP has dropped the refund's refund.succeeded event.
 */
async function refundWithWebhooksLost(payment: PaidPayment, amountMinor: number): Promise<Refund> {
  under.platform.psp.setFaults({ webhook_drop_rate: 1 });
  try {
    const lost = await refund(under, payment, amountMinor);
    await waitFor(
      () => pspGet(`/v1/test_helpers/webhook_deliveries?payment_id=${payment.pspPaymentId}`),
      ({ data }) =>
        data.some((d: any) => d.type === "refund.succeeded" && d.object_id === lost.pspRefundId && d.dropped),
      15_000,
      `the PSP to drop refund.succeeded of ${lost.pspRefundId}`,
    );
    return lost;
  } finally {
    under.platform.psp.setFaults({});
  }
}

async function moveTheDaysMoney(): Promise<Omit<Day, "date" | "file" | "runId">> {
  // Payouts first: what must be found missing in the file is booked well before the file is cut.
  const sellerId = newId("seller");
  await paidOrder(under.platform, sellerId, 20_000);
  await setPayoutAccount(under.platform, sellerId, "ba_123");
  const payouts = {
    dropped: await paidOut(under, sellerId, PAYOUT.dropped),
    matched: await paidOut(under, sellerId, PAYOUT.matched),
    malformed: await paidOut(under, sellerId, PAYOUT.malformed),
  };

  const [won, open] = [await paidPayment(under), await paidPayment(under)];
  const disputeWon = (await pspPost(under, `/v1/test_helpers/payments/${won.pspPaymentId}/dispute`)).id as string;
  await waitForTransaction(under, `dispute:${disputeWon}:open`);
  await pspPost(under, `/v1/test_helpers/disputes/${disputeWon}/close`, { outcome: "won" });
  await waitForTransaction(under, `dispute:${disputeWon}:won`);
  const disputeOpen = (
    await pspPost(under, `/v1/test_helpers/payments/${open.pspPaymentId}/dispute`, { amount: DISPUTED.open })
  ).id as string;
  await waitForTransaction(under, `dispute:${disputeOpen}:open`);

  const refunded = await paidPayment(under);
  const booked = {
    matched: await refund(under, refunded, REFUND.matched),
    amountOff: await refund(under, refunded, REFUND.amountOff),
    duplicated: await refund(under, refunded, REFUND.duplicated),
    malformed: await refund(under, refunded, REFUND.malformed),
  };
  await Promise.all(Object.values(booked).map((r) => waitForTransaction(under, `refund:${r.refundId}`)));
  const unbooked = await refundWithWebhooksLost(refunded, REFUND.unbooked);
  return { refunded, refunds: { ...booked, unbooked }, payouts, disputeWon, disputeOpen };
}

/** One discrepancy on each kind of non-charge line, then the day's file cut now. */
async function cutTheDaysFile(money: Omit<Day, "date" | "file" | "runId">): Promise<Day> {
  const { refunds, payouts } = money;
  await pspPost(under, "/v1/test_helpers/settlements/discrepancies", {
    discrepancies: [
      { kind: "amount_mismatch", target: refunds.amountOff.pspRefundId, delta: -1 },
      { kind: "drop_line", target: payouts.dropped.pspPayoutId },
      // A dispute's lines share its psp_reference: the first of them, the chargeback, is the target.
      { kind: "currency_mismatch", target: money.disputeWon, currency: "EUR" },
      { kind: "duplicate_line", target: refunds.duplicated.pspRefundId },
      { kind: "duplicate_line", target: money.disputeOpen },
      { kind: "malformed_line", target: payouts.malformed.pspPayoutId, form: "non_integer_amount" },
      { kind: "malformed_line", target: refunds.malformed.pspRefundId, form: "missing_column" },
    ],
  });
  const settlement = await pspPost(under, "/v1/test_helpers/settlements/run");
  expect((await pspGet("/v1/test_helpers/settlements/discrepancies")).data).toEqual([]);
  const file = (await (await under.platform.pspApi(`/v1/settlements/${settlement.date}/file`)).text())
    .trimEnd()
    .split("\n");
  return { ...money, date: settlement.date, file, runId: 0n };
}

const run = (date: string) => reconciliation(under).runReconciliation({ date });
const statusOf = (e: { status: ExceptionStatus }) => ExceptionStatus[e.status];

/** The 1-based line number (the header is line 1) of the `nth` line of `type` for `pspReference`. */
function lineNumberOf(file: string[], pspReference: string, type: string, nth = 1): number {
  let seen = 0;
  const index = file.findIndex((l) => l.startsWith(`${pspReference},`) && l.split(",")[2] === type && ++seen === nth);
  expect(index, `line ${nth} of ${type} ${pspReference}`).toBeGreaterThan(0);
  return index + 1;
}

/**
 * What the file's matched lines settle, computed from the file itself: every movement line but the given ones
 * (line numbers), by the ledger's rule (settlementPosting): charges, refunds, chargebacks, reversals, dispute fees;
 * payouts nothing.
 */
function settledBy(file: string[], unmatched: Set<number>): SettlementTotals {
  const t = { ...NO_SETTLEMENT };
  file.forEach((line, i) => {
    if (i === 0 || unmatched.has(i + 1)) return;
    const [, , type, gross, fee, , currency] = line.split(",");
    if (type === "closing_balance") return;
    expect(currency).toBe("USD");
    if (type === "charge") {
      t.chargesGross += BigInt(gross!);
      t.chargesFee += BigInt(fee!);
    } else if (type === "refund") t.refunds -= BigInt(gross!);
    else if (type === "chargeback") t.chargebacks -= BigInt(gross!);
    else if (type === "chargeback_reversal") t.chargebackReversals += BigInt(gross!);
    else if (type === "fee") t.disputeFees += BigInt(fee!);
    else expect(type).toBe("payout");
  });
  return t;
}

const asEntries = (entries: { accountCode: string; direction: string; amount: { amountMinor: bigint } }[]) =>
  entries.map((e) => `${e.direction === "DEBIT" ? "Dr" : "Cr"} ${e.accountCode} ${e.amount.amountMinor}`);

describe("reconciliation of refund, payout and dispute lines", () => {
  it("classifies each discrepancy on a non-charge line, fixes none of them by itself, and settles what matched", async () => {
    day = await cutTheDaysFile(await moveTheDaysMoney());
    const { refunds, payouts, file } = day;
    const { run: first, changes } = await run(day.date);
    day.runId = first!.runId;
    expect(first).toMatchObject({
      date: day.date,
      status: RunStatus.FINISHED,
      lines: BigInt(file.length - 2),
      executions: 1,
    });

    const exceptions = await exceptionsOf(under, first!.runId);
    const found = exceptions.map((e) => [classOf(e), e.lineType, e.pspReference || e.ledgerTransactionId, statusOf(e)]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["amount_mismatch", "refund", refunds.amountOff.pspRefundId, "OPEN"],
        ["missing_in_file", "payout", `payout:${payouts.dropped.payoutId}:paid`, "OPEN"],
        ["currency_mismatch", "chargeback", day.disputeWon, "OPEN"],
        ["duplicate_line", "refund", refunds.duplicated.pspRefundId, "OPEN"],
        ["duplicate_line", "chargeback", day.disputeOpen, "OPEN"],
        ["malformed_line", "payout", payouts.malformed.pspPayoutId, "OPEN"],
        ["malformed_line", "refund", refunds.malformed.pspRefundId, "OPEN"],
        ["missing_in_ledger", "refund", refunds.unbooked.pspRefundId, "OPEN"],
      ]),
    );
    // Nothing else: the malformed lines' payout and refund are not also missing in the file, and no matched line is an exception.
    expect(found).toHaveLength(8);

    const one = (cls: string, type: string) => {
      const matching = exceptions.filter((e) => classOf(e) === cls && e.lineType === type);
      expect(matching, `${cls} ${type}`).toHaveLength(1);
      return matching[0];
    };
    const refundOf = (r: Refund) => `${day.refunded.paymentId}/${r.refundId}`;
    expect(one("amount_mismatch", "refund")).toMatchObject({
      lineNumber: BigInt(lineNumberOf(file, refunds.amountOff.pspRefundId, "refund")),
      ourReference: refundOf(refunds.amountOff),
      fileAmount: usd(REFUND.amountOff + 1),
      ledgerAmount: usd(REFUND.amountOff),
      ledgerTransactionId: `refund:${refunds.amountOff.refundId}`,
    });
    expect(one("missing_in_file", "payout")).toMatchObject({
      lineNumber: 0n,
      pspReference: "",
      ledgerAmount: usd(PAYOUT.dropped),
      ledgerTransactionId: `payout:${payouts.dropped.payoutId}:paid`,
      detail: expect.stringContaining("no payout line of the file settles it"),
    });
    expect(one("currency_mismatch", "chargeback")).toMatchObject({
      lineNumber: BigInt(lineNumberOf(file, day.disputeWon, "chargeback")),
      fileAmount: { amountMinor: BigInt(DISPUTED.won), currency: "EUR" },
      ledgerAmount: usd(DISPUTED.won),
      ledgerTransactionId: `dispute:${day.disputeWon}:open`,
    });
    // The second copy is the duplicate; the first one counts (and matches).
    expect(one("duplicate_line", "refund")).toMatchObject({
      lineNumber: BigInt(lineNumberOf(file, refunds.duplicated.pspRefundId, "refund", 2)),
      fileAmount: usd(REFUND.duplicated),
      ledgerTransactionId: `refund:${refunds.duplicated.refundId}`,
    });
    expect(one("duplicate_line", "refund")!.lineNumber).toBe(
      BigInt(lineNumberOf(file, refunds.duplicated.pspRefundId, "refund") + 1),
    );
    expect(one("duplicate_line", "chargeback")).toMatchObject({
      lineNumber: BigInt(lineNumberOf(file, day.disputeOpen, "chargeback") + 1),
      fileAmount: usd(DISPUTED.open),
      ledgerTransactionId: `dispute:${day.disputeOpen}:open`,
    });
    expect(one("malformed_line", "payout")).toMatchObject({
      lineNumber: BigInt(lineNumberOf(file, payouts.malformed.pspPayoutId, "payout")),
      detail: `line ${lineNumberOf(file, payouts.malformed.pspPayoutId, "payout")} cannot be read: gross "-20.00" is not an integer number of minor units`,
    });
    expect(one("malformed_line", "refund")).toMatchObject({
      lineNumber: BigInt(lineNumberOf(file, refunds.malformed.pspRefundId, "refund")),
      ourReference: refundOf(refunds.malformed),
      detail: `line ${lineNumberOf(file, refunds.malformed.pspRefundId, "refund")} cannot be read: it has 7 fields, not 8`,
    });
    // The run went on past them: lines after the malformed ones were read and matched (the report below counts them).
    expect(one("missing_in_ledger", "refund")).toMatchObject({
      lineNumber: BigInt(lineNumberOf(file, refunds.unbooked.pspRefundId, "refund")),
      ourReference: refundOf(refunds.unbooked),
      fileAmount: usd(REFUND.unbooked),
      ledgerTransactionId: `refund:${refunds.unbooked.refundId}`,
      status: ExceptionStatus.OPEN,
      resolution: "not fixed automatically: a refund missing in the ledger needs a person",
    });
    expect(await postedEntries(under.platform, `refund:${refunds.unbooked.refundId}`)).toBeUndefined();

    const charges = file.filter((l) => l.split(",")[2] === "charge");
    const chargesGross = charges.reduce((sum, l) => sum + Number(l.split(",")[3]), 0);
    expect(chargesGross).toBe(20_000 + 3 * 3_500);
    const disputeFee = Number(file[lineNumberOf(file, day.disputeOpen, "fee") - 1]!.split(",")[4]);
    const report = Object.fromEntries(
      first!.report.map((r) => [`${classOf(r)} ${r.currency}`, [Number(r.count), Number(r.amountMinor)]]),
    );
    // Matched: 4 charges, 2 refunds (one the duplicated one's first line), 1 payout, 1 chargeback, 2 dispute fees, 1 reversal.
    expect(report).toEqual({
      "matched USD": [
        11,
        chargesGross +
          REFUND.matched +
          REFUND.duplicated +
          PAYOUT.matched +
          DISPUTED.open +
          2 * disputeFee +
          DISPUTED.won,
      ],
      "amount_mismatch USD": [1, REFUND.amountOff + 1],
      "missing_in_file USD": [1, PAYOUT.dropped],
      "currency_mismatch EUR": [1, DISPUTED.won],
      "duplicate_line USD": [2, REFUND.duplicated + DISPUTED.open],
      "malformed_line ": [2, 0],
      "missing_in_ledger USD": [1, REFUND.unbooked],
    });

    // The settlement: matched refunds and chargebacks out of the bank, the reversal back in, the dispute fees an expense, payouts nothing.
    const unmatched = new Set([
      lineNumberOf(file, refunds.amountOff.pspRefundId, "refund"),
      lineNumberOf(file, refunds.unbooked.pspRefundId, "refund"),
      lineNumberOf(file, refunds.duplicated.pspRefundId, "refund", 2),
      lineNumberOf(file, refunds.malformed.pspRefundId, "refund"),
      lineNumberOf(file, payouts.malformed.pspPayoutId, "payout"),
      lineNumberOf(file, day.disputeWon, "chargeback"),
      lineNumberOf(file, day.disputeOpen, "chargeback", 2),
    ]);
    const totals = settledBy(file, unmatched);
    const chargesFee = charges.reduce((sum, l) => sum + BigInt(l.split(",")[4]!), 0n);
    expect(totals).toEqual({
      chargesGross: BigInt(chargesGross),
      chargesFee,
      refunds: BigInt(REFUND.matched + REFUND.duplicated),
      chargebacks: BigInt(DISPUTED.open),
      chargebackReversals: BigInt(DISPUTED.won),
      disputeFees: BigInt(2 * disputeFee),
    });
    const settlementId = `settlement:${day.date}:USD:1`;
    const bank =
      BigInt(chargesGross) -
      chargesFee -
      totals.refunds -
      totals.chargebacks +
      totals.chargebackReversals -
      totals.disputeFees;
    const expectedEntries = [
      `Dr bank:platform:USD ${bank}`,
      `Dr psp_fee_expense:USD ${chargesFee + totals.disputeFees}`,
      `Cr psp_receivable:USD ${BigInt(chargesGross) + totals.chargebackReversals - totals.refunds - totals.chargebacks}`,
    ];
    expect(await postedEntries(under.platform, settlementId)).toEqual(expectedEntries);
    expect(
      asEntries(settlementPosting({ date: day.date, currency: "USD", sequence: 1, totals })!.posting.entries),
    ).toEqual(expectedEntries);
    const { transaction } = await clientOf(under.platform, "ledger").getTransaction({ transactionId: settlementId });
    expect(transaction!.description).toBe(
      `PSP settlement of ${day.date} in USD (chargesGross ${chargesGross}, chargesFee ${chargesFee}, refunds ${totals.refunds}, ` +
        `chargebacks ${totals.chargebacks}, chargebackReversals ${totals.chargebackReversals}, disputeFees ${totals.disputeFees})`,
    );
    // The EUR chargeback is not matched: nothing settles in EUR.
    expect(await postedEntries(under.platform, `settlement:${day.date}:EUR:1`)).toBeUndefined();

    const unbookedId = one("missing_in_ledger", "refund")!.exceptionId;
    expect(changes).toEqual([
      `run ${first!.runId} created for ${day.date}`,
      "the first settlement file: no earlier closing balance to check this file's against",
      "8 exception(s) recorded or updated",
      `posted ${settlementId}`,
      `exception ${unbookedId} left open: a refund missing in the ledger needs a person`,
    ]);
    await expectBooksClean(under.platform);
  });

  it("a finance adjustment settles the refund's amount mismatch as reported; the books stay clean", async () => {
    const open = (await reconciliation(under).listExceptions({ date: day.date, status: ExceptionStatus.OPEN }))
      .exceptions;
    expect(open).toHaveLength(8);
    const amountOff = open.find((e) => classOf(e) === "amount_mismatch")!;
    expect(amountOff.lineType).toBe("refund");
    const request = {
      exceptionId: amountOff.exceptionId,
      operatorId: "ops-ann",
      reason: "the PSP refunded 2.01; the buyer keeps the cent",
      entries: [],
      correction: StandardCorrection.SETTLE_AS_REPORTED,
      idempotencyKey: newId("adj"),
    };
    const adjusted = await reconciliationAsConsole(under).postAdjustment(request, onBehalfOf("ops-ann"));
    const transactionId = `adjustment:${amountOff.exceptionId}`;
    expect(adjusted.exception).toMatchObject({
      exceptionId: amountOff.exceptionId,
      status: ExceptionStatus.ADJUSTED,
      adjustment: { transactionId, operatorId: "ops-ann", reason: request.reason },
    });
    expect(adjusted.transaction!.description).toBe(
      `adjustment of reconciliation exception ${amountOff.exceptionId} by ops-ann: ${request.reason}`,
    );

    // Money out: what the ledger booked back on psp_receivable, what the PSP reported out of the bank, the cent more a difference.
    const entries = [
      `Dr psp_receivable:USD ${REFUND.amountOff}`,
      `Cr bank:platform:USD ${REFUND.amountOff + 1}`,
      "Dr reconciliation_differences:USD 1",
    ];
    expect(await postedEntries(under.platform, transactionId)).toEqual(entries);
    const chart = settleAsReportedPosting({
      exceptionId: String(amountOff.exceptionId),
      operatorId: "ops-ann",
      reason: request.reason,
      lineType: "refund",
      currency: "USD",
      reportedMinor: BigInt(REFUND.amountOff + 1),
      reportedFeeMinor: 0n,
      bookedMinor: BigInt(REFUND.amountOff),
    });
    expect(asEntries(chart.posting.entries)).toEqual(entries);
    expect(await reconciliationAsConsole(under).postAdjustment(request, onBehalfOf("ops-ann"))).toEqual(adjusted);

    const still = (await reconciliation(under).listExceptions({ date: day.date, status: ExceptionStatus.OPEN }))
      .exceptions;
    expect(still.map(classOf).sort()).toEqual([
      "currency_mismatch",
      "duplicate_line",
      "duplicate_line",
      "malformed_line",
      "malformed_line",
      "missing_in_file",
      "missing_in_ledger",
    ]);
    await expectBooksClean(under.platform);
  });

  it("running the same day again changes nothing", async () => {
    const before = await exceptionsOf(under, day.runId);
    const again = await run(day.date);
    expect(again.changes).toEqual([]);
    expect(again.run).toMatchObject({ runId: day.runId, executions: 2, status: RunStatus.FINISHED });
    expect(await exceptionsOf(under, day.runId)).toEqual(before);
    expect(await postedEntries(under.platform, `settlement:${day.date}:USD:2`)).toBeUndefined();
    await expectBooksClean(under.platform);
  });
});

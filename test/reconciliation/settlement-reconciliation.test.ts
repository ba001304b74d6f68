import { describe, expect, it } from "vitest";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { sampleCheckout, usd } from "../support/checkouts.js";
import { grpc, unary } from "../support/grpc-js.js";
import { usePlatform } from "../support/use-platform.js";
import { failure } from "../ledger/ledger-test-service.js";
import { expectBooksClean, paidOrder, postedEntries } from "../ledger/platform-books.js";
import { requestPayout, setPayoutAccount, waitForPayout } from "../payouts/payout-calls.js";
import { exceptionsOf, newId, paidPayment, pspPost, reconciliationCall, waitForTransaction, type PaidPayment } from "./reconciliation-calls.js";

const under = usePlatform();

/** The day's money, through the real platform: what each discrepancy will target. */
interface Day {
  date: string;
  matched: PaidPayment;
  refundId: string;
  payoutId: string;
  disputeId: string;
  dropped: PaidPayment;
  duplicated: PaidPayment;
  amountOff: PaidPayment;
  currencyOff: PaidPayment;
  malformed: PaidPayment;
  /** Paid at the PSP, its webhook dropped: never booked. */
  unbooked: { paymentId: string; pspPaymentId: string };
  file: string[];
  runId: string;
}

let day: Day;

async function moveTheDaysMoney(): Promise<Omit<Day, "date" | "file" | "runId">> {
  const matched = await paidPayment(under);
  const refundId = newId("rf");
  await unary(under.payments, "refundPayment", { refundId, paymentId: matched.paymentId, orderId: "order-1", amount: usd(500) });
  await waitForTransaction(under, `refund:${refundId}`);

  const sellerId = newId("seller");
  await paidOrder(under.platform, sellerId, 10_000);
  await setPayoutAccount(under.platform, sellerId, "ba_123");
  const payoutId = newId("po");
  await requestPayout(under.platform, payoutId, sellerId, 5_000);
  await waitForPayout(under.platform, payoutId, "PAYOUT_STATUS_PAID");
  await waitForTransaction(under, `payout:${payoutId}:paid`);

  const disputed = await paidPayment(under);
  const dispute = await pspPost(under, `/v1/test_helpers/payments/${disputed.pspPaymentId}/dispute`);
  await waitForTransaction(under, `dispute:${dispute.id}:open`);
  await pspPost(under, `/v1/test_helpers/disputes/${dispute.id}/close`, { outcome: "won" });
  await waitForTransaction(under, `dispute:${dispute.id}:won`);

  const [dropped, duplicated, amountOff, currencyOff, malformed] = [await paidPayment(under), await paidPayment(under), await paidPayment(under), await paidPayment(under), await paidPayment(under)];

  under.platform.psp.setFaults({ webhook_drop_rate: 1 });
  let unbooked;
  try {
    const { payment } = await unary(under.payments, "createPayment", sampleCheckout());
    expect((await payOnHostedPage(payment.hostedPageUrl, TEST_CARDS.success)).status).toBe("succeeded");
    unbooked = { paymentId: payment.paymentId as string, pspPaymentId: (await unary(under.payments, "getPayment", { paymentId: payment.paymentId })).payment.pspPaymentId as string };
  } finally {
    under.platform.psp.setFaults({});
  }
  return { matched, refundId, payoutId, disputeId: dispute.id, dropped, duplicated, amountOff, currencyOff, malformed, unbooked };
}

/** One discrepancy of each kind the simulator makes, then the day's file cut now. */
async function cutTheDaysFile(money: Omit<Day, "date" | "file" | "runId">): Promise<Day> {
  await pspPost(under, "/v1/test_helpers/settlements/discrepancies", {
    discrepancies: [
      { kind: "drop_line", target: money.dropped.pspPaymentId },
      { kind: "duplicate_line", target: money.duplicated.pspPaymentId },
      { kind: "amount_mismatch", target: money.amountOff.pspPaymentId, delta: 1 },
      { kind: "currency_mismatch", target: money.currencyOff.pspPaymentId, currency: "EUR" },
      { kind: "malformed_line", target: money.malformed.pspPaymentId, form: "non_integer_amount" },
      { kind: "unknown_line", target: money.matched.pspPaymentId, amount: 1_234 },
    ],
  });
  const settlement = await pspPost(under, "/v1/test_helpers/settlements/run");
  const file = (await (await under.platform.pspApi(`/v1/settlements/${settlement.date}/file`)).text()).trimEnd().split("\n");
  return { ...money, date: settlement.date, file, runId: "" };
}

const run = (date: string) => reconciliationCall(under, "runReconciliation", { date });
const classOf = (e: { lineClass: string }) => e.lineClass.replace("LINE_CLASS_", "").toLowerCase();
const lineNumberOf = (file: string[], pspReference: string, type = "charge") => file.findIndex((l) => l.startsWith(`${pspReference},`) && l.split(",")[2] === type) + 1;

/** Σ net of the lines that settle (matched, payouts aside): what the settlement moves to the bank. */
function expectedBankMove(file: string[], unmatched: string[]): bigint {
  const counted = new Set<string>();
  let net = 0n;
  for (const line of file.slice(1)) {
    const [psp, , type, , , lineNet] = line.split(",");
    if (type === "closing_balance" || type === "payout" || unmatched.includes(psp!) || counted.has(`${psp}|${type}`)) continue;
    counted.add(`${psp}|${type}`);
    net += BigInt(lineNet!);
  }
  return net;
}

describe("reconciliation of a settlement day", () => {
  it("classifies every line, fixes the missed webhook, settles what matched, and keeps the books clean", async () => {
    day = await cutTheDaysFile(await moveTheDaysMoney());
    const { run: first, changes } = await run(day.date);
    day.runId = first.runId;
    expect(first).toMatchObject({ date: day.date, status: "RUN_STATUS_FINISHED", lines: String(day.file.length - 2), executions: 1 });
    expect(changes[0]).toMatch(/^run \d+ created for /);

    const exceptions = await exceptionsOf(under, first.runId);
    const found = exceptions.map((e) => [classOf(e), e.lineType, e.pspReference || e.ledgerTransactionId, e.status.replace("EXCEPTION_STATUS_", "")]);
    const unknown = day.file.find((l) => l.startsWith("pi_unknown_"))!.split(",")[0]!;
    expect(found).toEqual(
      expect.arrayContaining([
        ["missing_in_file", "charge", `payin:${day.dropped.paymentId}`, "OPEN"],
        ["duplicate_line", "charge", day.duplicated.pspPaymentId, "OPEN"],
        ["amount_mismatch", "charge", day.amountOff.pspPaymentId, "OPEN"],
        ["currency_mismatch", "charge", day.currencyOff.pspPaymentId, "OPEN"],
        ["malformed_line", "charge", day.malformed.pspPaymentId, "OPEN"],
        ["missing_in_ledger", "charge", unknown, "OPEN"],
        ["missing_in_ledger", "charge", day.unbooked.pspPaymentId, "AUTO_FIXED"],
      ]),
    );
    expect(found).toHaveLength(7);

    const byClass = (cls: string) => exceptions.find((e) => classOf(e) === cls && e.lineType === "charge" && e.pspReference !== unknown);
    expect(byClass("amount_mismatch")).toMatchObject({ fileAmount: usd(3_501), ledgerAmount: usd(3_500), ledgerTransactionId: `payin:${day.amountOff.paymentId}` });
    expect(byClass("currency_mismatch")).toMatchObject({ fileAmount: { amountMinor: "3500", currency: "EUR" }, ledgerAmount: usd(3_500) });
    expect(byClass("malformed_line")).toMatchObject({ lineNumber: String(lineNumberOf(day.file, day.malformed.pspPaymentId)), detail: expect.stringContaining('gross "35.00" is not an integer') });
    expect(byClass("duplicate_line").lineNumber).toBe(String(lineNumberOf(day.file, day.duplicated.pspPaymentId) + 1));
    expect(byClass("missing_in_file")).toMatchObject({ ledgerAmount: usd(3_500), lineNumber: "0" });
    expect(exceptions.find((e) => e.pspReference === unknown)).toMatchObject({ fileAmount: usd(1_234), resolution: `not fixed automatically: the PSP does not know ${unknown}` });
    expect(exceptions.find((e) => e.pspReference === day.unbooked.pspPaymentId).resolution).toMatch(/RefreshPayment applied it \(payment \S+ is SUCCEEDED\)/);

    const report = Object.fromEntries(first.report.map((r: any) => [`${classOf(r)} ${r.currency}`, [Number(r.count), Number(r.amountMinor)]]));
    // Charges of matched, the payout's seller, the disputed one; the refund, payout, chargeback, its fee, the reversal; the duplicated line's first copy.
    expect(report).toEqual({
      "matched USD": [9, 3_500 + 500 + 10_000 + 5_000 + 3_500 + 3_500 + 1_500 + 3_500 + 3_500],
      "missing_in_ledger USD": [2, 1_234 + 3_500],
      "missing_in_file USD": [1, 3_500],
      "amount_mismatch USD": [1, 3_501],
      "currency_mismatch EUR": [1, 3_500],
      "duplicate_line USD": [1, 3_500],
      "malformed_line ": [1, 0],
    });

    const unmatched = [day.amountOff, day.currencyOff, day.malformed, day.unbooked].map((p) => p.pspPaymentId).concat(unknown);
    const settlement = await postedEntries(under.platform, `settlement:${day.date}:USD:1`);
    expect(settlement).toEqual(expect.arrayContaining([`Dr bank:platform:USD ${expectedBankMove(day.file, unmatched)}`]));
    expect(changes).toContain(`posted settlement:${day.date}:USD:1`);

    // The auto-fix made the payment SUCCEEDED: its pay-in is booked, and the books are clean.
    await waitForTransaction(under, `payin:${day.unbooked.paymentId}`);
    await expectBooksClean(under.platform);
  });

  it("a finance adjustment closes an exception: a balanced, immutable, audited ledger transaction", async () => {
    const { runs } = await reconciliationCall(under, "listRuns", { date: day.date });
    const open = (await reconciliationCall(under, "listExceptions", { date: day.date, status: "EXCEPTION_STATUS_OPEN" })).exceptions;
    expect(open.map(classOf).sort()).toEqual(["amount_mismatch", "currency_mismatch", "duplicate_line", "malformed_line", "missing_in_file", "missing_in_ledger"]);
    const ofClass = (cls: string) => open.find((e: any) => classOf(e) === cls);
    const currencyOff = ofClass("currency_mismatch");
    const request = {
      exceptionId: currencyOff.exceptionId,
      operatorId: "ops-ann",
      reason: "the PSP confirmed the charge was in USD; a 0.01 goodwill credit kept as revenue",
      entries: [
        { accountCode: "psp_receivable:USD", direction: "DIRECTION_DEBIT", amount: usd(1) },
        { accountCode: "platform_fee_revenue:USD", direction: "DIRECTION_CREDIT", amount: usd(1) },
      ],
      idempotencyKey: newId("adj"),
    };
    const adjusted = await reconciliationCall(under, "postAdjustment", request, "ops-ann");
    expect(adjusted.exception).toMatchObject({
      status: "EXCEPTION_STATUS_ADJUSTED",
      adjustment: { transactionId: `adjustment:${currencyOff.exceptionId}`, operatorId: "ops-ann", reason: request.reason },
    });
    expect(adjusted.transaction.description).toBe(`adjustment of reconciliation exception ${currencyOff.exceptionId} by ops-ann: ${request.reason}`);
    expect(await postedEntries(under.platform, `adjustment:${currencyOff.exceptionId}`)).toEqual(["Dr psp_receivable:USD 1", "Cr platform_fee_revenue:USD 1"]);
    expect(await reconciliationCall(under, "postAdjustment", request, "ops-ann")).toEqual(adjusted);
    expect((await reconciliationCall(under, "getException", { exceptionId: currencyOff.exceptionId })).exception).toEqual(adjusted.exception);
    expect(await failure(reconciliationCall(under, "getException", { exceptionId: "999999" }))).toMatchObject({ code: grpc.status.NOT_FOUND });

    expect(await failure(reconciliationCall(under, "postAdjustment", { ...request, idempotencyKey: newId("adj") }, "ops-ann"))).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining(`was already adjusted by ops-ann`),
    });
    expect(await failure(reconciliationCall(under, "postAdjustment", { ...request, exceptionId: "999999" }, "ops-ann"))).toMatchObject({ code: grpc.status.NOT_FOUND });
    const other = { ...request, exceptionId: ofClass("duplicate_line").exceptionId };
    const unbalanced = { ...other, entries: [request.entries[0], { ...request.entries[1], amount: usd(2) }] };
    expect(await failure(reconciliationCall(under, "postAdjustment", unbalanced, "ops-ann"))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining("do not balance") });
    const unknownAccount = { ...other, entries: [request.entries[0], { ...request.entries[1], accountCode: "nowhere:USD" }] };
    expect(await failure(reconciliationCall(under, "postAdjustment", unknownAccount, "ops-ann"))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining('"nowhere:USD" does not exist') });
    expect(await failure(reconciliationCall(under, "postAdjustment", { ...other, reason: "" }, "ops-ann"))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });

    // The standard correction of the amount mismatch: settled as the PSP reported it, the cent written off.
    const correction = "STANDARD_CORRECTION_SETTLE_AS_REPORTED";
    expect(await failure(reconciliationCall(under, "postAdjustment", { ...other, entries: [], correction }, "ops-ann"))).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining("SETTLE_AS_REPORTED corrects amount mismatches only"),
    });
    const amountOff = ofClass("amount_mismatch");
    expect(await failure(reconciliationCall(under, "postAdjustment", { ...request, exceptionId: amountOff.exceptionId, correction }, "ops-ann"))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    const corrected = await reconciliationCall(under, "postAdjustment", { ...request, exceptionId: amountOff.exceptionId, entries: [], correction, reason: "the PSP charged 35.01" }, "ops-ann");
    expect(corrected.exception.status).toBe("EXCEPTION_STATUS_ADJUSTED");
    const fee = Number(day.file.find((l) => l.startsWith(`${day.amountOff.pspPaymentId},`))!.split(",")[4]);
    expect(await postedEntries(under.platform, `adjustment:${amountOff.exceptionId}`)).toEqual([
      `Dr bank:platform:USD ${3_501 - fee}`,
      `Dr psp_fee_expense:USD ${fee}`,
      "Cr psp_receivable:USD 3500",
      "Cr reconciliation_differences:USD 1",
    ]);

    const closed = await reconciliationCall(under, "listExceptions", { runId: runs[0].runId, status: "EXCEPTION_STATUS_ADJUSTED" });
    expect(closed.exceptions.map((e: any) => e.exceptionId).sort()).toEqual([amountOff.exceptionId, currencyOff.exceptionId].sort());
    await expectBooksClean(under.platform);
  });

  it("runs again idempotently: the fixed charge is settled the next time, and then nothing changes", async () => {
    const second = await run(day.date);
    expect(second.changes).toEqual([`posted settlement:${day.date}:USD:2`, "report updated"]);
    expect(await postedEntries(under.platform, `settlement:${day.date}:USD:2`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Dr bank:platform:USD \d+$/), "Cr psp_receivable:USD 3500"]),
    );
    const report = Object.fromEntries(second.run.report.map((r: any) => [`${classOf(r)} ${r.currency}`, Number(r.count)]));
    expect(report).toMatchObject({ "matched USD": 10, "missing_in_ledger USD": 1 });
    expect(second.run.executions).toBe(2);

    const third = await run(day.date);
    expect(third.changes).toEqual([]);
    expect(third.run.report).toEqual(second.run.report);
    // The same file is the same run: its exceptions stay, the fixed one as it was closed.
    expect(second.run.runId).toBe(day.runId);
    expect((await exceptionsOf(under, second.run.runId)).map((e) => e.status).sort()).toEqual([
      "EXCEPTION_STATUS_ADJUSTED",
      "EXCEPTION_STATUS_ADJUSTED",
      "EXCEPTION_STATUS_AUTO_FIXED",
      "EXCEPTION_STATUS_OPEN",
      "EXCEPTION_STATUS_OPEN",
      "EXCEPTION_STATUS_OPEN",
      "EXCEPTION_STATUS_OPEN",
    ]);
    await expectBooksClean(under.platform);
  });

  it("refuses a bad date, a day the PSP has no file for, and unknown runs", async () => {
    expect(await failure(run("2024-13-01"))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'date: must be a date written YYYY-MM-DD, got "2024-13-01"' });
    expect(await failure(run("2020-01-01"))).toMatchObject({ code: grpc.status.NOT_FOUND });
    expect(await failure(reconciliationCall(under, "getRun", { runId: "424242" }))).toMatchObject({ code: grpc.status.NOT_FOUND });
    expect(await failure(reconciliationCall(under, "listExceptions", { runId: "1", date: day.date }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});

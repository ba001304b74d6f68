import { describe, expect, it } from "vitest";
import { failure, onBehalfOf } from "../support/clients.js";
import { Code } from "@connectrpc/connect";
import { Direction } from "../../gen/ledger/v1/ledger_pb.js";
import { ExceptionStatus, RunStatus, StandardCorrection } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { PayoutStatus } from "../../gen/wallet/v1/wallet_pb.js";
import { payOnHostedPage, TEST_CARDS } from "../../scripts/buyer.js";
import { sampleCheckout, usd } from "../support/checkouts.js";
import { usePlatform } from "../support/use-platform.js";
import { expectBooksClean, paidOrder, postedEntries } from "../ledger/platform-books.js";
import { requestPayout, setPayoutAccount, waitForPayout } from "../payouts/payout-calls.js";
import {
  classOf,
  exceptionsOf,
  newId,
  paidPayment,
  pspPost,
  reconciliation,
  reconciliationAsConsole,
  waitForTransaction,
  type PaidPayment,
} from "./reconciliation-calls.js";

const under = usePlatform();
const payments = () => under.client("payment", "marketplace");

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
  runId: bigint;
}

let day: Day;

async function moveTheDaysMoney(): Promise<Omit<Day, "date" | "file" | "runId">> {
  const matched = await paidPayment(under);
  const refundId = newId("rf");
  await payments().refundPayment({ refundId, paymentId: matched.paymentId, orderId: "order-1", amount: usd(500) });
  await waitForTransaction(under, `refund:${refundId}`);

  const sellerId = newId("seller");
  await paidOrder(under.platform, sellerId, 10_000);
  await setPayoutAccount(under.platform, sellerId, "ba_123");
  const payoutId = newId("po");
  await requestPayout(under.platform, payoutId, sellerId, 5_000);
  await waitForPayout(under.platform, payoutId, PayoutStatus.PAID);
  await waitForTransaction(under, `payout:${payoutId}:paid`);

  const disputed = await paidPayment(under);
  const dispute = await pspPost(under, `/v1/test_helpers/payments/${disputed.pspPaymentId}/dispute`);
  await waitForTransaction(under, `dispute:${dispute.id}:open`);
  await pspPost(under, `/v1/test_helpers/disputes/${dispute.id}/close`, { outcome: "won" });
  await waitForTransaction(under, `dispute:${dispute.id}:won`);

  const [dropped, duplicated, amountOff, currencyOff, malformed] = [
    await paidPayment(under),
    await paidPayment(under),
    await paidPayment(under),
    await paidPayment(under),
    await paidPayment(under),
  ];

  under.platform.psp.setFaults({ webhook_drop_rate: 1 });
  let unbooked;
  try {
    const { payment } = await payments().createPayment(sampleCheckout());
    expect((await payOnHostedPage(payment!.hostedPageUrl, TEST_CARDS.success)).status).toBe("succeeded");
    unbooked = {
      paymentId: payment!.paymentId,
      pspPaymentId: (await payments().getPayment({ paymentId: payment!.paymentId })).payment!.pspPaymentId,
    };
  } finally {
    under.platform.psp.setFaults({});
  }
  return {
    matched,
    refundId,
    payoutId,
    disputeId: dispute.id,
    dropped,
    duplicated,
    amountOff,
    currencyOff,
    malformed,
    unbooked,
  };
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
  const file = (await (await under.platform.pspApi(`/v1/settlements/${settlement.date}/file`)).text())
    .trimEnd()
    .split("\n");
  return { ...money, date: settlement.date, file, runId: 0n };
}

const run = (date: string) => reconciliation(under).runReconciliation({ date });
const lineNumberOf = (file: string[], pspReference: string, type = "charge") =>
  file.findIndex((l) => l.startsWith(`${pspReference},`) && l.split(",")[2] === type) + 1;

/** Σ net of the lines that settle (matched, payouts aside): what the settlement moves to the bank. */
function expectedBankMove(file: string[], unmatched: string[]): bigint {
  const counted = new Set<string>();
  let net = 0n;
  for (const line of file.slice(1)) {
    const [psp, , type, , , lineNet] = line.split(",");
    if (type === "closing_balance" || type === "payout" || unmatched.includes(psp!) || counted.has(`${psp}|${type}`))
      continue;
    counted.add(`${psp}|${type}`);
    net += BigInt(lineNet!);
  }
  return net;
}

describe("reconciliation of a settlement day", () => {
  it("classifies every line, fixes the missed webhook, settles what matched, and keeps the books clean", async () => {
    day = await cutTheDaysFile(await moveTheDaysMoney());
    const { run: first, changes } = await run(day.date);
    day.runId = first!.runId;
    expect(first).toMatchObject({
      date: day.date,
      status: RunStatus.FINISHED,
      lines: BigInt(day.file.length - 2),
      executions: 1,
    });
    expect(changes[0]).toMatch(/^run \d+ created for /);

    const exceptions = await exceptionsOf(under, first!.runId);
    const found = exceptions.map((e) => [
      classOf(e),
      e.lineType,
      e.pspReference || e.ledgerTransactionId,
      ExceptionStatus[e.status],
    ]);
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

    const byClass = (cls: string) =>
      exceptions.find((e) => classOf(e) === cls && e.lineType === "charge" && e.pspReference !== unknown);
    expect(byClass("amount_mismatch")).toMatchObject({
      fileAmount: usd(3_501),
      ledgerAmount: usd(3_500),
      ledgerTransactionId: `payin:${day.amountOff.paymentId}`,
    });
    expect(byClass("currency_mismatch")).toMatchObject({
      fileAmount: { amountMinor: 3500n, currency: "EUR" },
      ledgerAmount: usd(3_500),
    });
    expect(byClass("malformed_line")).toMatchObject({
      lineNumber: BigInt(lineNumberOf(day.file, day.malformed.pspPaymentId)),
      detail: expect.stringContaining('gross "35.00" is not an integer'),
    });
    expect(byClass("duplicate_line")!.lineNumber).toBe(BigInt(lineNumberOf(day.file, day.duplicated.pspPaymentId) + 1));
    expect(byClass("missing_in_file")).toMatchObject({ ledgerAmount: usd(3_500), lineNumber: 0n });
    expect(exceptions.find((e) => e.pspReference === unknown)).toMatchObject({
      fileAmount: usd(1_234),
      resolution: `not fixed automatically: the PSP does not know ${unknown}`,
    });
    expect(exceptions.find((e) => e.pspReference === day.unbooked.pspPaymentId)!.resolution).toMatch(
      /RefreshPayment applied it \(payment \S+ is SUCCEEDED\)/,
    );

    const report = Object.fromEntries(
      first!.report.map((r) => [`${classOf(r)} ${r.currency}`, [Number(r.count), Number(r.amountMinor)]]),
    );
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

    const unmatched = [day.amountOff, day.currencyOff, day.malformed, day.unbooked]
      .map((p) => p.pspPaymentId)
      .concat(unknown);
    const settlement = await postedEntries(under.platform, `settlement:${day.date}:USD:1`);
    expect(settlement).toEqual(
      expect.arrayContaining([`Dr bank:platform:USD ${expectedBankMove(day.file, unmatched)}`]),
    );
    expect(changes).toContain(`posted settlement:${day.date}:USD:1`);

    // The auto-fix made the payment SUCCEEDED: its pay-in is booked, and the books are clean.
    await waitForTransaction(under, `payin:${day.unbooked.paymentId}`);
    await expectBooksClean(under.platform);
  });

  it("a finance adjustment closes an exception: a balanced, immutable, audited ledger transaction", async () => {
    const { runs } = await reconciliation(under).listRuns({ date: day.date });
    const open = (await reconciliation(under).listExceptions({ date: day.date, status: ExceptionStatus.OPEN }))
      .exceptions;
    expect(open.map(classOf).sort()).toEqual([
      "amount_mismatch",
      "currency_mismatch",
      "duplicate_line",
      "malformed_line",
      "missing_in_file",
      "missing_in_ledger",
    ]);
    const ofClass = (cls: string) => open.find((e) => classOf(e) === cls)!;
    const currencyOff = ofClass("currency_mismatch");
    const request = {
      exceptionId: currencyOff.exceptionId,
      operatorId: "ops-ann",
      reason: "the PSP confirmed the charge was in USD; a 0.01 goodwill credit kept as revenue",
      entries: [
        { accountCode: "psp_receivable:USD", direction: Direction.DEBIT, amount: usd(1) },
        { accountCode: "platform_fee_revenue:USD", direction: Direction.CREDIT, amount: usd(1) },
      ],
      idempotencyKey: newId("adj"),
    };
    const adjusted = await reconciliationAsConsole(under).postAdjustment(request, onBehalfOf("ops-ann"));
    expect(adjusted.exception).toMatchObject({
      status: ExceptionStatus.ADJUSTED,
      adjustment: {
        transactionId: `adjustment:${currencyOff.exceptionId}`,
        operatorId: "ops-ann",
        reason: request.reason,
      },
    });
    expect(adjusted.transaction!.description).toBe(
      `adjustment of reconciliation exception ${currencyOff.exceptionId} by ops-ann: ${request.reason}`,
    );
    expect(await postedEntries(under.platform, `adjustment:${currencyOff.exceptionId}`)).toEqual([
      "Dr psp_receivable:USD 1",
      "Cr platform_fee_revenue:USD 1",
    ]);
    expect(await reconciliationAsConsole(under).postAdjustment(request, onBehalfOf("ops-ann"))).toEqual(adjusted);
    expect((await reconciliation(under).getException({ exceptionId: currencyOff.exceptionId })).exception).toEqual(
      adjusted.exception,
    );
    expect(await failure(reconciliation(under).getException({ exceptionId: 999_999n }))).toMatchObject({
      code: Code.NotFound,
    });

    expect(
      await failure(
        reconciliationAsConsole(under).postAdjustment(
          { ...request, idempotencyKey: newId("adj") },
          onBehalfOf("ops-ann"),
        ),
      ),
    ).toMatchObject({
      code: Code.FailedPrecondition,
      message: expect.stringContaining(`was already adjusted by ops-ann`),
    });
    expect(
      await failure(
        reconciliationAsConsole(under).postAdjustment({ ...request, exceptionId: 999_999n }, onBehalfOf("ops-ann")),
      ),
    ).toMatchObject({ code: Code.NotFound });
    const other = { ...request, exceptionId: ofClass("duplicate_line").exceptionId };
    const unbalanced = { ...other, entries: [request.entries[0]!, { ...request.entries[1]!, amount: usd(2) }] };
    expect(
      await failure(reconciliationAsConsole(under).postAdjustment(unbalanced, onBehalfOf("ops-ann"))),
    ).toMatchObject({ code: Code.InvalidArgument, message: expect.stringContaining("do not balance") });
    const unknownAccount = {
      ...other,
      entries: [request.entries[0]!, { ...request.entries[1]!, accountCode: "nowhere:USD" }],
    };
    expect(
      await failure(reconciliationAsConsole(under).postAdjustment(unknownAccount, onBehalfOf("ops-ann"))),
    ).toMatchObject({ code: Code.InvalidArgument, message: expect.stringContaining('"nowhere:USD" does not exist') });
    expect(
      await failure(reconciliationAsConsole(under).postAdjustment({ ...other, reason: "" }, onBehalfOf("ops-ann"))),
    ).toMatchObject({ code: Code.InvalidArgument });

    // The standard correction of the amount mismatch: settled as the PSP reported it, the cent written off.
    const correction = StandardCorrection.SETTLE_AS_REPORTED;
    expect(
      await failure(
        reconciliationAsConsole(under).postAdjustment({ ...other, entries: [], correction }, onBehalfOf("ops-ann")),
      ),
    ).toMatchObject({
      code: Code.FailedPrecondition,
      message: expect.stringContaining("SETTLE_AS_REPORTED corrects amount mismatches only"),
    });
    const amountOff = ofClass("amount_mismatch");
    expect(
      await failure(
        reconciliationAsConsole(under).postAdjustment(
          { ...request, exceptionId: amountOff.exceptionId, correction },
          onBehalfOf("ops-ann"),
        ),
      ),
    ).toMatchObject({ code: Code.InvalidArgument });
    const corrected = await reconciliationAsConsole(under).postAdjustment(
      { ...request, exceptionId: amountOff.exceptionId, entries: [], correction, reason: "the PSP charged 35.01" },
      onBehalfOf("ops-ann"),
    );
    expect(corrected.exception!.status).toBe(ExceptionStatus.ADJUSTED);
    const fee = Number(day.file.find((l) => l.startsWith(`${day.amountOff.pspPaymentId},`))!.split(",")[4]);
    expect(await postedEntries(under.platform, `adjustment:${amountOff.exceptionId}`)).toEqual([
      `Dr bank:platform:USD ${3_501 - fee}`,
      `Dr psp_fee_expense:USD ${fee}`,
      "Cr psp_receivable:USD 3500",
      "Cr reconciliation_differences:USD 1",
    ]);

    const closed = await reconciliation(under).listExceptions({
      runId: runs[0]!.runId,
      status: ExceptionStatus.ADJUSTED,
    });
    expect(closed.exceptions.map((e) => e.exceptionId).sort()).toEqual(
      [amountOff.exceptionId, currencyOff.exceptionId].sort(),
    );
    await expectBooksClean(under.platform);
  });

  it("runs again idempotently: the fixed charge is settled the next time, and then nothing changes", async () => {
    const second = await run(day.date);
    expect(second.changes).toEqual([`posted settlement:${day.date}:USD:2`, "report updated"]);
    expect(await postedEntries(under.platform, `settlement:${day.date}:USD:2`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Dr bank:platform:USD \d+$/), "Cr psp_receivable:USD 3500"]),
    );
    const report = Object.fromEntries(second.run!.report.map((r) => [`${classOf(r)} ${r.currency}`, Number(r.count)]));
    expect(report).toMatchObject({ "matched USD": 10, "missing_in_ledger USD": 1 });
    expect(second.run!.executions).toBe(2);

    const third = await run(day.date);
    expect(third.changes).toEqual([]);
    expect(third.run!.report).toEqual(second.run!.report);
    // The same file is the same run: its exceptions stay, the fixed one as it was closed.
    expect(second.run!.runId).toBe(day.runId);
    expect((await exceptionsOf(under, second.run!.runId)).map((e) => e.status).sort((a, b) => a - b)).toEqual([
      ExceptionStatus.OPEN,
      ExceptionStatus.OPEN,
      ExceptionStatus.OPEN,
      ExceptionStatus.OPEN,
      ExceptionStatus.AUTO_FIXED,
      ExceptionStatus.ADJUSTED,
      ExceptionStatus.ADJUSTED,
    ]);
    await expectBooksClean(under.platform);
  });

  it("refuses a bad date, a day the PSP has no file for, and unknown runs", async () => {
    expect(await failure(run("2024-13-01"))).toMatchObject({
      code: Code.InvalidArgument,
      message: 'date: must be a date written YYYY-MM-DD, got "2024-13-01"',
    });
    expect(await failure(run("2020-01-01"))).toMatchObject({ code: Code.NotFound });
    expect(await failure(reconciliation(under).getRun({ runId: 424_242n }))).toMatchObject({ code: Code.NotFound });
    expect(await failure(reconciliation(under).listExceptions({ runId: 1n, date: day.date }))).toMatchObject({
      code: Code.InvalidArgument,
    });
  });
});

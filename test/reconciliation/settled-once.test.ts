import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExceptionStatus } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { expectBooksClean, paidOrder, postedEntries } from "../ledger/platform-books.js";
import { setPayoutAccount } from "../payouts/payout-calls.js";
import { usePlatform } from "../support/use-platform.js";
import {
  classOf,
  exceptionsOf,
  newId,
  paidOut,
  paidPayment,
  pspPost,
  reconciliation,
  refund,
  waitForTransaction,
} from "./reconciliation-calls.js";

/**
 * A PSP transaction is settled at most once: a charge, refund, payout or chargeback the PSP's file of one day settled,
 * named again in the file of a later day, is an exception of that day naming the first, and moves no money again,
 * however often either day is run.
 */
const under = usePlatform();

const DAY_MS = 86_400_000;
const dayAfter = (date: string, days: number) => new Date(Date.parse(date) + days * DAY_MS).toISOString().slice(0, 10);

/** The PSP's file of `date` as it stands now, header first. */
const pspFileOf = async (date: string) =>
  (await (await under.platform.pspApi(`/v1/settlements/${date}/file`)).text()).trimEnd().split("\n");

/** Writes the settlement file of the day `days` after the lines' own, with `lines` moved to that day; its name. */
function movedFile(header: string, lines: string[], days: number): string {
  const moved = lines.map((line) => {
    const fields = line.split(",");
    fields[7] = new Date(Date.parse(fields[7]!) + days * DAY_MS).toISOString();
    return fields.join(",");
  });
  const name = `settlement-${moved[0]!.split(",")[7]!.slice(0, 10)}.csv`;
  writeFileSync(join(under.platform.settlementDir, name), `${header}\n${moved.join("\n")}\n`);
  return name;
}

const reportOf = (run: { report: { lineClass: number; currency: string; count: bigint; amountMinor: bigint }[] }) =>
  run.report.map((r) => [classOf(r), r.currency, Number(r.count), Number(r.amountMinor)]);

describe("a movement settled by one day's file, named again by a later day's", () => {
  it("a charge is already_settled on the next day, naming the day that settled it; no second settlement; re-runs change nothing", async () => {
    const charge = await paidPayment(under);
    const { date } = await pspPost(under, "/v1/test_helpers/settlements/run");
    const fileOfD = await pspFileOf(date);
    const line = fileOfD.find((l) => l.startsWith(`${charge.pspPaymentId},`))!;
    const settledOnD = await reconciliation(under).runReconciliation({ date });
    expect(settledOnD.changes).toContain(`posted settlement:${date}:USD:1`);
    const settlementOfD = await postedEntries(under.platform, `settlement:${date}:USD:1`);

    // The next day's file names the same charge again, dated within that day.
    const next = dayAfter(date, 1);
    const file = movedFile(fileOfD[0]!, [line], 1);
    const { run, changes } = await reconciliation(under).runReconciliation({ date: next, filePath: file });

    expect(changes.filter((c) => c.startsWith("posted"))).toEqual([]);
    expect(await postedEntries(under.platform, `settlement:${next}:USD:1`)).toBeUndefined();
    expect(reportOf(run!)).toEqual([["already_settled", "USD", 1, 3_500]]);
    const exceptions = await exceptionsOf(under, run!.runId);
    expect(exceptions.map((e) => [classOf(e), e.lineType, e.pspReference, e.ledgerTransactionId, e.status])).toEqual([
      ["already_settled", "charge", charge.pspPaymentId, `payin:${charge.paymentId}`, ExceptionStatus.OPEN],
    ]);
    expect(exceptions[0]!.detail).toContain(`the settlement of ${date} already settled payin:${charge.paymentId}`);

    // Either day again, in either order: nothing changes, and day D still holds the charge.
    for (const again of [{ date: next, filePath: file }, { date }, { date: next, filePath: file }]) {
      const rerun = await reconciliation(under).runReconciliation(again);
      expect(rerun.changes).toEqual([]);
    }
    expect(await postedEntries(under.platform, `settlement:${date}:USD:1`)).toEqual(settlementOfD);
    expect(await postedEntries(under.platform, `settlement:${date}:USD:2`)).toBeUndefined();
    expect(await postedEntries(under.platform, `settlement:${next}:USD:1`)).toBeUndefined();
    await expectBooksClean(under.platform);
  });

  it("a refund, a payout and a chargeback (with its fee) are too: already_settled on a later day, no second settlement, re-runs change nothing", async () => {
    const refunded = await refund(under, await paidPayment(under), 500);
    await waitForTransaction(under, `refund:${refunded.refundId}`);
    const sellerId = newId("seller");
    await paidOrder(under.platform, sellerId, 20_000);
    await setPayoutAccount(under.platform, sellerId, "ba_123");
    const payout = await paidOut(under, sellerId, 5_000);
    const disputed = await paidPayment(under);
    const dispute = (await pspPost(under, `/v1/test_helpers/payments/${disputed.pspPaymentId}/dispute`)).id as string;
    await waitForTransaction(under, `dispute:${dispute}:open`);
    const { date } = await pspPost(under, "/v1/test_helpers/settlements/run");
    const [header, ...lines] = await pspFileOf(date);
    const lineOf = (pspReference: string, type: string) =>
      lines.find((l) => l.startsWith(`${pspReference},`) && l.split(",")[2] === type)!;
    const named = [
      [lineOf(refunded.pspRefundId, "refund"), `refund:${refunded.refundId}`],
      [lineOf(payout.pspPayoutId, "payout"), `payout:${payout.payoutId}:paid`],
      [lineOf(dispute, "chargeback"), `dispute:${dispute}:open`],
      [lineOf(dispute, "fee"), `dispute:${dispute}:open`],
    ] as const;
    const types = named.map(([line]) => line.split(",")[2]);
    expect(types).toEqual(["refund", "payout", "chargeback", "fee"]);

    // Day X's file (days after the other test's) settles them; the file of the day after names them again.
    const [x, y] = [dayAfter(date, 2), dayAfter(date, 3)];
    const fileOfX = movedFile(
      header!,
      named.map(([line]) => line),
      2,
    );
    const settledOnX = await reconciliation(under).runReconciliation({ date: x, filePath: fileOfX });
    expect(reportOf(settledOnX.run!).map(([lineClass, , count]) => [lineClass, count])).toEqual([["matched", 4]]);
    expect(settledOnX.changes).toContain(`posted settlement:${x}:USD:1`);
    const settlementOfX = await postedEntries(under.platform, `settlement:${x}:USD:1`);

    const fileOfY = movedFile(
      header!,
      named.map(([line]) => line),
      3,
    );
    const { run, changes } = await reconciliation(under).runReconciliation({ date: y, filePath: fileOfY });
    expect(changes.filter((c) => c.startsWith("posted"))).toEqual([]);
    expect(await postedEntries(under.platform, `settlement:${y}:USD:1`)).toBeUndefined();
    expect(reportOf(run!).map(([lineClass, , count]) => [lineClass, count])).toEqual([["already_settled", 4]]);
    const exceptions = await exceptionsOf(under, run!.runId);
    expect(exceptions.map((e) => [classOf(e), e.lineType, e.ledgerTransactionId, e.status])).toEqual(
      named.map(([line, transactionId]) => [
        "already_settled",
        line.split(",")[2],
        transactionId,
        ExceptionStatus.OPEN,
      ]),
    );
    exceptions.forEach((e, i) =>
      expect(e.detail).toContain(`the settlement of ${x} already settled ${named[i]![1]}: it is not settled again`),
    );

    // Either day again, in either order: nothing changes, and day X still holds them.
    for (const again of [
      { date: y, filePath: fileOfY },
      { date: x, filePath: fileOfX },
      { date: y, filePath: fileOfY },
    ]) {
      expect((await reconciliation(under).runReconciliation(again)).changes).toEqual([]);
    }
    expect(await postedEntries(under.platform, `settlement:${x}:USD:1`)).toEqual(settlementOfX);
    expect(await postedEntries(under.platform, `settlement:${x}:USD:2`)).toBeUndefined();
    expect(await postedEntries(under.platform, `settlement:${y}:USD:1`)).toBeUndefined();
    await expectBooksClean(under.platform);
  });
});

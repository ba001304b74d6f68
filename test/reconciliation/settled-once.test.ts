import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExceptionStatus } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { expectBooksClean, postedEntries } from "../ledger/platform-books.js";
import { usePlatform } from "../support/use-platform.js";
import { classOf, exceptionsOf, paidPayment, pspPost, reconciliation } from "./reconciliation-calls.js";

/**
 * A PSP transaction is settled at most once: a charge the PSP's file of day D settled, named again in the file of
 * D+1, is an exception of that day naming D, and moves no money again, however often either day is run.
 */
const under = usePlatform();

const DAY_MS = 86_400_000;

describe("a charge settled by one day's file, named again by the next day's", () => {
  it("is already_settled on the next day, naming the day that settled it; no second settlement; re-runs change nothing", async () => {
    const charge = await paidPayment(under);
    const { date } = await pspPost(under, "/v1/test_helpers/settlements/run");
    const fileOfD = (await (await under.platform.pspApi(`/v1/settlements/${date}/file`)).text()).trimEnd().split("\n");
    const line = fileOfD.find((l) => l.startsWith(`${charge.pspPaymentId},`))!;
    const settledOnD = await reconciliation(under).runReconciliation({ date });
    expect(settledOnD.changes).toContain(`posted settlement:${date}:USD:1`);
    const settlementOfD = await postedEntries(under.platform, `settlement:${date}:USD:1`);

    // The next day's file names the same charge again, dated within that day.
    const next = new Date(Date.parse(date) + DAY_MS).toISOString().slice(0, 10);
    const fields = line.split(",");
    fields[7] = new Date(Date.parse(fields[7]!) + DAY_MS).toISOString();
    const file = `settlement-${next}.csv`;
    writeFileSync(join(under.platform.settlementDir, file), `${fileOfD[0]}\n${fields.join(",")}\n`);
    const { run, changes } = await reconciliation(under).runReconciliation({ date: next, filePath: file });

    expect(changes.filter((c) => c.startsWith("posted"))).toEqual([]);
    expect(await postedEntries(under.platform, `settlement:${next}:USD:1`)).toBeUndefined();
    expect(run!.report.map((r) => [classOf(r), r.currency, Number(r.count), Number(r.amountMinor)])).toEqual([
      ["already_settled", "USD", 1, 3_500],
    ]);
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
});

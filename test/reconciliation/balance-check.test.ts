import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExceptionStatus } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { usePlatform } from "../support/use-platform.js";
import { classOf, exceptionsOf, paidPayment, pspPost, reconciliation } from "./reconciliation-calls.js";

/** Each day's closing balance is the previous day's plus the day's movements, per currency; a break is an exception. */
const under = usePlatform();

const DAY_MS = 86_400_000;
const dayAfter = (date: string, days: number) => new Date(Date.parse(date) + days * DAY_MS).toISOString().slice(0, 10);

describe("the bank balance check", () => {
  it("says the first file is not checked, finds no break where the balances chain, and a balance_break where a closing balance is off by 1", async () => {
    await paidPayment(under);
    const { date } = await pspPost(under, "/v1/test_helpers/settlements/run");
    const fileOfD = (await (await under.platform.pspApi(`/v1/settlements/${date}/file`)).text()).trimEnd().split("\n");
    const closingLine = fileOfD.find((l) => l.split(",")[2] === "closing_balance")!;
    const closingOfD = BigInt(closingLine.split(",")[5]!);
    const first = await reconciliation(under).runReconciliation({ date });
    const firstFile = "the first settlement file: no earlier closing balance to check this file's against";
    expect(first.changes).toContain(firstFile);
    const noteOf = async (runId: bigint) => (await reconciliation(under).getRun({ runId })).run!.balanceCheckNote;
    expect(await noteOf(first.run!.runId)).toBe(firstFile);
    // Kept on the run, not news again.
    expect(await reconciliation(under).runReconciliation({ date })).toMatchObject({
      changes: [],
      run: { balanceCheckNote: firstFile },
    });

    // Days with no movements: the balance must stay as it was.
    const fileWithClosing = (day: string, closing: bigint) => {
      const fields = closingLine.split(",");
      fields[5] = String(closing);
      fields[7] = `${dayAfter(day, 1)}T00:00:00.000Z`;
      const name = `settlement-${day}.csv`;
      writeFileSync(join(under.platform.settlementDir, name), `${fileOfD[0]}\n${fields.join(",")}\n`);
      return name;
    };
    const next = dayAfter(date, 1);
    const chained = await reconciliation(under).runReconciliation({
      date: next,
      filePath: fileWithClosing(next, closingOfD),
    });
    expect(chained.run!.report).toEqual([]);
    expect(await noteOf(chained.run!.runId)).toBe("");
    expect(await exceptionsOf(under, chained.run!.runId)).toEqual([]);

    const third = dayAfter(date, 2);
    const off = await reconciliation(under).runReconciliation({
      date: third,
      filePath: fileWithClosing(third, closingOfD + 1n),
    });
    const [exception, ...others] = await exceptionsOf(under, off.run!.runId);
    expect(others).toEqual([]);
    expect([
      classOf(exception!),
      exception!.fileAmount!.currency,
      exception!.fileAmount!.amountMinor,
      exception!.ledgerAmount!.currency,
      exception!.ledgerAmount!.amountMinor,
      exception!.status,
    ]).toEqual(["balance_break", "USD", closingOfD + 1n, "USD", closingOfD, ExceptionStatus.OPEN]);
    expect(exception!.detail).toContain(`${next}'s closing balance plus this day's movements is`);
    expect(exception!.detail).toContain("a difference of 0.01 USD");
    expect(off.run!.report.map((r) => [classOf(r), r.currency, Number(r.count), Number(r.amountMinor)])).toEqual([
      ["balance_break", "USD", 1, 1],
    ]);

    // A day with no run before it: said so, not checked.
    const gap = dayAfter(date, 4);
    const afterGap = await reconciliation(under).runReconciliation({ date: gap, filePath: fileWithClosing(gap, 0n) });
    const gapNote = `no finished run of ${dayAfter(date, 3)} (the latest earlier one is of ${third}): the closing balances are not checked`;
    expect(afterGap.changes).toContain(gapNote);
    expect(await noteOf(afterGap.run!.runId)).toBe(gapNote);
    expect(await exceptionsOf(under, afterGap.run!.runId)).toEqual([]);
  });
});

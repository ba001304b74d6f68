import { describe, expect, it } from "vitest";
import { ExceptionStatus } from "../../gen/reconciliation/v1/reconciliation_pb.js";
import { formatMoney } from "../../services/lib/money.js";
import { usePlatform } from "../support/use-platform.js";
import { classOf, exceptionsOf, paidPayment, pspPost, reconciliation } from "./reconciliation-calls.js";

/**
 * A balance break injected in the PSP simulator's file of day D, found by the reconciliation service: D is checked
 * against D-1's file, D+1 against D's file as the bank stated it (so the bank's return to the real balance is a
 * break too), and D+2 chains again.
 */
const under = usePlatform();

const DAY_SECONDS = 86_400;
const dayAfter = (date: string, days: number) =>
  new Date(Date.parse(date) + days * DAY_SECONDS * 1000).toISOString().slice(0, 10);
const usd = (amountMinor: bigint) => formatMoney({ amountMinor, currency: "USD" });

async function reconcile(date: string) {
  const { run, changes } = await reconciliation(under).runReconciliation({ date });
  const exceptions = await exceptionsOf(under, run!.runId);
  const report = run!.report.map((r) => [classOf(r), r.currency, Number(r.count), Number(r.amountMinor)]);
  return { changes: changes as string[], exceptions, report };
}

describe("a balance break injected by the PSP simulator", () => {
  it("is exactly one balance_break on its day with both figures and the difference; the next day is checked against the stated balance", async () => {
    await paidPayment(under);
    const { date: before } = await pspPost(under, "/v1/test_helpers/settlements/run");
    const day = dayAfter(before, 1);
    const refused = await under.platform.pspApi("/v1/test_helpers/settlements/balance_breaks", {
      method: "POST",
      body: JSON.stringify({ date: day, currency: "USD", delta: 1.37 }),
    });
    expect([refused.status, (await refused.json()).error.param]).toEqual([400, "delta"]);
    await pspPost(under, "/v1/test_helpers/settlements/balance_breaks", { date: day, currency: "USD", delta: 137 });
    // Cuts the files of `before`, `day` and the two days after.
    await pspPost(under, "/v1/test_helpers/clock/advance", { seconds: 4 * DAY_SECONDS });
    const settlement = async (date: string) =>
      (await (await under.platform.pspApi(`/v1/settlements/${date}`)).json()).closing_balance.USD as number;
    const real = BigInt(await settlement(before));
    expect([await settlement(day), await settlement(dayAfter(day, 1))]).toEqual([Number(real) + 137, Number(real)]);

    expect((await reconcile(before)).changes).toContain(
      "the first settlement file: no earlier closing balance to check this file's against",
    );

    const broken = await reconcile(day);
    expect(broken.report).toEqual([["balance_break", "USD", 1, 137]]);
    expect(broken.exceptions).toHaveLength(1);
    const [found] = broken.exceptions;
    expect([
      classOf(found!),
      found!.lineType,
      found!.fileAmount!.currency,
      found!.fileAmount!.amountMinor,
      found!.ledgerAmount!.currency,
      found!.ledgerAmount!.amountMinor,
      found!.status,
    ]).toEqual(["balance_break", "closing_balance", "USD", real + 137n, "USD", real, ExceptionStatus.OPEN]);
    expect(found!.detail).toBe(
      `the file's closing balance is ${usd(real + 137n)}; ${before}'s closing balance plus this day's movements is ${usd(real)}: a difference of ${usd(137n)}`,
    );

    const back = await reconcile(dayAfter(day, 1));
    expect(back.report).toEqual([["balance_break", "USD", 1, -137]]);
    expect(back.exceptions.map((e) => [e.fileAmount!.amountMinor, e.ledgerAmount!.amountMinor])).toEqual([
      [real, real + 137n],
    ]);
    expect(back.exceptions.map((e) => e.detail)).toEqual([
      `the file's closing balance is ${usd(real)}; ${day}'s closing balance plus this day's movements is ${usd(real + 137n)}: a difference of ${usd(-137n)}`,
    ]);

    const chained = await reconcile(dayAfter(day, 2));
    expect([chained.report, chained.exceptions]).toEqual([[], []]);
  });
});

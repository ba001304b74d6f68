import { describe, expect, it } from "vitest";
import type { FoundException } from "../domain/exception.js";
import type { LedgerTransaction } from "../domain/matching.js";
import { movementKey, reconcileLines } from "./reconcile-lines.js";

const HEADER = "psp_reference,our_reference,type,gross,fee,net,currency,time";
const T = "2024-03-05T09:00:00.000Z";
const DAY = { start: Date.parse("2024-03-05T00:00:00.000Z"), end: Date.parse("2024-03-06T00:00:00.000Z") };

const payin = (paymentId: string, amountMinor: bigint, currency = "EUR"): LedgerTransaction => ({
  transactionId: `payin:${paymentId}`,
  description: "",
  postedAt: new Date(0),
  entries: [{ accountCode: `psp_receivable:${currency}`, direction: "DEBIT", amount: { amountMinor, currency } }],
});

async function reconcile(
  lines: string[],
  ledger: LedgerTransaction[],
  batchSize = 2,
  settledOn = new Map<string, string>(),
) {
  const byId = new Map(ledger.map((t) => [t.transactionId, t]));
  const asked: string[][] = [];
  const claimed: string[] = [];
  const exceptions: FoundException[] = [];
  async function* texts() {
    yield* lines;
  }
  const outcome = await reconcileLines(
    texts(),
    { lookupEntries: async (ids) => (asked.push(ids), ids.flatMap((id) => byId.get(id) ?? [])) },
    async (movements) => (claimed.push(...movements.map((m) => `${m.lineType}|${m.transactionId}`)), settledOn),
    async (e) => void exceptions.push(e),
    { batchSize, concurrency: 2, window: DAY, boundaryFrom: Date.parse("2024-03-05T23:55:00.000Z") },
  );
  return { outcome, exceptions, asked, claimed };
}

describe("reconcileLines", () => {
  it("matches lines in batches, adds up what they settle, and tells every other line apart", async () => {
    const { outcome, exceptions, asked } = await reconcile(
      [
        HEADER,
        `pi_1,pay_1,charge,1000,59,941,EUR,${T}`,
        `pi_2,pay_2,charge,2000,88,1912,EUR,${T}`,
        `pi_2,pay_2,charge,2000,88,1912,EUR,${T}`,
        `pi_3,pay_3,charge,3001,117,2884,EUR,${T}`,
        `pi_4,pay_4,charge,20.00,88,1912,EUR,${T}`,
        `pi_5,pay_5,charge,500,44,456,EUR,2024-03-05T23:58:00.000Z`,
        `,,closing_balance,,,6153,EUR,2024-03-06T00:00:00.000Z`,
      ],
      [
        payin("pay_1", 1000n),
        payin("pay_2", 2000n),
        payin("pay_3", 3000n),
        payin("pay_4", 2000n),
        payin("pay_5", 500n),
      ],
    );
    expect(outcome.lines).toBe(6);
    // Each movement once, whatever it matched; not the duplicate, not the unreadable line.
    expect(outcome.movementsNet).toEqual(new Map([["EUR", 6_193n]]));
    expect(asked).toEqual([
      ["payin:pay_1", "payin:pay_2"],
      ["payin:pay_3", "payin:pay_5"],
    ]);
    expect(exceptions.map((e) => [e.class, e.lineNumber, e.pspReference])).toEqual([
      ["duplicate_line", 4, "pi_2"],
      ["malformed_line", 6, "pi_4"],
      ["amount_mismatch", 5, "pi_3"],
    ]);
    expect(outcome.report.build().map((r) => [r.class, r.count, r.amountMinor])).toEqual([
      ["matched", 3, 3_500n],
      ["amount_mismatch", 1, 3_001n],
      ["duplicate_line", 1, 2_000n],
      ["malformed_line", 1, 0n],
    ]);
    expect(outcome.totals.get("EUR")).toMatchObject({ chargesGross: 3_500n, chargesFee: 191n });
    expect(outcome.closingBalances).toEqual([{ amountMinor: 6_153n, currency: "EUR" }]);
    expect(outcome.boundaryMatches).toEqual(["payin:pay_5"]);
    // The malformed line's payment is accounted for: not also "missing in the file".
    expect(outcome.named.has(movementKey("charge", "payin:pay_4", "", ""))).toBe(true);
  });

  it("a line dated outside the day is not settled; a good line after a malformed one of the same charge is matched", async () => {
    const { outcome, exceptions } = await reconcile(
      [
        HEADER,
        `pi_1,pay_1,charge,10.00,59,941,EUR,${T}`,
        `pi_1,pay_1,charge,1000,59,941,EUR,${T}`,
        `pi_2,pay_2,charge,2000,88,1912,EUR,2024-03-06T00:00:00.000Z`,
        `pi_3,pay_3,charge,99999999999999999999,0,99999999999999999999,EUR,${T}`,
      ],
      [payin("pay_1", 1000n), payin("pay_2", 2000n), payin("pay_3", 3000n)],
    );
    expect(exceptions.map((e) => [e.class, e.lineNumber, e.detail])).toEqual([
      ["malformed_line", 2, expect.stringContaining('gross "10.00" is not an integer')],
      [
        "malformed_line",
        4,
        "line 4 is dated 2024-03-06T00:00:00.000Z, outside the settlement day (2024-03-05T00:00:00.000Z to 2024-03-06T00:00:00.000Z): it belongs to another day's file",
      ],
      ["malformed_line", 5, expect.stringContaining("beyond the largest amount a ledger entry holds")],
    ]);
    expect(outcome.totals.get("EUR")).toMatchObject({ chargesGross: 1_000n });
    expect(outcome.report.build().map((r) => [r.class, r.count])).toEqual([
      ["matched", 1],
      ["malformed_line", 3],
    ]);
  });

  it("remembers every transaction named near the day's end, matched or not, and never holds more than a batch of lines", async () => {
    const late = "2024-03-05T23:58:00.000Z";
    const { outcome, exceptions, asked } = await reconcile(
      [
        HEADER,
        `pi_1,pay_1,charge,1000,59,941,EUR,${late}`,
        `pi_2,pay_2,charge,2001,88,1913,EUR,${late}`,
        `re_1,no-slash,refund,-500,0,-500,EUR,${T}`,
        `re_2,no-slash-2,refund,-500,0,-500,EUR,${T}`,
      ],
      [payin("pay_1", 1000n), payin("pay_2", 2000n)],
    );
    expect(outcome.boundaryMatches.sort()).toEqual(["payin:pay_1", "payin:pay_2"]);
    // The refunds name no transaction: their batch goes out when full all the same (no lookup needed).
    expect(asked).toEqual([["payin:pay_1", "payin:pay_2"]]);
    expect(exceptions.map((e) => e.class)).toEqual(["amount_mismatch", "missing_in_ledger", "missing_in_ledger"]);
  });

  it("claims only the matched movements; one another day settled is an exception and settles nothing", async () => {
    const { outcome, exceptions, claimed } = await reconcile(
      [
        HEADER,
        `pi_1,pay_1,charge,1000,59,941,EUR,${T}`,
        `pi_2,pay_2,charge,2000,88,1912,EUR,${T}`,
        `pi_3,pay_3,charge,3001,117,2884,EUR,${T}`,
      ],
      [payin("pay_1", 1000n), payin("pay_2", 2000n), payin("pay_3", 3000n)],
      2,
      new Map([["charge|payin:pay_2", "2024-03-04"]]),
    );
    expect(claimed).toEqual(["charge|payin:pay_1", "charge|payin:pay_2"]);
    expect(exceptions.map((e) => [e.class, e.lineNumber, e.ledgerTransactionId, e.detail])).toEqual([
      [
        "already_settled",
        3,
        "payin:pay_2",
        expect.stringContaining("the settlement of 2024-03-04 already settled payin:pay_2"),
      ],
      ["amount_mismatch", 4, "payin:pay_3", expect.any(String)],
    ]);
    expect(outcome.totals.get("EUR")).toMatchObject({ chargesGross: 1_000n, chargesFee: 59n });
    expect(outcome.report.build().map((r) => [r.class, r.count, r.amountMinor])).toEqual([
      ["matched", 1, 1_000n],
      ["amount_mismatch", 1, 3_001n],
      ["already_settled", 1, 2_000n],
    ]);
  });

  it("a line with fields missing is a malformed line, by its number and what is missing; the next line is read", async () => {
    const { outcome, exceptions } = await reconcile(
      [
        HEADER,
        `pi_1,pay_1,charge,1000,59,941,EUR`,
        `pi_2,pay_2,charge,2000,,1912,EUR,${T}`,
        `,,closing_balance,,,,EUR,${T}`,
      ],
      [payin("pay_1", 1000n), payin("pay_2", 2000n)],
    );
    expect(exceptions.map((e) => [e.class, e.lineNumber, e.pspReference, e.lineType, e.detail])).toEqual([
      ["malformed_line", 2, "pi_1", "charge", "line 2 cannot be read: it has 7 fields, not 8"],
      ["malformed_line", 3, "pi_2", "charge", "line 3 cannot be read: fee is missing"],
      ["malformed_line", 4, "", "closing_balance", "line 4 cannot be read: net is missing"],
    ]);
    expect(outcome.lines).toBe(3);
    expect(outcome.closingBalances).toEqual([]);
    expect(outcome.named.has(movementKey("charge", "payin:pay_1", "", ""))).toBe(true);
  });

  it("refuses a file that does not start with the header", async () => {
    await expect(reconcile([`pi_1,pay_1,charge,1000,59,941,EUR,${T}`], [])).rejects.toThrow(/not a settlement file/);
    await expect(reconcile([], [])).rejects.toThrow(/it is empty/);
  });
});

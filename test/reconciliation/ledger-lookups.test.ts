import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpc } from "../support/grpc-js.js";
import {
  failure,
  openAccounts,
  payIn,
  startLedgerUnderTest,
  type LedgerUnderTest,
} from "../ledger/ledger-test-service.js";

/** The ledger RPCs reconciliation reads through: LookupTransactions, LookupEntries and ListTransactionIds. */
let ledger: LedgerUnderTest;
const started = new Date(Date.now() - 1_000);

beforeAll(async () => {
  ledger = await startLedgerUnderTest();
  await openAccounts(ledger, {
    "psp_receivable:USD": "ASSET",
    "seller_payable:books:USD": "LIABILITY",
    "platform_fee_revenue:USD": "REVENUE",
  });
  for (const id of ["payin:p1", "payin:p2", "refund:r_1", "payout:po1:requested"])
    await ledger.book(payIn(id, "books", 1_000n, 25n));
});

afterAll(async () => {
  await ledger?.close();
});

const timestamp = (date: Date) => ({
  seconds: String(Math.floor(date.getTime() / 1000)),
  nanos: (date.getTime() % 1000) * 1_000_000,
});

describe("LookupTransactions", () => {
  it("answers the transactions found, with entries and posting time, in the order asked; unknown ids are left out", async () => {
    const { transactions } = await ledger.call("lookupTransactions", {
      transactionIds: ["refund:r_1", "payin:nope", "payin:p1"],
    });
    expect(transactions.map((t: { transactionId: string }) => t.transactionId)).toEqual(["refund:r_1", "payin:p1"]);
    expect(transactions[1].entries).toHaveLength(3);
    expect(transactions[1].entries[0]).toMatchObject({
      accountCode: "psp_receivable:USD",
      direction: "DIRECTION_DEBIT",
      amount: { amountMinor: "1000" },
    });
    expect(Number(transactions[1].postedAt.seconds)).toBeGreaterThanOrEqual(Math.floor(started.getTime() / 1000));
    const { transactions: pspSide } = await ledger.call("lookupTransactions", {
      transactionIds: ["payin:p1"],
      accountPrefixes: ["psp_receivable:", "bank:"],
    });
    expect(pspSide[0].entries.map((e: { accountCode: string }) => e.accountCode)).toEqual(["psp_receivable:USD"]);
    const { transactions: masked } = await ledger.call("lookupTransactions", {
      transactionIds: ["payin:p1"],
      readMask: { paths: ["transaction_id", "entries"] },
    });
    expect(masked[0]).toMatchObject({ transactionId: "payin:p1", description: "", postedAt: null });
    expect(masked[0].entries).toHaveLength(3);
  });

  it("refuses no ids, more than 1000, a repeated one, or an unknown field to read", async () => {
    expect(await failure(ledger.call("lookupTransactions", { transactionIds: [] }))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    const many = Array.from({ length: 1001 }, (_, i) => `payin:${i}`);
    expect(await failure(ledger.call("lookupTransactions", { transactionIds: many }))).toMatchObject({
      details: "transaction_ids: must hold 1 to 1000 ids, got 1001",
    });
    expect(await failure(ledger.call("lookupTransactions", { transactionIds: ["a", "a"] }))).toMatchObject({
      details: "transaction_ids: must not repeat an id",
    });
    expect(
      await failure(ledger.call("lookupTransactions", { transactionIds: ["a"], readMask: { paths: ["amount"] } })),
    ).toMatchObject({
      details: 'read_mask: "amount" is not a field of Transaction (transaction_id, description, entries, posted_at)',
    });
  });
});

describe("LookupEntries", () => {
  it("answers columns: a count per id asked (-1 never posted), the accounts once, and each entry's account, direction and amount", async () => {
    const columns = await ledger.call("lookupEntries", {
      transactionIds: ["payin:p2", "payin:nope", "payin:p1"],
      accountPrefixes: ["psp_receivable:", "platform_fee"],
    });
    expect(columns).toEqual({
      entryCounts: [2, -1, 2],
      accountCodes: ["psp_receivable:USD", "platform_fee_revenue:USD"],
      accountCurrencies: ["USD", "USD"],
      entryAccounts: [0, 1, 0, 1],
      entryDirections: ["DIRECTION_DEBIT", "DIRECTION_CREDIT", "DIRECTION_DEBIT", "DIRECTION_CREDIT"],
      entryAmountsMinor: ["1000", "25", "1000", "25"],
    });
  });

  it("refuses no account prefix, as it refuses the ids LookupTransactions refuses", async () => {
    expect(
      await failure(ledger.call("lookupEntries", { transactionIds: ["payin:p1"], accountPrefixes: [] })),
    ).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "account_prefixes: must hold 1 to 20 prefixes, got 0",
    });
    expect(
      await failure(ledger.call("lookupEntries", { transactionIds: ["a", "a"], accountPrefixes: ["bank:"] })),
    ).toMatchObject({ details: "transaction_ids: must not repeat an id" });
  });
});

describe("ListTransactionIds", () => {
  const window = () => ({ postedFrom: timestamp(started), postedBefore: timestamp(new Date(Date.now() + 1_000)) });

  it("lists the ids with the prefixes posted in the window, by time then id, page by page", async () => {
    const ids: string[] = [];
    let pageToken = "";
    do {
      const page = await ledger.call("listTransactionIds", {
        ...window(),
        idPrefixes: ["payin:", "refund:"],
        pageSize: 1,
        pageToken,
      });
      ids.push(...page.transactionIds);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(ids).toEqual(["payin:p1", "payin:p2", "refund:r_1"]);
  });

  it("lists nothing outside the window, and refuses a window that ends before it starts", async () => {
    const before = {
      postedFrom: timestamp(new Date(started.getTime() - 60_000)),
      postedBefore: timestamp(started),
      idPrefixes: ["payin:"],
    };
    expect((await ledger.call("listTransactionIds", before)).transactionIds).toEqual([]);
    const backwards = { postedFrom: timestamp(new Date()), postedBefore: timestamp(started), idPrefixes: ["payin:"] };
    expect(await failure(ledger.call("listTransactionIds", backwards))).toMatchObject({
      details: "posted_before: must be after posted_from",
    });
  });

  it("refuses a page token it did not make, a tampered time included", async () => {
    const tampered = Buffer.from(JSON.stringify({ postedAt: "yesterday", transactionId: "payin:p1" })).toString(
      "base64url",
    );
    expect(
      await failure(ledger.call("listTransactionIds", { ...window(), idPrefixes: ["payin:"], pageToken: tampered })),
    ).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "page_token: is not one this list issued; start again without it",
    });
  });
});

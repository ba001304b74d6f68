import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AccountType,
  Direction,
  LookupEntriesResponseSchema,
  TransactionSchema,
} from "../../gen/ledger/v1/ledger_pb.js";
import { failure } from "../support/clients.js";
import { openAccounts, payIn, startLedgerUnderTest, type LedgerUnderTest } from "../ledger/ledger-test-service.js";

/** The ledger RPCs reconciliation reads through: LookupTransactions, LookupEntries and ListTransactionIds. */
let ledger: LedgerUnderTest;
const started = new Date(Date.now() - 1_000);

beforeAll(async () => {
  ledger = await startLedgerUnderTest();
  await openAccounts(ledger, {
    "psp_receivable:USD": AccountType.ASSET,
    "seller_payable:books:USD": AccountType.LIABILITY,
    "platform_fee_revenue:USD": AccountType.REVENUE,
  });
  for (const id of ["payin:p1", "payin:p2", "refund:r_1", "payout:po1:requested"])
    await ledger.book(payIn(id, "books", 1_000n, 25n));
});

afterAll(async () => {
  await ledger?.close();
});

describe("LookupTransactions", () => {
  it("answers the transactions found, with entries and posting time, in the order asked; unknown ids are left out", async () => {
    const { transactions } = await ledger.client.lookupTransactions({
      transactionIds: ["refund:r_1", "payin:nope", "payin:p1"],
    });
    expect(transactions.map((t) => t.transactionId)).toEqual(["refund:r_1", "payin:p1"]);
    const p1 = transactions[1]!;
    expect(p1.entries).toHaveLength(3);
    expect(p1.entries[0]).toMatchObject({
      accountCode: "psp_receivable:USD",
      direction: Direction.DEBIT,
      amount: { amountMinor: 1000n },
    });
    expect(p1.postedAt!.seconds).toBeGreaterThanOrEqual(timestampFromDate(started).seconds);
    const { transactions: pspSide } = await ledger.client.lookupTransactions({
      transactionIds: ["payin:p1"],
      accountPrefixes: ["psp_receivable:", "bank:"],
    });
    expect(pspSide[0]!.entries.map((e) => e.accountCode)).toEqual(["psp_receivable:USD"]);
    const { transactions: masked } = await ledger.client.lookupTransactions({
      transactionIds: ["payin:p1"],
      readMask: { paths: ["transaction_id", "entries"] },
    });
    expect(masked).toEqual([create(TransactionSchema, { transactionId: "payin:p1", entries: p1.entries })]);
  });

  it("refuses no ids, more than 1000, a repeated one, or an unknown field to read", async () => {
    expect(await failure(ledger.client.lookupTransactions({ transactionIds: [] }))).toMatchObject({
      code: Code.InvalidArgument,
    });
    const many = Array.from({ length: 1001 }, (_, i) => `payin:${i}`);
    expect(await failure(ledger.client.lookupTransactions({ transactionIds: many }))).toMatchObject({
      message: "transaction_ids: must hold 1 to 1000 ids, got 1001",
    });
    expect(await failure(ledger.client.lookupTransactions({ transactionIds: ["a", "a"] }))).toMatchObject({
      message: "transaction_ids: must not repeat an id",
    });
    expect(
      await failure(ledger.client.lookupTransactions({ transactionIds: ["a"], readMask: { paths: ["amount"] } })),
    ).toMatchObject({
      message: 'read_mask: "amount" is not a field of Transaction (transaction_id, description, entries, posted_at)',
    });
  });
});

describe("LookupEntries", () => {
  it("answers columns: a count per id asked (-1 never posted), the accounts once, and each entry's account, direction and amount", async () => {
    const columns = await ledger.client.lookupEntries({
      transactionIds: ["payin:p2", "payin:nope", "payin:p1"],
      accountPrefixes: ["psp_receivable:", "platform_fee"],
    });
    expect(columns).toEqual(
      create(LookupEntriesResponseSchema, {
        entryCounts: [2, -1, 2],
        accountCodes: ["psp_receivable:USD", "platform_fee_revenue:USD"],
        accountCurrencies: ["USD", "USD"],
        entryAccounts: [0, 1, 0, 1],
        entryDirections: [Direction.DEBIT, Direction.CREDIT, Direction.DEBIT, Direction.CREDIT],
        entryAmountsMinor: [1000n, 25n, 1000n, 25n],
      }),
    );
  });

  it("refuses no account prefix, as it refuses the ids LookupTransactions refuses", async () => {
    expect(
      await failure(ledger.client.lookupEntries({ transactionIds: ["payin:p1"], accountPrefixes: [] })),
    ).toMatchObject({
      code: Code.InvalidArgument,
      message: "account_prefixes: must hold 1 to 20 prefixes, got 0",
    });
    expect(
      await failure(ledger.client.lookupEntries({ transactionIds: ["a", "a"], accountPrefixes: ["bank:"] })),
    ).toMatchObject({ message: "transaction_ids: must not repeat an id" });
  });
});

describe("ListTransactionIds", () => {
  const window = () => ({
    postedFrom: timestampFromDate(started),
    postedBefore: timestampFromDate(new Date(Date.now() + 1_000)),
  });

  it("lists the ids with the prefixes posted in the window, by time then id, page by page", async () => {
    const ids: string[] = [];
    let pageToken = "";
    do {
      const page = await ledger.client.listTransactionIds({
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
      postedFrom: timestampFromDate(new Date(started.getTime() - 60_000)),
      postedBefore: timestampFromDate(started),
      idPrefixes: ["payin:"],
    };
    expect((await ledger.client.listTransactionIds(before)).transactionIds).toEqual([]);
    const backwards = {
      postedFrom: timestampFromDate(new Date()),
      postedBefore: timestampFromDate(started),
      idPrefixes: ["payin:"],
    };
    expect(await failure(ledger.client.listTransactionIds(backwards))).toMatchObject({
      message: "posted_before: must be after posted_from",
    });
  });

  it("refuses a page token it did not make, a tampered time included", async () => {
    const tampered = Buffer.from(JSON.stringify({ postedAt: "yesterday", transactionId: "payin:p1" })).toString(
      "base64url",
    );
    expect(
      await failure(ledger.client.listTransactionIds({ ...window(), idPrefixes: ["payin:"], pageToken: tampered })),
    ).toMatchObject({
      code: Code.InvalidArgument,
      message: "page_token: is not one this list issued; start again without it",
    });
  });
});

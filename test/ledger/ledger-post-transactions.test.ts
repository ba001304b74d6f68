import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AccountType,
  type PostTransactionRequestSchema,
  type PostTransactionResult,
} from "../../gen/ledger/v1/ledger_pb.js";
import { failure, serviceClient } from "../support/clients.js";
import {
  credit,
  debit,
  openAccounts,
  payIn,
  startLedgerUnderTest,
  type LedgerUnderTest,
} from "./ledger-test-service.js";

// PostTransactions over gRPC with mutual TLS, against the real service and its database.
let ledger: LedgerUnderTest;

beforeAll(async () => {
  ledger = await startLedgerUnderTest();
  await openAccounts(ledger, {
    "psp_receivable:USD": AccountType.ASSET,
    "platform_fee_revenue:USD": AccountType.REVENUE,
    "seller_payable:books:USD": AccountType.LIABILITY,
  });
});

afterAll(async () => {
  await ledger?.close();
});

type PostRequest = MessageInitShape<typeof PostTransactionRequestSchema>;
const postAll = (transactions: PostRequest[]) => ledger.client.postTransactions({ transactions });
const sale = (id: string, amountMinor = 1_000n) => payIn(id, "books", amountMinor, 100n);
const balance = async (accountCode: string) => (await ledger.client.getBalance({ accountCode })).balance!.amountMinor;

/** Each result as "posted <id>", "already posted <id>" or "<code name>: <message>". */
const summary = (results: PostTransactionResult[]) =>
  results.map(({ result, alreadyPosted }) => {
    if (result.case === "transaction")
      return `${alreadyPosted ? "already posted" : "posted"} ${result.value.transactionId}`;
    if (result.case === "error") return `${Code[result.value.code]}: ${result.value.message}`;
    throw new Error("a result is a transaction or an error");
  });

describe("PostTransactions", () => {
  it("posts every transaction of the batch, and answers a retry of it as already posted", async () => {
    const batch = Array.from({ length: 200 }, (_, i) => sale(`batch:${i}`));
    const before = await balance("psp_receivable:USD");
    const first = await postAll(batch);
    expect(summary(first.results)).toEqual(batch.map((t) => `posted ${t.transactionId}`));
    // A result carries the id and the posting time; the rest is what the caller sent.
    const { result } = first.results[3]!;
    if (result.case !== "transaction") throw new Error("batch:3 was posted");
    expect(result.value).toMatchObject({ transactionId: "batch:3", description: "", entries: [] });
    expect((await ledger.client.getTransaction({ transactionId: "batch:3" })).transaction).toMatchObject({
      entries: batch[3]!.entries,
      postedAt: result.value.postedAt,
    });
    expect(await balance("psp_receivable:USD")).toBe(before + 200n * 1_000n);

    const retry = await postAll(batch);
    expect(summary(retry.results)).toEqual(batch.map((t) => `already posted ${t.transactionId}`));
    expect(retry.results.map((r) => r.result.value)).toEqual(first.results.map((r) => r.result.value));
    expect(await balance("psp_receivable:USD")).toBe(before + 200n * 1_000n);
  });

  it("answers a conflicting transaction and one on an unknown account on their own, posting the others", async () => {
    await postAll([sale("mixed:taken")]);
    const results = await postAll([
      sale("mixed:1"),
      sale("mixed:taken", 2_000n),
      {
        transactionId: "mixed:ghost",
        description: "to nobody",
        entries: [debit("psp_receivable:USD", 100), credit("seller_payable:ghost:USD", 100)],
      },
      sale("mixed:2"),
    ]);
    expect(summary(results.results)).toEqual([
      "posted mixed:1",
      expect.stringMatching(
        /^AlreadyExists: transaction_id "mixed:taken" was already posted at .+ with different content/,
      ),
      'NotFound: entries[1].account_code: account "seller_payable:ghost:USD" does not exist; open it first',
      "posted mixed:2",
    ]);
    expect((await failure(ledger.client.getTransaction({ transactionId: "mixed:ghost" }))).code).toBe(Code.NotFound);
    expect((await ledger.client.getTransaction({ transactionId: "mixed:2" })).transaction?.transactionId).toBe(
      "mixed:2",
    );
  });

  it("refuses the whole call for a malformed transaction or a reserved id, naming its index", async () => {
    const unbalanced = {
      ...sale("bad:unbalanced"),
      entries: [debit("psp_receivable:USD", 100), credit("seller_payable:books:USD", 99)],
    };
    expect(await failure(postAll([sale("bad:ok"), unbalanced]))).toEqual({
      code: Code.InvalidArgument,
      message:
        "transactions[1].entries: do not balance in USD: debits 1.00 USD, credits 0.99 USD; debits must equal credits in every currency",
    });
    expect(await failure(postAll([sale("bad:ok"), sale("bad:ok2"), sale("payin:squat")]))).toEqual({
      code: Code.PermissionDenied,
      message:
        'transactions[2]: transaction ids starting "payin:" are written only by the ledger\'s own event consumers; operator-tools may not post "payin:squat"',
    });
    expect((await failure(ledger.client.getTransaction({ transactionId: "bad:ok" }))).code).toBe(Code.NotFound);
  });

  it("is refused to a caller the policy does not name", async () => {
    const console = serviceClient("ledger", ledger.service.url, "console");
    expect(await failure(console.postTransactions({ transactions: [sale("console:1")] }))).toEqual({
      code: Code.PermissionDenied,
      message: "console may not call /ledger.v1.LedgerService/PostTransactions",
    });
  });

  it("refuses an empty batch, more than 1000 transactions, and a request over the message size limit", async () => {
    expect(await failure(postAll([]))).toEqual({
      code: Code.InvalidArgument,
      message: "transactions: must hold 1 to 1000 transactions, got 0",
    });
    const tooMany = Array.from({ length: 1001 }, (_, i) => sale(`many:${i}`));
    expect(await failure(postAll(tooMany))).toEqual({
      code: Code.InvalidArgument,
      message: "transactions: must hold 1 to 1000 transactions, got 1001",
    });
    const large = Array.from({ length: 1000 }, (_, i) => ({ ...sale(`large:${i}`), description: "x".repeat(1_000) }));
    expect((await failure(postAll(large))).code).toBe(Code.ResourceExhausted);
    expect((await failure(ledger.client.getTransaction({ transactionId: "many:0" }))).code).toBe(Code.NotFound);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { DomainError } from "../../services/lib/errors.js";
import { payInPosting } from "../../services/ledger/domain/chart.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

// What the pay-in consumer does: record the event, open the accounts and post, in one database transaction.
let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  // One connection: a store method that reached for another connection would wait for ever.
  db = createDb(database.url, LEDGER_SCHEMA, 1);
  await migrateUp(db, LEDGER_SCHEMA, ledgerMigrations);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const payIn = (paymentId: string) =>
  payInPosting({
    paymentId,
    currency: "USD",
    orders: [
      { sellerId: "books", amountMinor: 2_599n, platformFeeMinor: 65n },
      { sellerId: "games", amountMinor: 4_000n, platformFeeMinor: 100n },
    ],
  });

async function consume(eventId: string, paymentId: string, fail = false) {
  return db.transaction(async (trx) => {
    await trx("inbox").insert({ event_id: eventId });
    const store = new LedgerStore(trx);
    const plan = payIn(paymentId);
    await store.openAccounts(plan.accounts);
    const posted = await store.post(plan.posting);
    const balance = await store.balance("psp_receivable:USD");
    const page = await store.listEntries({ accountCode: "psp_receivable:USD", limit: 10 });
    const report = await store.checkInvariants();
    if (fail) throw new Error("the consumer fails after posting");
    return { posted, balance, page, report, transaction: await store.getTransaction(plan.posting.transactionId) };
  });
}

describe("LedgerStore inside a caller's transaction", () => {
  it("records the event, opens the accounts and posts, all or nothing", async () => {
    await expect(consume("evt-1", "pay_1", true)).rejects.toThrow("the consumer fails after posting");
    expect(await db("inbox").count("* as n")).toEqual([{ n: 0n }]);
    expect(await db("accounts").count("* as n")).toEqual([{ n: 0n }]);
    expect(await db("transactions").count("* as n")).toEqual([{ n: 0n }]);

    const result = await consume("evt-1", "pay_1");
    expect(result.posted.outcome).toBe("posted");
    expect(result.balance?.balance).toBe(6_599n);
    expect(result.transaction?.entries).toEqual(payIn("pay_1").posting.entries);
    // The transaction's own entries are not listed yet: it has not finished, so it is above the horizon.
    expect(result.page.entries).toEqual([]);
    expect(result.report.violations).toEqual([]);
    expect(await db("inbox").pluck("event_id")).toEqual(["evt-1"]);
    expect((await new LedgerStore(db).balance("seller_payable:books:USD"))?.balance).toBe(2_534n);
  });

  it("posts once when the same pay-in comes again under another event", async () => {
    const again = await consume("evt-2", "pay_1");
    expect(again.posted.outcome).toBe("already_posted");
    expect((await new LedgerStore(db).balance("psp_receivable:USD"))?.balance).toBe(6_599n);
  });

  it("fails the caller's transaction on an unknown account, with a clear error", async () => {
    const error = await db
      .transaction(async (trx) => {
        await trx("inbox").insert({ event_id: "evt-3" });
        const newcomer = payInPosting({
          paymentId: "pay_3",
          currency: "USD",
          orders: [{ sellerId: "newcomer", amountMinor: 100n, platformFeeMinor: 1n }],
        });
        await new LedgerStore(trx).post(newcomer.posting);
      })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe("not_found");
    expect((error as DomainError).message).toBe(
      'entries[1].account_code: account "seller_payable:newcomer:USD" does not exist; open it first',
    );
    expect(await db("inbox").where({ event_id: "evt-3" }).first()).toBeUndefined();
  });
});

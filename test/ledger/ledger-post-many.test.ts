import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Posting } from "../../services/contracts/accounting/postings.js";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { LedgerStore, type PostAnswer } from "../../services/ledger/store/ledger-store.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

// LedgerStore.postMany against a real database: one statement for the batch, each posting answered on its own.
let database: TestDatabase;
let db: Db;
let store: LedgerStore;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, LEDGER_SCHEMA, 2);
  await migrateUp(db, LEDGER_SCHEMA, ledgerMigrations);
  store = new LedgerStore(db);
  await store.openAccounts([
    { code: "psp_receivable:USD", type: "ASSET", currency: "USD" },
    { code: "seller_payable:s1:USD", type: "LIABILITY", currency: "USD" },
    { code: "cash:EUR", type: "ASSET", currency: "EUR" },
  ]);
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const usd = (amountMinor: bigint) => ({ amountMinor, currency: "USD" });
const transfer = (transactionId: string, amountMinor = 100n, payable = "seller_payable:s1:USD"): Posting => ({
  transactionId,
  description: `transfer ${transactionId}`,
  entries: [
    { accountCode: "psp_receivable:USD", direction: "DEBIT", amount: usd(amountMinor) },
    { accountCode: payable, direction: "CREDIT", amount: usd(amountMinor) },
  ],
});

/** Each answer as outcome or "<error kind>: <message>". */
const summary = (answers: PostAnswer[]) =>
  answers.map((a) => ("error" in a ? `${a.error.kind}: ${a.error.message}` : a.outcome));
const stored = async (ids: string[]) =>
  (await db("transactions").whereIn("id", ids).orderBy("id").select("id")).map((r) => r.id);
describe("LedgerStore.postMany", () => {
  it("posts a batch, and answers a retry of it as already posted", async () => {
    const batch = Array.from({ length: 50 }, (_, i) => transfer(`batch-${i}`, BigInt(i + 1)));
    expect(summary(await store.postMany(batch))).toEqual(batch.map(() => "posted"));
    expect(summary(await store.postMany(batch))).toEqual(batch.map(() => "already_posted"));
    const transaction = await store.getTransaction("batch-7");
    expect(transaction?.entries).toEqual(batch[7]!.entries);
    expect((await store.balance("psp_receivable:USD"))?.balance).toBe((50n * 51n) / 2n);
  });

  it("answers each refused posting on its own and posts the others", async () => {
    const batch: Posting[] = [
      transfer("mixed-ok-1"),
      transfer("mixed-unknown", 100n, "seller_payable:ghost:USD"),
      { ...transfer("mixed-currency"), entries: transfer("x").entries.map((e) => ({ ...e, accountCode: "cash:EUR" })) },
      { ...transfer("batch-0"), description: "other content" },
      transfer("mixed-ok-2"),
    ];
    const answers = await store.postMany(batch);
    expect(summary(answers)).toEqual([
      "posted",
      'not_found: entries[1].account_code: account "seller_payable:ghost:USD" does not exist; open it first',
      'failed_precondition: entries[0].amount.currency: account "cash:EUR" holds EUR, not USD',
      expect.stringMatching(
        /^already_exists: transaction_id "batch-0" was already posted at .* with different content/,
      ),
      "posted",
    ]);
    expect(await stored(["mixed-ok-1", "mixed-unknown", "mixed-currency", "mixed-ok-2"])).toEqual([
      "mixed-ok-1",
      "mixed-ok-2",
    ]);
  });

  it("refuses what the database would refuse at commit, without failing the batch", async () => {
    const unbalanced: Posting = {
      ...transfer("rule-unbalanced"),
      entries: [transfer("x").entries[0]!, { ...transfer("x").entries[1]!, amount: usd(90n) }],
    };
    const single: Posting = { ...transfer("rule-single"), entries: [transfer("x").entries[0]!] };
    expect(summary(await store.postMany([unbalanced, single, transfer("rule-ok")]))).toEqual([
      "invalid_argument: entries: do not balance (minor units) in USD: debits 100, credits 90",
      "invalid_argument: entries: must contain at least 2 entries, got 1",
      "posted",
    ]);
  });

  it("answers repeated ids of one batch as if posted one after another", async () => {
    const batch: Posting[] = [
      transfer("dup-a", 100n, "seller_payable:ghost:USD"), // refused: the next one is the first to post dup-a
      transfer("dup-a"),
      transfer("dup-a"),
      transfer("dup-a", 200n),
    ];
    const answers = await store.postMany(batch);
    expect(summary(answers)).toEqual([
      'not_found: entries[1].account_code: account "seller_payable:ghost:USD" does not exist; open it first',
      "posted",
      "already_posted",
      expect.stringMatching(/^already_exists: transaction_id "dup-a"/),
    ]);
    expect((await store.getTransaction("dup-a"))?.entries).toEqual(transfer("dup-a").entries);
  });

  it("leaves a caller's transaction usable after a refusal, and posts with it", async () => {
    await db.transaction(async (trx) => {
      const inTransaction = new LedgerStore(trx);
      const answers = await inTransaction.postMany([
        transfer("trx-unknown", 100n, "seller_payable:ghost:USD"),
        transfer("trx-ok"),
      ]);
      expect(summary(answers)).toEqual([expect.stringMatching(/^not_found:/), "posted"]);
      await trx("inbox").insert({ event_id: "evt-trx" });
    });
    expect(await stored(["trx-ok", "trx-unknown"])).toEqual(["trx-ok"]);
  });

  it("lets two batches sharing ids in opposite orders both finish, each id posted once", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `shared-${i}`);
    const [forward, backward] = await Promise.all([
      store.postMany(ids.map((id) => transfer(id))),
      store.postMany([...ids].reverse().map((id) => transfer(id))),
    ]);
    const outcomes = (answers: PostAnswer[], order: string[]) =>
      new Map(answers.map((a, i) => [order[i]!, "error" in a ? a.error.message : a.outcome]));
    const first = outcomes(forward, ids);
    const second = outcomes(backward, [...ids].reverse());
    for (const id of ids) {
      expect([first.get(id), second.get(id)].sort()).toEqual(["already_posted", "posted"]);
    }
    expect(await stored(ids)).toHaveLength(ids.length);
  });

  it("posts each shared id once when batches sharing ids in opposite orders run at once, one of them rolled back", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `rolled-${String(i).padStart(2, "0")}`);
    const forward = ids.map((id) => transfer(id));
    const backward = [...forward].reverse();
    let releaseRollback!: () => void;
    const rollbackMayGo = new Promise<void>((resolve) => {
      releaseRollback = resolve;
    });
    // The first batch posts all ids, then waits and rolls back; the second waits on its ids meanwhile and then posts them.
    const rolledBack = db
      .transaction(async (trx) => {
        expect(summary(await new LedgerStore(trx).postMany(forward))).toEqual(forward.map(() => "posted"));
        await rollbackMayGo;
        throw new Error("rolled back on purpose");
      })
      .catch((err: Error) => err.message);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = db.transaction(async (trx) => new LedgerStore(trx).postMany(backward));
    await new Promise((resolve) => setTimeout(resolve, 100));
    releaseRollback();
    expect(await rolledBack).toBe("rolled back on purpose");
    expect(summary(await second)).toEqual(backward.map(() => "posted"));
    const third = await Promise.all([store.postMany(forward), store.postMany(backward)]);
    expect(third.map(summary)).toEqual([forward.map(() => "already_posted"), backward.map(() => "already_posted")]);
    expect(await stored(ids)).toEqual(ids);
  });

  it("refuses more than 1000 postings", async () => {
    const batch = Array.from({ length: 1001 }, (_, i) => transfer(`too-many-${i}`));
    await expect(store.postMany(batch)).rejects.toThrow("postings: must hold at most 1000, got 1001");
  });
});

import type { Knex } from "knex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { LEDGER_SCHEMA, ledgerMigrations } from "../../services/ledger/store/migrations/index.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

// The rules of double entry hold for any writer, not only for the service: these tests write raw SQL.
let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, LEDGER_SCHEMA);
  await migrateUp(db, LEDGER_SCHEMA, ledgerMigrations);
  await db.raw(`insert into accounts (code, type, currency) values
    ('psp_receivable:USD', 'ASSET', 'USD'), ('seller_payable:s1:USD', 'LIABILITY', 'USD'), ('cash:EUR', 'ASSET', 'EUR')`);
  await new LedgerStore(db).post({
    transactionId: "posted",
    description: "already posted",
    entries: [
      { accountCode: "psp_receivable:USD", direction: "DEBIT", amount: { amountMinor: 500n, currency: "USD" } },
      { accountCode: "seller_payable:s1:USD", direction: "CREDIT", amount: { amountMinor: 500n, currency: "USD" } },
    ],
  });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

type RawEntry = [account: string, currency: string, direction: "DEBIT" | "CREDIT", amount: number];

async function insertEntries(
  trx: Knex.Transaction,
  transactionId: string,
  entries: RawEntry[],
  firstPosition = 0,
): Promise<void> {
  for (const [i, [account, currency, direction, amount]] of entries.entries()) {
    await trx.raw(
      "insert into entries (transaction_id, position, account_code, currency, direction, amount_minor) values (?, ?, ?, ?, ?, ?)",
      [transactionId, firstPosition + i, account, currency, direction, amount],
    );
  }
}

/** Inserts a transaction and its entries, one statement each, in one database transaction. */
const rawPost = (id: string, entries: RawEntry[]) =>
  db.transaction(async (trx) => {
    await trx.raw("insert into transactions (id, description, fingerprint) values (?, 'raw', 'raw')", [id]);
    await insertEntries(trx, id, entries);
  });

const transactionExists = async (id: string) => (await db("transactions").where({ id }).first()) !== undefined;

describe("the database refuses what the service would refuse", () => {
  it("accepts a balanced transaction written with plain INSERTs", async () => {
    await rawPost("raw-ok", [
      ["psp_receivable:USD", "USD", "DEBIT", 100],
      ["seller_payable:s1:USD", "USD", "CREDIT", 100],
    ]);
    expect(await transactionExists("raw-ok")).toBe(true);
  });

  it("refuses, at commit, a transaction whose debits and credits differ", async () => {
    await expect(
      rawPost("raw-unbalanced", [
        ["psp_receivable:USD", "USD", "DEBIT", 100],
        ["seller_payable:s1:USD", "USD", "CREDIT", 90],
      ]),
    ).rejects.toThrow('transaction "raw-unbalanced" does not balance (minor units) in USD: debits 100, credits 90');
    expect(await transactionExists("raw-unbalanced")).toBe(false);
  });

  it("refuses a transaction with fewer than 2 entries", async () => {
    await expect(rawPost("raw-single", [["psp_receivable:USD", "USD", "DEBIT", 100]])).rejects.toThrow(
      'transaction "raw-single" has 1 entries; a transaction needs at least 2',
    );
    await expect(rawPost("raw-empty", [])).rejects.toThrow(
      'transaction "raw-empty" has 0 entries; a transaction needs at least 2',
    );
  });

  it("refuses zero and negative amounts", async () => {
    for (const amount of [0, -100]) {
      await expect(
        rawPost(`raw-amount${amount}`, [
          ["psp_receivable:USD", "USD", "DEBIT", amount],
          ["seller_payable:s1:USD", "USD", "CREDIT", amount],
        ]),
      ).rejects.toThrow('violates check constraint "entries_amount_minor_check"');
    }
  });

  it("refuses an entry on an account of another currency, or on no account", async () => {
    await expect(
      rawPost("raw-currency", [
        ["psp_receivable:USD", "EUR", "DEBIT", 100],
        ["cash:EUR", "EUR", "CREDIT", 100],
      ]),
    ).rejects.toThrow('entry 0 of transaction "raw-currency": account "psp_receivable:USD" holds USD, not EUR');
    await expect(
      rawPost("raw-unknown", [
        ["psp_receivable:USD", "USD", "DEBIT", 100],
        ["seller_payable:ghost:USD", "USD", "CREDIT", 100],
      ]),
    ).rejects.toThrow('entry 1 of transaction "raw-unknown": account "seller_payable:ghost:USD" does not exist');
  });

  it("refuses entries added to a transaction posted earlier, even balanced ones", async () => {
    await expect(
      db.transaction((trx) =>
        insertEntries(
          trx,
          "posted",
          [
            ["psp_receivable:USD", "USD", "DEBIT", 1],
            ["seller_payable:s1:USD", "USD", "CREDIT", 1],
          ],
          2,
        ),
      ),
    ).rejects.toThrow(
      'entry 2 of transaction "posted": the transaction must be inserted by the same database transaction; posted transactions are immutable',
    );
  });

  it("checks every row of a multi-row insert, refusing the whole statement for one bad row", async () => {
    const twoTransactions = (secondAccount: string) =>
      db.transaction(async (trx) => {
        await trx.raw(
          "insert into transactions (id, description, fingerprint) values ('multi-a', 'raw', 'raw'), ('multi-b', 'raw', 'raw')",
        );
        await trx.raw(`insert into entries (transaction_id, position, account_code, currency, direction, amount_minor) values
          ('multi-a', 0, 'psp_receivable:USD', 'USD', 'DEBIT', 5), ('multi-a', 1, 'seller_payable:s1:USD', 'USD', 'CREDIT', 5),
          ('multi-b', 0, 'psp_receivable:USD', 'USD', 'DEBIT', 5), ('multi-b', 1, '${secondAccount}', 'USD', 'CREDIT', 5)`);
      });
    await expect(twoTransactions("seller_payable:ghost:USD")).rejects.toThrow(
      'entry 1 of transaction "multi-b": account "seller_payable:ghost:USD" does not exist',
    );
    await expect(twoTransactions("cash:EUR")).rejects.toThrow(
      'entry 1 of transaction "multi-b": account "cash:EUR" holds EUR, not USD',
    );
    expect(await transactionExists("multi-a")).toBe(false);
    await expect(
      db.transaction(async (trx) => {
        await trx.raw("insert into transactions (id, description, fingerprint) values ('multi-c', 'raw', 'raw')");
        await trx.raw(`insert into entries (transaction_id, position, account_code, currency, direction, amount_minor) values
          ('multi-c', 0, 'psp_receivable:USD', 'USD', 'DEBIT', 5), ('multi-c', 1, 'seller_payable:s1:USD', 'USD', 'CREDIT', 5),
          ('posted', 2, 'psp_receivable:USD', 'USD', 'DEBIT', 5), ('posted', 3, 'seller_payable:s1:USD', 'USD', 'CREDIT', 5)`);
      }),
    ).rejects.toThrow(
      'entry 2 of transaction "posted": the transaction must be inserted by the same database transaction; posted transactions are immutable',
    );
    expect(await transactionExists("multi-c")).toBe(false);
  });

  it("checks the balance at commit over entries written by several statements", async () => {
    const splitPost = (id: string, creditAmount: number) =>
      db.transaction(async (trx) => {
        await trx.raw("insert into transactions (id, description, fingerprint) values (?, 'raw', 'raw')", [id]);
        await trx.raw(`insert into entries (transaction_id, position, account_code, currency, direction, amount_minor) values
          ('${id}', 0, 'psp_receivable:USD', 'USD', 'DEBIT', 10), ('${id}', 1, 'seller_payable:s1:USD', 'USD', 'CREDIT', 4)`);
        await insertEntries(trx, id, [["seller_payable:s1:USD", "USD", "CREDIT", creditAmount]], 2);
      });
    await splitPost("split-ok", 6);
    expect(await transactionExists("split-ok")).toBe(true);
    await expect(splitPost("split-unbalanced", 5)).rejects.toThrow(
      'transaction "split-unbalanced" does not balance (minor units) in USD: debits 10, credits 9',
    );
  });

  it("refuses entries written after the commit check was made to run early (SET CONSTRAINTS ... IMMEDIATE)", async () => {
    await expect(
      db.transaction(async (trx) => {
        await trx.raw("insert into transactions (id, description, fingerprint) values ('early-check', 'raw', 'raw')");
        await insertEntries(trx, "early-check", [
          ["psp_receivable:USD", "USD", "DEBIT", 5],
          ["seller_payable:s1:USD", "USD", "CREDIT", 5],
        ]);
        await trx.raw("set constraints all immediate");
        await insertEntries(trx, "early-check", [["psp_receivable:USD", "USD", "DEBIT", 1_000_000]], 2);
      }),
    ).rejects.toThrow('transaction "early-check" does not balance (minor units) in USD: debits 1000005, credits 5');
    expect(await transactionExists("early-check")).toBe(false);
    // Hence entries written after a transaction's first entries must leave it balanced; balanced ones may follow.
    await db.transaction(async (trx) => {
      await trx.raw("insert into transactions (id, description, fingerprint) values ('early-ok', 'raw', 'raw')");
      await insertEntries(trx, "early-ok", [
        ["psp_receivable:USD", "USD", "DEBIT", 5],
        ["seller_payable:s1:USD", "USD", "CREDIT", 5],
      ]);
      await trx.raw("set constraints all immediate");
      await trx.raw(`insert into entries (transaction_id, position, account_code, currency, direction, amount_minor) values
        ('early-ok', 2, 'psp_receivable:USD', 'USD', 'DEBIT', 1), ('early-ok', 3, 'seller_payable:s1:USD', 'USD', 'CREDIT', 1)`);
    });
    expect(await transactionExists("early-ok")).toBe(true);
  });

  it("stamps the writing database transaction itself, whatever xid the writer gives", async () => {
    await db.transaction(async (trx) => {
      await trx.raw("insert into transactions (id, description, fingerprint) values ('raw-xid', 'raw', 'raw')");
      await trx.raw(`insert into entries (transaction_id, position, account_code, currency, direction, amount_minor, xid) values
        ('raw-xid', 0, 'psp_receivable:USD', 'USD', 'DEBIT', 7, '3'), ('raw-xid', 1, 'seller_payable:s1:USD', 'USD', 'CREDIT', 7, '3')`);
    });
    const rows = await db("entries as e")
      .join("transactions as t", "t.id", "e.transaction_id")
      .where("t.id", "raw-xid")
      .select(db.raw("e.xid = t.xid as same"));
    expect(rows).toEqual([{ same: true }, { same: true }]);
    await expect(
      db.transaction(async (trx) => {
        await trx.raw(
          "insert into transactions (id, description, fingerprint, xid) values ('raw-forged', 'raw', 'raw', '3')",
        );
      }),
    ).rejects.toThrow('transaction "raw-forged": xid must be the database transaction that inserts it');
  });

  it("holds for a writer whose search_path does not include the ledger schema", async () => {
    const outsider = createDb(database.url, "public");
    try {
      await outsider.transaction(async (trx) => {
        await trx.raw(
          "insert into ledger.transactions (id, description, fingerprint) values ('outsider', 'raw', 'raw')",
        );
        await trx.raw(`insert into ledger.entries (transaction_id, position, account_code, currency, direction, amount_minor) values
          ('outsider', 0, 'psp_receivable:USD', 'USD', 'DEBIT', 3), ('outsider', 1, 'seller_payable:s1:USD', 'USD', 'CREDIT', 3)`);
      });
      await expect(
        outsider.transaction(async (trx) => {
          await trx.raw(
            "insert into ledger.transactions (id, description, fingerprint) values ('outsider-bad', 'raw', 'raw')",
          );
          await trx.raw(`insert into ledger.entries (transaction_id, position, account_code, currency, direction, amount_minor) values
            ('outsider-bad', 0, 'psp_receivable:USD', 'USD', 'DEBIT', 3), ('outsider-bad', 1, 'seller_payable:s1:USD', 'USD', 'CREDIT', 2)`);
        }),
      ).rejects.toThrow("does not balance");
    } finally {
      await outsider.destroy();
    }
    expect(await transactionExists("outsider")).toBe(true);
  });
});

describe("posted records are immutable", () => {
  const refusals: [string, string][] = [
    [
      "update entries set amount_minor = 1 where transaction_id = 'posted'",
      "UPDATE on ledger.entries is not allowed: posted entries are immutable",
    ],
    [
      "delete from entries where transaction_id = 'posted'",
      "DELETE on ledger.entries is not allowed: posted entries are immutable",
    ],
    ["truncate entries", "TRUNCATE on ledger.entries is not allowed: posted entries are immutable"],
    [
      "update transactions set description = 'x' where id = 'posted'",
      "UPDATE on ledger.transactions is not allowed: posted transactions are immutable",
    ],
    [
      "delete from transactions where id = 'posted'",
      "DELETE on ledger.transactions is not allowed: posted transactions are immutable",
    ],
    [
      "truncate transactions cascade",
      "TRUNCATE on ledger.transactions is not allowed: posted transactions are immutable",
    ],
    [
      "update accounts set currency = 'EUR' where code = 'cash:EUR'",
      "UPDATE on ledger.accounts is not allowed: an account keeps its type and currency for ever",
    ],
    [
      "delete from accounts where code = 'cash:EUR'",
      "DELETE on ledger.accounts is not allowed: an account keeps its type and currency for ever",
    ],
    [
      "truncate accounts cascade",
      "TRUNCATE on ledger.accounts is not allowed: an account keeps its type and currency for ever",
    ],
  ];

  it.each(refusals)("%s", async (sql, message) => {
    await expect(db.raw(sql)).rejects.toThrow(message);
    expect(await db("entries").where({ transaction_id: "posted" }).sum("amount_minor as total")).toEqual([
      { total: "1000" },
    ]);
  });
});

import { testTls } from "../support/tls.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pspReceivable, sellerPayable } from "../../services/contracts/accounting/accounts.js";
import { createDb, migrateUp, type Db } from "../../services/lib/db.js";
import { type DomainError, unavailable } from "../../services/lib/errors.js";
import { createLogger } from "../../services/lib/log.js";
import { LedgerGrpcClient } from "../../services/reconciliation/adapters/ledger-grpc-client.js";
import { settlementDirectory } from "../../services/reconciliation/adapters/settlement-directory.js";
import { postAdjustment } from "../../services/reconciliation/app/adjustments.js";
import { reconcileDueDays } from "../../services/reconciliation/app/schedule.js";
import { notFound } from "../../services/lib/errors.js";
import type { LedgerPort, SettlementFiles } from "../../services/reconciliation/app/ports.js";
import { defaultReconciliationConfig, Reconciliation } from "../../services/reconciliation/app/reconciliation.js";
import { SETTLEMENT_HEADER } from "../../services/reconciliation/domain/settlement-line.js";
import {
  RECONCILIATION_SCHEMA,
  reconciliationMigrations,
} from "../../services/reconciliation/store/migrations/index.js";
import { ReconciliationStore } from "../../services/reconciliation/store/reconciliation-store.js";
import { credit, debit, startLedgerUnderTest, type LedgerUnderTest } from "../ledger/ledger-test-service.js";

/**
 * What makes a run safe to interrupt, repeat, or run twice at once: the reconciliation engine on a real database,
 * against a real ledger service over gRPC, with settlement files on disk.
 */
const AT = "2024-03-05T10:00:00.000Z";
const SELLER = sellerPayable("s1", "USD");

let ledgerUnderTest: LedgerUnderTest;
let ledger: LedgerGrpcClient;
let db: Db;
let store: ReconciliationStore;
let dir: string;
let files: SettlementFiles;
let written = 0;

beforeAll(async () => {
  ledgerUnderTest = await startLedgerUnderTest();
  ledger = new LedgerGrpcClient([ledgerUnderTest.service.url], testTls("reconciliation"));
  await ledger.openAccounts([pspReceivable("USD"), SELLER]);
  db = createDb(ledgerUnderTest.database.url, RECONCILIATION_SCHEMA);
  await migrateUp(db, RECONCILIATION_SCHEMA, reconciliationMigrations);
  store = new ReconciliationStore(db);
  dir = mkdtempSync(join(tmpdir(), "run-safety-"));
  files = await settlementDirectory(dir);
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db.destroy();
  await ledgerUnderTest.close();
});

const unused = () => Promise.reject(new Error("the PSP knows none of these payments: nothing is refreshed"));

/** The ledger client, with some of its calls replaced. */
const ledgerWith = (overrides: Partial<LedgerPort>): LedgerPort => ({
  lookupTransactions: (ids, view) => ledger.lookupTransactions(ids, view),
  lookupEntries: (ids, prefixes) => ledger.lookupEntries(ids, prefixes),
  listTransactionIds: (query) => ledger.listTransactionIds(query),
  openAccounts: (accounts) => ledger.openAccounts(accounts),
  post: (posting) => ledger.post(posting),
  ...overrides,
});

/** The PSP's settlement files by day (names in `dir`), for the nightly job. */
const pspFiles = new Map<string, string>();

function reconciliation(ledgerPort: LedgerPort = ledger): Reconciliation {
  return new Reconciliation({
    store,
    ledger: ledgerPort,
    files,
    // A PSP that serves the files of pspFiles and does not know these payments: a missing charge stays with finance.
    psp: {
      settlementFile: async (date) =>
        pspFiles.has(date)
          ? files.open(pspFiles.get(date)!)
          : Promise.reject(notFound(`the PSP has no settlement file for ${date} (yet)`)),
      payment: async () => undefined,
    },
    payments: { refreshPayment: unused },
    config: defaultReconciliationConfig,
    log: createLogger("run-safety-test"),
  });
}

/** A pay-in as the ledger books it: the PSP owes us the gross. */
async function bookPayIn(paymentId: string, amountMinor: bigint): Promise<void> {
  await ledgerUnderTest.book({
    transactionId: `payin:${paymentId}`,
    description: `pay-in ${paymentId}`,
    entries: [debit(pspReceivable("USD").code, amountMinor), credit(SELLER.code, amountMinor)],
  });
}

/** A settlement file of charges (payment id, gross), 3% fee each; answers its name in `dir`. */
function settlementFile(charges: [string, number][], at = AT): string {
  const name = `settlement-${++written}.csv`;
  const lines = charges.map(([paymentId, gross]) => {
    const fee = Math.round(gross * 0.03);
    return `pi_${paymentId},${paymentId},charge,${gross},${fee},${gross - fee},USD,${at}`;
  });
  writeFileSync(join(dir, name), `${[SETTLEMENT_HEADER, ...lines].join("\n")}\n`);
  return name;
}

const entriesOf = async (transactionId: string) =>
  (await ledger.lookupTransactions([transactionId]))[0]?.entries.map(
    (e) => `${e.direction === "DEBIT" ? "Dr" : "Cr"} ${e.accountCode} ${e.amount.amountMinor}`,
  );

describe("a run interrupted, repeated, or raced", () => {
  it("a crash after a settlement is posted but before it is marked: the next run posts it as recorded, then the rest", async () => {
    const date = "2024-04-01";
    await bookPayIn("crash-1", 1_000n);
    const file = settlementFile(
      [
        ["crash-1", 1_000],
        ["crash-2", 2_000],
      ],
      "2024-04-01T10:00:00.000Z",
    );
    // The process dies right after the ledger took the settlement.
    const dying = ledgerWith({
      post: async (posting) => {
        await ledger.post(posting);
        throw new Error("killed");
      },
    });
    await expect(reconciliation(dying).run(date, file)).rejects.toThrow("killed");
    expect(await entriesOf(`settlement:${date}:USD:1`)).toEqual([
      "Dr bank:platform:USD 970",
      "Dr psp_fee_expense:USD 30",
      "Cr psp_receivable:USD 1000",
    ]);

    // A late webhook books the second charge before the run is repeated: the recorded posting stands, the rest follows.
    await bookPayIn("crash-2", 2_000n);
    const again = await reconciliation().run(date, file);
    expect(again.changes).toEqual([
      // The interrupted execution never finished: its balance check is news.
      "the first settlement file: no earlier closing balance to check this file's against",
      `posted settlement:${date}:USD:1, which an interrupted run had recorded`,
      `posted settlement:${date}:USD:2`,
      "1 open exception(s) of 2024-04-01 not found again, closed",
      "report updated",
    ]);
    expect(await entriesOf(`settlement:${date}:USD:2`)).toEqual([
      "Dr bank:platform:USD 1940",
      "Dr psp_fee_expense:USD 60",
      "Cr psp_receivable:USD 2000",
    ]);
    expect((await reconciliation().run(date, file)).changes).toEqual([]);
  });

  it("a file run under another date settles nothing there: its lines are dated outside that day", async () => {
    await bookPayIn("dated-1", 500n);
    const file = settlementFile([["dated-1", 500]], "2024-05-01T10:00:00.000Z");
    await reconciliation().run("2024-05-01", file);
    const wrongDay = await reconciliation().run("2024-05-02", file);
    expect(wrongDay.changes).toEqual([
      expect.stringMatching(/^run \d+ created for 2024-05-02$/),
      "the file has no closing balance: the balances are not checked",
      "1 exception(s) recorded or updated",
    ]);
    expect(wrongDay.run.report.map((r) => [r.class, r.count])).toEqual([["malformed_line", 1]]);
    const [exception] = await store.listExceptions({ runId: wrongDay.run.id, limit: 10 });
    expect(exception!.detail).toBe(
      "line 2 is dated 2024-05-01T10:00:00.000Z, outside the settlement day (2024-05-02T00:00:00.000Z to 2024-05-03T00:00:00.000Z): it belongs to another day's file",
    );
    expect(await entriesOf("settlement:2024-05-02:USD:1")).toBeUndefined();
  });

  it("an older file of a day is refused once a newer one was reconciled: it would undo what that one settled", async () => {
    const date = "2024-06-01";
    await bookPayIn("old-1", 700n);
    await bookPayIn("old-2", 800n);
    const older = settlementFile([["old-1", 700]], "2024-06-01T10:00:00.000Z");
    const newer = settlementFile(
      [
        ["old-1", 700],
        ["old-2", 800],
      ],
      "2024-06-01T10:00:00.000Z",
    );
    await reconciliation().run(date, older);
    const second = await reconciliation().run(date, newer);
    expect(second.changes).toContain(`posted settlement:${date}:USD:2`);
    const refused = await reconciliation()
      .run(date, older)
      .catch((err: DomainError) => err);
    expect(refused).toMatchObject({
      kind: "failed_precondition",
      message: expect.stringContaining(`run ${second.run.id} already reconciled a newer settlement file of ${date}`),
    });
    expect(await entriesOf(`settlement:${date}:USD:3`)).toBeUndefined();
    // The newer file itself may run again: nothing changes.
    expect((await reconciliation().run(date, newer)).changes).toEqual([]);
  });

  it("one execution per day at a time: a second one is told to retry (ABORTED)", async () => {
    const file = settlementFile([], "2024-07-01T10:00:00.000Z");
    const held = await store.withDayLock("2024-07-01", () =>
      reconciliation()
        .run("2024-07-01", file)
        .catch((err: DomainError) => err),
    );
    expect(held?.value).toMatchObject({
      kind: "aborted",
      message: "a reconciliation run of 2024-07-01 is under way; try again when it is over",
    });
    // Another day is not held.
    expect(
      await store.withDayLock("2024-07-01", () =>
        reconciliation().run("2024-07-02", settlementFile([], "2024-07-02T10:00:00.000Z")),
      ),
    ).toBeDefined();
  });

  it("the same file run again closes what it no longer finds, and a later file reopens what was closed automatically", async () => {
    const date = "2024-08-01";
    const file = settlementFile([["late-1", 900]], "2024-08-01T10:00:00.000Z");
    const first = await reconciliation().run(date, file);
    const [missing] = await store.listExceptions({ runId: first.run.id, limit: 10 });
    expect(missing).toMatchObject({ class: "missing_in_ledger", status: "open" });

    await bookPayIn("late-1", 900n);
    const again = await reconciliation().run(date, file);
    expect(again.changes).toContain(`1 open exception(s) of ${date} not found again, closed`);
    expect(await store.getException(missing!.id)).toMatchObject({
      status: "auto_fixed",
      resolution: `not found again by run ${first.run.id}`,
    });

    const corrected = settlementFile([["late-1", 901]], "2024-08-01T10:00:00.000Z");
    const third = await reconciliation().run(date, corrected);
    expect(third.changes).toContain("1 exception(s) recorded or updated");
    const [mismatch] = await store.listExceptions({ runId: third.run.id, limit: 10 });
    expect(mismatch).toMatchObject({ class: "amount_mismatch", status: "open" });

    const at = "2024-08-01T10:00:00.000Z";
    await reconciliation().run(
      date,
      settlementFile(
        [
          ["late-1", 900],
          ["late-2", 100],
        ],
        at,
      ),
    );
    await reconciliation().run(date, settlementFile([["late-1", 900]], "2024-08-01T11:00:00.000Z"));
    const sixth = await reconciliation().run(
      date,
      settlementFile(
        [
          ["late-2", 100],
          ["late-1", 900],
        ],
        at,
      ),
    );
    expect(sixth.changes).toContain("1 exception(s) closed automatically before found again, reopened");
    const [reopened] = await store.listExceptions({ runId: sixth.run.id, status: "open", limit: 10 });
    expect(reopened).toMatchObject({
      class: "missing_in_ledger",
      pspReference: "pi_late-2",
      status: "open",
      resolution: "not fixed automatically: the PSP does not know pi_late-2",
    });
  });
});

describe("an adjustment races nothing", () => {
  async function openException(paymentId: string, date: string): Promise<bigint> {
    const run = await reconciliation().run(date, settlementFile([[paymentId, 1_000]], `${date}T10:00:00.000Z`));
    const [exception] = await store.listExceptions({ runId: run.run.id, status: "open", limit: 10 });
    return exception!.id;
  }
  const request = (exceptionId: bigint, idempotencyKey: string) => ({
    exceptionId,
    operatorId: "ops-bo",
    reason: "the PSP confirmed the charge; booked by hand",
    idempotencyKey,
    entries: [
      {
        accountCode: pspReceivable("USD").code,
        direction: "DEBIT" as const,
        amount: { amountMinor: 1_000n, currency: "USD" },
      },
      { accountCode: SELLER.code, direction: "CREDIT" as const, amount: { amountMinor: 1_000n, currency: "USD" } },
    ],
  });

  it("an exception being adjusted cannot be closed by a run meanwhile, and its adjustment completes when sent again", async () => {
    const exceptionId = await openException("adj-1", "2024-09-01");
    const unreachable = ledgerWith({
      post: () => Promise.reject(unavailable("the ledger service is not answering; retry later")),
    });
    await expect(postAdjustment(store, unreachable, request(exceptionId, "key-1"))).rejects.toMatchObject({
      kind: "unavailable",
    });
    expect(await store.getException(exceptionId)).toMatchObject({
      status: "adjusting",
      adjustment: { operatorId: "ops-bo", idempotencyKey: "key-1" },
    });

    // A run that no longer finds it, or an auto-fix, leaves it alone.
    expect(await store.markAutoFixed(exceptionId, "fixed elsewhere")).toBe(false);
    await reconciliation().run("2024-09-01", settlementFile([], "2024-09-01T10:00:00.000Z"));
    expect((await store.getException(exceptionId))!.status).toBe("adjusting");

    await expect(postAdjustment(store, ledger, request(exceptionId, "key-2"))).rejects.toMatchObject({
      kind: "aborted",
      message: expect.stringContaining("is being adjusted by ops-bo"),
    });
    const done = await postAdjustment(store, ledger, request(exceptionId, "key-1"));
    expect(done.exception).toMatchObject({
      status: "adjusted",
      adjustment: { transactionId: `adjustment:${exceptionId}`, idempotencyKey: "key-1" },
    });
    expect(await entriesOf(`adjustment:${exceptionId}`)).toEqual([
      "Dr psp_receivable:USD 1000",
      "Cr seller_payable:s1:USD 1000",
    ]);
    expect(await postAdjustment(store, ledger, request(exceptionId, "key-1"))).toEqual(done);
  });

  it("an adjustment the ledger refuses leaves the exception open, as it was", async () => {
    const exceptionId = await openException("adj-2", "2024-09-02");
    const unknownAccount = request(exceptionId, "key-3");
    unknownAccount.entries[1]!.accountCode = "nowhere:USD";
    await expect(postAdjustment(store, ledger, unknownAccount)).rejects.toMatchObject({ kind: "invalid_argument" });
    expect(await store.getException(exceptionId)).toMatchObject({ status: "open", adjustment: undefined });
    expect((await postAdjustment(store, ledger, request(exceptionId, "key-4"))).exception.status).toBe("adjusted");
  });
});

describe("the nightly job", () => {
  it("reconciles each due day once, leaves a day with no file for later, and comes back for a charge fixed automatically", async () => {
    await bookPayIn("nightly-1", 400n);
    pspFiles.set(
      "2024-10-01",
      settlementFile(
        [
          ["nightly-1", 400],
          ["nightly-2", 600],
        ],
        "2024-10-01T10:00:00.000Z",
      ),
    );
    const log = createLogger("run-safety-test");
    expect(await reconcileDueDays(reconciliation(), store, ["2024-10-01", "2024-10-02"], log)).toEqual(["2024-10-01"]);
    expect(await reconcileDueDays(reconciliation(), store, ["2024-10-01", "2024-10-02"], log)).toEqual([]);

    // The auto-fix applied the missed charge: the day is due once more, to settle it.
    const [missing] = await store.listExceptions({ date: "2024-10-01", status: "open", limit: 10 });
    expect(await store.markAutoFixed(missing!.id, "the PSP confirmed it; RefreshPayment applied it")).toBe(true);
    await bookPayIn("nightly-2", 600n);
    pspFiles.set("2024-10-02", settlementFile([], "2024-10-02T10:00:00.000Z"));
    expect(await reconcileDueDays(reconciliation(), store, ["2024-10-01", "2024-10-02"], log)).toEqual([
      "2024-10-01",
      "2024-10-02",
    ]);
    expect(await entriesOf("settlement:2024-10-01:USD:2")).toEqual([
      "Dr bank:platform:USD 582",
      "Dr psp_fee_expense:USD 18",
      "Cr psp_receivable:USD 600",
    ]);
    expect(await reconcileDueDays(reconciliation(), store, ["2024-10-01", "2024-10-02"], log)).toEqual([]);
  });

  it("a day whose newer file no longer names a movement releases it: the next day's file then settles it", async () => {
    await bookPayIn("moved-1", 1_000n);
    await bookPayIn("moved-2", 2_000n);
    const first = await reconciliation().run(
      "2024-11-01",
      settlementFile([["moved-1", 1_000]], "2024-11-01T10:00:00.000Z"),
    );
    expect(first.changes).toContain("posted settlement:2024-11-01:USD:1");
    const nextDay = settlementFile([["moved-1", 1_000]], "2024-11-02T10:00:00.000Z");
    const refused = await reconciliation().run("2024-11-02", nextDay);
    expect(refused.run.report.map((r) => [r.class, r.count])).toEqual([["already_settled", 1]]);
    expect(await entriesOf("settlement:2024-11-02:USD:1")).toBeUndefined();

    // The PSP's corrected file of 2024-11-01 has moved-2 instead: that day's settlement is corrected, moved-1 let go.
    const corrected = await reconciliation().run(
      "2024-11-01",
      settlementFile([["moved-2", 2_000]], "2024-11-01T10:00:00.000Z"),
    );
    expect(corrected.changes).toEqual(
      expect.arrayContaining([
        "posted settlement:2024-11-01:USD:2",
        "1 movement(s) the file no longer settles, released for another day",
      ]),
    );
    const settledNextDay = await reconciliation().run("2024-11-02", nextDay);
    expect(settledNextDay.changes).toContain("posted settlement:2024-11-02:USD:1");
    expect(settledNextDay.run.report.map((r) => [r.class, r.count])).toEqual([["matched", 1]]);
    expect(await entriesOf("settlement:2024-11-02:USD:1")).toEqual([
      "Dr bank:platform:USD 970",
      "Dr psp_fee_expense:USD 30",
      "Cr psp_receivable:USD 1000",
    ]);
  });
});

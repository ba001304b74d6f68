import { testTls } from "../support/tls.js";
import { createDb, type Db } from "../../services/lib/db.js";
import { randomPageTokenSecret } from "../../services/lib/page-token.js";
import {
  startLedgerService,
  type LedgerServiceConfig,
  type RunningLedgerService,
} from "../../services/ledger/service.js";
import type { PostingPlan } from "../../services/contracts/accounting/postings.js";
import { postingFingerprint } from "../../services/ledger/domain/posting.js";
import { LedgerStore } from "../../services/ledger/store/ledger-store.js";
import { LEDGER_SCHEMA } from "../../services/ledger/store/migrations/index.js";
import { type AccountType, Direction } from "../../gen/ledger/v1/ledger_pb.js";
import { serviceClient, type ServiceClient } from "../support/clients.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

/** A ledger service on its own database, a typed client to it, and a pool on its schema for raw SQL. */
export interface LedgerUnderTest {
  database: TestDatabase;
  service: RunningLedgerService;
  /** Calls as operator-tools, whom the ledger's policy lets call every method. */
  client: ServiceClient<"ledger">;
  db: Db;
  /**
   * Posts straight into the ledger's store, as its own event consumers do: the way to book the reserved ids
   * (payin:, refund:, ...) that PostTransaction refuses to every caller. Takes what PostTransaction takes.
   */
  book(request: { transactionId: string; description: string; entries: LedgerEntry[] }): Promise<void>;
  close(): Promise<void>;
}

/** By default the checkpointer waits an hour, so that a test decides when checkpoints advance. */
export async function startLedgerUnderTest(
  config: Omit<LedgerServiceConfig, "databaseUrl" | "tls" | "pageTokenSecret"> = {},
): Promise<LedgerUnderTest> {
  const database = await createTestDatabase();
  const service = await startLedgerService({
    tls: testTls("ledger"),
    databaseUrl: database.url,
    checkpointIntervalMs: 3_600_000,
    pageTokenSecret: randomPageTokenSecret(),
    ...config,
  });
  const db = createDb(database.url, LEDGER_SCHEMA);
  return {
    database,
    service,
    client: serviceClient("ledger", service.url, "operator-tools"),
    db,
    book: async ({ transactionId, description, entries }) => {
      await new LedgerStore(db).post({
        transactionId,
        description,
        entries: entries.map((e) => ({
          accountCode: e.accountCode,
          direction: e.direction === Direction.DEBIT ? "DEBIT" : "CREDIT",
          amount: e.amount,
        })),
      });
    },
    close: async () => {
      await db.destroy();
      await service.close();
      await database.drop();
    },
  };
}

export const money = (amountMinor: bigint | number, currency = "USD") => ({
  amountMinor: BigInt(amountMinor),
  currency,
});
const entry =
  (direction: Direction) =>
  (accountCode: string, amountMinor: bigint | number, currency = "USD") => ({
    accountCode,
    direction,
    amount: money(amountMinor, currency),
  });
export const debit = entry(Direction.DEBIT);
export const credit = entry(Direction.CREDIT);
/** An entry as PostTransaction takes it. */
export type LedgerEntry = ReturnType<typeof debit>;

export async function openAccounts(ledger: LedgerUnderTest, accounts: Record<string, AccountType>): Promise<void> {
  for (const [code, type] of Object.entries(accounts)) {
    await ledger.client.openAccount({ account: { code, type, currency: code.slice(-3) } });
  }
}

/** A pay-in shaped transaction: Dr psp_receivable, Cr seller_payable, Cr platform_fee_revenue. */
export const payIn = (
  transactionId: string,
  sellerId: string,
  amountMinor: bigint,
  feeMinor: bigint,
  currency = "USD",
) => ({
  transactionId,
  description: `pay-in ${transactionId}`,
  entries: [
    debit(`psp_receivable:${currency}`, amountMinor, currency),
    credit(`seller_payable:${sellerId}:${currency}`, amountMinor - feeMinor, currency),
    credit(`platform_fee_revenue:${currency}`, feeMinor, currency),
  ],
});

/**
 * Books a chart posting as if posted at `postedAt` (post_transaction stamps now()): the same rows through the same
 * triggers, which still check every entry and the balance at commit. Opens the accounts it needs.
 */
export async function bookAt(db: Db, { posting, accounts }: PostingPlan, postedAt: Date): Promise<void> {
  await db.transaction(async (trx) => {
    await new LedgerStore(trx).openAccounts(accounts);
    await trx("transactions").insert({
      id: posting.transactionId,
      description: posting.description,
      fingerprint: postingFingerprint(posting),
      posted_at: postedAt,
    });
    await trx("entries").insert(
      posting.entries.map((e, position) => ({
        transaction_id: posting.transactionId,
        position,
        account_code: e.accountCode,
        currency: e.amount.currency,
        direction: e.direction,
        amount_minor: e.amount.amountMinor.toString(),
      })),
    );
  });
}

import { rpcAuditMigration } from "../../../lib/audit/audit-store.js";
import type { Migration } from "../../../lib/db.js";
import { journal } from "./001_journal.js";
import { postTransactionFunction } from "./002_post_transaction.js";
import { checkpoints } from "./003_checkpoints.js";
import { inbox } from "./004_inbox.js";
import { transactionsPostedAt } from "./005_transactions_posted_at.js";
import { revenueDays } from "./007_revenue_days.js";
import { postTransactions } from "./008_post_transactions.js";
import { entriesKeepBalance } from "./009_entries_keep_balance.js";
import { retentionIndexes } from "../../../lib/retention.js";
import type { ServiceSchema } from "../../../lib/service-db.js";

export const LEDGER_SCHEMA = "ledger";
export const ledgerMigrations: readonly Migration[] = [
  journal,
  postTransactionFunction,
  checkpoints,
  inbox,
  transactionsPostedAt,
  retentionIndexes("006_retention_indexes", [{ table: "inbox", column: "received_at" }]),
  rpcAuditMigration,
  revenueDays,
  postTransactions,
  entriesKeepBalance,
];
// insertOnlyTables: the tables whose triggers refuse updates and deletes.
export const ledgerSchema: ServiceSchema = {
  name: LEDGER_SCHEMA,
  migrations: ledgerMigrations,
  insertOnlyTables: ["accounts", "transactions", "entries", "rpc_audit"],
};

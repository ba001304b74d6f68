import { rpcAuditMigration } from "../../../lib/audit/audit-store.js";
import type { Migration } from "../../../lib/db.js";
import { walletTables } from "./001_wallet_tables.js";
import { refundOverdraft } from "./002_refund_overdraft.js";
import { payouts } from "./003_payouts.js";
import { outboxDeadLetters } from "./004_outbox_dead_letters.js";
import { payoutsCreatedAt } from "./005_payouts_created_at.js";
import { payoutStatusCounts } from "./007_payout_status_counts.js";
import { retentionIndexes } from "../../../lib/retention.js";
import type { ServiceSchema } from "../../../lib/service-db.js";

export const WALLET_SCHEMA = "wallet";
export const walletMigrations: readonly Migration[] = [
  walletTables,
  refundOverdraft,
  payouts,
  outboxDeadLetters,
  payoutsCreatedAt,
  retentionIndexes("006_retention_indexes", [
    { table: "outbox", column: "published_at" },
    { table: "inbox", column: "received_at" },
  ]),
  payoutStatusCounts,
  rpcAuditMigration,
];
// insertOnlyTables: the tables whose triggers refuse updates and deletes.
export const walletSchema: ServiceSchema = {
  name: WALLET_SCHEMA,
  migrations: walletMigrations,
  insertOnlyTables: ["rpc_audit"],
};

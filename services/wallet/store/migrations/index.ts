import { rpcAuditMigration } from "../../../lib/audit/audit-store.js";
import type { Migration } from "../../../lib/db.js";
import { walletTables } from "./001_wallet_tables.js";
import { refundOverdraft } from "./002_refund_overdraft.js";
import { payouts } from "./003_payouts.js";
import { retentionIndexes } from "../../../lib/retention.js";
import type { ServiceSchema } from "../../../lib/service-db.js";

export const WALLET_SCHEMA = "wallet";
export const walletMigrations: readonly Migration[] = [walletTables, refundOverdraft, payouts, rpcAuditMigration, retentionIndexes("004_retention_indexes", [
  { table: "outbox", column: "published_at" },
  { table: "inbox", column: "received_at" },
])];
// insertOnlyTables: the tables whose triggers refuse updates and deletes.
export const walletSchema: ServiceSchema = { name: WALLET_SCHEMA, migrations: walletMigrations, insertOnlyTables: ["rpc_audit"] };

import { rpcAuditMigration } from "../../../lib/audit/audit-store.js";
import type { Migration } from "../../../lib/db.js";
import { paymentTables } from "./001_payments.js";
import { feesAndOutbox } from "./002_fees_and_outbox.js";
import { statusHistory } from "./003_status_history.js";
import { idempotencyKeys } from "./004_idempotency_keys.js";
import { statusPageUrl } from "./005_status_page_url.js";
import { refunds } from "./006_refunds.js";
import { manualCapture } from "./007_manual_capture.js";
import { disputes } from "./008_disputes.js";
import { timeline } from "./009_timeline.js";
import { createdAtIndex } from "./010_created_at_index.js";
import { checkoutStatus } from "./011_checkout_status.js";
import { outboxDeadLetters } from "./012_outbox_dead_letters.js";
import { refundsCreatedAt } from "./013_refunds_created_at.js";
import { embedOrigins } from "./015_embed_origins.js";
import { paymentStatusCounts } from "./016_payment_status_counts.js";
import { retentionIndexes } from "../../../lib/retention.js";
import type { ServiceSchema } from "../../../lib/service-db.js";

export const PAYMENT_SCHEMA = "payment";
export const paymentMigrations: readonly Migration[] = [
  paymentTables,
  feesAndOutbox,
  statusHistory,
  idempotencyKeys,
  statusPageUrl,
  refunds,
  manualCapture,
  disputes,
  timeline,
  createdAtIndex,
  checkoutStatus,
  outboxDeadLetters,
  refundsCreatedAt,
  retentionIndexes("014_retention_indexes", [
    { table: "outbox", column: "published_at" },
    { table: "webhook_deliveries", column: "received_at" },
  ]),
  embedOrigins,
  paymentStatusCounts,
  rpcAuditMigration,
];
// insertOnlyTables: the tables whose triggers refuse updates and deletes.
export const paymentSchema: ServiceSchema = {
  name: PAYMENT_SCHEMA,
  migrations: paymentMigrations,
  insertOnlyTables: ["rpc_audit"],
};

import { rpcAuditMigration } from "../../../lib/audit/audit-store.js";
import type { Migration } from "../../../lib/db.js";
import { runsAndExceptions } from "./001_runs_and_exceptions.js";
import { crashSafeRuns } from "./002_crash_safe_runs.js";
import { settledMovements } from "./003_settled_movements.js";
import { balanceBreak } from "./004_balance_break.js";
import { balanceCheckNote } from "./005_balance_check_note.js";
import type { ServiceSchema } from "../../../lib/service-db.js";

export const RECONCILIATION_SCHEMA = "reconciliation";
export const reconciliationMigrations: readonly Migration[] = [
  runsAndExceptions,
  crashSafeRuns,
  settledMovements,
  balanceBreak,
  balanceCheckNote,
  rpcAuditMigration,
];
// insertOnlyTables: the tables whose triggers refuse updates and deletes.
export const reconciliationSchema: ServiceSchema = {
  name: RECONCILIATION_SCHEMA,
  migrations: reconciliationMigrations,
  insertOnlyTables: ["adjustments", "rpc_audit"],
};
